"""What a sweep shows (docs/safety.md, "The emergency sweep"): the live board — safe / needs help /
not yet reached per grid and in total, from one grouped query, so the counts add up at every
moment — with the unreached households and who has them; the sweeps of the caller's grids; closing,
which freezes the report; the resident's own prompts; and an assignee's households."""
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import func, select

from backend.accounts.models import User
from backend.audit.services import record
from backend.common.pagination import Page
from backend.common.time import now
from backend.community.models import Building, Grid, Household
from backend.community.services import visible_grid_ids
from backend.errors import Conflict, NotFound
from backend.extensions import db
from backend.notifications import timers
from backend.people.models import Resident
from backend.safety.sweep_models import CHECK_STATUSES, NOT_YET_REACHED, Sweep, SweepCheck
from backend.volunteers.models import Volunteer

LISTED = 200  # the latest sweeps a list looks at


class SweepClosed(Conflict):
    reason = "sweep_closed"
    messages = {"zh-CN": "这次排查已经结束了。", "en": "This safety check round has been closed."}


class SweepNotClosed(Conflict):
    reason = "sweep_not_closed"
    messages = {"zh-CN": "排查结束后才有报告。", "en": "The report is written when the round is closed."}


def sweep_not_found() -> NotFound:
    return NotFound("该排查", "Safety check round")


def check_not_found() -> NotFound:
    return NotFound("该户排查", "Safety check")


def visible_sweep(user: User, sweep_id: int, *, whole: bool = False) -> Sweep:
    """The sweep, if some of its grids are the caller's (`whole`: all of them); else NotFound."""
    sweep = db.session.get(Sweep, sweep_id)
    if sweep is None or sweep.community_id != user.community_id:
        raise sweep_not_found()
    visible = visible_grid_ids(user)
    grids = set(sweep.grid_ids)
    if not (grids <= visible if whole else grids & visible):
        raise sweep_not_found()
    return sweep


@dataclass
class Counts:
    total: int = 0
    safe: int = 0
    needs_help: int = 0
    not_reached: int = 0  # = prompted + unassigned + assigned
    prompted: int = 0
    unassigned: int = 0
    assigned: int = 0

    def add(self, status: str, count: int) -> None:
        setattr(self, status, getattr(self, status) + count)
        self.total += count
        if status in NOT_YET_REACHED:
            self.not_reached += count


def counts(sweep_id: int, grid_ids: list[int]) -> tuple[Counts, dict[int, Counts]]:
    """The totals and each grid's, from one grouped query."""
    totals, by_grid = Counts(), {grid_id: Counts() for grid_id in grid_ids}
    for grid_id, status, count in db.session.execute(
            select(SweepCheck.grid_id, SweepCheck.status, func.count())
            .where(SweepCheck.sweep_id == sweep_id, SweepCheck.grid_id.in_(grid_ids))
            .group_by(SweepCheck.grid_id, SweepCheck.status)):
        if status in CHECK_STATUSES:
            totals.add(status, count)
            by_grid[grid_id].add(status, count)
    return totals, by_grid


@dataclass
class SweepView:
    id: int
    name: str
    status: str
    grid_ids: list
    tags: list
    min_age: int | None
    answer_minutes: int
    households: int
    started_at: datetime
    answer_due_at: datetime
    closed_at: datetime | None
    totals: dict
    grids: list


def sweep_view(sweep: Sweep, grid_ids: list[int]) -> SweepView:
    """The sweep with the counts of these grids (the caller's share of it)."""
    grid_ids = sorted(grid_ids)
    totals, by_grid = counts(sweep.id, grid_ids)
    names = dict(db.session.execute(select(Grid.id, Grid.name).where(Grid.id.in_(grid_ids))).all())
    return SweepView(id=sweep.id, name=sweep.name, status=sweep.status, grid_ids=list(sweep.grid_ids),
                     tags=list(sweep.resident_filter.get("tags") or []), min_age=sweep.resident_filter.get("min_age"),
                     answer_minutes=sweep.answer_minutes, households=sweep.households, started_at=sweep.started_at,
                     answer_due_at=sweep.answer_due_at, closed_at=sweep.closed_at, totals=asdict(totals),
                     grids=[{"grid_id": grid_id, "grid_name": names.get(grid_id, ""), **asdict(by_grid[grid_id])}
                            for grid_id in grid_ids])


