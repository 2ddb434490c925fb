"""Verification codes: prove a mobile number by a 6-digit code sent by SMS.

Valid 5 minutes, single use, at most 5 wrong tries per code, kept only as a keyed hash. One
phone gets a new code at most once a minute and VERIFICATION_CODES_PER_PHONE_PER_HOUR an hour
(the route adds a per-address limit). The code reaches the phone as a `verification_code`
notification to a bare contact: SMS only, since the phone has no account yet.
"""
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from backend.common.i18n import current_language
from backend.common.time import now
from backend.errors import DomainError
from backend.extensions import db
from backend.notifications.kinds import VERIFICATION_CODE
from backend.notifications.models import VerificationCode
from backend.notifications.services.outbox import Contact, notify

PURPOSES = ("volunteer_registration",)
LIFETIME = timedelta(minutes=5)
MAX_WRONG_TRIES = 5


class TooManyCodes(DomainError):
    status = 429
    reason = "too_many_codes"
    messages = {"zh-CN": "验证码发送太频繁，请 {minutes} 分钟后再试。",
                "en": "Too many codes were sent to this number. Please try again in {minutes} minutes."}

    def __init__(self, seconds: int):
        super().__init__(minutes=max(1, math.ceil(seconds / 60)))


class CodeInvalid(DomainError):
    status = 422
    reason = "verification_code_invalid"
    messages = {"zh-CN": "验证码不对或已过期，请重新获取。",
                "en": "The code is wrong or has expired. Please ask for a new one."}


@dataclass
class IssuedCode:
    phone: str
    purpose: str
    expires_at: datetime
    resend_after: datetime


def _digest(phone: str, purpose: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def request_code(phone: str, purpose: str) -> IssuedCode:
    """Send a new code to `phone` for `purpose`; refused (429) when the phone had too many."""
    config = current_app.config
    moment = now()
    recent = db.session.scalars(
        select(VerificationCode.created_at)
        .where(VerificationCode.phone == phone, VerificationCode.created_at > moment - timedelta(hours=1))
        .order_by(VerificationCode.created_at.desc())).all()
    interval = config["VERIFICATION_CODE_INTERVAL"]
    if recent and moment - recent[0] < interval:
        raise TooManyCodes(math.ceil((recent[0] + interval - moment).total_seconds()))
    if len(recent) >= config["VERIFICATION_CODES_PER_PHONE_PER_HOUR"]:
        raise TooManyCodes(math.ceil((recent[-1] + timedelta(hours=1) - moment).total_seconds()))
    code = f"{secrets.randbelow(10 ** 6):06d}"
    row = VerificationCode(phone=phone, purpose=purpose, code_hash=_digest(phone, purpose, code),
                           created_at=moment, expires_at=moment + LIFETIME)
    db.session.add(row)
    db.session.flush()
    notify(VERIFICATION_CODE.code, contact=Contact(name="", phone=phone, language=current_language()),
           params={"code": code}, data={"verification_code_id": row.id})
    db.session.commit()
    return IssuedCode(phone=phone, purpose=purpose, expires_at=row.expires_at, resend_after=moment + interval)


def consume_code(phone: str, purpose: str, code: str) -> None:
    """Use the phone's latest code for `purpose` (for a use case such as volunteer registration,
    which calls this first and commits once afterwards). A wrong code is counted in its own
    commit before CodeInvalid is raised, so a refused request cannot undo the count."""
    moment = now()
    row = db.session.scalar(
        select(VerificationCode)
        .where(VerificationCode.phone == phone, VerificationCode.purpose == purpose)
        .order_by(VerificationCode.created_at.desc(), VerificationCode.id.desc()).limit(1)
        .with_for_update())
    usable = (row is not None and row.used_at is None and row.expires_at > moment
              and row.failed_attempts < MAX_WRONG_TRIES)
    if usable and hmac.compare_digest(row.code_hash, _digest(phone, purpose, code)):
        row.used_at = moment
        return
    if usable:
        row.failed_attempts += 1
        db.session.commit()
    raise CodeInvalid()
