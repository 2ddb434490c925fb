"""Consent use cases: a resident's consent records per purpose, recorded and withdrawn by staff."""
from sqlalchemy import select

from backend.accounts.models import User
from backend.common.pagination import Page, paginate
from backend.common.time import now
from backend.errors import Conflict, NotFound
from backend.extensions import db
from backend.people.models import ConsentRecord, ProxyLink
from backend.people.services.access import (
    GuardianConsentRequired, active_consent, add_audit, end_link, guardian_consent_error, resident_access,
)


class ConsentAlreadyGiven(Conflict):
    reason = "consent_already_given"
    messages = {"zh-CN": "这项同意已经登记过，尚未撤回。",
                "en": "This consent is already recorded and has not been withdrawn."}


class ConsentAlreadyWithdrawn(Conflict):
    reason = "consent_already_withdrawn"
    messages = {"zh-CN": "这项同意已经撤回了。", "en": "This consent has already been withdrawn."}


def list_consents(user: User, resident_id: int, *, page: int, per_page: int,
                  include_withdrawn: bool = True) -> Page:
    """A resident's consent records, newest first (staff, and the resident themself)."""
    access = resident_access(user, resident_id, own=True)
    statement = select(ConsentRecord).where(ConsentRecord.resident_id == resident_id)
    if not include_withdrawn:
        statement = statement.where(ConsentRecord.withdrawn_at.is_(None))
    result = paginate(statement.order_by(ConsentRecord.granted_at.desc(), ConsentRecord.id.desc()), page, per_page)
    add_audit(access, "read", [])
    db.session.commit()
    return result


def record_consent(user: User, resident_id: int, data: dict) -> ConsentRecord:
    """Record a consent for one purpose, as the resident (or a child's guardian) gave it."""
    access = resident_access(user, resident_id)
    if access.resident.is_child and data["given_by"] != "guardian":
        raise GuardianConsentRequired(field_errors=guardian_consent_error("given_by"))
    if active_consent(resident_id, data["purpose"]) is not None:
        raise ConsentAlreadyGiven()
    consent = ConsentRecord(resident_id=resident_id, recorded_by_id=user.id, **data)
    db.session.add(consent)
    db.session.flush()
    add_audit(access, "create", [])
    db.session.commit()
    return consent


def withdraw_consent(user: User, resident_id: int, consent_id: int) -> ConsentRecord:
    """Withdraw a consent; withdrawing proxy_access also ends every family link of the resident."""
    access = resident_access(user, resident_id)
    consent = db.session.get(ConsentRecord, consent_id)
    if consent is None or consent.resident_id != resident_id:
        raise NotFound("该同意记录", "Consent record")
    if consent.withdrawn_at is not None:
        raise ConsentAlreadyWithdrawn()
    consent.withdrawn_at = now()
    if consent.purpose == "proxy_access":
        for link in db.session.scalars(select(ProxyLink).where(
                ProxyLink.resident_id == resident_id, ProxyLink.ended_at.is_(None))):
            end_link(link, user)
    add_audit(access, "update", [])
    db.session.commit()
    return consent
