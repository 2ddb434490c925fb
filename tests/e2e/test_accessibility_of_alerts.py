"""Accessibility of the alert and roster screens (ACCESSIBILITY.md), in the standard mode and in
elder mode: axe with WCAG 2.2 AA and best practice (AAA contrast in elder mode), the
computed-style scan of text and targets, and reflow at 320 px and at 200 % text — on every state:
the home with open alerts, the list, an alert open, refused (someone else has it), mine with the
resolve form and its errors, a resolution waiting offline, resolved, a tap waiting offline; the roster as a worker and as an admin,
with the server's overlap message."""
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from backend.accounts.models import User
from backend.alerts.models import RosterOverride, RosterShift
from backend.alerts.services.alerts import acknowledge, raise_alert, resolve
from backend.extensions import db
from tests.alerts.helpers import TEST_ALERT, ensure_test_kind
from tests.e2e.journeys import sign_out
from tests.e2e.test_accessibility import AXE_TAGS, OVERFLOW, SIZE_SCAN
from tests.e2e.test_worker_home import _heading, _set_elder_mode, _sign_in_as, _with_app
from tests.factories import (
    make_admin, make_building, make_community, make_grid, make_household, make_resident, make_worker,
)

pytestmark = pytest.mark.browser


@pytest.fixture(params=[False, True], ids=["standard", "elder-mode"])
def elder(request):
    return request.param


@dataclass(frozen=True)
class Watch:
    worker_phone: str
    worker_id: int
    second_id: int
    admin_phone: str
    admin_id: int
    resident_id: int


@pytest.fixture(scope="module")
def watch(live_server) -> Watch:
    """A community of its own: a grid with 钱网格员 and 吴网格员, 周阿婆 in it, an admin, and a
    roster with a day shift, a night shift past midnight and an override."""
    ensure_test_kind()

    def make():
        community = make_community("无障碍值班社区")
        grid = make_grid(community, "无障碍提醒网格")
        worker = make_worker(grid)
        worker.display_name = "钱网格员"
        second = make_worker(grid, primary=False)
        second.display_name = "吴网格员"
        admin = make_admin(community)
        resident = make_resident(make_household(make_building(grid)), family_name="周", given_name="玉珍",
                                 address_as="周阿婆")
        db.session.add_all([
            RosterShift(community_id=community.id, weekday=0, start_minute=8 * 60, end_minute=20 * 60,
                        user_id=worker.id),
            RosterShift(community_id=community.id, weekday=0, start_minute=20 * 60, end_minute=8 * 60,
                        user_id=second.id),
            RosterOverride(community_id=community.id, on_date=date.today() + timedelta(days=3),
                           start_minute=9 * 60, end_minute=18 * 60, user_id=None, note="消防演练"),
        ])
        db.session.commit()
        return Watch(worker_phone=worker.phone, worker_id=worker.id, second_id=second.id, admin_phone=admin.phone,
                     admin_id=admin.id, resident_id=resident.id)
    return _with_app(live_server, make)


@dataclass(frozen=True)
class Alerts:
    open: int
    taken_meanwhile: int
    mine: int
    resolved: int
    for_admin: int
    take_by_second: object  # take_by_second(alert_id): 吴网格员 takes it on, on the server


@pytest.fixture
def alerts(live_server, watch) -> Alerts:
    """Fresh alerts for each scan, since tapping 「我来处理」 changes them."""
    def make():
        ids = [raise_alert(TEST_ALERT, resident_id=watch.resident_id).id for _ in range(5)]
        db.session.commit()
        worker = db.session.get(User, watch.worker_id)
        acknowledge(worker, ids[2])
        acknowledge(worker, ids[3])
        resolve(worker, ids[3], "已上门，老人无恙")
        return ids

    def take_by_second(alert_id):
        _with_app(live_server, lambda: acknowledge(db.session.get(User, watch.second_id), alert_id))
    return Alerts(*_with_app(live_server, make), take_by_second=take_by_second)


