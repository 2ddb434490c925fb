"""Signing up as a volunteer in Chromium with the code sent to the phone: the newcomer asks for it,
the live server's worker sends it, the test reads it from the SMS log (what the phone received),
types it and lands on "waiting for vetting"; the button counts down to a new code without losing
anything typed; a wrong code is refused at its field; asking again within a minute shows the
server's words at the phone field."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from backend.accounts.models import User
from backend.extensions import db
from backend.volunteers.models import Volunteer
from tests.e2e.registration import (
    ask_for_code, code_received, fill_the_rest, make_area, room_to_register, send_code_button, submit_registration,
)

pytestmark = pytest.mark.browser

WAIT_SECONDS = """() => {
  const seconds = document.querySelector('[data-slot="send-code-wait"]');
  return {hidden: seconds.getAttribute("aria-hidden"), live: !!seconds.closest("[aria-live], [role=status], [role=alert]")};
}"""


@pytest.fixture(autouse=True)
def _room_to_register(live_server):
    with room_to_register(live_server.app):
        yield


@pytest.fixture(scope="module")
def area(live_server):
    return make_area(live_server.app, "南园网格")


def _heading(page):
    return page.get_by_role("heading", level=1)


def _open_sign_up(page):
    page.get_by_role("link", name="我想当志愿者").click()
    expect(_heading(page)).to_have_text("报名当志愿者")


def _volunteer_status(app, phone: str) -> str | None:
    with app.app_context():
        status = db.session.scalar(select(Volunteer.status).join(User, Volunteer.user_id == User.id)
                                   .where(User.phone == phone))
        db.session.remove()
    return status


def _other_than(code: str) -> str:
    return f"{(int(code) + 1) % 10 ** 6:06d}"


def test_a_newcomer_asks_for_a_code_types_it_and_waits_for_vetting(open_tab, live_server, area):
    tab = open_tab("/")
    page = tab.page
    page.clock.install()
    page.reload()
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    _open_sign_up(page)
    page.get_by_label("姓名").fill("陈阿姨")

    answer = ask_for_code(page, "137 0000 0811")
    assert answer.status == 202
    expect(page.get_by_role("status").filter(has_text="验证码已发到")).to_have_text("验证码已发到 137 0000 0811。")
    button = send_code_button(page)
    expect(button).to_have_text("重新获取验证码（60 秒）")
    expect(button).to_have_accessible_name("重新获取验证码")  # the seconds are shown, not read out
    expect(button).to_have_attribute("aria-disabled", "true")
    assert page.evaluate(WAIT_SECONDS) == {"hidden": "true", "live": False}

    button.click(force=True)  # a tap while it counts down (Playwright waits for aria-disabled otherwise)
    expect(page.locator("#status")).to_have_text("请等倒计时结束后再重新获取。")
    page.clock.run_for(1000)
    expect(button).to_have_text("重新获取验证码（59 秒）")
    page.clock.run_for(59_000)
    expect(button).to_have_text("重新获取验证码")
    expect(button).not_to_have_attribute("aria-disabled", "true")
    expect(page.get_by_label("手机号")).to_have_value("137 0000 0811")  # nothing typed was lost
    expect(page.get_by_label("姓名")).to_have_value("陈阿姨")
    assert sum("/api/v1/verification-codes" in url for url in tab.requests) == 1

    page.get_by_label("短信验证码").fill(code_received(live_server.app, "13700000811"))
    fill_the_rest(page, area)
    assert submit_registration(page).status == 201
    expect(_heading(page)).to_have_text("已提交，等待社区工作者审核")
    assert _volunteer_status(live_server.app, "13700000811") == "pending"
    assert tab.page_errors == [] and tab.csp_violations() == []


def test_a_wrong_code_is_refused_at_its_field_and_the_right_one_then_works(open_tab, live_server, area):
    page = open_tab("/").page
    _open_sign_up(page)
    ask_for_code(page, "13700000812")
    code = code_received(live_server.app, "13700000812")
    page.get_by_label("短信验证码").fill(_other_than(code))
    fill_the_rest(page, area)

    answer = submit_registration(page)
    assert (answer.status, answer.json()["reason"]) == (422, "verification_code_invalid")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("短信验证码：验证码不对或已过期，请重新获取。")
    expect(page.locator("[data-error-summary]:not([hidden])")).to_be_focused()
    expect(page.locator("#register-code-error")).to_have_text("错误：验证码不对或已过期，请重新获取。")
    code_field = page.get_by_label("短信验证码")
    expect(code_field).to_have_attribute("aria-invalid", "true")
    assert page.title().startswith("错误：")
    assert _volunteer_status(live_server.app, "13700000812") is None

    summary.get_by_role("link", name="短信验证码：验证码不对或已过期，请重新获取。").click()
    expect(code_field).to_be_focused()
    code_field.fill(code)
    assert submit_registration(page).status == 201
    expect(_heading(page)).to_have_text("已提交，等待社区工作者审核")
    assert _volunteer_status(live_server.app, "13700000812") == "pending"


def test_asking_again_within_a_minute_shows_the_servers_words_at_the_phone(open_tab, live_server):
    page = open_tab("/").page
    _open_sign_up(page)
    assert ask_for_code(page, "13700000813").status == 202
    page.reload()  # a fresh screen has no countdown; the server still holds the number to one a minute
    expect(_heading(page)).to_have_text("报名当志愿者")

    answer = ask_for_code(page, "13700000813")
    assert (answer.status, answer.json()["reason"]) == (429, "too_many_codes")
    message = answer.json()["message"]
    assert message == "验证码发送太频繁，请 1 分钟后再试。"
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("验证码没有发出。")
    expect(summary.get_by_role("link", name=f"手机号：{message}")).to_be_visible()
    expect(page.locator("[data-error-summary]:not([hidden])")).to_be_focused()
    expect(page.locator("#register-phone-error")).to_have_text(f"错误：{message}")
    expect(page.get_by_label("手机号")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("手机号")).to_have_value("13700000813")
    expect(send_code_button(page)).to_have_text("获取验证码")  # no countdown for a code never sent
