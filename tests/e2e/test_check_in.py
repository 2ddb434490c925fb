"""The daily 我很好 in Chromium (issue 8): the resident taps it once on her home and reads
「今天已报平安 HH:MM」; a tap made without signal is noted, sent once when the phone is back, and
counts at the moment it was made; the grid worker enrols a resident (consent needed), sees today's
list — missed first — and records a check-in taken by phone; and every one of these screens passes
axe, the size scan and reflow, in the standard mode and in elder mode."""
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from backend.extensions import db
from backend.safety.models import CheckIn, CheckInEnrolment
from tests.e2e.journeys import sign_out, submit_sign_in
from tests.e2e.test_accessibility import assert_accessible_screen
from tests.e2e.test_install_and_offline import SERVICE_WORKER_ACTIVATED
from tests.e2e.test_worker_home import _heading, _set_elder_mode
from tests.factories import (
    DEMO_PASSWORD, make_building, make_community, make_grid, make_household, make_resident, make_user, make_worker,
)

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Street:
    worker_phone: str
    enrolled_id: int  # 赵奶奶, enrolled, deadline 23:59 (never missed while the test runs)
    enrolled_phone: str
    missed_id: int  # 钱爷爷, enrolled with a deadline already past today
    newcomer_id: int  # 孙奶奶, not enrolled


def _make_street(app) -> Street:
    with app.app_context():
        community = make_community("报平安社区")
        grid = make_grid(community)
        worker = make_worker(grid)
        worker.display_name = "平安网格员"
        building = make_building(grid, label="平安里1幢")
        zhao_account = make_user(community, "resident", name="赵桂英")
        zhao_account.elder_mode = True
        zhao = make_resident(make_household(building), family_name="赵", given_name="桂英", address_as="赵奶奶",
                             user=zhao_account)
        qian = make_resident(make_household(building), family_name="钱", given_name="大山", address_as="钱爷爷")
        sun = make_resident(make_household(building), family_name="孙", given_name="秀兰", address_as="孙奶奶")
        db.session.add_all([
            CheckInEnrolment(community_id=community.id, resident_id=zhao.id, deadline="23:59", grace_minutes=60,
                             second_grace_minutes=60),
            CheckInEnrolment(community_id=community.id, resident_id=qian.id, deadline="00:00", grace_minutes=60,
                             second_grace_minutes=60, created_at=datetime.now(timezone.utc) - timedelta(days=2)),
        ])
        db.session.commit()
        street = Street(worker_phone=worker.phone, enrolled_id=zhao.id, enrolled_phone=zhao_account.phone,
                        missed_id=qian.id, newcomer_id=sun.id)
        db.session.remove()
        return street


@pytest.fixture
def street(live_server) -> Street:
    return _make_street(live_server.app)


def _check_ins(app, resident_id) -> list[CheckIn]:
    with app.app_context():
        rows = list(db.session.scalars(select(CheckIn).where(CheckIn.resident_id == resident_id)))
        db.session.remove()
        return rows


def _sign_in(page, phone, greeting):
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(_heading(page)).to_have_text(greeting)


DONE = r"^今天已报平安 \d\d:\d\d$"


def test_one_tap_on_the_home_checks_in_and_says_so(open_tab, street, live_server):
    tab = open_tab("/")
    page = tab.page
    _sign_in(page, street.enrolled_phone, "您好，赵奶奶")
    page.get_by_role("link", name="我很好").click()
    expect(_heading(page)).to_have_text("我很好")
    expect(page.locator("[data-slot=done-time]")).to_have_text(re.compile(DONE))
    expect(page.get_by_text("家人和网格员都会知道您今天平安。")).to_be_visible()
    expect(page.get_by_role("button", name="我很好")).to_be_hidden()
    [check] = _check_ins(live_server.app, street.enrolled_id)
    assert check.via == "app"
    tab.screenshot("im-ok-done")

    # Pressed again later the same day: nothing new, and the first time stays.
    first = page.locator("[data-slot=done-time]").text_content()
    page.get_by_role("link", name="返回主页").click()
    page.get_by_role("link", name="我很好").click()
    expect(page.locator("[data-slot=done-time]")).to_have_text(first)
    assert len(_check_ins(live_server.app, street.enrolled_id)) == 1
    # Opened again (the reminder, Back): today's state, no button.
    page.goto("/im-ok")
    expect(page.locator("[data-slot=done-time]")).to_have_text(first)
    expect(page.get_by_role("button", name="我很好")).to_be_hidden()
    assert tab.page_errors == [] and tab.csp_violations() == [] and tab.foreign_requests() == []


