"""A resident's phone opens the worker's link, signs in, sets a PIN, and later signs in with it."""
import pytest
from playwright.sync_api import expect

from backend.accounts.services import WrongPin
from backend.onboarding.services import LinkCodeInvalid
from tests.e2e.journeys import sign_out

pytestmark = pytest.mark.browser

PIN = "135790"


def _heading(page):
    return page.get_by_role("heading", level=1)


def test_opening_the_link_spends_nothing_until_the_resident_taps(open_tab, link_code):
    tab = open_tab(f"/link/{link_code}")
    expect(_heading(tab.page)).to_have_text("在这部手机上登录")
    tab.page.wait_for_load_state("networkidle")
    assert not [url for url in tab.requests if "/api/" in url]
    tab.screenshot("link")


def test_linked_phone_sets_a_pin_and_signs_in_with_it_after_signing_out(open_tab, link_code):
    tab = open_tab(f"/link/{link_code}")
    page = tab.page
    page.get_by_role("button", name="在这部手机上登录").click()
    expect(_heading(page)).to_have_text("设置数字密码")
    assert page.url.endswith("/") and link_code not in page.url
    page.get_by_label("6 位数字密码").fill(PIN)
    page.get_by_role("button", name="保存数字密码").click()
    expect(_heading(page)).to_have_text("您好，李奶奶")
    expect(page.locator("#status")).to_contain_text("数字密码已保存")
    sign_out(page)
    expect(_heading(page)).to_have_text("用数字密码登录")
    page.get_by_label("6 位数字密码").fill("000000")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(WrongPin.messages["zh-CN"])
    tab.screenshot("pin-wrong")
    page.get_by_label("6 位数字密码").fill(PIN)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(_heading(page)).to_have_text("您好，李奶奶")
    assert tab.page_errors == [] and tab.foreign_requests() == []


def test_a_wrong_code_shows_the_servers_message(open_tab):
    tab = open_tab("/link/WRONG234")
    tab.page.get_by_role("button", name="在这部手机上登录").click()
    expect(tab.page.get_by_role("alert")).to_contain_text(LinkCodeInvalid.messages["zh-CN"])
    assert tab.page.title().startswith("错误：")


def test_returning_browser_is_greeted_without_signing_in_again(open_tab, link_code):
    page = open_tab(f"/link/{link_code}").page
    page.get_by_role("button", name="在这部手机上登录").click()
    page.get_by_role("button", name="以后再设").click()
    expect(_heading(page)).to_have_text("您好，李奶奶")
    page.reload()
    expect(_heading(page)).to_have_text("您好，李奶奶")
