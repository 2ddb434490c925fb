"""Accessibility of the homes, the call screens and settings (ACCESSIBILITY.md): axe with WCAG 2.2
AA and best practice, plus AAA contrast in elder mode; the computed-style scan; reflow."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.care import make_family
from tests.e2e.journeys import submit_sign_in
from tests.e2e.test_accessibility import AXE_TAGS, OVERFLOW, SIZE_SCAN
from tests.e2e.test_homes import hold_sos
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def family(live_server):
    return make_family(live_server.app)


def _heading(page):
    return page.get_by_role("heading", level=1)


def _sign_in(page, phone, heading):
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(_heading(page)).to_have_text(heading)


def each_care_screen(tab, family):
    """A resident's screens, a proxy's home, and settings in high contrast, yielding each name."""
    page = tab.page
    _sign_in(page, family.resident_phone, "您好，王奶奶")
    yield "resident-home"
    hold_sos(page)
    page.get_by_role("link", name="紧急求助").click()
    expect(_heading(page)).to_have_text("紧急求助")
    yield "sos"
    page.go_back()
    page.get_by_role("link", name="我很好").click()  # 我要求助 has its own flow (test_accessibility_of_help.py)
    expect(_heading(page)).to_have_text("我很好")
    expect(page.get_by_text("您还没有开通每日报平安。想开通，请给网格员打电话。")).to_be_visible()
    yield "im-ok-not-enrolled"
    page.get_by_role("link", name="返回主页").click()
    page.get_by_role("link", name="设置").click()
    expect(_heading(page)).to_have_text("设置")
    yield "settings"
    page.get_by_role("checkbox", name="高对比度（黑底白字）").check()
    yield "settings-high-contrast"
    page.get_by_role("link", name="返回主页").click()
    expect(_heading(page)).to_have_text("您好，王奶奶")
    yield "resident-home-high-contrast"
    page.get_by_role("link", name="设置").click()
    with page.expect_response("**/api/v1/me/preferences"):
        page.get_by_role("checkbox", name="高对比度（黑底白字）").uncheck()
    page.get_by_role("button", name="退出登录").click()
    _sign_in(page, family.proxy_phone, "您好，家属")
    expect(page.get_by_text("正在代 王奶奶 操作")).to_be_visible()
    yield "proxy-home"
    page.get_by_role("link", name="设置").click()
    page.get_by_role("button", name="退出登录").click()
    _sign_in(page, family.volunteer_phone, "您好，志愿者")
    yield "placeholder-home"
    page.get_by_role("link", name="设置").click()
    expect(_heading(page)).to_have_text("设置")
    yield "settings-standard"


def _elder_mode(page) -> bool:
    return "elder-mode" in (page.locator("html").get_attribute("class") or "").split()


def test_axe_finds_no_violations_and_elder_screens_reach_aaa_contrast(open_tab, family):
    tab = open_tab("/")
    axe = Axe()
    seen = []
    for screen in each_care_screen(tab, family):
        elder = _elder_mode(tab.page)
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
        if elder:
            options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
        results = axe.run(tab.page, options=options)
        assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"
        seen.append((screen, elder))
    # Resident and proxy screens are checked in elder mode; the others in the standard mode.
    assert dict(seen) == {
        "resident-home": True, "sos": True, "im-ok-not-enrolled": True, "settings": True,
        "settings-high-contrast": True, "resident-home-high-contrast": True, "proxy-home": True,
        "placeholder-home": False, "settings-standard": False,
    }
    assert tab.csp_violations() == [] and tab.page_errors == []


def test_text_is_large_and_controls_are_big_enough_at_phone_size(open_tab, family):
    tab = open_tab("/", width=360, height=740)
    for screen in each_care_screen(tab, family):
        if screen != "placeholder-home" and not screen.startswith("settings"):
            assert tab.page.locator("main [data-primary]").count() >= 1, screen
        assert tab.page.evaluate(SIZE_SCAN) == [], screen
        tab.screenshot(f"care-{screen}")


def test_no_horizontal_scroll_at_320_pixels_wide(open_tab, family):
    tab = open_tab("/", width=320, height=640)
    for screen in each_care_screen(tab, family):
        assert tab.page.evaluate(OVERFLOW) <= 0, screen
        tab.screenshot(f"reflow-320-{screen}")


def test_no_horizontal_scroll_at_double_text_size(open_tab, family):
    tab = open_tab("/", width=360, height=740)
    for screen in each_care_screen(tab, family):
        tab.page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert tab.page.evaluate(OVERFLOW) <= 0, screen
        tab.screenshot(f"text-200-{screen}")
        tab.page.evaluate("document.documentElement.style.fontSize = ''")
