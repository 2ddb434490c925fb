"""Accessibility of the badge, the inbox, the push panel and the notification settings
(ACCESSIBILITY.md): axe with WCAG 2.2 AA and best practice, plus AAA contrast wherever elder mode
is on (the resident's and the proxy's screens); the computed-style scan at 360×740; reflow at
320 px and at 200 % text. Each state is reached the way a person reaches it."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.care import make_family
from tests.e2e.journeys import submit_sign_in
from tests.e2e.push_fixtures import ALARM, NOTE, PROFILE_CHECK, e2e_kinds, new_person, send
from tests.e2e.test_accessibility import AXE_TAGS, OVERFLOW, SIZE_SCAN
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def _kinds():
    with e2e_kinds():
        yield


@pytest.fixture
def family(live_server):
    """王奶奶's family afresh for each walk (the walk reads some of their messages)."""
    family = make_family(live_server.app)
    for phone in (family.resident_phone, family.proxy_phone):
        send(live_server.app, phone, NOTE, text="社区本周六上午有免费量血压。")
        send(live_server.app, phone, NOTE, text="下周一上午九点到十一点停水，请提前接好水。")
    return family


def _heading(page):
    return page.get_by_role("heading", level=1)


def _sign_in(page, phone, greeting):
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(_heading(page)).to_have_text(greeting)


def _sign_out(page):
    page.goto("/settings")
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("button", name="登录", exact=True).wait_for()


def _inbox(page):
    page.locator("header [data-inbox-link]").click()
    expect(_heading(page)).to_have_text("消息")
    expect(page.locator('[data-slot="loading"]')).to_be_hidden()


def each_notification_screen(tab, family, app):
    """The badge on homes, the inbox (elder mode for the resident and the proxy, a worker's safety
    alert, high contrast), the push panel asked and refused with SMS offered and taken, and the
    notification settings, yielding each state's name."""
    page = tab.page
    _sign_in(page, family.resident_phone, "您好，王奶奶")
    expect(page.locator(".home-tools [data-inbox-link]")).to_contain_text("条未读")
    yield "resident-home-badge"
    _inbox(page)
    yield "resident-inbox"
    page.locator(".message").first.get_by_role("button", name="知道了").click()
    expect(page.locator("#status")).to_have_text("已标为已读。")
    yield "resident-inbox-one-read"
    page.goto("/settings")
    expect(page.get_by_role("checkbox", name="也用短信提醒我")).to_be_enabled()
    expect(page.locator('[data-slot="push-state"]')).not_to_have_text("正在查看这台手机…")
    yield "resident-settings-notifications"
    # Each change is awaited until the outbox is done with it (「已保存。」): a page left sooner keeps
    # the write waiting, and signing out would then ask first.
    page.get_by_role("checkbox", name="高对比度（黑底白字）").check()
    expect(page.locator("#status")).to_have_text("已保存。")
    _inbox(page)
    yield "resident-inbox-high-contrast"
    page.goto("/settings")
    page.get_by_role("checkbox", name="高对比度（黑底白字）").uncheck()
    expect(page.locator("#status")).to_have_text("已保存。")
    _sign_out(page)

    _sign_in(page, family.proxy_phone, "您好，家属")
    _inbox(page)
    yield "proxy-inbox"
    _sign_out(page)

    volunteer = new_person(app, "volunteer")
    send(app, volunteer, PROFILE_CHECK, item="服务范围")
    _sign_in(page, volunteer, "您好，志愿者")
    expect(page.locator('[data-slot="push-state"]')).to_have_text("这台手机：没有开启。")
    yield "volunteer-home-push-panel"
    # A fresh browser profile here has no notification permission, so the tap is refused.
    page.get_by_role("button", name="有人需要帮忙时提醒我").click()
    expect(page.get_by_role("button", name="改用短信提醒")).to_be_visible()
    yield "volunteer-push-refused-sms-offered"
    page.get_by_role("button", name="改用短信提醒").click()
    expect(page.locator('[data-slot="sms-offer"]')).to_contain_text("好了")
    yield "volunteer-sms-on"
    _inbox(page)
    yield "volunteer-inbox"
    page.goto("/settings")
    expect(page.get_by_role("checkbox", name="也用短信提醒我")).to_be_checked()
    yield "volunteer-settings-notifications"
    page.get_by_role("textbox", name="从").fill("25:00")
    page.get_by_role("button", name="保存免打扰时间").click()
    expect(page.locator('[data-form="notification-preferences"] [data-error-summary]')).to_be_focused()
    yield "volunteer-settings-refused"
    _sign_out(page)

    worker = new_person(app, "worker")
    send(app, worker, NOTE, text="本周例会改到周四下午。")
    send(app, worker, ALARM, place="幸福里3幢", data={"alert_id": 4711})
    _sign_in(page, worker, "您好，网格员")
    expect(page.locator(".home-tools [data-inbox-link]")).to_contain_text("2 条未读")
    yield "worker-home-badge"
    _inbox(page)
    expect(page.locator(".message-safety .message-tag-safety")).to_have_text("安全提醒")
    yield "worker-inbox-safety"
    page.get_by_role("button", name="全部标为已读").click()
    expect(page.locator("#status")).to_have_text("已全部标为已读。")
    yield "worker-inbox-all-read"


def _elder_mode(page) -> bool:
    return "elder-mode" in (page.locator("html").get_attribute("class") or "").split()


ELDER_STATES = {"resident-home-badge", "resident-inbox", "resident-inbox-one-read", "resident-settings-notifications",
                "resident-inbox-high-contrast", "proxy-inbox"}


def test_axe_finds_no_violations_and_elder_screens_reach_aaa_contrast(open_tab, family, live_server):
    tab = open_tab("/")
    axe = Axe()
    seen = {}
    for state in each_notification_screen(tab, family, live_server.app):
        elder = _elder_mode(tab.page)
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
        if elder:
            options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
        results = axe.run(tab.page, options=options)
        assert results.violations_count == 0, f"{state}:\n{results.generate_report()}"
        seen[state] = elder
    # The resident's and the proxy's screens are checked in elder mode, the others in standard.
    assert {state for state, elder in seen.items() if elder} == ELDER_STATES
    assert len(seen) == 15
    assert tab.csp_violations() == [] and tab.page_errors == []


def test_text_is_large_and_controls_are_big_enough_at_phone_size(open_tab, family, live_server):
    tab = open_tab("/", width=360, height=740)
    for state in each_notification_screen(tab, family, live_server.app):
        assert tab.page.evaluate(SIZE_SCAN) == [], state
        tab.screenshot(f"notifications-{state}")


def test_no_horizontal_scroll_at_320_pixels_wide(open_tab, family, live_server):
    tab = open_tab("/", width=320, height=640)
    for state in each_notification_screen(tab, family, live_server.app):
        assert tab.page.evaluate(OVERFLOW) <= 0, state
        tab.screenshot(f"reflow-320-notifications-{state}")


def test_no_horizontal_scroll_at_double_text_size(open_tab, family, live_server):
    tab = open_tab("/", width=360, height=740)
    for state in each_notification_screen(tab, family, live_server.app):
        tab.page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert tab.page.evaluate(OVERFLOW) <= 0, state
        tab.screenshot(f"text-200-notifications-{state}")
        tab.page.evaluate("document.documentElement.style.fontSize = ''")
