"""People use cases: who may see and change a resident, and the registry, contact, consent and proxy
changes themselves. Every read or change of sensitive data stages its audit entry here.

Functions named `add_*` stage rows for a larger use case and do not commit; every other public
function is one use case and commits once (reads too, for their audit entries).
"""
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from backend.accounts.models import User
from backend.accounts.services import add_roles, add_user
from backend.audit.services import record
from backend.common.i18n import pick
from backend.common.pagination import Page, paginate
from backend.common.time import now
from backend.community.models import Building, Community, GridWorker, Household, Term
from backend.community.services import require_grid, staff_reason, visible_grid_ids
from backend.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from backend.extensions import db
from backend.people.models import (
    ConsentRecord, EmergencyContact, ProxyLink, ProxyScope, Resident, is_child_by,
)

MAX_CONTACTS = 10
MAX_PROXIED = 50  # a family account acts for a few relatives; /me lists at most this many
STATUS_VIEW = frozenset({"id", "address_as", "building_label", "status", "away_until"})
PROFILE_VIEW = STATUS_VIEW | {
    "household", "family_name", "given_name", "gender", "birth_year", "is_child", "phone", "languages",
    "prefers_volunteer_gender", "preference_notes", "emergency_contacts", "has_account", "created_at",
    "updated_at",
}
STAFF_VIEW = PROFILE_VIEW | {"tags"}  # risk tags are the workers' assessment, shown to staff only
SELF_EDITABLE = frozenset({"languages", "prefers_volunteer_gender", "preference_notes"})
PROXY_EDITABLE = SELF_EDITABLE | {"phone", "address_as"}


class ProxyScopeMissing(DomainError):
    status = 403
    reason = "proxy_scope_missing"
    messages = {"zh-CN": "您的家属账号没有这项授权。",
                "en": "Your family account has not been given this permission."}


class FieldsNotEditable(DomainError):
    status = 403
    reason = "field_not_editable"
    messages = {"zh-CN": "您不能修改标出的项目。", "en": "You may not change the marked fields."}


class ScopeGrantNeedsStaff(DomainError):
    status = 403
    reason = "scope_grant_needs_staff"
    messages = {"zh-CN": "新增授权需由网格员登记。", "en": "Only a worker can record a new permission."}


class GuardianConsentRequired(InvalidInput):
    reason = "guardian_consent_required"
    messages = {"zh-CN": "未成年人须由监护人同意。", "en": "A child's consent must be given by their guardian."}


class ConsentAlreadyGiven(Conflict):
    reason = "consent_already_given"
    messages = {"zh-CN": "这项同意已经登记过，尚未撤回。",
                "en": "This consent is already recorded and has not been withdrawn."}


class ConsentAlreadyWithdrawn(Conflict):
    reason = "consent_already_withdrawn"
    messages = {"zh-CN": "这项同意已经撤回了。", "en": "This consent has already been withdrawn."}


class ProxyAlreadyLinked(Conflict):
    reason = "proxy_already_linked"
    messages = {"zh-CN": "这个账号已经是该居民的家属。", "en": "This account already acts for this resident."}


class ProxyLinkEnded(Conflict):
    reason = "proxy_link_ended"
    messages = {"zh-CN": "这个家属关联已经结束。", "en": "This family link has already ended."}


class TooManyContacts(InvalidInput):
    reason = "too_many_contacts"
    messages = {"zh-CN": "紧急联系人最多 {n} 位。", "en": "At most {n} emergency contacts."}


def _resident_not_found() -> NotFound:
    return NotFound("该居民", "Resident")


@dataclass
class Access:
    """Why this user may act on this resident: as staff, as the resident, or as their proxy."""

    actor: User
    resident: Resident
    kind: str  # staff, self, proxy
    reason: str  # the audit log's "why"
    scopes: frozenset[str] = frozenset()


@dataclass
class ResidentView:
    """A resident and the fields of them this caller may see (the response schema shows only these)."""

    resident: Resident
    fields: frozenset[str]


