"""The PWA shell in real Chromium: strict CSP, nothing from other origins, the phone without JavaScript."""
import pytest

from tests.e2e.conftest import SERVICE_PHONE

pytestmark = pytest.mark.browser


def test_page_loads_under_the_csp_without_errors_or_other_origins(open_tab):
    tab = open_tab("/")
    tab.page.get_by_role("button", name="登录").wait_for()
    tab.page.wait_for_load_state("networkidle")
    tab.screenshot("sign-in")
    response = tab.page.request.get("/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert tab.page.locator("html").get_attribute("lang") == "zh-CN"
    assert tab.console_errors == []
    assert tab.page_errors == []
    assert tab.csp_violations() == []
    assert tab.foreign_requests() == []
    assert any(url.endswith("/app/main.js") for url in tab.requests)


def test_without_javascript_the_community_phone_is_shown(open_tab):
    tab = open_tab("/", javascript=False)
    tab.screenshot("no-javascript")
    phone = tab.page.get_by_role("main").get_by_role("link", name="0571 8888 0000")
    assert phone.is_visible()
    assert phone.get_attribute("href") == f"tel:{SERVICE_PHONE}"
    assert tab.page.get_by_role("button", name="登录").count() == 0
