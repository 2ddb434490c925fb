"""Alerts in Chromium: an alert raised on the live server shows on the worker's home and in
/alerts; 「我来处理」 makes the worker its owner (in the database and on the timeline); a second
worker who taps it too is told, once and in place, who has it; the owner resolves it with a note.
Offline, the alert renders from this phone's cache, and a tap on 「我来处理」 or 「处理完毕」 waits in
the outbox until the phone is back online."""
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from backend.alerts.models import Alert
from backend.alerts.services.alerts import acknowledge, raise_alert
from backend.community.models import Community
from backend.extensions import db
from tests.alerts.helpers import TEST_ALERT, ensure_test_kind
from tests.e2e.journeys import submit_sign_in
from tests.e2e.test_install_and_offline import SERVICE_WORKER_ACTIVATED
from tests.e2e.test_offline import LAST_UPDATED
from tests.factories import DEMO_PASSWORD, make_building, make_grid, make_household, make_resident, make_worker

pytestmark = pytest.mark.browser

RESIDENT_PHONE = "13700000001"  # what make_resident gives


@dataclass(frozen=True)
class Ward:
    worker_phone: str
    worker_id: int
    second_phone: str
    second_id: int
    building: str
    resident_id: int


def _with_app(live_server, work):
    with live_server.app.app_context():
        try:
            return work()
        finally:
            db.session.remove()


@pytest.fixture
def ward(live_server) -> Ward:
    """A grid of its own with two workers, 李网格员 (primary) and 赵网格员, and 孙阿婆 in one of
    its buildings; the test-only alert kind 测试提醒 registered in the live server's process."""
    ensure_test_kind()

    def make():
        community = db.session.scalar(select(Community).order_by(Community.id))
        grid = make_grid(community)
        worker = make_worker(grid)
        worker.display_name = "李网格员"
        second = make_worker(grid, primary=False)
        second.display_name = "赵网格员"
        building = make_building(grid)
        household = make_household(building)
        household.phone = "057188881234"
        resident = make_resident(household, family_name="孙", given_name="桂芳", address_as="孙阿婆")
        db.session.commit()
        return Ward(worker_phone=worker.phone, worker_id=worker.id, second_phone=second.phone, second_id=second.id,
                    building=building.label, resident_id=resident.id)
    return _with_app(live_server, make)


def _raise(live_server, ward) -> int:
    def work():
        alert = raise_alert(TEST_ALERT, resident_id=ward.resident_id)
        db.session.commit()
        return alert.id
    return _with_app(live_server, work)


def _alert(live_server, alert_id):
    def read():
        alert = db.session.get(Alert, alert_id)
        return alert.status, alert.owner_id, alert.resolution_note
    return _with_app(live_server, read)


def _heading(page):
    return page.get_by_role("heading", level=1)


def _sign_in(page, phone, name):
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(_heading(page)).to_have_text(f"您好，{name}")


def test_a_worker_takes_an_alert_on_a_second_is_told_who_has_it_and_the_owner_resolves_it(
        open_tab, live_server, ward):
    alert_id = _raise(live_server, ward)
    subject = f"孙阿婆 · {ward.building}"
    tab = open_tab("/")
    page = tab.page
    _sign_in(page, ward.worker_phone, "李网格员")
    page.get_by_role("link", name="提醒：1 条无人接手").click()
    waiting = page.get_by_role("region", name="无人接手")
    entry = waiting.get_by_role("link", name=f"测试提醒 · {subject} · 无人接手，已等", exact=False)
    expect(entry).to_be_visible()
    expect(page.get_by_role("region", name="处理中").get_by_text("没有正在处理的提醒。")).to_be_visible()
    entry.click()
    expect(_heading(page)).to_have_text(f"测试提醒：{subject}")
    expect(page.locator('[data-slot="state"]')).to_have_text(re.compile(r"^无人接手：已等 \d+ 分钟。$"))
    expect(page.get_by_role("link", name="给 孙阿婆 打电话 137 0000 0001")).to_have_attribute(
        "href", f"tel:{RESIDENT_PHONE}")
    expect(page.get_by_role("link", name="打家里电话 0571 8888 1234")).to_be_visible()
    expect(page.get_by_role("link", name="给网格员 赵网格员 打电话", exact=False)).to_be_visible()
    timeline = page.get_by_role("region", name="经过")
    expect(timeline).to_contain_text("发出提醒；告诉本网格的网格员；告诉了：李网格员、赵网格员")

    other = open_tab("/")
    second = other.page
    _sign_in(second, ward.second_phone, "赵网格员")
    second.goto(f"/alerts/{alert_id}")
    expect(second.get_by_role("button", name="我来处理")).to_be_visible()

    page.get_by_role("button", name="我来处理").click()
    expect(page.locator('[data-slot="state"]')).to_contain_text("您正在处理")
    expect(page.locator("#status")).to_have_text("您已接手这条提醒。")
    assert _alert(live_server, alert_id)[:2] == ("acknowledged", ward.worker_id)
    expect(timeline).to_contain_text("李网格员 接手（我来处理）；告诉了：赵网格员")
    expect(page.get_by_role("button", name="我来处理")).to_be_hidden()

    second.get_by_role("button", name="我来处理").click()
    refusal = second.get_by_role("alert")
    expect(refusal).to_contain_text("李网格员 已接手这条提醒。")
    expect(second.locator('[data-slot="state"]')).to_contain_text("李网格员 正在处理")
    expect(second.get_by_role("button", name="我来处理")).to_be_hidden()
    assert second.title().startswith("错误：")
    # Shown once: in its place, not again under 未能发送.
    expect(second.locator("[data-outbox-failed]")).to_be_hidden()
    expect(second.get_by_text("李网格员 已接手这条提醒。")).to_have_count(1)
    expect(second.get_by_role("heading", name="处理完毕")).to_be_hidden()  # only its owner or an admin resolves
    other.screenshot("alert-taken-by-someone-else")

    resolve = page.get_by_role("form", name="处理完毕")
    resolve.get_by_role("button", name="处理完毕").click()
    expect(resolve.get_by_role("alert")).to_contain_text("请写下做了什么。")
    page.get_by_label("做了什么").fill("已上门，老人无恙")
    resolve.get_by_role("button", name="处理完毕").click()
    expect(page.locator('[data-slot="state"]')).to_contain_text("已处理完毕：李网格员")
    assert _alert(live_server, alert_id) == ("resolved", ward.worker_id, "已上门，老人无恙")
    expect(timeline).to_contain_text("李网格员 处理完毕：已上门，老人无恙")
    expect(resolve).to_be_hidden()
    tab.screenshot("alert-resolved")

    page.get_by_role("link", name="返回提醒列表").click()
    expect(page.get_by_role("region", name="已处理完毕").get_by_role(
        "link", name=f"测试提醒 · {subject}", exact=False)).to_be_visible()
    assert tab.page_errors == [] and other.page_errors == [] and tab.foreign_requests() == []


