"""Sharing a sweep's checks out (docs/safety.md, "The emergency sweep"): who may take them — the
grids' workers and the community's on-duty, identity-vetted volunteers, each with the capacity they
have left — one call of the batch assignment engine (backend/algorithms/assignment.py), and one
notification per assignee saying how many households they were given."""
from collections import defaultdict
from dataclasses import dataclass, replace

from flask import current_app
from sqlalchemy import exists, func, select, update

from backend.accounts.models import User
from backend.algorithms.assignment import DEFAULT_PENALTY, Assignee, Task, assign
from backend.common.time import local_today, now
from backend.community.models import Building, Community, GridWorker, Household
from backend.extensions import db
from backend.notifications.services.bulk import notify_users
from backend.safety import sweep_kinds
from backend.safety.sweep_models import Sweep, SweepCheck
from backend.volunteers.models import Vetting, Volunteer

VOLUNTEER, WORKER = "volunteer", "worker"


@dataclass(frozen=True)
class Assignees:
    people: list[Assignee]
    user_of: dict  # (kind, id) → users.id, to tell them


def in_hand(kind: str, ids: list[int]) -> dict[int, int]:
    """Open checks these assignees already hold, over every open sweep."""
    if not ids:
        return {}
    column = SweepCheck.volunteer_id if kind == VOLUNTEER else SweepCheck.worker_id
    return dict(db.session.execute(
        select(column, func.count()).join(Sweep, Sweep.id == SweepCheck.sweep_id)
        .where(column.in_(ids), SweepCheck.status == "assigned", Sweep.status == "open").group_by(column)).all())


def _skill(grid_id: int) -> str:
    return f"grid-{grid_id}"


def eligible_assignees(community: Community, grid_ids: list[int], *, full_ones: bool = False) -> Assignees:
    """The grids' workers (each for their own grids, from the middle of them) and the community's
    active, identity-vetted, on-duty volunteers with a home position (any of the grids, within their
    travel radius), each with their capacity left: SWEEP_WORKER_CAPACITY / SWEEP_VOLUNTEER_CAPACITY
    less the open checks they hold. Those with none left are left out, unless `full_ones` (a batch
    plan counts capacity its own way)."""
    config = current_app.config
    centres = {grid_id: (lat, lng) for grid_id, lat, lng in db.session.execute(
        select(Building.grid_id, func.avg(Building.lat), func.avg(Building.lng))
        .where(Building.grid_id.in_(grid_ids), Building.lat.is_not(None)).group_by(Building.grid_id))}
    fallback = (community.centre_lat, community.centre_lng)
    workers: dict[int, list[int]] = defaultdict(list)
    for user_id, grid_id in db.session.execute(
            select(GridWorker.user_id, GridWorker.grid_id).join(User, User.id == GridWorker.user_id)
            .where(GridWorker.grid_id.in_(grid_ids), User.is_enabled.is_(True))):
        workers[user_id].append(grid_id)
    held = in_hand(WORKER, sorted(workers))
    people, user_of = [], {}
    for user_id, grids in sorted(workers.items()):
        points = [centres[g] for g in grids if g in centres] or ([fallback] if fallback[0] is not None else [])
        capacity = config["SWEEP_WORKER_CAPACITY"] - held.get(user_id, 0)
        if not points or (capacity <= 0 and not full_ones):
            continue
        people.append(Assignee(id=(WORKER, user_id), lat=sum(p[0] for p in points) / len(points),
                               lng=sum(p[1] for p in points) / len(points), capacity=max(0, capacity),
                               skills=frozenset(_skill(g) for g in grids)))
        user_of[WORKER, user_id] = user_id
    today = local_today(community.timezone)
    volunteers = db.session.execute(
        select(Volunteer.id, Volunteer.user_id, Volunteer.home_lat, Volunteer.home_lng, Volunteer.travel_radius_km)
        .join(User, User.id == Volunteer.user_id)
        .where(Volunteer.community_id == community.id, Volunteer.status == "active", Volunteer.on_duty.is_(True),
               Volunteer.home_lat.is_not(None), Volunteer.home_lng.is_not(None), User.is_enabled.is_(True),
               exists().where(Vetting.volunteer_id == Volunteer.id, Vetting.kind == "identity",
                              Vetting.revoked_at.is_(None), Vetting.expires_on >= today))
        .order_by(Volunteer.id)).all()
    held = in_hand(VOLUNTEER, [row[0] for row in volunteers])
    every_grid = frozenset(_skill(g) for g in grid_ids)
    for volunteer_id, user_id, lat, lng, radius in volunteers:
        capacity = config["SWEEP_VOLUNTEER_CAPACITY"] - held.get(volunteer_id, 0)
        if capacity <= 0 and not full_ones:
            continue
        people.append(Assignee(id=(VOLUNTEER, volunteer_id), lat=lat, lng=lng, capacity=max(0, capacity),
                               skills=every_grid, reach_km=radius))
        user_of[VOLUNTEER, volunteer_id] = user_id
    return Assignees(people, user_of)