def grid_id_of(resident: Resident) -> int:
    return resident.household.building.grid_id


def community_of(resident: Resident) -> Community:
    return resident.household.building.grid.community


def active_link(resident_id: int, proxy_user_id: int) -> ProxyLink | None:
    return db.session.scalar(select(ProxyLink).where(
        ProxyLink.resident_id == resident_id, ProxyLink.proxy_user_id == proxy_user_id,
        ProxyLink.ended_at.is_(None)))


def resident_access(user: User, resident_id: int, *, staff: bool = True, own: bool = False,
                    scopes: tuple[str, ...] = ()) -> Access:
    """The caller's access to a resident, or NotFound (existence is not revealed). A linked
    proxy holding none of `scopes` is refused with ProxyScopeMissing: they know the resident."""
    resident = db.session.get(Resident, resident_id)
    if resident is None:
        raise _resident_not_found()
    grid_id = grid_id_of(resident)
    if staff and user.is_staff and grid_id in visible_grid_ids(user):
        return Access(user, resident, "staff", staff_reason(user, grid_id))
    if own and resident.user_id == user.id:
        return Access(user, resident, "self", "the resident themself")
    if scopes and user.has_role("proxy"):
        link = active_link(resident.id, user.id)
        if link is not None:
            held = frozenset(link.active_scopes)
            used = [scope for scope in scopes if scope in held]
            if not used:
                raise ProxyScopeMissing()
            return Access(user, resident, "proxy", f"proxy of resident {resident.id} with {used[0]}", held)
    raise _resident_not_found()


def add_audit(access: Access, action: str, fields: list[str], *, child: bool | None = None) -> None:
    """Stage the audit entry for sensitive fields read or changed; any access to a child's record counts."""
    fields = list(fields)
    if access.resident.is_child if child is None else child:
        fields.append("child_record")
    if fields:
        record(actor_id=access.actor.id, community_id=community_of(access.resident).id,
               resident_id=access.resident.id, action=action, fields=fields, reason=access.reason)


def _sensitive_shown(resident: Resident, fields: frozenset[str]) -> list[str]:
    shown = []
    if "household" in fields:
        shown.append("address")
        if resident.household.phone:
            shown.append("phone")
    if "phone" in fields and resident.phone:
        shown.append("phone")
    if "tags" in fields and any(tag.is_health_related for tag in resident.tags):
        shown.append("health_tags")
    return shown


def _show(access: Access, fields: frozenset[str] | None = None) -> ResidentView:
    """The view this caller gets, with its read audited."""
    if fields is None:
        if access.kind == "staff":
            fields = STAFF_VIEW
        elif access.kind == "self" or "manage_profile" in access.scopes:
            fields = PROFILE_VIEW
        else:
            fields = STATUS_VIEW
    add_audit(access, "read", _sensitive_shown(access.resident, fields))
    return ResidentView(access.resident, fields)


def _unknown_codes_message(codes: list[str]) -> str:
    return pick({"zh-CN": "不认识的代码：{codes}。", "en": "Unknown codes: {codes}."}, codes=", ".join(codes))


def _terms(community_id: int, vocabulary: str, codes: list[str], field: str, errors: dict) -> list[Term]:
    """The community's terms for these codes, in the order given; unknown codes go into `errors`."""
    if not codes:
        return []
    found = {term.code: term for term in db.session.scalars(select(Term).where(
        Term.community_id == community_id, Term.vocabulary == vocabulary, Term.code.in_(codes)))}
    unknown = [code for code in codes if code not in found]
    if unknown:
        errors[field] = [_unknown_codes_message(unknown)]
    return [found[code] for code in codes if code in found]


def _visible_household(user: User, household_id: int, errors: dict) -> Household | None:
    household = db.session.get(Household, household_id)
    if household is None or household.building.grid_id not in visible_grid_ids(user):
        errors["household_id"] = [pick({"zh-CN": "找不到这户（或不在您的网格）。",
                                        "en": "No such household in your grids."})]
        return None
    return household