def test_open_alerts_come_first_under_their_own_heading(open_tab, live_server, ward):
    taken = _raise(live_server, ward)
    waiting = _raise(live_server, ward)

    def take():
        from backend.accounts.models import User
        acknowledge(db.session.get(User, ward.second_id), taken)
    _with_app(live_server, take)
    page = open_tab("/").page
    _sign_in(page, ward.worker_phone, "李网格员")
    page.get_by_role("link", name="提醒：1 条无人接手").click()
    regions = page.locator("#screen section section h2")
    expect(regions.first).to_have_text("无人接手")
    expect(page.get_by_role("region", name="无人接手").locator(f'a[href="/alerts/{waiting}"]')).to_be_visible()
    expect(page.get_by_role("region", name="处理中").get_by_role(
        "link", name="赵网格员 正在处理", exact=False)).to_have_attribute("href", f"/alerts/{taken}")


def test_offline_the_alert_renders_from_the_cache_and_a_tap_is_sent_after_reconnecting(
        open_tab, live_server, ward):
    alert_id = _raise(live_server, ward)
    tab = open_tab("/")
    page = tab.page
    _sign_in(page, ward.worker_phone, "李网格员")
    assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    page.get_by_role("link", name="提醒：1 条无人接手").click()
    page.locator(f'#screen a[href="/alerts/{alert_id}"]').click()
    expect(page.get_by_role("link", name="给 孙阿婆 打电话", exact=False)).to_be_visible()
    page.context.set_offline(True)
    try:
        assert page.reload().from_service_worker
        expect(_heading(page)).to_have_text(f"测试提醒：孙阿婆 · {ward.building}")
        expect(page.locator("[data-outbox-offline]")).to_have_text(LAST_UPDATED)
        expect(page.get_by_role("link", name="给 孙阿婆 打电话", exact=False)).to_be_visible()
        page.get_by_role("button", name="我来处理").click()
        expect(page.get_by_text("已记下「我来处理」，还没发出：联网后自动发送。", exact=False)).to_be_visible()
        expect(page.locator("[data-outbox-pending]")).to_have_text("有 1 条待发送")
        expect(page.get_by_role("button", name="我来处理")).to_be_hidden()
        assert _alert(live_server, alert_id)[:2] == ("open", None)
        tab.screenshot("alert-ack-waiting-offline")
    finally:
        page.context.set_offline(False)
    expect(page.locator("[data-outbox-pending]")).to_be_hidden()
    assert _alert(live_server, alert_id)[:2] == ("acknowledged", ward.worker_id)

    # Resolving waits the same way: the form goes, a note says it is kept, and it is sent later.
    page.reload()
    expect(page.locator('[data-slot="state"]')).to_contain_text("您正在处理")
    page.context.set_offline(True)
    try:
        page.get_by_label("做了什么").fill("电话联系上了，她在女儿家")
        page.get_by_role("form", name="处理完毕").get_by_role("button", name="处理完毕").click()
        expect(page.get_by_text("处理情况已存在这部手机上，联网后自动发送。")).to_be_focused()
        expect(page.get_by_role("form", name="处理完毕")).to_be_hidden()
        assert _alert(live_server, alert_id)[0] == "acknowledged"
    finally:
        page.context.set_offline(False)
    expect(page.locator("[data-outbox-pending]")).to_be_hidden()
    assert _alert(live_server, alert_id) == ("resolved", ward.worker_id, "电话联系上了，她在女儿家")
    assert tab.page_errors == []
