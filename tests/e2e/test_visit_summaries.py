"""The family's visit summaries in Chromium (issue 7): the grid worker records a visit with a
summary and staff notes, and a volunteer records a companionship visit, both through the API (the
recording screens are tested elsewhere); the daughter, who holds view_visit_summaries, reads both
on her phone, newest first, with who came — and never the staff notes — and the inbox's
notification opens the same screen; a relative without the scope has no link and no screen; read
once online, the summaries show offline with 最后更新; older ones come 20 at a time; the resident
reads her own, and before any visit is told there are none."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from backend.extensions import db
from backend.community.models import Household
from backend.visits.models import Visit, VisitResident

from tests.e2e.test_install_and_offline import SERVICE_WORKER_ACTIVATED
from tests.e2e.test_worker_home import _heading, _sign_in_as, _with_app
from tests.e2e.visits import (
    NEEDS, STAFF_NOTES, VOLUNTEER_SUMMARY, WORKER_SUMMARY, Kin, expect_both_summaries, make_kin, record_visits,
)

pytestmark = pytest.mark.browser

LAST_UPDATED = re.compile(r"^最后更新 \d\d:\d\d$")


@pytest.fixture
def kin(live_server) -> Kin:
    return make_kin(live_server.app)


def _cards(page):
    return page.locator(".summary-card")


def test_the_daughter_reads_the_summaries_newest_first_and_never_the_staff_notes(open_tab, kin):
    record_visits(open_tab, kin)
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, kin.daughter_phone, "您好，王丽")
    expect(page.get_by_text("正在代 王奶奶 操作")).to_be_visible()
    page.get_by_role("link", name="走访小结").click()
    expect(_heading(page)).to_have_text("王奶奶的走访小结")
    assert page.url.endswith(f"/for/{kin.resident_id}/visits")
    expect_both_summaries(page)
    expect(_cards(page).get_by_role("heading", level=2)).to_have_count(2)  # each visit's date and time
    screen = page.locator("#screen")
    for staff_only in (STAFF_NOTES, "煤气", NEEDS, "concern", "gas"):
        expect(screen).not_to_contain_text(staff_only)
    tab.screenshot("visit-summaries-daughter")

    # The notification of each summary opens the same screen from the inbox.
    page.get_by_role("link", name="返回主页").click()
    page.locator("header").get_by_role("link", name="消息", exact=False).click()
    expect(_heading(page)).to_have_text("消息")
    message = page.locator("li", has_text=VOLUNTEER_SUMMARY).first
    expect(message).to_contain_text("王奶奶的走访小结")
    message.get_by_role("link", name="查看").click()
    expect(_heading(page)).to_have_text("王奶奶的走访小结")
    assert page.url.endswith(f"/for/{kin.resident_id}/visits")
    expect_both_summaries(page)
    assert tab.page_errors == [] and tab.foreign_requests() == [] and tab.csp_violations() == []


def test_a_relative_without_the_scope_has_no_link_and_no_screen(open_tab, kin):
    record_visits(open_tab, kin)
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, kin.son_phone, "您好，王强")
    expect(page.get_by_text("正在代 王奶奶 操作")).to_be_visible()
    expect(page.get_by_role("link", name="给网格员打电话")).to_be_visible()
    expect(page.get_by_role("link", name="走访小结")).to_have_count(0)
    page.goto(f"/for/{kin.resident_id}/visits")  # typed by hand: back to his home
    expect(_heading(page)).to_have_text("您好，王强")
    expect(page).to_have_url(re.compile(rf"/for/{kin.resident_id}$"))
    expect(page.locator("#screen")).not_to_contain_text(WORKER_SUMMARY)
    refused = page.request.get(f"/api/v1/residents/{kin.resident_id}/visit-summaries")
    assert refused.status in (403, 404) and WORKER_SUMMARY not in refused.text()
    assert tab.page_errors == []


def test_the_summaries_read_online_show_offline_with_when_they_were_fetched(open_tab, kin):
    record_visits(open_tab, kin)
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, kin.daughter_phone, "您好，王丽")
    assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    page.get_by_role("link", name="走访小结").click()
    expect_both_summaries(page)
    expect(page.locator("[data-outbox-offline]")).to_be_hidden()
    page.context.set_offline(True)
    try:
        # Back home and in again by the link, then a fresh start at the address: cached both ways.
        page.get_by_role("link", name="返回主页").click()
        expect(_heading(page)).to_have_text("您好，王丽")
        page.get_by_role("link", name="走访小结").click()
        expect_both_summaries(page)
        expect(page.locator("[data-outbox-offline]")).to_have_text(LAST_UPDATED)
        assert page.reload().from_service_worker
        expect(_heading(page)).to_have_text("王奶奶的走访小结")
        expect_both_summaries(page)
        expect(page.locator("[data-outbox-offline]")).to_have_text(LAST_UPDATED)
        tab.screenshot("visit-summaries-offline")
    finally:
        page.context.set_offline(False)
    assert tab.page_errors == []


def _visited_every_fortnight(live_server, kin, count):
    """`count` earlier visits with summaries, a fortnight apart (set up directly: the API takes
    visits at most 72 hours old)."""
    shanghai = ZoneInfo("Asia/Shanghai")

    def make():
        household = db.session.get(Household, kin.household_id)
        for n in range(1, count + 1):
            at = datetime.now(shanghai).replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=14 * n)
            visit = Visit(community_id=household.building.grid.community_id, grid_id=household.building.grid_id,
                          household_id=household.id, occurred_at=at, local_date=at.date(), recorded_at=at, seen=True,
                          summary=f"第 {n} 次以前的走访：一切都好。")
            visit.residents.append(VisitResident(resident_id=kin.resident_id, outcome="met"))
            db.session.add(visit)
        db.session.commit()
    _with_app(live_server, make)


def test_older_summaries_come_twenty_at_a_time_with_show_more(open_tab, kin, live_server):
    record_visits(open_tab, kin)
    _visited_every_fortnight(live_server, kin, 23)
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, kin.daughter_phone, "您好，王丽")
    page.get_by_role("link", name="走访小结").click()
    expect(_cards(page)).to_have_count(20)
    expect(_cards(page).first).to_contain_text(VOLUNTEER_SUMMARY)
    expect(page.get_by_text("一共 25 次，这里是最近的 20 次。")).to_be_visible()
    page.get_by_role("button", name="显示更多").click()
    expect(_cards(page)).to_have_count(25)
    expect(_cards(page).nth(20).get_by_role("heading")).to_be_focused()  # the first one added
    expect(_cards(page).last).to_contain_text("第 23 次以前的走访：一切都好。")
    expect(page.get_by_role("button", name="显示更多")).to_be_hidden()
    expect(page.get_by_text("一共 25 次", exact=False)).to_have_count(0)
    assert tab.page_errors == []


def test_the_resident_reads_her_own_summaries_and_before_any_visit_is_told_there_are_none(open_tab, kin):
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, kin.resident_phone, "您好，王奶奶")
    page.get_by_role("link", name="走访小结").click()
    expect(_heading(page)).to_have_text("走访小结")
    expect(page.get_by_text("还没有走访小结。上门看望后，这里会写上几句。")).to_be_visible()
    expect(_cards(page)).to_have_count(0)
    record_visits(open_tab, kin)
    page.reload()
    expect_both_summaries(page)
    expect(page.get_by_text("还没有走访小结", exact=False)).to_be_hidden()
    assert page.url.endswith("/visits") and "/for/" not in page.url
    assert tab.page_errors == []
