"""Settings in real Chromium: each change shows at once, is kept on the server and on the phone,
and applies before the first paint of the next visit."""
import pytest
from playwright.sync_api import expect

from tests.e2e.care import make_family
from tests.e2e.journeys import submit_sign_in
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# The primary controls on screen (a hidden one, e.g. the sweep's question when none is waiting, is not).
PRIMARY_LABEL_SIZES = ("[...document.querySelectorAll('main [data-primary]')].filter((el) => el.getClientRects().length)"
                       ".map((el) => parseFloat(getComputedStyle(el).fontSize))")

# Runs before the page's own scripts: notes <html>'s classes at the moment <body> exists, and
# whether the app (which fills #screen) had run by then.
CLASSES_WHEN_BODY_APPEARS = """
new MutationObserver((records, observer) => {
  if (document.body) {
    window.__classesAtBody = document.documentElement.className;
    window.__modulesRanBeforeBody = Boolean(document.getElementById("screen")?.childElementCount);
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
"""


@pytest.fixture(scope="module")
def family(live_server):
    return make_family(live_server.app)


def _html_classes(page) -> list:
    return (page.locator("html").get_attribute("class") or "").split()


def _open_settings(open_tab, phone, heading):
    tab = open_tab("/")
    page = tab.page
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.get_by_role("link", name="设置").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("设置")
    return tab


def test_extra_large_text_makes_primary_labels_30px_and_applies_before_the_first_paint(open_tab, family):
    tab = _open_settings(open_tab, family.resident_phone, "您好，王奶奶")
    page = tab.page
    expect(page.get_by_role("radio", name="大字")).to_be_checked()  # a resident starts with large text
    with page.expect_response("**/api/v1/me/preferences") as answer:
        page.get_by_role("radio", name="特大").check()
    assert answer.value.ok
    expect(page.locator("#status")).to_have_text("已保存。")
    assert "text-extra-large" in _html_classes(page)
    assert page.request.get("/api/v1/me").json()["text_size"] == "extra_large"
    page.get_by_role("link", name="返回主页").click()
    expect(page.get_by_role("link", name="紧急求助")).to_be_visible()
    sizes = page.evaluate(PRIMARY_LABEL_SIZES)
    assert len(sizes) == 4 and min(sizes) >= 30, sizes
    tab.screenshot("resident-home-extra-large")

    # Next visit: the classes are on <html> when <body> is first parsed, before the app's modules
    # (which run after parsing) could set them, so they are there before anything is painted.
    page.add_init_script(CLASSES_WHEN_BODY_APPEARS)
    page.reload()
    expect(page.get_by_role("link", name="紧急求助")).to_be_visible()
    assert {"text-extra-large", "elder-mode"} <= set(page.evaluate("window.__classesAtBody").split())
    assert page.evaluate("window.__modulesRanBeforeBody") is False
    assert min(page.evaluate(PRIMARY_LABEL_SIZES)) >= 30


def test_switching_to_english_changes_the_visible_strings_and_follows_the_person(open_tab, family):
    tab = _open_settings(open_tab, family.proxy_phone, "您好，家属")
    page = tab.page
    with page.expect_response("**/api/v1/me/preferences"):
        page.get_by_role("radio", name="English").check()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("radio", name="English")).to_be_focused()
    expect(page.get_by_role("group", name="Text size")).to_be_visible()
    assert page.request.get("/api/v1/me").json()["language"] == "en"
    page.get_by_role("link", name="Back to home").click()
    expect(page.get_by_text("Acting for 王奶奶")).to_be_visible()
    expect(page.locator("main [data-primary]")).to_have_text(["Ask for help", "SOS", "Call my grid worker"])
    expect(page.get_by_role("contentinfo")).to_contain_text("Your grid worker:")
    tab.screenshot("proxy-home-english")

    # A new phone: the sign-in page is Chinese until the server says who this is.
    other = open_tab("/")
    expect(other.page.get_by_role("heading", level=1)).to_have_text("登录邻里")
    submit_sign_in(other.page, family.proxy_phone, DEMO_PASSWORD)
    expect(other.page.get_by_role("heading", level=1)).to_have_text("Hello, 家属")
    other.page.get_by_role("link", name="Settings").click()
    with other.page.expect_response("**/api/v1/me/preferences"):
        other.page.get_by_role("radio", name="中文").check()
    expect(other.page.get_by_role("heading", level=1)).to_have_text("设置")