def test_a_tap_without_signal_is_sent_once_when_back_and_counts_when_it_was_made(open_tab, street, live_server):
    tab = open_tab("/")
    page = tab.page
    _sign_in(page, street.enrolled_phone, "您好，赵奶奶")
    # The app as it is on her phone: installed (its files precached), im-ok.js never opened yet.
    assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    page.context.set_offline(True)
    before = datetime.now(timezone.utc)
    page.get_by_role("link", name="我很好").click()
    expect(page.get_by_text("已经记下了。手机有信号时会自动发出去，时间还是您按的时候。")).to_be_visible()
    expect(page.locator("[data-slot=done-time]")).to_have_text(re.compile(DONE))
    expect(page.locator("[data-outbox-pending]")).to_have_text("有 1 条待发送")
    tapped = datetime.now(timezone.utc)
    assert _check_ins(live_server.app, street.enrolled_id) == []
    time.sleep(2)  # the tap is older than the moment it arrives
    page.context.set_offline(False)
    expect(page.locator("[data-outbox-pending]")).to_be_hidden()
    [check] = _check_ins(live_server.app, street.enrolled_id)
    occurred = check.occurred_at.astimezone(timezone.utc)
    assert before - timedelta(seconds=1) <= occurred <= tapped
    assert check.received_at.astimezone(timezone.utc) - occurred >= timedelta(seconds=2)
    page.reload()
    expect(page.locator("[data-outbox-pending]")).to_be_hidden()
    assert len(_check_ins(live_server.app, street.enrolled_id)) == 1
    assert tab.page_errors == [] and tab.csp_violations() == []


def test_the_worker_enrols_sees_who_missed_and_records_a_phone_call(open_tab, street, live_server):
    tab = open_tab("/")
    page = tab.page
    _sign_in(page, street.worker_phone, "您好，平安网格员")
    page.get_by_role("link", name="每日报平安").click()
    expect(_heading(page)).to_have_text("今天的报平安")
    expect(page.get_by_text("没报平安 1 位，还没到时间 1 位，已报平安 0 位，不在家不催 0 位。")).to_be_visible()
    cards = page.locator(".check-in-card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("钱爷爷 · 平安里1幢")
    expect(cards.nth(0)).to_contain_text("00:00 前没报平安")
    expect(cards.nth(1)).to_contain_text("赵奶奶")
    expect(cards.nth(1)).to_contain_text("还没报平安，23:59 前报就行。")

    cards.nth(0).get_by_role("button", name="电话确认 钱爷爷 平安").click()
    expect(cards.nth(0)).to_contain_text("（电话确认）")
    expect(cards.nth(0).get_by_role("button")).to_have_count(0)
    [check] = _check_ins(live_server.app, street.missed_id)
    assert check.via == "phone_call"
    tab.screenshot("worker-check-ins")

    # 孙奶奶 is enrolled from her record: without the consent the form says what is missing.
    page.goto(f"/worker/residents/{street.newcomer_id}")
    page.get_by_role("link", name="每日报平安").click()
    expect(_heading(page)).to_have_text("孙奶奶 的每日报平安")
    page.get_by_label("每天几点前报平安").fill("09:30")
    page.get_by_role("button", name="开通").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("请选择谁同意了。")
    expect(summary).to_contain_text("请填写")
    page.get_by_label("本人", exact=True).check()
    page.get_by_label("同意人姓名").fill("孙秀兰")
    page.get_by_role("button", name="开通").click()
    expect(page.get_by_role("heading", name="已开通")).to_be_focused()
    expect(page.locator("[data-slot=enrolled-deadline]")).to_contain_text("每天 09:30 前报平安。")
    expect(page.locator("#status")).to_have_text("已开通：每天 09:30 前报平安。")
    with live_server.app.app_context():
        enrolment = db.session.scalar(select(CheckInEnrolment).where(
            CheckInEnrolment.resident_id == street.newcomer_id, CheckInEnrolment.ended_at.is_(None)))
        assert enrolment is not None and enrolment.deadline == "09:30"
        db.session.remove()
    tab.screenshot("worker-check-in-enrolled")

    page.get_by_role("button", name="停止每日报平安").click()
    expect(page.get_by_role("button", name="开通")).to_be_visible()
    expect(page.locator("#status")).to_have_text("已停止每日报平安，不会再提醒。")
    assert tab.page_errors == [] and tab.csp_violations() == [] and tab.foreign_requests() == []


@pytest.fixture(params=[False, True], ids=["standard", "elder-mode"])
def elder(request):
    return request.param


def each_screen(tab, street, elder):
    page = tab.page
    _sign_in(page, street.enrolled_phone, "您好，赵奶奶")
    _set_elder_mode(page, elder)
    page.goto("/im-ok")
    expect(page.get_by_role("button", name="我很好")).to_be_visible()
    yield "im-ok"
    page.get_by_role("button", name="我很好").click()
    expect(page.locator("[data-slot=done-time]")).to_be_visible()
    yield "im-ok-done"
    page.goto("/")
    sign_out(page)
    _sign_in(page, street.worker_phone, "您好，平安网格员")
    _set_elder_mode(page, elder)
    page.goto("/worker/check-ins")
    expect(page.locator(".check-in-card")).to_have_count(2)
    yield "worker-check-ins"
    page.goto(f"/worker/residents/{street.newcomer_id}/check-in")
    expect(page.get_by_role("button", name="开通")).to_be_visible()
    page.get_by_role("button", name="开通").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "worker-enrol-refused"
    page.goto(f"/worker/residents/{street.enrolled_id}/check-in")
    expect(page.get_by_role("button", name="停止每日报平安")).to_be_visible()
    yield "worker-enrolled"


def test_check_in_screens_pass_axe_the_size_scan_and_reflow(open_tab, street, elder):
    tab = open_tab("/")
    for screen in each_screen(tab, street, elder):
        assert_accessible_screen(tab.page, screen, elder=elder)
        assert _heading(tab.page).count() == 1, screen
    assert tab.csp_violations() == [] and tab.page_errors == []
