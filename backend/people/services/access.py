"""Who may act on a resident (staff of their grid, the resident, a proxy within their scopes), what
each of them sees, and the audit entries every people use case stages.

Functions here stage rows or raise; the use cases in the sibling modules commit.
"""
from dataclasses import dataclass

from sqlalchemy import select

from backend.accounts.models import User
from backend.audit.services import record
from backend.common.time import now
from backend.community.models import Community
from backend.community.services import staff_reason, visible_grid_ids
from backend.errors import DomainError, InvalidInput, NotFound
from backend.extensions import db
from backend.people.models import ConsentRecord, ProxyLink, ProxyScope, Resident

STATUS_VIEW = frozenset({"id", "address_as", "building_label", "status", "away_until"})
PROFILE_VIEW = STATUS_VIEW | {
    "household", "family_name", "given_name", "gender", "birth_year", "is_child", "phone", "languages",
    "prefers_volunteer_gender", "preference_notes", "emergency_contacts", "has_account", "created_at",
    "updated_at",
}
STAFF_VIEW = PROFILE_VIEW | {"tags"}  # risk tags are the workers' assessment, shown to staff only


class ProxyScopeMissing(DomainError):
    status = 403
    reason = "proxy_scope_missing"
    messages = {"zh-CN": "您的家属账号没有这项授权。",
                "en": "Your family account has not been given this permission."}


class GuardianConsentRequired(InvalidInput):
    reason = "guardian_consent_required"
    messages = {"zh-CN": "未成年人须由监护人同意。", "en": "A child's consent must be given by their guardian."}


def resident_not_found() -> NotFound:
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
        raise resident_not_found()
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
    raise resident_not_found()


def add_audit(access: Access, action: str, fields: list[str], *, child: bool | None = None) -> None:
    """Stage the audit entry for sensitive fields read or changed; any access to a child's record counts."""
    fields = list(fields)
    if access.resident.is_child if child is None else child:
        fields.append("child_record")
    if fields:
        record(actor_id=access.actor.id, community_id=community_of(access.resident).id,
               resident_id=access.resident.id, action=action, fields=fields, reason=access.reason)


def sensitive_shown(resident: Resident, fields: frozenset[str]) -> list[str]:
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


def show_resident(access: Access, fields: frozenset[str] | None = None) -> ResidentView:
    """The view this caller gets, with its read audited."""
    if fields is None:
        if access.kind == "staff":
            fields = STAFF_VIEW
        elif access.kind == "self" or "manage_profile" in access.scopes:
            fields = PROFILE_VIEW
        else:
            fields = STATUS_VIEW
    add_audit(access, "read", sensitive_shown(access.resident, fields))
    return ResidentView(access.resident, fields)


def guardian_consent_error(field: str) -> dict:
    return {field: [GuardianConsentRequired().message]}


def active_consent(resident_id: int, purpose: str) -> ConsentRecord | None:
    return db.session.scalar(select(ConsentRecord).where(
        ConsentRecord.resident_id == resident_id, ConsentRecord.purpose == purpose,
        ConsentRecord.withdrawn_at.is_(None)))


def end_link(link: ProxyLink, user: User) -> None:
    moment = now()
    link.ended_at = moment
    for scope in link.scopes:
        if scope.withdrawn_at is None:
            scope.withdrawn_at, scope.withdrawn_by_id = moment, user.id


def proxies_holding(resident_id: int, scope: str) -> list[User]:
    """The resident's proxies who hold `scope` now (active link, consent not withdrawn), enabled
    accounts only, in id order."""
    return list(db.session.scalars(
        select(User).join(ProxyLink, ProxyLink.proxy_user_id == User.id)
        .join(ProxyScope, ProxyScope.link_id == ProxyLink.id)
        .where(ProxyLink.resident_id == resident_id, ProxyLink.ended_at.is_(None), ProxyScope.withdrawn_at.is_(None),
               ProxyScope.scope == scope, User.is_enabled.is_(True)).order_by(User.id)).unique())
