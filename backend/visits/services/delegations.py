"""Delegated visits (companionship visits, docs/visits.md): a worker hands a household's visit to
a vetted volunteer of the community; the volunteer records it with the same record as a worker's;
it counts for the cadence only once that record is in. A worker may cancel an open one."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, select

from backend.accounts.models import User
from backend.audit import services as audit
from backend.common.i18n import pick
from backend.common.ids import in_id_range
from backend.common.pagination import Page, paginate
from backend.common.time import local_today, now
from backend.community.models import Community, Household
from backend.community.services import staff_reason, visible_grid_ids
from backend.errors import Conflict, InvalidInput, NotFound
from backend.extensions import db
from backend.matching.models import VolunteerBlock
from backend.notifications.services.outbox import notify
from backend.people.models import Resident
from backend.visits import kinds
from backend.visits.models import VisitDelegation
from backend.visits.services.records import stage_visit, visible_household
from backend.volunteers.models import Vetting, Volunteer

MAX_DAYS_AHEAD = 60


class VolunteerCannotVisit(Conflict):
    reason = "volunteer_cannot_visit"
    messages = {"zh-CN": "这位志愿者现在不能上门探访这一户（未在岗、身份核验过期、没有儿童保护核验，或被住户屏蔽）。",
                "en": "This volunteer cannot visit this household now (not active, identity vetting expired, "
                      "no child-safeguarding vetting, or blocked by a resident)."}


class VisitAlreadyDelegated(Conflict):
    reason = "visit_already_delegated"
    messages = {"zh-CN": "这一户已有一次交给志愿者的探访还没完成。",
                "en": "This household already has a delegated visit that is not done yet."}


class DelegationClosed(Conflict):
    reason = "delegation_closed"
    messages = {"zh-CN": "这次探访已经完成或取消了。", "en": "This visit has already been recorded or cancelled."}


def delegation_not_found() -> NotFound:
    return NotFound("该探访任务", "Delegated visit")


def _valid(volunteer_id: int, kind: str, until: date):
    return exists().where(Vetting.volunteer_id == volunteer_id, Vetting.kind == kind, Vetting.revoked_at.is_(None),
                          Vetting.expires_on >= until)


def _may_visit(volunteer: Volunteer, household: Household, until: date) -> bool:
    """Active, identity vetting valid through the due date, child-safeguarding vetting if a child
    lives there, and blocked by none of the household's residents."""
    residents = [r for r in household.residents if r.status == "active"]
    if volunteer.status != "active" or not db.session.scalar(select(_valid(volunteer.id, "identity", until))):
        return False
    if any(r.is_child for r in residents) and not db.session.scalar(select(_valid(volunteer.id, "child_safeguarding",
                                                                                  until))):
        return False
    return not db.session.scalar(select(exists().where(VolunteerBlock.volunteer_id == volunteer.id,
                                                       VolunteerBlock.resident_id.in_([r.id for r in residents] or [0]))))


def delegate(user: User, data: dict) -> "DelegationView":
    household = visible_household(user, data["household_id"])
    community = db.session.get(Community, household.building.grid.community_id)
    today = local_today(community.timezone)
    due_on: date = data["due_on"]
    if not today <= due_on <= today + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(field_errors={"due_on": [pick({
            "zh-CN": f"请选择今天到 {MAX_DAYS_AHEAD} 天以内的日期。",
            "en": f"Choose a date from today up to {MAX_DAYS_AHEAD} days ahead."})]})
    volunteer = db.session.get(Volunteer, data["volunteer_id"]) if in_id_range(data["volunteer_id"]) else None
    if volunteer is None or volunteer.community_id != community.id:
        raise NotFound("该志愿者", "Volunteer")
    if not _may_visit(volunteer, household, due_on):
        raise VolunteerCannotVisit()
    if db.session.scalar(select(exists().where(VisitDelegation.household_id == household.id,
                                               VisitDelegation.status == "open"))):
        raise VisitAlreadyDelegated()
    delegation = VisitDelegation(community_id=community.id, grid_id=household.building.grid_id,
                                 household_id=household.id, volunteer_id=volunteer.id, delegated_by_id=user.id,
                                 due_on=due_on, note=data.get("note"), status="open", created_at=now())
    db.session.add(delegation)
    db.session.flush()
    notify(kinds.VISIT_DELEGATED.code, user=db.session.get(User, volunteer.user_id),
           params={"building_label": household.building.label, "due_on": due_on.isoformat()},
           data={"delegation_id": delegation.id}, community_id=community.id)
    view = delegation_view(delegation, user)
    db.session.commit()
    return view


def _volunteer_id(user: User) -> int | None:
    return db.session.scalar(select(Volunteer.id).where(Volunteer.user_id == user.id))