def _assignee_names(checks) -> tuple[dict[int, str], dict[int, str]]:
    volunteer_ids = {c.volunteer_id for c in checks if c.volunteer_id is not None}
    worker_ids = {c.worker_id for c in checks if c.worker_id is not None}
    volunteers = dict(db.session.execute(select(Volunteer.id, User.display_name).join(User, User.id == Volunteer.user_id)
                                         .where(Volunteer.id.in_(volunteer_ids))).all()) if volunteer_ids else {}
    workers = dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(worker_ids))).all()) \
        if worker_ids else {}
    return volunteers, workers


def _assignee(check, volunteers: dict, workers: dict) -> dict:
    if check.volunteer_id is not None:
        return {"assignee": "volunteer", "assignee_id": check.volunteer_id,
                "assignee_name": volunteers.get(check.volunteer_id)}
    if check.worker_id is not None:
        return {"assignee": "worker", "assignee_id": check.worker_id, "assignee_name": workers.get(check.worker_id)}
    return {"assignee": None, "assignee_id": None, "assignee_name": None}


def _households(checks) -> tuple[dict[int, str], dict[int, str]]:
    """Building labels by household, and how to address each matched resident."""
    household_ids = {c.household_id for c in checks}
    resident_ids = {rid for c in checks for rid in c.resident_ids}
    labels = dict(db.session.execute(select(Household.id, Building.label).join(Building, Building.id == Household.building_id)
                                     .where(Household.id.in_(household_ids))).all()) if household_ids else {}
    names = dict(db.session.execute(select(Resident.id, Resident.address_as).where(Resident.id.in_(resident_ids))).all()) \
        if resident_ids else {}
    return labels, names


@dataclass
class BoardView:
    sweep: SweepView
    unreached: Page


def board(user: User, sweep_id: int, page: int, per_page: int) -> BoardView:
    """The live board of the caller's grids of the sweep, and one page of the households not yet
    reached (by grid, then as started) with who has them — never an address or a phone."""
    sweep = visible_sweep(user, sweep_id)
    grid_ids = sorted(set(sweep.grid_ids) & visible_grid_ids(user))
    view = sweep_view(sweep, grid_ids)
    checks = db.session.scalars(
        select(SweepCheck).where(SweepCheck.sweep_id == sweep.id, SweepCheck.grid_id.in_(grid_ids),
                                 SweepCheck.status.in_(NOT_YET_REACHED))
        .order_by(SweepCheck.grid_id, SweepCheck.id).limit(per_page).offset((page - 1) * per_page)).all()
    volunteers, workers = _assignee_names(checks)
    labels, names = _households(checks)
    items = [{"check_id": c.id, "household_id": c.household_id, "grid_id": c.grid_id, "status": c.status,
              "building_label": labels.get(c.household_id, ""),
              "residents": [{"id": rid, "address_as": names.get(rid, "")} for rid in c.resident_ids],
              "attempts": c.attempts, "last_attempt_at": c.last_attempt_at, "note": c.note,
              **_assignee(c, volunteers, workers)} for c in checks]
    return BoardView(sweep=view, unreached=Page(items=items, total=view.totals["not_reached"], page=page,
                                                per_page=per_page))


def list_sweeps(user: User, status: str | None, page: int, per_page: int) -> Page:
    """The sweeps touching the caller's grids, newest first (the latest LISTED of the community)."""
    visible = visible_grid_ids(user)
    statement = select(Sweep).where(Sweep.community_id == user.community_id).order_by(Sweep.id.desc()).limit(LISTED)
    if status is not None:
        statement = statement.where(Sweep.status == status)
    mine = [sweep for sweep in db.session.scalars(statement) if set(sweep.grid_ids) & visible]
    shown = mine[(page - 1) * per_page:page * per_page]
    return Page(items=[sweep_view(sweep, sorted(set(sweep.grid_ids) & visible)) for sweep in shown],
                total=len(mine), page=page, per_page=per_page)


