"""Signing in and out through the placeholder PWA in real Chromium."""
import pytest
from playwright.sync_api import expect

from backend.accounts.services import WrongCredentials
from tests.e2e.conftest import RESIDENT_NAME, RESIDENT_PHONE
from tests.e2e.journeys import sign_in_as_resident, sign_out, submit_sign_in

pytestmark = pytest.mark.browser

WRONG_CREDENTIALS = WrongCredentials.messages["zh-CN"]


def _focused_class(page) -> str:
    return page.evaluate("document.activeElement.className")


def test_wrong_password_shows_the_servers_message_in_a_summary_that_takes_focus(open_tab):
    tab = open_tab("/")
    page = tab.page
    submit_sign_in(page, RESIDENT_PHONE, "not-her-password")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(WRONG_CREDENTIALS)
    assert "error-summary" in _focused_class(page)
    assert page.title().startswith("错误：")
    tab.screenshot("sign-in-wrong-password")
    assert tab.page_errors == []


def test_right_password_greets_by_name_and_sign_out_returns_to_the_form(open_tab):
    tab = open_tab("/")
    page = tab.page
    submit_sign_in(page, RESIDENT_PHONE, "not-her-password")
    sign_in_as_resident(page)
    expect(page.get_by_role("link", name="紧急求助")).to_be_visible()  # her own home, a resident's
    assert not page.title().startswith("错误：")
    tab.screenshot("signed-in")
    sign_out(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("登录邻里")
    expect(page.locator("#status")).to_have_text("您已退出登录。")
    page.reload()
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()
    assert tab.page_errors == []
    assert tab.foreign_requests() == []


def test_signing_in_again_after_signing_out_works(open_tab):
    page = open_tab("/").page
    sign_in_as_resident(page)
    sign_out(page)
    sign_in_as_resident(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"您好，{RESIDENT_NAME}")


def test_empty_form_marks_each_field_and_the_summary_links_to_it(open_tab):
    tab = open_tab("/")
    page = tab.page
    page.get_by_role("button", name="登录", exact=True).click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link")).to_have_count(2)
    phone = page.get_by_label("手机号")
    assert phone.get_attribute("aria-invalid") == "true"
    assert "phone-error" in phone.get_attribute("aria-describedby").split()
    expect(page.locator("#phone-error")).to_have_text("错误：请输入手机号。")
    assert page.title().startswith("错误：")
    tab.screenshot("sign-in-empty")
    summary.get_by_role("link", name="密码：请输入密码。").click()
    assert page.evaluate("document.activeElement.id") == "password"


def test_servers_field_errors_are_shown_at_the_field(open_tab):
    page = open_tab("/").page
    submit_sign_in(page, "12345", "whatever-it-is")
    field_error = page.locator("#phone-error")
    expect(field_error).to_contain_text("手机号应为 11 位")
    assert page.get_by_label("手机号").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("密码", exact=True).get_attribute("aria-invalid") is None


def test_too_many_wrong_passwords_shows_the_servers_retry_message(open_tab):
    tab = open_tab("/")
    page = tab.page
    for _ in range(5):
        submit_sign_in(page, "13800000099", "not-a-password")
        expect(page.get_by_role("alert")).to_contain_text(WRONG_CREDENTIALS)
    submit_sign_in(page, "13800000099", "not-a-password")
    expect(page.get_by_role("alert")).to_contain_text("尝试次数太多，请 15 分钟后再试。")
    assert "error-summary" in _focused_class(page)
    tab.screenshot("sign-in-too-many-attempts")