def plan_assignment(checks: list[tuple[int, int, float | None, float | None]], assignees: Assignees,
                    fallback: tuple[float | None, float | None]) -> dict[int, tuple[str, int]]:
    """One call of the engine: the checks (key, grid, lat, lng) given to the free eligible assignees
    in the plan of least total distance, capacities respected. Checks need no time of their own (a
    sweep's calls and visits fit around each other), so each task gets its own instant: none clash,
    and the solve is the engine's exact assignment with capacities.

    The engine's matching gives each assignee one column per unit of capacity, so its work grows
    with capacity × candidates: a sweep of more than SWEEP_EXACT_UP_TO households is planned in
    groups of up to SWEEP_GROUP_SIZE neighbouring households (one building of one grid: one helper
    calls on a stairwell together), each assignee taking whole groups within their capacity (a
    group of n costs n × the distance; left out, n × the penalty). Returns {key: (kind, id)}."""
    config = current_app.config
    size = 1 if len(checks) <= config["SWEEP_EXACT_UP_TO"] else max(1, config["SWEEP_GROUP_SIZE"])
    places: dict[tuple, list[int]] = defaultdict(list)
    for key, grid_id, lat, lng in checks:
        if lat is None or lng is None:
            lat, lng = fallback
        if lat is not None and lng is not None:
            places[grid_id, lat, lng].append(key)
    groups: list[tuple[tuple, list[int]]] = []
    for place, keys in places.items():
        groups += [(place, keys[start:start + size]) for start in range(0, len(keys), size)]
    people = [replace(person, capacity=person.capacity // size) for person in assignees.people]
    if not groups or not any(person.capacity for person in people):
        return {}
    tasks = [Task(id=n, lat=lat, lng=lng, start=n, end=n, skill=_skill(grid_id),
                  penalty=DEFAULT_PENALTY * len(keys)) for n, ((grid_id, lat, lng), keys) in enumerate(groups)]
    plan = assign(tasks, people, cost=(lambda task, _person, km: km * len(groups[task.id][1])) if size > 1 else None)
    return {key: pair.assignee_id for pair in plan.pairs for key in groups[pair.task_id][1]}


def tell_assignees(sweep: Sweep, given: dict, assignees: Assignees) -> None:
    """One notification per assignee, saying how many households they were given."""
    counts: dict = defaultdict(int)
    for key in given.values():
        counts[key] += 1
    notify_users(sweep_kinds.SWEEP_ASSIGNED.code,
                 [(assignees.user_of[key], {"sweep_name": sweep.name, "count": count}, {"sweep_id": sweep.id})
                  for key, count in sorted(counts.items())], community_id=sweep.community_id)


def assign_unassigned(sweep: Sweep) -> int:
    """Stage the assignment of the sweep's unassigned checks (one engine call, one bulk update, one
    notification per assignee); returns how many were given."""
    community = db.session.get(Community, sweep.community_id)
    checks = db.session.execute(
        select(SweepCheck.id, SweepCheck.grid_id, func.coalesce(Household.lat, Building.lat),
               func.coalesce(Household.lng, Building.lng))
        .join(Household, Household.id == SweepCheck.household_id).join(Building, Building.id == Household.building_id)
        .where(SweepCheck.sweep_id == sweep.id, SweepCheck.status == "unassigned").order_by(SweepCheck.id)).all()
    if not checks:
        return 0
    assignees = eligible_assignees(community, list(sweep.grid_ids))
    given = plan_assignment([tuple(row) for row in checks], assignees, (community.centre_lat, community.centre_lng))
    if not given:
        return 0
    moment = now()
    db.session.execute(update(SweepCheck), [
        {"id": check_id, "status": "assigned", "assigned_at": moment,
         "volunteer_id": key[1] if key[0] == VOLUNTEER else None, "worker_id": key[1] if key[0] == WORKER else None}
        for check_id, key in given.items()])
    tell_assignees(sweep, given, assignees)
    return len(given)
