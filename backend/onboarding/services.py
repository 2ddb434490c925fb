"""Assisted onboarding use cases: a worker issues a one-time device-link code for a resident,
the resident's phone redeems it and is signed in, and a worker signs a lost phone out.

Every public function is one use case and commits once.
"""
import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import segno
from flask import current_app
from sqlalchemy import func, literal, null, select, union_all, update

from backend.accounts.models import STAFF_ROLES, DeviceLink, DeviceSession, User
from backend.accounts.services import (
    add_device_link, add_roles, add_user, end_sessions, revoke_device_links, sign_in_linked_device,
)
from backend.common.pagination import Page
from backend.common.time import now
from backend.errors import Conflict, DomainError, NotFound
from backend.extensions import db
from backend.onboarding.models import LinkCode
from backend.people.models import Resident
from backend.people.services.access import Access, add_audit, community_of, grid_id_of, resident_access

# No 0/O, 1/I/L: a code is read aloud and typed by people with poor eyesight.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
UNLINKABLE_STATUSES = ("moved_away", "deceased")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


class ResidentNotActive(Conflict):
    reason = "resident_not_active"
    messages = {
        "zh-CN": "这位居民已迁出或已故，不能再绑定手机。",
        "en": "This resident has moved away or died; no phone can be linked to them.",
    }


class AccountNotLinkable(Conflict):
    """Staff accounts and disabled accounts are never handed over through a link code."""

    reason = "account_not_linkable"
    messages = {
        "zh-CN": "这位居民的账号不能通过绑定码管理，请联系社区管理员。",
        "en": "This resident's account cannot be managed with link codes. Please contact the community admin.",
    }


class LinkCodeInvalid(DomainError):
    """Unknown and replaced codes answer alike, so guessing learns nothing."""

    status = 404
    reason = "link_code_invalid"
    messages = {
        "zh-CN": "绑定码不对，或已被新的绑定码取代。请核对，或请网格员重新发一个。",
        "en": "This link code is wrong or has been replaced by a newer one. "
              "Please check it, or ask your grid worker for a new one.",
    }


class LinkCodeUsed(DomainError):
    status = 409
    reason = "link_code_used"
    messages = {
        "zh-CN": "这个绑定码已经用过了。如需在另一部手机上登录，请联系网格员重新发一个。",
        "en": "This link code has already been used. To sign in on another phone, ask your grid worker for a new one.",
    }


class LinkCodeExpired(DomainError):
    status = 410
    reason = "link_code_expired"
    messages = {
        "zh-CN": "这个绑定码已过期（有效期 24 小时），请联系网格员重新发一个。",
        "en": "This link code has expired (codes last 24 hours). Please ask your grid worker for a new one.",
    }


@dataclass
class IssuedLinkCode:
    resident_id: int
    code: str
    expires_at: datetime
    url: str
    qr_svg: str


@dataclass
class SignOutResult:
    ended_sessions: int
    revoked_links: int


def hash_code(typed: str) -> str:
    """The stored form of a code as people type it ('abcd-2345', 'ABCD 2345'): upper case,
    separators dropped, SHA-256."""
    return hashlib.sha256(_SEPARATORS.sub("", typed).upper().encode()).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _qr_svg(url: str) -> str:
    """A standalone SVG (own namespace, no external references) of the link's QR code."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=4, xmldecl=False,
                                    svgclass=None, lineclass=None, title="邻里绑定二维码 Linli link code")
    return buffer.getvalue().decode()


def _linked_account(resident: Resident) -> User | None:
    """The resident's own account, refused when handing it over would hand over more."""
    if resident.user_id is None:
        return None
    user = db.session.get(User, resident.user_id)
    if not user.is_enabled or user.roles & STAFF_ROLES:
        raise AccountNotLinkable()
    return user