def test_high_contrast_turns_the_page_white_on_black(open_tab, family):
    tab = _open_settings(open_tab, family.viewer_phone, "您好，家属")
    page = tab.page
    with page.expect_response("**/api/v1/me/preferences"):
        page.get_by_role("checkbox", name="高对比度（黑底白字）").check()
    assert "high-contrast" in _html_classes(page)
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    tab.screenshot("settings-high-contrast")
    with page.expect_response("**/api/v1/me/preferences"):
        page.get_by_role("checkbox", name="高对比度（黑底白字）").uncheck()
    assert "high-contrast" not in _html_classes(page)
    assert page.request.get("/api/v1/me").json()["high_contrast"] is False


def test_notification_preferences_are_shown_saved_and_refused_at_their_field(open_tab, live_server):
    from tests.e2e.push_fixtures import new_person, preferences_of

    app = live_server.app
    phone = new_person(app, "volunteer")
    tab = _open_settings(open_tab, phone, "您好，志愿者")
    page = tab.page
    expect(page.get_by_role("heading", name="提醒设置", level=2)).to_be_visible()
    expect(page.get_by_role("checkbox", name="手机弹出提醒（您所有的手机）")).to_be_checked()
    expect(page.get_by_role("checkbox", name="也用短信提醒我")).to_be_enabled()  # the server's copy is in
    expect(page.get_by_role("checkbox", name="也用短信提醒我")).not_to_be_checked()
    expect(page.get_by_text(f"发短信到 {phone[:3]} {phone[3:7]} {phone[7:]}")).to_be_visible()
    start, end = page.get_by_role("textbox", name="从"), page.get_by_role("textbox", name="到")
    expect(start).to_have_value("21:00")
    expect(end).to_have_value("07:00")
    # This phone's push is the push panel's: nothing is asked until its button is tapped.
    expect(page.get_by_role("button", name="在这台手机上接收提醒")).to_be_visible()

    with page.expect_response("**/api/v1/me/notification-preferences") as answer:
        page.get_by_role("checkbox", name="也用短信提醒我").check()
    assert answer.value.ok
    expect(page.locator("#status")).to_have_text("已保存。")
    with page.expect_response("**/api/v1/me/notification-preferences"):
        page.get_by_role("checkbox", name="手机弹出提醒（您所有的手机）").uncheck()
    assert preferences_of(app, phone) == {"push_enabled": False, "sms_opt_in": True,
                                               "quiet_start_minute": 21 * 60, "quiet_end_minute": 7 * 60}

    start.fill("22:30")
    end.fill("06:00")
    with page.expect_response("**/api/v1/me/notification-preferences"):
        page.get_by_role("button", name="保存免打扰时间").click()
    expect(page.locator("#status")).to_have_text("已保存。")
    stored = preferences_of(app, phone)
    assert (stored["quiet_start_minute"], stored["quiet_end_minute"]) == (22 * 60 + 30, 6 * 60)

    # The server's refusal, in its own words, at the field and in the summary.
    start.fill("25:00")
    with page.expect_response("**/api/v1/me/notification-preferences") as refused:
        page.get_by_role("button", name="保存免打扰时间").click()
    assert refused.value.status == 422
    summary = page.locator('[data-form="notification-preferences"] [data-error-summary]')
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("夜间免打扰 从：时间格式不对（应为 HH:MM，如 09:30）。")
    expect(start).to_have_attribute("aria-invalid", "true")
    assert page.title().startswith("错误：")
    tab.screenshot("settings-notifications-refused")
    assert preferences_of(app, phone)["quiet_start_minute"] == 22 * 60 + 30

    # An emptied field is caught before asking the server.
    start.fill("")
    page.get_by_role("button", name="保存免打扰时间").click()
    expect(summary).to_contain_text("请填写时间，例如 21:00。")

    page.reload()
    expect(page.get_by_role("checkbox", name="也用短信提醒我")).to_be_checked()
    expect(page.get_by_role("checkbox", name="手机弹出提醒（您所有的手机）")).not_to_be_checked()
    expect(page.get_by_role("textbox", name="从")).to_have_value("22:30")
    assert tab.page_errors == []
