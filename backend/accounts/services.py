"""Accounts use cases: sign in and out, device sessions, passwords, PINs, preferences.

Functions named `add_*` stage rows for a larger use case and do not commit; every other
public function is one use case and commits once.
"""
import hashlib
import secrets
from datetime import timedelta

from flask import after_this_request, current_app, g, request, session
from flask_login import login_user, logout_user
from sqlalchemy import select, update

from backend.accounts.models import ELDER_MODE_ROLES, PREFERENCES, DeviceLink, DeviceSession, User, UserRole
from backend.accounts.passwords import hash_secret, is_common_password, needs_rehash, verify_secret
from backend.common.i18n import pick
from backend.common.pagination import Page, paginate
from backend.common.time import now
from backend.extensions import db
from backend.errors import Conflict, DomainError, InvalidInput, NotFound, NotSignedIn

BACKGROUND_HEADER = "X-Linli-Background"
_TOUCH_EVERY = timedelta(seconds=60)


class WrongCredentials(DomainError):
    status = 401
    reason = "wrong_credentials"
    messages = {"zh-CN": "手机号或密码不对。", "en": "The phone number or password is wrong."}


class WrongPin(DomainError):
    status = 401
    reason = "wrong_pin"
    messages = {"zh-CN": "密码不对，请再试一次。", "en": "The PIN is wrong. Please try again."}


class PinNotAvailable(DomainError):
    status = 403
    reason = "pin_not_available"
    messages = {
        "zh-CN": "这部手机还没有开通数字密码登录，请联系网格员。",
        "en": "PIN sign-in is not set up on this phone. Please contact your grid worker.",
    }


class SessionExpired(NotSignedIn):
    reason = "session_expired"
    messages = {"zh-CN": "登录已过期，请重新登录。", "en": "Your sign-in has expired. Please sign in again."}


class PhoneTaken(Conflict):
    reason = "phone_taken"
    messages = {"zh-CN": "这个手机号已经注册过了。", "en": "This phone number is already registered."}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def password_problem(password: str) -> str | None:
    """Why this new password is refused, in the user's language; None when it is fine."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return pick({"zh-CN": "密码至少 {n} 位。", "en": "Use at least {n} characters."}, n=minimum)
    if is_common_password(password):
        return pick({"zh-CN": "这个密码太常见，容易被猜到，请换一个。",
                     "en": "This password is too common and easy to guess. Please choose another."})
    return None


def check_new_password(password: str, field: str = "password") -> None:
    problem = password_problem(password)
    if problem:
        raise InvalidInput(field_errors={field: [problem]})


def add_user(*, display_name: str, roles: set[str], phone: str | None = None,
             password: str | None = None, community_id: int | None = None,
             language: str = "zh-CN") -> User:
    """Stage a new user; the caller's use case commits."""
    if phone is not None and db.session.scalar(select(User.id).where(User.phone == phone)):
        raise PhoneTaken(field_errors={"phone": [PhoneTaken().message]})
    if password is not None:
        check_new_password(password)
    user = User(
        phone=phone, display_name=display_name, community_id=community_id, language=language,
        password_hash=hash_secret(password) if password is not None else None,
        text_size="large" if "resident" in roles else "standard",
        elder_mode=bool(roles & ELDER_MODE_ROLES),
    )
    user.role_rows = [UserRole(role=role) for role in sorted(roles)]
    db.session.add(user)
    db.session.flush()
    return user


def add_roles(user: User, *roles: str) -> None:
    for role in roles:
        if role not in user.roles:
            user.role_rows.append(UserRole(role=role))


def _begin_session(user: User, signed_in_with: str, device_label: str,
                   device_link: DeviceLink | None = None) -> DeviceSession:
    token = secrets.token_urlsafe(32)
    device_session = DeviceSession(
        user=user, token_hash=_digest(token), device_label=device_label or "未命名设备",
        signed_in_with=signed_in_with, device_link_id=device_link.id if device_link else None,
    )
    device_session.plain_token = token
    db.session.add(device_session)
    db.session.commit()
    user.current_device_session = device_session
    session.permanent = True
    login_user(user)
    return device_session


def sign_in_with_password(phone: str, password: str, device_label: str) -> User:
    user = db.session.scalar(select(User).where(User.phone == phone))
    if not verify_secret(user.password_hash if user else None, password) or not user.is_enabled:
        raise WrongCredentials()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_secret(password)
    _begin_session(user, "password", device_label)
    return user


def add_device_link(user: User, label: str) -> DeviceLink:
    """Stage a PIN-capable link for the phone in this request; its key goes into a cookie."""
    key = secrets.token_urlsafe(32)
    link = DeviceLink(user_id=user.id, key_hash=_digest(key), label=label or "居民手机")
    db.session.add(link)
    db.session.flush()
    cookie_name = current_app.config["DEVICE_COOKIE_NAME"]
    secure = current_app.config["SESSION_COOKIE_SECURE"]

    @after_this_request
    def _remember_device(response):
        response.set_cookie(cookie_name, key, max_age=int(timedelta(days=400).total_seconds()),
                            httponly=True, secure=secure, samesite="Lax", path="/")
        return response

    return link