def get_sweep(user: User, sweep_id: int) -> SweepView:
    sweep = visible_sweep(user, sweep_id)
    return sweep_view(sweep, sorted(set(sweep.grid_ids) & visible_grid_ids(user)))


# Closing and the report ------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def frozen_report(sweep: Sweep, closed_by: User, moment: datetime) -> dict:
    """Every household: who was reached, when, how, by whom and what was found; the counts. Like the
    board it names the building and how to address each resident, never an address or a phone (the
    household's own page, which is audited, has those)."""
    grid_ids = sorted(sweep.grid_ids)
    totals, by_grid = counts(sweep.id, grid_ids)
    grid_names = dict(db.session.execute(select(Grid.id, Grid.name).where(Grid.id.in_(grid_ids))).all())
    checks = db.session.scalars(select(SweepCheck).where(SweepCheck.sweep_id == sweep.id)
                                .order_by(SweepCheck.grid_id, SweepCheck.id)).all()
    volunteers, workers = _assignee_names(checks)
    labels, names = _households(checks)
    reachers = {c.reached_by_id for c in checks if c.reached_by_id is not None}
    reacher_names = dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(reachers))).all()) \
        if reachers else {}
    rows = [{"check_id": c.id, "household_id": c.household_id, "grid_id": c.grid_id,
             "grid_name": grid_names.get(c.grid_id, ""), "building_label": labels.get(c.household_id, ""),
             "residents": [{"id": rid, "address_as": names.get(rid, "")} for rid in c.resident_ids],
             "status": c.status, "reached": c.status in ("safe", "needs_help"), "reached_at": _iso(c.reached_at),
             "reached_via": c.reached_via, "reached_by_id": c.reached_by_id,
             "reached_by_name": reacher_names.get(c.reached_by_id), "resident_id": c.resident_id,
             "attempts": c.attempts, "last_attempt_at": _iso(c.last_attempt_at), "note": c.note,
             "help_request_id": c.help_request_id, "alert_id": c.alert_id,
             **_assignee(c, volunteers, workers)} for c in checks]
    return {"sweep_id": sweep.id, "name": sweep.name, "grid_ids": grid_ids, "resident_filter": sweep.resident_filter,
            "started_at": _iso(sweep.started_at), "started_by_id": sweep.started_by_id, "closed_at": _iso(moment),
            "closed_by_id": closed_by.id, "closed_by_name": closed_by.display_name, "totals": asdict(totals),
            "grids": [{"grid_id": g, "grid_name": grid_names.get(g, ""), **asdict(by_grid[g])} for g in grid_ids],
            "checks": rows}


def close(user: User, sweep_id: int) -> dict:
    """Close the sweep (a worker of all its grids, or an admin): the report is frozen as it stands;
    answers and findings are refused from now on."""
    sweep = db.session.scalar(select(Sweep).where(Sweep.id == visible_sweep(user, sweep_id, whole=True).id)
                              .with_for_update())
    if sweep.status != "open":
        raise SweepClosed()
    moment = now()
    timers.cancel(("sweep", sweep.id))
    sweep.report = frozen_report(sweep, user, moment)
    sweep.status, sweep.closed_at, sweep.closed_by_id = "closed", moment, user.id
    report = sweep.report
    db.session.commit()
    return report


def get_report(user: User, sweep_id: int) -> dict:
    """The report frozen at closing, unchanged ever after."""
    sweep = visible_sweep(user, sweep_id, whole=True)
    if sweep.report is None:
        raise SweepNotClosed()
    return sweep.report


# The resident's prompts and the assignee's households -----------------------------------------------


@dataclass
class MyCheckView:
    id: int
    sweep_id: int
    sweep_name: str
    sweep_open: bool
    status: str
    answered: str | None  # safe, needs_help
    answered_at: datetime | None


def my_check_view(check: SweepCheck, sweep: Sweep) -> MyCheckView:
    answered = check.status if check.status in ("safe", "needs_help") else None
    return MyCheckView(id=check.id, sweep_id=sweep.id, sweep_name=sweep.name, sweep_open=sweep.status == "open",
                       status=check.status, answered=answered, answered_at=check.reached_at if answered else None)