def _visible(user: User, delegation_id: int) -> VisitDelegation:
    """The delegation, for the staff of its grid or its volunteer; else NotFound."""
    delegation = db.session.get(VisitDelegation, delegation_id) if in_id_range(delegation_id) else None
    if delegation is None:
        raise delegation_not_found()
    if delegation.grid_id in visible_grid_ids(user):
        return delegation
    if user.has_role("volunteer") and delegation.volunteer_id == _volunteer_id(user):
        return delegation
    raise delegation_not_found()


def get_delegation(user: User, delegation_id: int) -> "DelegationView":
    view = delegation_view(_visible(user, delegation_id), user)
    db.session.commit()  # the reveal's audit entries
    return view


def list_delegations(user: User, status: str | None, page: int, per_page: int) -> Page:
    """Staff: the delegations of their grids; a volunteer: their own. Open ones by due date first."""
    grids = visible_grid_ids(user)
    if grids:
        statement = select(VisitDelegation).where(VisitDelegation.grid_id.in_(sorted(grids)))
    else:
        statement = select(VisitDelegation).where(VisitDelegation.volunteer_id == (_volunteer_id(user) or 0))
    if status is not None:
        statement = statement.where(VisitDelegation.status == status)
    result = paginate(statement.order_by(VisitDelegation.due_on, VisitDelegation.id), page, per_page)
    result.items = [delegation_view(item, user) for item in result.items]
    db.session.commit()  # the reveals' audit entries
    return result


def record(user: User, delegation_id: int, data: dict) -> "DelegationView":
    """The volunteer records the visit; the delegation is completed (its visit_id the record's)
    and the visit counts."""
    delegation = _visible(user, delegation_id)
    if delegation.volunteer_id != _volunteer_id(user):
        raise delegation_not_found()
    locked = _locked_open(delegation)
    household = db.session.get(Household, locked.household_id)
    visit = stage_visit(household, user, data, reason=f"delegated visit {locked.id}")
    locked.status, locked.ended_at, locked.visit_id = "completed", now(), visit.id
    view = delegation_view(locked, user)
    db.session.commit()
    return view


def _locked_open(delegation: VisitDelegation) -> VisitDelegation:
    """The delegation's row, locked (a record and a cancel racing: one wins), if still open."""
    locked = db.session.scalar(select(VisitDelegation).where(VisitDelegation.id == delegation.id)
                               .with_for_update().execution_options(populate_existing=True))
    if locked.status != "open":
        db.session.rollback()
        raise DelegationClosed()
    return locked


def cancel(user: User, delegation_id: int) -> "DelegationView":
    delegation = _visible(user, delegation_id)
    if delegation.grid_id not in visible_grid_ids(user):
        raise delegation_not_found()
    locked = _locked_open(delegation)
    locked.status, locked.ended_at = "cancelled", now()
    view = delegation_view(locked, user)
    db.session.commit()
    return view


@dataclass
class DelegationView:
    id: int
    household_id: int
    grid_id: int
    volunteer_id: int
    volunteer_name: str
    due_on: date
    note: str | None
    status: str
    created_at: datetime
    ended_at: datetime | None
    visit_id: int | None
    building_label: str
    door_number: str | None
    address: str | None
    residents: list


def delegation_view(delegation: VisitDelegation, reader: User) -> DelegationView:
    """The grid's staff see the door and address; the volunteer while the visit is theirs to make
    (open), as a volunteer sees an accepted task's, afterwards only the building. Each showing is
    in the audit log (staged for the caller's commit)."""
    household = db.session.get(Household, delegation.household_id)
    volunteer = db.session.get(Volunteer, delegation.volunteer_id)
    staff = delegation.grid_id in visible_grid_ids(reader)
    shown = staff or delegation.status == "open"
    names = [{"id": rid, "address_as": name} for rid, name in db.session.execute(
        select(Resident.id, Resident.address_as).where(Resident.household_id == household.id,
                                                       Resident.status == "active").order_by(Resident.id))]
    if shown:
        why = staff_reason(reader, delegation.grid_id) if staff else f"volunteer of delegated visit {delegation.id}"
        for entry in names:
            audit.record(actor_id=reader.id, community_id=delegation.community_id, resident_id=entry["id"],
                         action="read", fields=["address"], reason=why)
    return DelegationView(
        id=delegation.id, household_id=household.id, grid_id=delegation.grid_id, volunteer_id=volunteer.id,
        volunteer_name=db.session.get(User, volunteer.user_id).display_name, due_on=delegation.due_on,
        note=delegation.note, status=delegation.status, created_at=delegation.created_at,
        ended_at=delegation.ended_at, visit_id=delegation.visit_id, building_label=household.building.label,
        door_number=household.door_number if shown else None, address=household.address_text if shown else None,
        residents=names)
