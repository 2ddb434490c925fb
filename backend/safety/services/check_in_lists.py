"""Today's daily check-ins for the grid's staff (docs/safety.md, "Today's list"): every enrolled
resident of the caller's grids with where their day stands — missed (and how far the chain has
gone), still to come, checked in, or not chased because they are away — the missed ones first."""
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from backend.accounts.models import User
from backend.common.time import now
from backend.community.models import Building, Community, Household
from backend.community.services import visible_grid_ids
from backend.errors import NotFound
from backend.extensions import db
from backend.people.models import Resident
from backend.safety.models import CheckIn, CheckInEnrolment, MissedCheckIn

# How a day stands, in the list's order: the missed ones first (the chain furthest on first),
# then those whose deadline is still to come, then those checked in, then those not chased.
STATES = ("missed", "waiting", "checked_in", "paused")
_CHAIN_ORDER = {"workers_alerted": 0, "welfare_check": 1, "reminded": 2}


@dataclass
class DayEntry:
    resident_id: int
    address_as: str
    grid_id: int
    building_label: str
    door_number: str
    deadline: str
    state: str
    chain_stage: str | None  # reminded / welfare_check / workers_alerted while missed
    checked_in_at: datetime | None
    via: str | None  # app / phone_call
    resident_status: str


@dataclass
class DayList:
    today: date
    counts: dict
    items: list
    total: int
    page: int
    per_page: int


def _state(resident: Resident, enrolment: CheckInEnrolment, deadline_at: datetime, check: CheckIn | None,
           moment: datetime) -> str:
    if check is not None:
        return "checked_in"
    if resident.status != "active":
        return "paused"
    # Enrolled after today's deadline: the first deadline is tomorrow's, nothing was missed today.
    missed = moment >= deadline_at and enrolment.created_at < deadline_at
    return "missed" if missed else "waiting"


def _sort_key(entry: DayEntry):
    return (STATES.index(entry.state), _CHAIN_ORDER.get(entry.chain_stage, 3), entry.deadline, entry.resident_id)


def today_list(user: User, *, grid_id: int | None = None, state: str | None = None, page: int = 1,
               per_page: int = 50) -> DayList:
    """The caller's grids' (or one of them) enrolled residents and their day, with counts per state."""
    grids = visible_grid_ids(user)
    if grid_id is not None:
        if grid_id not in grids:
            raise NotFound("该网格", "Grid")
        grids = {grid_id}
    community = db.session.get(Community, user.community_id) if user.community_id else None
    zone = ZoneInfo(community.timezone if community else "Asia/Shanghai")
    moment = now()
    today = moment.astimezone(zone).date()
    rows = db.session.execute(
        select(CheckInEnrolment, Resident, Building.grid_id, Building.label, Household.door_number)
        .join(Resident, Resident.id == CheckInEnrolment.resident_id)
        .join(Household, Household.id == Resident.household_id)
        .join(Building, Building.id == Household.building_id)
        .where(CheckInEnrolment.ended_at.is_(None), Building.grid_id.in_(sorted(grids)))).all() if grids else []
    resident_ids = [resident.id for _e, resident, *_rest in rows]
    checks = {check.resident_id: check for check in db.session.scalars(select(CheckIn).where(
        CheckIn.resident_id.in_(resident_ids), CheckIn.local_date == today))} if resident_ids else {}
    missed = {row.resident_id: row for row in db.session.scalars(select(MissedCheckIn).where(
        MissedCheckIn.resident_id.in_(resident_ids), MissedCheckIn.local_date == today))} if resident_ids else {}
    entries = []
    for enrolment, resident, grid, label, door in rows:
        hours, minutes = enrolment.deadline.split(":")
        deadline_at = datetime.combine(today, time(int(hours), int(minutes)), zone)
        check = checks.get(resident.id)
        day_state = _state(resident, enrolment, deadline_at, check, moment)
        chain = missed.get(resident.id)
        entries.append(DayEntry(
            resident_id=resident.id, address_as=resident.address_as, grid_id=grid, building_label=label,
            door_number=door, deadline=enrolment.deadline, state=day_state,
            chain_stage=chain.stage if day_state == "missed" and chain is not None and chain.stage != "stopped" else None,
            checked_in_at=check.occurred_at if check else None, via=check.via if check else None,
            resident_status=resident.status))
    counts = {name: sum(1 for entry in entries if entry.state == name) for name in STATES}
    if state is not None:
        entries = [entry for entry in entries if entry.state == state]
    entries.sort(key=_sort_key)
    return DayList(today=today, counts=counts, items=entries[(page - 1) * per_page:page * per_page],
                   total=len(entries), page=page, per_page=per_page)