def sign_in_linked_device(user: User, link: DeviceLink, device_label: str) -> None:
    """Sign in on a phone that was just linked with a one-time code (the caller staged it)."""
    _begin_session(user, "link_code", device_label, link)


def _device_link_from_cookie() -> DeviceLink | None:
    key = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])
    if not key:
        return None
    return db.session.scalar(
        select(DeviceLink).where(DeviceLink.key_hash == _digest(key), DeviceLink.revoked_at.is_(None))
    )


def pin_sign_in_key() -> str:
    """Rate-limit key for PIN attempts: the linked device, or the address without one."""
    key = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])
    return "device:" + (_digest(key) if key else request.remote_addr or "unknown")


def sign_in_with_pin(pin: str, device_label: str) -> User:
    link = _device_link_from_cookie()
    if link is None:
        raise PinNotAvailable()
    user = db.session.get(User, link.user_id)
    if user is None or user.pin_hash is None or not user.is_enabled:
        raise PinNotAvailable()
    if not verify_secret(user.pin_hash, pin):
        raise WrongPin()
    _begin_session(user, "pin", device_label, link)
    return user


def set_pin(user: User, pin: str) -> None:
    """A PIN can be set only from a session on a phone linked by a worker's code."""
    device_session = user.current_device_session
    if device_session is None or device_session.device_link_id is None:
        raise PinNotAvailable()
    user.pin_hash = hash_secret(pin)
    db.session.commit()


def _expired(user: User, device_session: DeviceSession, moment) -> bool:
    config = current_app.config
    if user.is_staff:
        return (moment - device_session.last_active_at > config["STAFF_IDLE_TIMEOUT"]
                or moment - device_session.created_at > config["STAFF_ABSOLUTE_TIMEOUT"])
    return moment - device_session.last_active_at > config["MEMBER_IDLE_TIMEOUT"]


def load_session_user(token: str) -> User | None:
    """Flask-Login's loader: the user of a live device session, touched for this request."""
    device_session = db.session.scalar(select(DeviceSession).where(DeviceSession.token_hash == _digest(token)))
    if device_session is None or device_session.ended_at is not None:
        g.session_end_reason = "revoked"
        return None
    user = device_session.user
    moment = now()
    if not user.is_enabled or _expired(user, device_session, moment):
        device_session.ended_at, device_session.end_reason = moment, "expired"
        db.session.commit()
        g.session_end_reason = "expired"
        return None
    background = request.headers.get(BACKGROUND_HEADER) == "1"
    changed = False
    if moment - device_session.last_seen_at > _TOUCH_EVERY:
        device_session.last_seen_at, changed = moment, True
    if not background and moment - device_session.last_active_at > _TOUCH_EVERY:
        device_session.last_active_at, changed = moment, True
    if changed:
        db.session.commit()
    device_session.plain_token = token
    user.current_device_session = device_session
    return user


def unauthorized() -> None:
    """Flask-Login's answer to an anonymous caller on a protected endpoint."""
    if g.get("session_end_reason") == "expired":
        raise SessionExpired()
    raise NotSignedIn()


def end_sessions(user_id: int, reason: str, keep_id: int | None = None) -> int:
    """Stage the end of every live session of a user (but `keep_id`); returns how many."""
    statement = (update(DeviceSession)
                 .where(DeviceSession.user_id == user_id, DeviceSession.ended_at.is_(None))
                 .values(ended_at=now(), end_reason=reason))
    if keep_id is not None:
        statement = statement.where(DeviceSession.id != keep_id)
    return db.session.execute(statement).rowcount


def revoke_device_links(user_id: int) -> None:
    db.session.execute(update(DeviceLink)
                       .where(DeviceLink.user_id == user_id, DeviceLink.revoked_at.is_(None))
                       .values(revoked_at=now()))


def sign_out(user: User) -> None:
    device_session = user.current_device_session
    if device_session is not None and device_session.ended_at is None:
        device_session.ended_at, device_session.end_reason = now(), "signed_out"
        db.session.commit()
    logout_user()
    session.clear()


def list_sessions(user: User, page: int, per_page: int) -> Page:
    statement = (select(DeviceSession)
                 .where(DeviceSession.user_id == user.id, DeviceSession.ended_at.is_(None))
                 .order_by(DeviceSession.last_seen_at.desc(), DeviceSession.id.desc()))
    return paginate(statement, page, per_page)


def end_own_session(user: User, session_id: int) -> None:
    device_session = db.session.get(DeviceSession, session_id)
    if device_session is None or device_session.user_id != user.id or device_session.ended_at:
        raise NotFound("该设备", "Device")
    device_session.ended_at, device_session.end_reason = now(), "signed_out_remotely"
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password; every other device of this user is signed out at once."""
    if not verify_secret(user.password_hash, current_password):
        raise InvalidInput(field_errors={"current_password": [pick(
            {"zh-CN": "当前密码不对。", "en": "The current password is wrong."})]})
    check_new_password(new_password, "new_password")
    user.password_hash = hash_secret(new_password)
    keep = user.current_device_session.id if user.current_device_session else None
    end_sessions(user.id, "password_changed", keep_id=keep)
    db.session.commit()


def update_preferences(user: User, changes: dict) -> User:
    for field in PREFERENCES:
        if field in changes:
            setattr(user, field, changes[field])
    db.session.commit()
    return user
