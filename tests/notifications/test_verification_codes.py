"""Verification codes: 6 digits by SMS in the asker's language, 5 minutes, single use, a few wrong
tries, limited per phone; only a keyed hash is kept, and the sent code is blanked afterwards."""
import re
import pytest

from backend.extensions import db
from backend.notifications.models import VerificationCode
from backend.notifications.services.verification_codes import CodeInvalid, consume_code
from tests.notifications.helpers import notifications_of_kind, run_worker, sms_to

PHONE = "13612345678"
PURPOSE = "volunteer_registration"


def _ask(client, phone=PHONE, language="zh-CN"):
    return client.post("/api/v1/verification-codes", {"phone": phone, "purpose": PURPOSE},
                       headers={"Accept-Language": language})


def _code_sent(app, phone=PHONE) -> str:
    run_worker(app)
    return re.search(r"\d{6}", sms_to(phone)[-1].text).group()


def test_a_code_goes_by_sms_in_the_askers_language_and_is_used_once(app, client, clock):
    answer = _ask(client, "+86 136-1234-5678", language="en")
    assert answer.status_code == 202
    assert answer.get_json() == {"phone": PHONE, "purpose": PURPOSE, "expires_at": "2026-11-26T02:05:00+00:00",
                                 "resend_after": "2026-11-26T02:01:00+00:00"}
    code = _code_sent(app)
    [message] = sms_to(PHONE)
    assert message.template_id == "LINLI_VERIFICATION_CODE_EN" and message.params == {"code": code}
    assert message.text.startswith("Your Linli verification code is ")

    consume_code(PHONE, PURPOSE, code)
    db.session.commit()
    with pytest.raises(CodeInvalid):
        consume_code(PHONE, PURPOSE, code)


def test_only_a_keyed_hash_is_kept_and_the_sent_code_is_blanked(app, client):
    _ask(client)
    code = _code_sent(app)
    row = db.session.query(VerificationCode).one()
    assert code not in row.code_hash and len(row.code_hash) == 64
    [notification] = notifications_of_kind("verification_code")
    assert notification.params == {"code": "••••••"} and not notification.in_inbox


def test_a_code_expires_after_5_minutes(app, client, clock):
    _ask(client)
    code = _code_sent(app)
    clock.advance(minutes=5)
    with pytest.raises(CodeInvalid):
        consume_code(PHONE, PURPOSE, code)


def test_five_wrong_tries_end_a_code(app, client):
    _ask(client)
    code = _code_sent(app)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    for _ in range(5):
        with pytest.raises(CodeInvalid):
            consume_code(PHONE, PURPOSE, wrong)
    with pytest.raises(CodeInvalid):
        consume_code(PHONE, PURPOSE, code)
    assert db.session.query(VerificationCode).one().failed_attempts == 5


def test_only_the_latest_code_counts(app, client, clock):
    _ask(client)
    first = _code_sent(app)
    clock.advance(minutes=1)
    _ask(client)
    second = _code_sent(app)
    if first != second:
        with pytest.raises(CodeInvalid):
            consume_code(PHONE, PURPOSE, first)
    consume_code(PHONE, PURPOSE, second)


def test_a_phone_gets_one_code_a_minute_and_five_an_hour(app, client, clock):
    assert _ask(client).status_code == 202
    again = _ask(client)
    assert (again.status_code, again.get_json()["reason"]) == (429, "too_many_codes")
    assert again.get_json()["message"] == "验证码发送太频繁，请 1 分钟后再试。"
    for _ in range(4):
        clock.advance(minutes=1)
        assert _ask(client).status_code == 202
    clock.advance(minutes=1)
    assert _ask(client).status_code == 429
    assert _ask(client, phone="13612345679").status_code == 202  # another phone is not held up
    clock.advance(minutes=56)
    assert _ask(client).status_code == 202  # the first code is an hour old
    assert db.session.query(VerificationCode).filter_by(phone=PHONE).count() == 6


def test_bad_input_is_refused(client):
    answer = client.post("/api/v1/verification-codes", {"phone": "12345", "purpose": "login"})
    assert answer.status_code == 422
    assert set(answer.get_json()["errors"]) == {"phone", "purpose"}
    assert client.post("/api/v1/verification-codes", {"phone": PHONE, "purpose": PURPOSE},
                       headers={"X-CSRF-Token": "forged"}).status_code == 403


def test_an_address_asking_for_many_phones_is_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFICATION_CODE_LIMIT_PER_IP", "3 per hour")
    statuses = [_ask(client, phone=f"1361234{n:04d}").status_code for n in range(4)]
    assert statuses == [202, 202, 202, 429]


def test_consuming_a_code_that_was_never_sent_is_refused():
    with pytest.raises(CodeInvalid):
        consume_code(PHONE, PURPOSE, "000000")