def issue_link_code(staff: User, resident_id: int) -> IssuedLinkCode:
    """Issue a one-time code for the resident's phone; every earlier unused code stops working."""
    access = resident_access(staff, resident_id)
    resident = access.resident
    if resident.status in UNLINKABLE_STATUSES:
        raise ResidentNotActive()
    _linked_account(resident)
    moment = now()
    db.session.execute(update(LinkCode)
                       .where(LinkCode.resident_id == resident.id, LinkCode.used_at.is_(None),
                              LinkCode.revoked_at.is_(None))
                       .values(revoked_at=moment))
    code = _new_code()
    while db.session.scalar(select(LinkCode.id).where(LinkCode.code_hash == hash_code(code))):
        code = _new_code()
    expires_at = moment + current_app.config["LINK_CODE_LIFETIME"]
    db.session.add(LinkCode(resident_id=resident.id, code_hash=hash_code(code), issued_by_id=staff.id,
                            issued_at=moment, expires_at=expires_at))
    add_audit(access, "create", ["link_code"])
    db.session.commit()
    url = f"{current_app.config['PUBLIC_BASE_URL']}/link/{code}"
    return IssuedLinkCode(resident_id=resident.id, code=code, expires_at=expires_at, url=url,
                          qr_svg=_qr_svg(url))


def claim_statement(code_hash: str, moment: datetime):
    """The single UPDATE that decides who gets a code: it matches only a live code, so of two
    phones redeeming at once the database lets exactly one change the row."""
    return (update(LinkCode)
            .where(LinkCode.code_hash == code_hash, LinkCode.used_at.is_(None),
                   LinkCode.revoked_at.is_(None), LinkCode.expires_at > moment)
            .values(used_at=moment))


def _refusal(link_code: LinkCode | None, moment: datetime) -> DomainError | None:
    """Why a code cannot be claimed (used and expired codes say so; the rest look unknown),
    or None while it is live."""
    if link_code is None or link_code.revoked_at is not None:
        return LinkCodeInvalid()
    if link_code.used_at is not None:
        return LinkCodeUsed()
    if link_code.expires_at <= moment:
        return LinkCodeExpired()
    return None


def _account_for(resident: Resident, community_id: int) -> tuple[User, bool]:
    """The resident's account, created on first link; the flag says whether the phone was copied."""
    user = _linked_account(resident)
    if user is not None:
        add_roles(user, "resident")
        return user, False
    phone = resident.phone
    if phone and db.session.scalar(select(User.id).where(User.phone == phone)):
        phone = None
    user = add_user(display_name=resident.address_as, roles={"resident"}, phone=phone,
                    community_id=community_id)
    resident.user_id = user.id
    return user, phone is not None


def redeem_link_code(raw_code: str, device_label: str) -> User:
    """Link this phone to the resident of the code and sign it in; the PIN must be set anew."""
    code_hash = hash_code(raw_code)
    moment = now()
    link_code = db.session.scalar(select(LinkCode).where(LinkCode.code_hash == code_hash))
    refusal = _refusal(link_code, moment)
    if refusal is not None:
        raise refusal
    resident = db.session.get(Resident, link_code.resident_id)
    if resident.status in UNLINKABLE_STATUSES:
        raise ResidentNotActive()
    _linked_account(resident)
    # Every refusal above changed nothing; from here on the claim decides and nothing refuses.
    if db.session.execute(claim_statement(code_hash, moment)).rowcount != 1:
        db.session.refresh(link_code)
        raise _refusal(link_code, moment) or LinkCodeUsed()
    user, copied_phone = _account_for(resident, community_of(resident).id)
    # The code is also how a forgotten PIN is reset: the phone asks for a new one next.
    user.pin_hash = None
    link = add_device_link(user, device_label)
    add_audit(Access(user, resident, "self", f"resident linked a phone with a code issued in grid "
                                             f"{grid_id_of(resident)}"),
              "update", ["account", "phone"] if copied_phone else ["account"])
    sign_in_linked_device(user, link, device_label)
    return user