def each_screen(tab, watch, alerts):
    """Every alert and roster screen and state, yielding each name."""
    page = tab.page
    state = page.locator('[data-slot="state"]')
    _sign_in_as(page, watch.worker_phone, "您好，钱网格员")
    expect(page.get_by_role("link", name="条无人接手", exact=False)).to_be_visible()
    yield "home-with-alerts"
    page.get_by_role("link", name="条无人接手", exact=False).click()
    expect(page.get_by_role("region", name="处理中").get_by_role("link").first).to_be_visible()
    yield "alerts"
    page.goto(f"/alerts/{alerts.taken_meanwhile}")
    expect(page.get_by_role("link", name="给 周阿婆 打电话", exact=False)).to_be_visible()
    yield "alert-open"
    alerts.take_by_second(alerts.taken_meanwhile)  # while this screen shows it still open
    page.get_by_role("button", name="我来处理").click()
    expect(page.get_by_role("alert")).to_contain_text("吴网格员 已接手这条提醒。")
    yield "alert-refused"
    page.goto(f"/alerts/{alerts.mine}")
    expect(state).to_contain_text("您正在处理")
    yield "alert-mine"
    page.get_by_role("form", name="处理完毕").get_by_role("button", name="处理完毕").click()
    expect(page.get_by_role("alert")).to_contain_text("请写下做了什么。")
    yield "alert-resolve-errors"
    page.context.set_offline(True)
    try:
        page.get_by_label("做了什么").fill("已上门，老人无恙")
        page.get_by_role("form", name="处理完毕").get_by_role("button", name="处理完毕").click()
        expect(page.get_by_text("处理情况已存在这部手机上", exact=False)).to_be_visible()
        yield "alert-resolve-waiting"
    finally:
        page.context.set_offline(False)
    expect(page.locator("[data-outbox-pending]")).to_be_hidden()
    page.goto(f"/alerts/{alerts.resolved}")
    expect(state).to_contain_text("已处理完毕")
    yield "alert-resolved"
    page.goto(f"/alerts/{alerts.open}")
    expect(page.get_by_role("link", name="给 周阿婆 打电话", exact=False)).to_be_visible()
    page.context.set_offline(True)
    try:
        page.get_by_role("button", name="我来处理").click()
        expect(page.get_by_text("已记下「我来处理」", exact=False)).to_be_visible()
        yield "alert-ack-waiting"
    finally:
        page.context.set_offline(False)
    expect(page.locator("[data-outbox-pending]")).to_be_hidden()
    page.goto("/roster")
    expect(page.get_by_text("只有社区管理员可以修改值班表。")).to_be_visible()
    yield "roster-worker"
    page.goto("/")
    sign_out(page)
    _sign_in_as(page, watch.admin_phone, "您好，社区管理员")
    page.goto(f"/alerts/{alerts.for_admin}")
    expect(page.get_by_role("form", name="处理完毕")).to_be_visible()
    yield "alert-open-admin"
    page.goto("/roster")
    expect(page.get_by_role("button", name="保存每周排班")).to_be_visible()
    expect(page.get_by_label("周一 第 2 班 值班的人")).to_have_value(str(watch.second_id))
    yield "roster-admin"
    page.get_by_role("button", name="周二添加一班").click()
    page.get_by_label("周二 第 1 班 开始").fill("07:00")
    page.get_by_label("周二 第 1 班 结束").fill("09:00")
    page.get_by_label("周二 第 1 班 值班的人").select_option(label="钱网格员")
    page.get_by_role("button", name="保存每周排班").click()
    expect(page.get_by_role("alert")).to_contain_text("周一 20:00–08:00 与 周二 07:00–09:00 时间重叠。")
    yield "roster-overlap"
    form = page.get_by_role("form", name="添加调班")
    form.get_by_role("button", name="添加调班").click()
    expect(form.get_by_role("alert")).to_contain_text("请选择日期。")
    yield "roster-override-errors"


def _tab(open_tab, watch, elder, width=360, height=740):
    """A fresh tab whose worker and admin both have `elder` mode saved on the server, signed out."""
    tab = open_tab("/", width=width, height=height)
    for phone, greeting in ((watch.worker_phone, "您好，钱网格员"), (watch.admin_phone, "您好，社区管理员")):
        _sign_in_as(tab.page, phone, greeting)
        _set_elder_mode(tab.page, elder)
        sign_out(tab.page)
        tab.page.get_by_label("手机号").wait_for()
    return tab


def test_axe_finds_no_violations_on_the_alert_and_roster_screens(open_tab, watch, alerts, elder):
    tab = _tab(open_tab, watch, elder)
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    if elder:
        options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
    for screen in each_screen(tab, watch, alerts):
        results = axe.run(tab.page, options=options)
        assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"
    assert tab.csp_violations() == [] and tab.page_errors == []


def test_alert_and_roster_screens_have_large_text_and_big_controls(open_tab, watch, alerts, elder):
    tab = _tab(open_tab, watch, elder)
    for screen in each_screen(tab, watch, alerts):
        assert tab.page.evaluate(SIZE_SCAN) == [], screen
        assert _heading(tab.page).count() == 1, screen
        tab.screenshot(f"alerts-{'elder-' if elder else ''}{screen}")


def test_alert_and_roster_screens_reflow_at_320_pixels_and_double_text(open_tab, watch, alerts, elder):
    tab = _tab(open_tab, watch, elder, width=320, height=640)
    for screen in each_screen(tab, watch, alerts):
        assert tab.page.evaluate(OVERFLOW) <= 0, f"320px {screen}"
        tab.page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert tab.page.evaluate(OVERFLOW) <= 0, f"200% {screen}"
        tab.page.evaluate("document.documentElement.style.fontSize = ''")