def _guardian_consent_error(field: str) -> dict:
    return {field: [GuardianConsentRequired().message]}


def list_residents(user: User, *, page: int, per_page: int, grid_id: int | None = None,
                   tag: str | None = None, status: str | None = None, name: str | None = None) -> Page:
    """Residents of the caller's grids; rows showing health tags or a child are audited one by one."""
    grid_ids = {require_grid(user, grid_id).id} if grid_id is not None else visible_grid_ids(user)
    statement = (select(Resident).join(Resident.household).join(Household.building)
                 .where(Building.grid_id.in_(grid_ids)))
    if tag is not None:
        errors: dict = {}
        terms = _terms(user.community_id, "risk_tag", [tag], "tag", errors)
        if errors:
            raise InvalidInput(field_errors=errors)
        statement = statement.where(Resident.tags.any(Term.id == terms[0].id))
    if status is not None:
        statement = statement.where(Resident.status == status)
    if name is not None:
        statement = statement.where(or_((Resident.family_name + Resident.given_name).contains(name, autoescape=True),
                                        Resident.address_as.contains(name, autoescape=True)))
    result = paginate(statement.order_by(Resident.id), page, per_page)
    for resident in result.items:
        access = Access(user, resident, "staff", staff_reason(user, grid_id_of(resident)))
        add_audit(access, "read", _sensitive_shown(resident, frozenset({"tags"})))
    db.session.commit()
    return result


def add_contact_rows(resident: Resident, contacts: list[dict]) -> None:
    for contact in contacts:
        resident.emergency_contacts.append(EmergencyContact(**contact))


def create_resident(user: User, data: dict) -> ResidentView:
    """Register a resident in a household of the caller's grids, with their registry consent."""
    errors: dict = {}
    household = _visible_household(user, data["household_id"], errors)
    tags = languages = []
    if household is not None:
        community = household.building.grid.community
        tags = _terms(community.id, "risk_tag", data["tags"], "tags", errors)
        languages = _terms(community.id, "language", data["languages"], "languages", errors)
        if (is_child_by(data["birth_year"], data["tags"], community.timezone)
                and data["consent"]["given_by"] != "guardian"):
            errors["consent"] = _guardian_consent_error("given_by")
    if errors:
        raise (GuardianConsentRequired if set(errors) == {"consent"} else InvalidInput)(field_errors=errors)
    consent = data.pop("consent")
    contacts = data.pop("emergency_contacts")
    data.pop("tags"), data.pop("languages"), data.pop("household_id")
    resident = Resident(**data, household=household, status="active", tags=tags, languages=languages)
    db.session.add(resident)
    add_contact_rows(resident, contacts)
    db.session.flush()
    db.session.add(ConsentRecord(resident_id=resident.id, purpose="registry", recorded_by_id=user.id, **consent))
    access = Access(user, resident, "staff", staff_reason(user, household.building.grid_id))
    add_audit(access, "create", _sensitive_shown(resident, STAFF_VIEW))
    db.session.commit()
    return ResidentView(resident, STAFF_VIEW)


def get_resident(user: User, resident_id: int) -> ResidentView:
    """One resident as the caller may see them: staff in full, the resident and a profile-managing
    proxy without risk tags, a proxy with view_status only their status."""
    access = resident_access(user, resident_id, own=True, scopes=("manage_profile", "view_status"))
    view = _show(access)
    db.session.commit()
    return view


