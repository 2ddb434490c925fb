"""Steps shared by the browser tests: signing in through the form as a person would."""
from playwright.sync_api import expect

from tests.e2e.conftest import RESIDENT_NAME, RESIDENT_PHONE
from tests.factories import DEMO_PASSWORD


def submit_sign_in(page, phone: str, password: str):
    """Fill and send the sign-in form; returns once the server has answered."""
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码", exact=True).fill(password)
    with page.expect_response("**/api/v1/auth/login"):
        page.get_by_role("button", name="登录", exact=True).click()


def sign_in_as_resident(page):
    submit_sign_in(page, RESIDENT_PHONE, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"您好，{RESIDENT_NAME}")


def sign_out(page):
    """Sign out the way a person does: from the home's settings link."""
    page.get_by_role("link", name="设置").click()
    # A person taps once the screen has settled: the notification settings arriving from the
    # server move the button down, and a tap aimed a moment before lands on what was there.
    expect(page.get_by_text("正在读取…")).to_be_hidden()
    page.get_by_role("button", name="退出登录").click()


def each_screen(tab):
    """Visit the placeholder's screens (sign-in, sign-in with errors, signed in), yielding each name."""
    page = tab.page
    page.get_by_role("button", name="登录", exact=True).wait_for()
    yield "sign-in"
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "sign-in-errors"
    sign_in_as_resident(page)
    yield "signed-in"


def each_link_screen(tab):
    """Visit the screens of a phone linked with a worker's code (the tab opened /link/<code>)."""
    page = tab.page
    page.get_by_role("button", name="在这部手机上登录").wait_for()
    yield "link"
    page.get_by_role("button", name="在这部手机上登录").click()
    page.get_by_role("button", name="保存数字密码").wait_for()
    yield "set-pin"
    page.get_by_role("button", name="保存数字密码").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "set-pin-errors"
    page.get_by_role("button", name="以后再设").click()
    sign_out(page)
    page.get_by_role("button", name="用手机号和密码登录").wait_for()
    yield "pin-sign-in"
