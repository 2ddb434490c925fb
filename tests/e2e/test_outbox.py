"""The outbox in real Chromium: writes that can wait are kept with their Idempotency-Key and sent
exactly once, whatever the network does to the first answer."""
import pytest
from playwright.sync_api import expect

from tests.e2e.care import make_family
from tests.e2e.journeys import submit_sign_in
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def family(live_server):
    return make_family(live_server.app)


def test_a_preference_change_made_offline_waits_and_is_sent_after_reconnecting(open_tab, family):
    tab = open_tab("/")
    page = tab.page
    submit_sign_in(page, family.resident_phone, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，王奶奶")
    page.get_by_role("link", name="设置").click()
    page.context.set_offline(True)
    page.get_by_role("checkbox", name="高对比度（黑底白字）").check()
    expect(page.locator("[data-outbox-pending]")).to_have_text("有 1 条待发送")
    page.context.set_offline(False)
    expect(page.locator("[data-outbox-pending]")).to_be_hidden()
    assert page.request.get("/api/v1/me").json()["high_contrast"] is True
    assert not tab.page_errors


def test_sign_out_with_a_waiting_write_warns_first(open_tab, family):
    tab = open_tab("/")
    page = tab.page
    submit_sign_in(page, family.resident_phone, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，王奶奶")
    page.get_by_role("link", name="设置").click()
    page.context.set_offline(True)
    page.get_by_role("checkbox", name="朗读按钮").check()
    expect(page.locator("[data-outbox-pending]")).to_have_text("有 1 条待发送")
    page.get_by_role("button", name="退出登录").click()
    dialog = page.get_by_role("dialog", name="还有内容没有发送")
    expect(dialog).to_be_visible()
    tab.screenshot("outbox-sign-out-warning")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="退出登录")).to_be_focused()
