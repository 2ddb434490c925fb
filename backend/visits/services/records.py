"""Visit records: a worker records a household visit — when it happened (the phone's `occurred_at`,
so a visit recorded in a basement without signal arrives once, with the right time), what came of
it for each resident, their wellbeing checklist and needs, notes and the next visit asked for.
Moved away, in hospital and deceased change the resident's status (docs/visits.md)."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from backend.accounts.models import User
from backend.audit import services as audit
from backend.common.i18n import pick
from backend.common.ids import in_id_range
from backend.common.offline import occurred_time
from backend.common.pagination import Page, paginate
from backend.common.time import local_today
from backend.community.models import Community, Household
from backend.community.services import staff_reason, visible_grid_ids
from backend.errors import InvalidInput, NotFound
from backend.extensions import db
from backend.people.models import Resident
from backend.visits.models import SEEN, STATUS_OF_OUTCOME, Visit, VisitResident
from backend.visits.services import follow_ups

MAX_NEXT_VISIT_DAYS = 365


def visit_not_found() -> NotFound:
    return NotFound("该走访记录", "Visit")


def visible_household(user: User, household_id: int) -> Household:
    household = db.session.get(Household, household_id) if in_id_range(household_id) else None
    if household is None or household.building.grid_id not in visible_grid_ids(user):
        raise NotFound("该住户", "Household")
    return household


def _refuse(field: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(field_errors={field: [pick({"zh-CN": zh, "en": en})]})


def _check_residents(household: Household, data: dict) -> dict[int, Resident]:
    members = {resident.id: resident for resident in household.residents}
    listed = [entry["resident_id"] for entry in data["residents"]]
    if len(set(listed)) != len(listed):
        raise _refuse("residents", "同一位居民只能记录一次。", "Record each resident once.")
    strangers = [rid for rid in listed if rid not in members]
    if strangers:
        raise _refuse("residents", "有的居民不住在这一户。", "Some residents do not live in this household.")
    if data["outcome"] == "not_home" and listed:
        raise _refuse("residents", "不在家时不用逐人记录。", "Nobody was at home: record no resident.")
    if data["outcome"] != "not_home" and not listed:
        raise _refuse("residents", "请至少记录一位见到的居民。", "Record at least one resident you saw.")
    return members


def record_visit(user: User, data: dict) -> "VisitView":
    """Record one visit to a household of the caller's grids (an admin's: the community's)."""
    household = visible_household(user, data["household_id"])
    visit = stage_visit(household, user, data, reason=staff_reason(user, household.building.grid_id))
    view = visit_view(visit)
    db.session.commit()
    return view


def stage_visit(household: Household, user: User, data: dict, *, reason: str) -> Visit:
    """Stage a visit record by `user` with its follow-ups (no commit); `reason` is the audit log's why."""
    community = db.session.get(Community, household.building.grid.community_id)
    zone = ZoneInfo(community.timezone)
    moment = occurred_time(data.get("occurred_at"))
    today = local_today(community.timezone)
    next_on: date | None = data.get("next_visit_on")
    if next_on is not None and not today < next_on <= today + timedelta(days=MAX_NEXT_VISIT_DAYS):
        raise _refuse("next_visit_on", f"下次走访日期应在明天到 {MAX_NEXT_VISIT_DAYS} 天以内。",
                      f"The next visit should be from tomorrow up to {MAX_NEXT_VISIT_DAYS} days ahead.")
    members = _check_residents(household, data)
    visit = Visit(community_id=community.id, grid_id=household.building.grid_id, household_id=household.id,
                  visitor_id=user.id, occurred_at=moment, local_date=moment.astimezone(zone).date(),
                  notes=data.get("notes"), summary=data.get("summary"), next_visit_on=next_on)
    if data["outcome"] == "not_home":
        for resident in household.residents:
            if resident.status == "active":
                visit.residents.append(VisitResident(resident_id=resident.id, outcome="not_home"))
    for entry in data["residents"]:
        visit.residents.append(VisitResident(resident_id=entry["resident_id"], outcome=entry["outcome"],
                                             checklist=dict(entry.get("checklist") or {}), needs=entry.get("needs"),
                                             concerns=sorted(set(entry.get("concerns") or ()))))
        status = STATUS_OF_OUTCOME.get(entry["outcome"])
        resident = members[entry["resident_id"]]
        if status is not None and resident.status != status:
            resident.status, resident.away_until = status, None
            audit.record(actor_id=user.id, community_id=community.id, resident_id=resident.id, action="update",
                         fields=["status"], reason=reason)
    visit.seen = any(record.outcome in SEEN for record in visit.residents)
    db.session.add(visit)
    db.session.flush()
    _audit(user, visit, "create", reason)
    follow_ups.raise_concerns(visit, {record.resident_id: record.concerns for record in visit.residents}, user)
    follow_ups.not_home_twice(visit, user)
    if visit.summary:
        follow_ups.send_summary(visit, visit.summary)
    return visit


def _visit(user: User, visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id) if in_id_range(visit_id) else None
    if visit is None or visit.grid_id not in visible_grid_ids(user):
        raise visit_not_found()
    return visit


def _audit(user: User, visit: Visit, action: str, reason: str | None = None) -> None:
    """A visit record holds residents' wellbeing (health among it): each resident's read or change
    of it is in the audit log, as their health-related tags are."""
    for record in visit.residents:
        audit.record(actor_id=user.id, community_id=visit.community_id, resident_id=record.resident_id,
                     action=action, fields=["visit"], reason=reason or staff_reason(user, visit.grid_id))


def get_visit(user: User, visit_id: int) -> "VisitView":
    visit = _visit(user, visit_id)
    _audit(user, visit, "read")
    view = visit_view(visit)
    db.session.commit()
    return view


def household_visits(user: User, household_id: int, page: int, per_page: int) -> Page:
    """A household's visits, newest first."""
    household = visible_household(user, household_id)
    result = paginate(select(Visit).where(Visit.household_id == household.id)
                      .order_by(Visit.occurred_at.desc(), Visit.id.desc()), page, per_page)
    for visit in result.items:
        _audit(user, visit, "read")
    result.items = [visit_view(visit) for visit in result.items]
    db.session.commit()
    return result


@dataclass
class VisitView:
    id: int
    household_id: int
    grid_id: int
    visitor_id: int | None
    visitor_name: str | None
    occurred_at: datetime
    local_date: date
    recorded_at: datetime
    seen: bool
    notes: str | None
    summary: str | None
    next_visit_on: date | None
    residents: list


def visit_view(visit: Visit) -> VisitView:
    visitor = db.session.get(User, visit.visitor_id) if visit.visitor_id is not None else None
    names = dict(db.session.execute(select(Resident.id, Resident.address_as).where(
        Resident.id.in_([record.resident_id for record in visit.residents] or [0]))).all())
    return VisitView(
        id=visit.id, household_id=visit.household_id, grid_id=visit.grid_id, visitor_id=visit.visitor_id,
        visitor_name=visitor.display_name if visitor else None, occurred_at=visit.occurred_at,
        local_date=visit.local_date, recorded_at=visit.recorded_at, seen=visit.seen, notes=visit.notes,
        summary=visit.summary,
        next_visit_on=visit.next_visit_on,
        residents=[{"resident_id": record.resident_id, "address_as": names.get(record.resident_id, ""),
                    "outcome": record.outcome, "checklist": record.checklist or {}, "needs": record.needs,
                    "concerns": list(record.concerns or [])}
                   for record in visit.residents])
