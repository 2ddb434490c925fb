"""Signing up in the browser as a newcomer does: ask for the SMS code, let the live server's worker
send it (`flask worker --once` against the live server's app), read it from the SMS log (what the
phone received), type it, and send the form."""
import re
from contextlib import contextmanager

from playwright.sync_api import expect
from sqlalchemy import select

from backend.community.models import Community
from backend.extensions import db
from backend.notifications.models import SmsMessage
from tests.factories import make_grid

NEW_PASSWORD = "lin-li-volunteer-7"
SEND_CODE = re.compile(r"^(重新)?获取验证码$")


@contextmanager
def room_to_register(app):
    """Raise the per-address limits on codes and sign-ups for the tests (all from 127.0.0.1), and
    give them back afterwards: the limits are not what these tests are about."""
    config = app.config
    before = {name: config[name] for name in ("VOLUNTEER_REGISTRATION_LIMIT", "VERIFICATION_CODE_LIMIT_PER_IP")}
    config.update(VOLUNTEER_REGISTRATION_LIMIT="1000 per hour", VERIFICATION_CODE_LIMIT_PER_IP="1000 per hour")
    try:
        yield
    finally:
        config.update(before)


def make_area(app, name: str) -> str:
    """A grid of the live server's community a newcomer can say they live in; its name."""
    with app.app_context():
        grid = make_grid(db.session.scalar(select(Community).order_by(Community.id)), name)
        db.session.commit()
        name = grid.name
        db.session.remove()
    return name


def send_code_button(page):
    return page.get_by_role("button", name=SEND_CODE)


def ask_for_code(page, phone: str):
    """Type the phone number and tap 「获取验证码」; returns the server's answer."""
    page.get_by_label("手机号").fill(phone)
    with page.expect_response("**/api/v1/verification-codes") as answer:
        send_code_button(page).click()
    return answer.value


def code_received(app, phone: str) -> str:
    """The live server's worker sends what is due; the code is read from the SMS the phone got."""
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        text = db.session.scalars(select(SmsMessage.text).where(SmsMessage.phone == phone)
                                  .order_by(SmsMessage.id.desc())).first()
        db.session.remove()
    assert text is not None, f"no SMS reached {phone}"
    return re.search(r"\d{6}", text).group()


def fill_the_rest(page, area: str, name: str = "陈阿姨"):
    """Everything but the phone and the code."""
    page.get_by_label("姓名").fill(name)
    page.get_by_label("设一个密码").fill(NEW_PASSWORD)
    page.get_by_role("radio", name="女").check()
    page.get_by_role("checkbox", name="代购跑腿").check()
    page.get_by_role("radio", name=area).check()


def submit_registration(page):
    with page.expect_response("**/api/v1/volunteers/register") as answer:
        page.get_by_role("button", name="提交报名").click()
    return answer.value


def sign_up(page, app, phone: str, area: str):
    """From the sign-in screen to an answered registration, with the code the phone received."""
    page.get_by_role("link", name="我想当志愿者").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("报名当志愿者")
    assert ask_for_code(page, phone).status == 202
    page.get_by_label("短信验证码").fill(code_received(app, phone))
    fill_the_rest(page, area)
    return submit_registration(page)
