"""Family proxy use cases: linking an account to a resident, its consent scopes, and ending the link.

Scope rows are never deleted: a withdrawal is dated, so the history of who might act when stays.
"""
from sqlalchemy import select

from backend.accounts.models import User
from backend.accounts.services import add_roles, add_user
from backend.common.i18n import pick
from backend.common.pagination import Page, paginate
from backend.common.time import now
from backend.errors import Conflict, DomainError, InvalidInput, NotFound
from backend.extensions import db
from backend.people.models import ConsentRecord, ProxyLink, ProxyScope, Resident
from backend.people.services.access import (
    Access, GuardianConsentRequired, active_consent, active_link, add_audit, community_of, end_link,
    guardian_consent_error, resident_access,
)


class ScopeGrantNeedsStaff(DomainError):
    status = 403
    reason = "scope_grant_needs_staff"
    messages = {"zh-CN": "新增授权需由网格员登记。", "en": "Only a worker can record a new permission."}


class ProxyAlreadyLinked(Conflict):
    reason = "proxy_already_linked"
    messages = {"zh-CN": "这个账号已经是该居民的家属。", "en": "This account already acts for this resident."}


class ProxyLinkEnded(Conflict):
    reason = "proxy_link_ended"
    messages = {"zh-CN": "这个家属关联已经结束。", "en": "This family link has already ended."}


def _proxy_account(data: dict, resident: Resident, errors: dict) -> User | None:
    """The existing account with this phone, or None when a new one is to be made (checked here)."""
    existing = db.session.scalar(select(User).where(User.phone == data["phone"]))
    if existing is not None:
        if existing.id == resident.user_id:
            errors["phone"] = [pick({"zh-CN": "这是居民本人的账号。", "en": "This is the resident's own account."})]
        if "password" in data:
            errors["password"] = [pick({"zh-CN": "这个手机号已有账号，不能在这里设置密码。",
                                        "en": "This number already has an account; its password is not set here."})]
        return existing
    required = pick({"zh-CN": "新建家属账号时必填。", "en": "Required when creating the family account."})
    for field in ("display_name", "password"):
        if field not in data:
            errors[field] = [required]
    return None


def link_proxy(user: User, resident_id: int, data: dict) -> ProxyLink:
    """Link a family account (existing, or created here) to a resident with consented scopes."""
    access = resident_access(user, resident_id)
    resident = access.resident
    errors: dict = {}
    proxy_user = _proxy_account(data, resident, errors)
    if resident.is_child:
        if data["consented_by"] != "guardian":
            errors.update(guardian_consent_error("consented_by"))
        has_guardian = data["is_guardian"] or db.session.scalar(select(ProxyLink.id).where(
            ProxyLink.resident_id == resident_id, ProxyLink.ended_at.is_(None), ProxyLink.is_guardian))
        if not has_guardian:
            errors["is_guardian"] = [pick({"zh-CN": "请先登记这名儿童的监护人。",
                                           "en": "Record this child's guardian first."})]
    needs_consent = active_consent(resident_id, "proxy_access") is None
    giver_name = data.get("giver_name")
    if needs_consent and giver_name is None:
        if data["consented_by"] == "resident":
            giver_name = resident.full_name
        elif data["is_guardian"]:
            giver_name = data.get("display_name") or (proxy_user.display_name if proxy_user else None)
        if giver_name is None:
            errors["giver_name"] = [pick({"zh-CN": "请填写表示同意的监护人姓名。",
                                          "en": "Give the name of the guardian who consented."})]
    if errors:
        raise InvalidInput(field_errors=errors)
    if proxy_user is not None:
        if active_link(resident_id, proxy_user.id) is not None:
            raise ProxyAlreadyLinked()
        add_roles(proxy_user, "proxy")
    else:
        proxy_user = add_user(display_name=data["display_name"], roles={"proxy"}, phone=data["phone"],
                              password=data["password"], community_id=community_of(resident).id)
    link = ProxyLink(resident_id=resident_id, proxy_user_id=proxy_user.id, relation=data["relation"],
                     is_guardian=data["is_guardian"], created_by_id=user.id)
    link.scopes = [ProxyScope(scope=scope, consented_by=data["consented_by"], recorded_by_id=user.id)
                   for scope in data["scopes"]]
    db.session.add(link)
    if needs_consent:
        db.session.add(ConsentRecord(resident_id=resident_id, purpose="proxy_access", recorded_by_id=user.id,
                                     given_by=data["consented_by"], giver_name=giver_name))
    db.session.flush()
    add_audit(access, "create", [])
    db.session.commit()
    return link


def list_proxies(user: User, resident_id: int, *, page: int, per_page: int, include_ended: bool = False) -> Page:
    """The family accounts acting for a resident, with their scopes (staff, and the resident themself)."""
    access = resident_access(user, resident_id, own=True)
    statement = select(ProxyLink).where(ProxyLink.resident_id == resident_id)
    if not include_ended:
        statement = statement.where(ProxyLink.ended_at.is_(None))
    result = paginate(statement.order_by(ProxyLink.id), page, per_page)
    add_audit(access, "read", [])
    db.session.commit()
    return result


def _link(access: Access, link_id: int) -> ProxyLink:
    link = db.session.get(ProxyLink, link_id)
    if link is None or link.resident_id != access.resident.id:
        raise NotFound("该家属关联", "Family link")
    if link.ended_at is not None:
        raise ProxyLinkEnded()
    return link


def set_proxy_scopes(user: User, resident_id: int, link_id: int, scopes: list[str],
                     consented_by: str | None) -> ProxyLink:
    """Grant and withdraw a proxy's scopes; history is kept. The resident may withdraw, only staff grant."""
    access = resident_access(user, resident_id, own=True)
    link = _link(access, link_id)
    held = set(link.active_scopes)
    granted, withdrawn = set(scopes) - held, held - set(scopes)
    if granted:
        if access.kind != "staff":
            raise ScopeGrantNeedsStaff()
        if consented_by is None:
            raise InvalidInput(field_errors={"consented_by": [pick(
                {"zh-CN": "新增授权时必填。", "en": "Required when granting a scope."})]})
        if access.resident.is_child and consented_by != "guardian":
            raise GuardianConsentRequired(field_errors=guardian_consent_error("consented_by"))
    moment = now()
    for row in link.scopes:
        if row.withdrawn_at is None and row.scope in withdrawn:
            row.withdrawn_at, row.withdrawn_by_id = moment, user.id
    for scope in sorted(granted):
        link.scopes.append(ProxyScope(scope=scope, consented_by=consented_by, recorded_by_id=user.id))
    db.session.flush()
    add_audit(access, "update", [])
    db.session.commit()
    return link


def end_proxy_link(user: User, resident_id: int, link_id: int) -> ProxyLink:
    """End a family link: every scope is withdrawn and the account no longer acts for the resident."""
    access = resident_access(user, resident_id)
    link = _link(access, link_id)
    end_link(link, user)
    add_audit(access, "update", [])
    db.session.commit()
    return link