def update_resident(user: User, resident_id: int, changes: dict) -> ResidentView:
    """Change a resident's record; staff any field, the resident and a proxy only their part."""
    access = resident_access(user, resident_id, own=True, scopes=("manage_profile",))
    resident = access.resident
    editable = {"staff": set(changes), "self": SELF_EDITABLE, "proxy": PROXY_EDITABLE}[access.kind]
    refused = sorted(set(changes) - editable)
    if refused:
        message = pick({"zh-CN": "只有网格员可以修改。", "en": "Only a worker can change this."})
        raise FieldsNotEditable(field_errors={field: [message] for field in refused})
    community = community_of(resident)
    errors: dict = {}
    household = None
    if "household_id" in changes:
        household = _visible_household(user, changes["household_id"], errors)
    tags = _terms(community.id, "risk_tag", changes.get("tags", []), "tags", errors)
    languages = _terms(community.id, "language", changes.get("languages", []), "languages", errors)
    if errors:
        raise InvalidInput(field_errors=errors)
    was_child = resident.is_child
    changed = []
    if household is not None and household.id != resident.household_id:
        changed.append("address")
        resident.household = household
    if "tags" in changes:
        if {t.id for t in resident.tags if t.is_health_related} != {t.id for t in tags if t.is_health_related}:
            changed.append("health_tags")
        resident.tags = tags
    if "languages" in changes:
        resident.languages = languages
    if "phone" in changes and changes["phone"] != resident.phone:
        changed.append("phone")
    for field in set(changes) - {"household_id", "tags", "languages"}:
        setattr(resident, field, changes[field])
    db.session.flush()
    add_audit(access, "update", changed, child=was_child or resident.is_child)
    view = _show(access)
    db.session.commit()
    return view


def change_status(user: User, resident_id: int, status: str, away_until: date | None) -> ResidentView:
    """Set active, away until a date, in hospital, moved away or deceased (staff only)."""
    access = resident_access(user, resident_id)
    resident = access.resident
    today = now().astimezone(ZoneInfo(community_of(resident).timezone)).date()
    if away_until is not None and away_until < today:
        raise InvalidInput(field_errors={"away_until": [pick(
            {"zh-CN": "回来日期不能早于今天。", "en": "The return date cannot be in the past."})]})
    resident.status, resident.away_until = status, away_until
    db.session.flush()
    add_audit(access, "update", [])
    view = _show(access, STATUS_VIEW)
    db.session.commit()
    return view


def _contact_access(user: User, resident_id: int) -> Access:
    return resident_access(user, resident_id, scopes=("manage_profile",))


def _contact(access: Access, contact_id: int) -> EmergencyContact:
    contact = db.session.get(EmergencyContact, contact_id)
    if contact is None or contact.resident_id != access.resident.id:
        raise NotFound("该紧急联系人", "Emergency contact")
    return contact


def add_emergency_contact(user: User, resident_id: int, data: dict) -> EmergencyContact:
    """Add someone to tell in an emergency (staff, or a proxy managing the profile)."""
    access = _contact_access(user, resident_id)
    if len(access.resident.emergency_contacts) >= MAX_CONTACTS:
        raise TooManyContacts(n=MAX_CONTACTS)
    contact = EmergencyContact(**data)
    access.resident.emergency_contacts.append(contact)
    db.session.flush()
    add_audit(access, "create", [])
    db.session.commit()
    return contact


def update_emergency_contact(user: User, resident_id: int, contact_id: int, changes: dict) -> EmergencyContact:
    """Correct an emergency contact's name, relation, phone or language."""
    access = _contact_access(user, resident_id)
    contact = _contact(access, contact_id)
    for field, value in changes.items():
        setattr(contact, field, value)
    add_audit(access, "update", [])
    db.session.commit()
    return contact


def remove_emergency_contact(user: User, resident_id: int, contact_id: int) -> None:
    """Remove an emergency contact."""
    access = _contact_access(user, resident_id)
    access.resident.emergency_contacts.remove(_contact(access, contact_id))
    add_audit(access, "delete", [])
    db.session.commit()


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


def _active_consent(resident_id: int, purpose: str) -> ConsentRecord | None:
    return db.session.scalar(select(ConsentRecord).where(
        ConsentRecord.resident_id == resident_id, ConsentRecord.purpose == purpose,
        ConsentRecord.withdrawn_at.is_(None)))


