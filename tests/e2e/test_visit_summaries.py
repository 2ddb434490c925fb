"""The family's visit summaries in Chromium (issue 7): the grid worker records a visit with a
summary and staff notes, and a volunteer records a companionship visit, both through the API (the
recording screens are tested elsewhere); the daughter, who holds view_visit_summaries, reads both
on her phone, newest first, with who came — and never the staff notes — and the inbox's
notification opens the same screen; a relative without the scope has no link and no screen; read
once online, the summaries show offline with 最后更新."""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from backend.extensions import db
from backend.volunteers.models import Volunteer
from tests.e2e.test_install_and_offline import SERVICE_WORKER_ACTIVATED
from tests.e2e.test_worker_home import _heading, _sign_in_as, _with_app
from tests.factories import (
    make_building, make_community, make_grid, make_household, make_proxy, make_resident, make_volunteer, make_worker,
)

pytestmark = pytest.mark.browser

WORKER_SUMMARY = "王奶奶今天精神不错，冰箱里菜不多，已安排志愿者明天送菜。"
STAFF_NOTES = "厨房煤气灶有点漏气，已提醒，下次带维修师傅"
NEEDS = "想要一台新的电饭煲"
VOLUNTEER_SUMMARY = "陪王奶奶聊了一个小时，一起包了饺子。"
LAST_UPDATED = re.compile(r"^最后更新 \d\d:\d\d$")


@dataclass(frozen=True)
class Kin:
    resident_id: int
    household_id: int
    volunteer_id: int
    worker_phone: str
    volunteer_phone: str
    daughter_phone: str  # view_status and view_visit_summaries
    son_phone: str  # view_status only


@pytest.fixture
def kin(live_server) -> Kin:
    """A community of its own: 王奶奶 in a grid with 走访网格员, a vetted volunteer 张阿姨, her
    daughter 王丽 (who may read the summaries) and her son 王强 (who may not), both in elder mode."""
    def make():
        community = make_community("走访小结社区")
        grid = make_grid(community)
        worker = make_worker(grid)
        worker.display_name = "走访网格员"
        household = make_household(make_building(grid))
        grandma = make_resident(household, tags=("lives_alone",))
        daughter = make_proxy(grandma, "view_status", "view_visit_summaries")
        son = make_proxy(grandma, "view_status")
        for relative, name in ((daughter, "王丽"), (son, "王强")):
            relative.display_name, relative.elder_mode = name, True
        volunteer = make_volunteer(community)
        volunteer.display_name = "张阿姨"
        volunteer_id = db.session.scalar(select(Volunteer.id).where(Volunteer.user_id == volunteer.id))
        db.session.commit()
        return Kin(resident_id=grandma.id, household_id=household.id, volunteer_id=volunteer_id,
                   worker_phone=worker.phone, volunteer_phone=volunteer.phone, daughter_phone=daughter.phone,
                   son_phone=son.phone)
    return _with_app(live_server, make)


def _post(page, path, body):
    token = page.request.get("/api/v1/auth/csrf").json()["csrf_token"]
    answer = page.request.post(path, data=body, headers={"X-CSRF-Token": token})
    assert answer.ok, answer.json()
    return answer.json()


def _record_visits(open_tab, kin):
    """The worker's visit (summary and staff notes), then the volunteer's companionship visit."""
    worker = open_tab("/").page
    _sign_in_as(worker, kin.worker_phone, "您好，走访网格员")
    _post(worker, "/api/v1/visits", {
        "household_id": kin.household_id, "outcome": "met", "notes": STAFF_NOTES, "summary": WORKER_SUMMARY,
        "residents": [{"resident_id": kin.resident_id, "outcome": "met", "checklist": {"gas": "concern"},
                       "needs": NEEDS}]})
    due_on = (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=3)).isoformat()
    delegation = _post(worker, "/api/v1/visit-delegations", {
        "household_id": kin.household_id, "volunteer_id": kin.volunteer_id, "due_on": due_on})
    volunteer = open_tab("/").page
    _sign_in_as(volunteer, kin.volunteer_phone, "您好，张阿姨")
    _post(volunteer, f"/api/v1/visit-delegations/{delegation['id']}/record", {
        "outcome": "met", "residents": [{"resident_id": kin.resident_id, "outcome": "met"}],
        "summary": VOLUNTEER_SUMMARY})


def _cards(page):
    return page.locator(".summary-card")


def _expect_both_summaries(page):
    cards = _cards(page)
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text(VOLUNTEER_SUMMARY)
    expect(cards.nth(0)).to_contain_text("志愿者 张阿姨 上门陪伴")
    expect(cards.nth(1)).to_contain_text(WORKER_SUMMARY)
    expect(cards.nth(1)).to_contain_text("走访网格员 上门看望")


def test_the_daughter_reads_the_summaries_newest_first_and_never_the_staff_notes(open_tab, kin):
    _record_visits(open_tab, kin)
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, kin.daughter_phone, "您好，王丽")
    expect(page.get_by_text("正在代 王奶奶 操作")).to_be_visible()
    page.get_by_role("link", name="走访小结").click()
    expect(_heading(page)).to_have_text("王奶奶的走访小结")
    assert page.url.endswith(f"/for/{kin.resident_id}/visits")
    _expect_both_summaries(page)
    expect(_cards(page).get_by_role("heading", level=2)).to_have_count(2)  # each visit's date and time
    screen = page.locator("#screen")
    for staff_only in ("煤气", "维修师傅", NEEDS, "concern", "gas"):
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
    _expect_both_summaries(page)
    assert tab.page_errors == [] and tab.foreign_requests() == [] and tab.csp_violations() == []


def test_a_relative_without_the_scope_has_no_link_and_no_screen(open_tab, kin):
    _record_visits(open_tab, kin)
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
    _record_visits(open_tab, kin)
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, kin.daughter_phone, "您好，王丽")
    assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    page.get_by_role("link", name="走访小结").click()
    _expect_both_summaries(page)
    expect(page.locator("[data-outbox-offline]")).to_be_hidden()
    page.context.set_offline(True)
    try:
        # Back home and in again by the link, then a fresh start at the address: cached both ways.
        page.get_by_role("link", name="返回主页").click()
        expect(_heading(page)).to_have_text("您好，王丽")
        page.get_by_role("link", name="走访小结").click()
        _expect_both_summaries(page)
        expect(page.locator("[data-outbox-offline]")).to_have_text(LAST_UPDATED)
        assert page.reload().from_service_worker
        expect(_heading(page)).to_have_text("王奶奶的走访小结")
        _expect_both_summaries(page)
        expect(page.locator("[data-outbox-offline]")).to_have_text(LAST_UPDATED)
        tab.screenshot("visit-summaries-offline")
    finally:
        page.context.set_offline(False)
    assert tab.page_errors == []
