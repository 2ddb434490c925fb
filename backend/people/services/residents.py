"""Resident use cases: the staff list, registration, the record itself, status and emergency contacts.

Functions named `add_*` stage rows and do not commit; every other public function is one use case
and commits once (reads too, for their audit entries).
"""
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from backend.accounts.models import User
from backend.common.i18n import pick
from backend.common.pagination import Page, paginate
from backend.common.time import local_today
from backend.community.models import Building, Grid, Household, Term
from backend.community.services import require_grid, staff_reason, visible_grid_ids
from backend.errors import DomainError, InvalidInput, NotFound
from backend.extensions import db
from backend.people.models import ConsentRecord, EmergencyContact, Resident, is_child_by
from backend.people.services.access import (
    STAFF_VIEW, STATUS_VIEW, Access, GuardianConsentRequired, ResidentView, add_audit, community_of,
    grid_id_of, guardian_consent_error, resident_access, sensitive_shown, show_resident,
)

MAX_CONTACTS = 10
SELF_EDITABLE = frozenset({"languages", "prefers_volunteer_gender", "preference_notes"})
PROXY_EDITABLE = SELF_EDITABLE | {"phone", "address_as"}


class FieldsNotEditable(DomainError):
    status = 403
    reason = "field_not_editable"
    messages = {"zh-CN": "您不能修改标出的项目。", "en": "You may not change the marked fields."}


class TooManyContacts(InvalidInput):
    reason = "too_many_contacts"
    messages = {"zh-CN": "紧急联系人最多 {n} 位。", "en": "At most {n} emergency contacts."}


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


def list_residents(user: User, *, page: int, per_page: int, grid_id: int | None = None,
                   tag: str | None = None, status: str | None = None, name: str | None = None) -> Page:
    """Residents of the caller's grids; rows showing health tags or a child are audited one by one."""
    grid_ids = {require_grid(user, grid_id).id} if grid_id is not None else visible_grid_ids(user)
    statement = (select(Resident).join(Resident.household).join(Household.building)
                 .where(Building.grid_id.in_(grid_ids))
                 .options(selectinload(Resident.tags),
                          joinedload(Resident.household).joinedload(Household.building)
                          .joinedload(Building.grid).joinedload(Grid.community)))
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
        add_audit(access, "read", sensitive_shown(resident, frozenset({"tags"})))
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
            errors["consent"] = guardian_consent_error("given_by")
    if set(errors) == {"consent"}:
        raise GuardianConsentRequired(field_errors=errors)
    if errors:
        raise InvalidInput(field_errors=errors)
    consent = data.pop("consent")
    contacts = data.pop("emergency_contacts")
    data.pop("tags"), data.pop("languages"), data.pop("household_id")
    resident = Resident(**data, household=household, status="active", tags=tags, languages=languages)
    db.session.add(resident)
    add_contact_rows(resident, contacts)
    db.session.flush()
    db.session.add(ConsentRecord(resident_id=resident.id, purpose="registry", recorded_by_id=user.id, **consent))
    access = Access(user, resident, "staff", staff_reason(user, household.building.grid_id))
    add_audit(access, "create", sensitive_shown(resident, STAFF_VIEW))
    db.session.commit()
    return ResidentView(resident, STAFF_VIEW)


def get_resident(user: User, resident_id: int) -> ResidentView:
    """One resident as the caller may see them: staff in full, the resident and a profile-managing
    proxy without risk tags, a proxy with view_status only their status."""
    access = resident_access(user, resident_id, own=True, scopes=("manage_profile", "view_status"))
    view = show_resident(access)
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
    view = show_resident(access)
    db.session.commit()
    return view


def change_status(user: User, resident_id: int, status: str, away_until: date | None) -> ResidentView:
    """Set active, away until a date, in hospital, moved away or deceased (staff only)."""
    access = resident_access(user, resident_id)
    resident = access.resident
    today = local_today(community_of(resident).timezone)
    if away_until is not None and away_until < today:
        raise InvalidInput(field_errors={"away_until": [pick(
            {"zh-CN": "回来日期不能早于今天。", "en": "The return date cannot be in the past."})]})
    resident.status, resident.away_until = status, away_until
    db.session.flush()
    add_audit(access, "update", [])
    view = show_resident(access, STATUS_VIEW)
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