def record_consent(user: User, resident_id: int, data: dict) -> ConsentRecord:
    """Record a consent for one purpose, as the resident (or a child's guardian) gave it."""
    access = resident_access(user, resident_id)
    if access.resident.is_child and data["given_by"] != "guardian":
        raise GuardianConsentRequired(field_errors=_guardian_consent_error("given_by"))
    if _active_consent(resident_id, data["purpose"]) is not None:
        raise ConsentAlreadyGiven()
    consent = ConsentRecord(resident_id=resident_id, recorded_by_id=user.id, **data)
    db.session.add(consent)
    db.session.flush()
    add_audit(access, "create", [])
    db.session.commit()
    return consent


def _end_link(link: ProxyLink, user: User) -> None:
    moment = now()
    link.ended_at = moment
    for scope in link.scopes:
        if scope.withdrawn_at is None:
            scope.withdrawn_at, scope.withdrawn_by_id = moment, user.id


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
            _end_link(link, user)
    add_audit(access, "update", [])
    db.session.commit()
    return consent


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
            errors.update(_guardian_consent_error("consented_by"))
        has_guardian = data["is_guardian"] or db.session.scalar(select(ProxyLink.id).where(
            ProxyLink.resident_id == resident_id, ProxyLink.ended_at.is_(None), ProxyLink.is_guardian))
        if not has_guardian:
            errors["is_guardian"] = [pick({"zh-CN": "请先登记这名儿童的监护人。",
                                           "en": "Record this child's guardian first."})]
    needs_consent = _active_consent(resident_id, "proxy_access") is None
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
            raise GuardianConsentRequired(field_errors=_guardian_consent_error("consented_by"))
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
    _end_link(link, user)
    add_audit(access, "update", [])
    db.session.commit()
    return link


def grid_worker_phone(grid_id: int) -> str | None:
    """The phone residents call: the grid's primary worker (any worker of the grid if none is primary)."""
    return db.session.scalar(
        select(User.phone).join(GridWorker, GridWorker.user_id == User.id)
        .where(GridWorker.grid_id == grid_id, User.is_enabled)
        .order_by(GridWorker.is_primary.desc(), GridWorker.id).limit(1))


def who_am_i(user: User) -> dict:
    """The signed-in user, the resident record they are, and the residents they act for."""
    community = db.session.get(Community, user.community_id) if user.community_id else None
    me = {"id": user.id, "display_name": user.display_name, "phone": user.phone, "roles": sorted(user.roles),
          "language": user.language, "text_size": user.text_size, "resident": None, "proxy_for": []}
    resident = db.session.scalar(select(Resident).where(Resident.user_id == user.id))
    if resident is not None:
        community = community or community_of(resident)
        me["resident"] = {
            "id": resident.id, "address_as": resident.address_as, "status": resident.status,
            "away_until": resident.away_until, "building_label": resident.household.building.label,
            "grid_worker_phone": grid_worker_phone(grid_id_of(resident)),
        }
        add_audit(Access(user, resident, "self", "the resident themself"), "read", [])
    links = db.session.scalars(select(ProxyLink).where(
        ProxyLink.proxy_user_id == user.id, ProxyLink.ended_at.is_(None))
        .order_by(ProxyLink.id).limit(MAX_PROXIED))
    for link in links:
        proxied = link.resident
        community = community or community_of(proxied)
        scopes = link.active_scopes
        sees_status = "view_status" in scopes
        me["proxy_for"].append({
            "resident_id": proxied.id, "link_id": link.id, "address_as": proxied.address_as,
            "relation": link.relation, "is_guardian": link.is_guardian, "scopes": scopes,
            "status": proxied.status if sees_status else None,
            "away_until": proxied.away_until if sees_status else None,
            "grid_worker_phone": grid_worker_phone(grid_id_of(proxied)),
        })
        add_audit(Access(user, proxied, "proxy", f"proxy of resident {proxied.id}"), "read", [])
    me["community_phone"] = community.phone if community else None
    db.session.commit()
    return me