def _devices_statement(user_id: int):
    last_seen_on_link = (select(func.max(DeviceSession.last_seen_at))
                         .where(DeviceSession.device_link_id == DeviceLink.id)
                         .scalar_subquery())
    sessions = select(
        literal("session").label("kind"), DeviceSession.id.label("id"),
        DeviceSession.device_label.label("label"), DeviceSession.signed_in_with.label("signed_in_with"),
        DeviceSession.created_at.label("created_at"), DeviceSession.last_seen_at.label("last_seen_at"),
    ).where(DeviceSession.user_id == user_id, DeviceSession.ended_at.is_(None))
    links = select(
        literal("linked_phone"), DeviceLink.id, DeviceLink.label, null(),
        DeviceLink.created_at, last_seen_on_link,
    ).where(DeviceLink.user_id == user_id, DeviceLink.revoked_at.is_(None))
    return union_all(sessions, links).subquery()


def list_devices(staff: User, resident_id: int, page: int, per_page: int) -> Page:
    """The resident's signed-in devices and linked phones, most recently seen first."""
    user = _linked_account(resident_access(staff, resident_id).resident)
    if user is None:
        return Page(items=[], total=0, page=page, per_page=per_page)
    devices = _devices_statement(user.id)
    total = db.session.scalar(select(func.count()).select_from(devices))
    # NULL last-seen (a linked phone never used since) sorts after every seen one on both databases.
    rows = db.session.execute(
        select(devices)
        .order_by(devices.c.last_seen_at.is_(None), devices.c.last_seen_at.desc(),
                  devices.c.kind, devices.c.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).mappings().all()
    return Page(items=[dict(row) for row in rows], total=total or 0, page=page, per_page=per_page)


def _sign_out_one_session(user: User, session_id: int, moment: datetime) -> SignOutResult:
    device_session = db.session.get(DeviceSession, session_id)
    if device_session is None or device_session.user_id != user.id or device_session.ended_at:
        raise NotFound("该设备", "Device")
    if device_session.device_link_id is None:
        device_session.ended_at, device_session.end_reason = moment, "signed_out_by_staff"
        return SignOutResult(ended_sessions=1, revoked_links=0)
    return _sign_out_linked_phone(user, device_session.device_link_id, moment)


def _sign_out_linked_phone(user: User, link_id: int, moment: datetime) -> SignOutResult:
    """A lost phone is its link and every session on it: ending one without the other would
    let whoever found the phone sign in again with the PIN."""
    link = db.session.get(DeviceLink, link_id)
    if link is None or link.user_id != user.id or link.revoked_at is not None:
        raise NotFound("该设备", "Device")
    link.revoked_at = moment
    ended = db.session.execute(
        update(DeviceSession)
        .where(DeviceSession.device_link_id == link.id, DeviceSession.ended_at.is_(None))
        .values(ended_at=moment, end_reason="signed_out_by_staff")
    ).rowcount
    return SignOutResult(ended_sessions=ended, revoked_links=1)


def _live_link_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(DeviceLink).where(
        DeviceLink.user_id == user_id, DeviceLink.revoked_at.is_(None))) or 0


def sign_out_devices(staff: User, resident_id: int, session_id: int | None = None,
                     device_link_id: int | None = None) -> SignOutResult:
    """Sign the resident out everywhere, or on one device; the cookie stops working at once."""
    access = resident_access(staff, resident_id)
    user = _linked_account(access.resident)
    moment = now()
    if user is None:
        if session_id is not None or device_link_id is not None:
            raise NotFound("该设备", "Device")
        return SignOutResult(ended_sessions=0, revoked_links=0)
    if session_id is not None:
        result = _sign_out_one_session(user, session_id, moment)
    elif device_link_id is not None:
        result = _sign_out_linked_phone(user, device_link_id, moment)
    else:
        links = _live_link_count(user.id)
        revoke_device_links(user.id)
        result = SignOutResult(ended_sessions=end_sessions(user.id, "signed_out_by_staff"), revoked_links=links)
    add_audit(access, "update", ["devices"])
    db.session.commit()
    return result