def my_checks(user: User) -> Page:
    """The resident's checks in open sweeps (at most a handful): what to answer, or what they said."""
    resident = db.session.scalar(select(Resident).where(Resident.user_id == user.id))
    if resident is None:
        return Page(items=[], total=0, page=1, per_page=20)
    rows = db.session.execute(select(SweepCheck, Sweep).join(Sweep, Sweep.id == SweepCheck.sweep_id).where(
        SweepCheck.household_id == resident.household_id, Sweep.status == "open")
        .order_by(SweepCheck.id.desc()).limit(20)).all()
    items = [my_check_view(check, sweep) for check, sweep in rows if resident.id in check.resident_ids]
    return Page(items=items, total=len(items), page=1, per_page=20)


@dataclass
class CheckView:
    id: int
    sweep_id: int
    household_id: int
    grid_id: int
    status: str
    assignee: str | None
    assignee_id: int | None
    attempts: int
    last_attempt_at: datetime | None
    reached_at: datetime | None
    reached_via: str | None
    reached_by_id: int | None
    resident_id: int | None
    note: str | None
    help_request_id: int | None
    alert_id: int | None


def check_view(check: SweepCheck) -> CheckView:
    kind = "volunteer" if check.volunteer_id is not None else ("worker" if check.worker_id is not None else None)
    return CheckView(id=check.id, sweep_id=check.sweep_id, household_id=check.household_id, grid_id=check.grid_id,
                     status=check.status, assignee=kind,
                     assignee_id=check.volunteer_id if kind == "volunteer" else check.worker_id,
                     attempts=check.attempts, last_attempt_at=check.last_attempt_at, reached_at=check.reached_at,
                     reached_via=check.reached_via, reached_by_id=check.reached_by_id, resident_id=check.resident_id,
                     note=check.note, help_request_id=check.help_request_id, alert_id=check.alert_id)


def my_assignments(user: User, page: int, per_page: int) -> Page:
    """The households given to the caller (a worker, or a volunteer) in open sweeps and not yet
    reached: where and whom to call. A volunteer sees addresses and phones because the check is
    theirs (DESIGN.md §6); every resident shown is written to the audit log."""
    volunteer_id = db.session.scalar(select(Volunteer.id).where(Volunteer.user_id == user.id))
    mine = SweepCheck.worker_id == user.id
    if volunteer_id is not None:
        mine = mine | (SweepCheck.volunteer_id == volunteer_id)
    statement = (select(SweepCheck, Sweep).join(Sweep, Sweep.id == SweepCheck.sweep_id)
                 .where(mine, SweepCheck.status == "assigned", Sweep.status == "open"))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db.session.execute(statement.order_by(SweepCheck.id).limit(per_page).offset((page - 1) * per_page)).all()
    households = {h.id: h for h in db.session.scalars(select(Household).where(
        Household.id.in_({check.household_id for check, _ in rows})))} if rows else {}
    residents = {r.id: r for r in db.session.scalars(select(Resident).where(
        Resident.id.in_({rid for check, _ in rows for rid in check.resident_ids})))} if rows else {}
    items = []
    for check, sweep in rows:
        household = households[check.household_id]
        shown = [residents[rid] for rid in check.resident_ids if rid in residents]
        for resident in shown:
            record(actor_id=user.id, community_id=sweep.community_id, resident_id=resident.id, action="read",
                   fields=["address", "phone"], reason=f"assigned to safety check {check.id} of sweep {sweep.id}")
        items.append({"check_id": check.id, "sweep_id": sweep.id, "sweep_name": sweep.name, "grid_id": check.grid_id,
                      "building_label": household.building.label,
                      "address": f"{household.address_text} {household.door_number}",
                      "household_phone": household.phone, "attempts": check.attempts, "note": check.note,
                      "residents": [{"id": r.id, "address_as": r.address_as, "phone": r.phone} for r in shown]})
    db.session.commit()
    return Page(items=items, total=total, page=page, per_page=per_page)
