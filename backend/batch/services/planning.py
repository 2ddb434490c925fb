"""Planning a date's held tasks in one batch: each task's eligible candidates from its kind (for
help requests, the core loop's ranking), the assignment engine's exact plan of the largest total
score within each assignee's capacity for the day and without overlapping windows, and first
come, first served beside it; a worker's view of a plan and their edits before sending
(docs/batch_plans.md)."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from backend.accounts.models import User
from backend.algorithms.assignment import Assignee, Task, assign
from backend.algorithms.matching import Reason, describe
from backend.batch import help_request_tasks  # noqa: F401 (registers the help-request kind)
from backend.batch.models import BatchPlan, BatchPlanItem
from backend.batch.tasks import KINDS, VOLUNTEER, WORKER, Candidate, HeldTask, TaskKind, kind_of
from backend.common.i18n import current_language
from backend.common.ids import in_id_range
from backend.common.pagination import Page
from backend.common.time import local_today, now
from backend.community.models import Community, Grid
from backend.community.services import visible_grid_ids
from backend.errors import Conflict, InvalidInput, NotFound
from backend.extensions import db
from backend.matching.services.offers import language_names
from backend.volunteers.models import Volunteer

MAX_DAYS_AHEAD = 60
CANDIDATES_SHOWN = 12  # per task, kept on its item for the worker to choose from
LISTED = 200

Key = tuple[str, int]  # (VOLUNTEER, volunteers.id) or (WORKER, users.id)


class PlanNotDraft(Conflict):
    reason = "plan_not_draft"
    messages = {"zh-CN": "这份安排已经发出或作废，不能再修改或发送。",
                "en": "This plan has already been sent or discarded; it cannot be changed or sent."}


class VolunteerNotEligible(Conflict):
    reason = "volunteer_not_eligible"
    messages = {"zh-CN": "这位志愿者现在不能接这项求助（技能、时间、距离或其他条件不符）。",
                "en": "This volunteer cannot take this request now (skills, time, distance or another rule)."}


class VolunteerAtCapacity(Conflict):
    reason = "volunteer_at_capacity"
    messages = {"zh-CN": "这位志愿者在这份安排里已经排满了。",
                "en": "This volunteer already has as many tasks in this plan as they can take."}


class VolunteerBusyThen(Conflict):
    reason = "volunteer_busy_then"
    messages = {"zh-CN": "这位志愿者在这份安排里同一时间已有别的任务。",
                "en": "This volunteer already has another task in this plan at that time."}


class WorkerNotEligible(Conflict):
    reason = "worker_not_eligible"
    messages = {"zh-CN": "这项任务不能派给这位工作人员（不是这个网格的，或这类任务只派志愿者）。",
                "en": "This task cannot go to this worker (another grid's, or a kind only volunteers take)."}


class WorkerAtCapacity(Conflict):
    reason = "worker_at_capacity"
    messages = {"zh-CN": "这位工作人员在这份安排里已经排满了。",
                "en": "This worker already has as many tasks in this plan as they can take."}


class WorkerBusyThen(Conflict):
    reason = "worker_busy_then"
    messages = {"zh-CN": "这位工作人员在这份安排里同一时间已有别的任务。",
                "en": "This worker already has another task in this plan at that time."}


REFUSALS = {VOLUNTEER: (VolunteerNotEligible, VolunteerAtCapacity, VolunteerBusyThen),
            WORKER: (WorkerNotEligible, WorkerAtCapacity, WorkerBusyThen)}


def plan_not_found() -> NotFound:
    return NotFound("该安排", "Plan")


def _reasons_json(reasons) -> list:
    return [{"code": reason.code, "params": dict(reason.params)} for reason in reasons]


def _reasons_of(stored: list) -> tuple[Reason, ...]:
    return tuple(Reason(item["code"], dict(item.get("params") or {})) for item in stored or ())


def _candidate_key(stored: dict) -> Key:
    return stored.get("assignee", VOLUNTEER), stored["id"] if "id" in stored else stored["volunteer_id"]


def item_key(item: BatchPlanItem) -> Key | None:
    if item.volunteer_id is not None:
        return VOLUNTEER, item.volunteer_id
    if item.worker_id is not None:
        return WORKER, item.worker_id
    return None


def in_hand(keys, community_id: int, day: date) -> tuple[dict[Key, int], dict[Key, list]]:
    """What the assignees already hold against their capacity for the date, over every kind: counts
    and the windows no planned task may overlap."""
    counts: dict[Key, int] = {}
    windows: dict[Key, list] = {}
    for assignee in (VOLUNTEER, WORKER):
        ids = sorted({key[1] for key in keys if key[0] == assignee})
        if not ids:
            continue
        for kind in KINDS.values():
            kind_counts, kind_windows = kind.in_hand(assignee, ids, day, community_id)
            for assignee_id, count in kind_counts.items():
                counts[assignee, assignee_id] = counts.get((assignee, assignee_id), 0) + count
            for assignee_id, spans in kind_windows.items():
                windows.setdefault((assignee, assignee_id), []).extend(spans)
    return counts, windows


def capacities(keys, counts: dict[Key, int]) -> dict[Key, int]:
    """Each assignee's capacity for the day: a volunteer's load cap, a worker's BATCH_WORKER_CAPACITY,
    less what they already hold."""
    keys = set(keys)
    volunteer_ids = sorted(vid for kind, vid in keys if kind == VOLUNTEER)
    caps = dict(db.session.execute(select(Volunteer.id, Volunteer.load_cap).where(
        Volunteer.id.in_(volunteer_ids))).all()) if volunteer_ids else {}
    worker_cap = current_app.config.get("BATCH_WORKER_CAPACITY", 8)
    return {key: max(0, (caps.get(key[1]) or 0 if key[0] == VOLUNTEER else worker_cap) - counts.get(key, 0))
            for key in keys}


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def _clashes(task, windows) -> bool:
    return any(_overlaps(task.start, task.end, start, end) for start, end in windows)


def first_come_first_served(tasks: list, lists: dict, capacity: dict) -> dict:
    """Tasks in the order asked, each to its best-ranked candidate still free (capacity left and no
    overlapping window): {task key: (assignee key, score)}."""
    left, taken, chosen = dict(capacity), {}, {}
    for key, task in tasks:
        for assignee, score in lists[key]:
            windows = taken.setdefault(assignee, [])
            if left.get(assignee, 0) <= 0 or _clashes(task, windows):
                continue
            left[assignee] -= 1
            windows.append((task.start, task.end))
            chosen[key] = (assignee, score)
            break
    return chosen


def held_tasks(community_id: int, day: date, grid_ids: list[int]) -> list[tuple[tuple[str, int], HeldTask]]:
    """Every kind's held tasks of these grids for the date, in the order they were asked."""
    tasks = [((kind.name, task.id), task) for kind in KINDS.values()
             for task in kind.held(community_id, day, grid_ids)]
    return sorted(tasks, key=lambda pair: (pair[1].asked_at, pair[0]))


def _eligible(kind: TaskKind, task_id: int, moment: datetime) -> list[Candidate]:
    return [c for c in kind.candidates(task_id, moment) if c.assignee == VOLUNTEER or kind.workers_allowed]


def build_plan(community_id: int, day: date, grid_ids: list[int], *, user: User | None, moment: datetime) -> BatchPlan:
    """Stage a draft plan of the date's held tasks of these grids (no commit)."""
    k = current_app.config.get("BATCH_CANDIDATES", 0) or None
    tasks = held_tasks(community_id, day, grid_ids)
    ranked = {key: _eligible(kind_of(key[0]), key[1], moment)[:k] for key, _task in tasks}
    everyone = {candidate.key for candidates in ranked.values() for candidate in candidates}
    counts, windows = in_hand(everyone, community_id, day)
    capacity = capacities(everyone, counts)
    lists = {key: [(c.key, c.score) for c in ranked[key] if not _clashes(task, windows.get(c.key, ()))]
             for key, task in tasks}
    result = assign([Task(id=key, lat=None, lng=None, start=task.start, end=task.end) for key, task in tasks],
                    [Assignee(id=key, lat=None, lng=None, capacity=cap) for key, cap in capacity.items()],
                    unassigned_penalty=0.0,
                    candidates={key: [(assignee, -score) for assignee, score in pairs] for key, pairs in lists.items()})
    proposed = {pair.task_id: pair.assignee_id for pair in result.pairs}
    fcfs = first_come_first_served(tasks, lists, capacity)
    plan = BatchPlan(community_id=community_id, service_date=day, grid_ids=sorted(grid_ids), status="draft",
                     made_by="worker" if user is not None else "nightly",
                     created_by_id=user.id if user is not None else None, created_at=moment,
                     total_score=round(-result.assigned_cost, 6), matched=len(result.pairs),
                     fcfs_total_score=round(sum(score for _key, score in fcfs.values()), 6), fcfs_matched=len(fcfs))
    for key, _task in tasks:
        by_key = {candidate.key: candidate for candidate in ranked[key]}
        chosen = by_key.get(proposed.get(key))
        fcfs_key = fcfs.get(key, (None,))[0]
        item = BatchPlanItem(
            task_kind=key[0], task_id=key[1], help_request_id=key[1] if key[0] == "help_request" else None,
            candidates=[_candidate_json(c) for c in _shown(ranked[key], chosen)],
            fcfs_volunteer_id=fcfs_key[1] if fcfs_key and fcfs_key[0] == VOLUNTEER else None,
            fcfs_worker_id=fcfs_key[1] if fcfs_key and fcfs_key[0] == WORKER else None)
        _give(item, chosen)
        plan.items.append(item)
    db.session.add(plan)
    db.session.flush()
    return plan


def _candidate_json(candidate: Candidate) -> dict:
    return {"assignee": candidate.assignee, "id": candidate.id, "score": round(candidate.score, 6),
            "distance_km": round(candidate.distance_km, 2) if candidate.distance_km is not None else None,
            "reasons": _reasons_json(candidate.reasons)}


def _give(item: BatchPlanItem, chosen: Candidate | None) -> None:
    item.volunteer_id = chosen.id if chosen is not None and chosen.assignee == VOLUNTEER else None
    item.worker_id = chosen.id if chosen is not None and chosen.assignee == WORKER else None
    item.score = round(chosen.score, 6) if chosen is not None else None
    item.reasons = _reasons_json(chosen.reasons) if chosen is not None else []


def _shown(ranked: list, chosen) -> list:
    """The candidates a worker chooses among: the CANDIDATES_SHOWN best, and the proposed one."""
    shown = ranked[:CANDIDATES_SHOWN]
    return shown if chosen is None or chosen in shown else [*shown, chosen]


def _grids_for(user: User, grid_ids: list[int] | None) -> list[int]:
    visible = visible_grid_ids(user)
    if grid_ids is None:
        return sorted(visible)
    for grid_id in grid_ids:
        if grid_id not in visible:
            raise NotFound("该网格", "Grid")
    return sorted(set(grid_ids))


def make_plan(user: User, day: date, grid_ids: list[int] | None) -> "PlanView":
    """明天的安排: a draft plan of the date's held requests of the caller's grids (a worker's own,
    an admin's whole community, or the ones named); earlier drafts of those grids for that date
    are discarded."""
    community = db.session.get(Community, user.community_id) if user.community_id else None
    if community is None:
        raise NotFound("该网格", "Grid")
    today = local_today(community.timezone)
    if not today < day <= today + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput({"date": [_date_message()]})
    grids = _grids_for(user, grid_ids)
    for older in db.session.scalars(select(BatchPlan).where(
            BatchPlan.community_id == community.id, BatchPlan.service_date == day, BatchPlan.status == "draft")):
        if set(older.grid_ids) & set(grids):
            older.status = "discarded"
    plan = build_plan(community.id, day, grids, user=user, moment=now())
    view = plan_view(plan, current_language())
    db.session.commit()
    return view


def _date_message() -> str:
    if current_language() == "en":
        return f"Plan a date from tomorrow up to {MAX_DAYS_AHEAD} days ahead."
    return f"请选择明天到 {MAX_DAYS_AHEAD} 天以内的日期。"


def visible_plan(user: User, plan_id: int) -> BatchPlan:
    """The plan, if every grid of it is the caller's (an admin: their community's); else NotFound."""
    plan = db.session.get(BatchPlan, plan_id) if in_id_range(plan_id) else None
    if plan is None or plan.community_id != user.community_id or not set(plan.grid_ids) <= visible_grid_ids(user):
        raise plan_not_found()
    return plan


def _item_of(plan: BatchPlan, item_id: int) -> BatchPlanItem:
    item = db.session.get(BatchPlanItem, item_id) if in_id_range(item_id) else None
    if item is None or item.plan_id != plan.id:
        raise NotFound("该安排项", "Plan item")
    return item


def change_item(user: User, plan_id: int, item_id: int, assignee: Key | None) -> "ItemView":
    """Propose another eligible candidate for one task — a volunteer, or a worker where the kind
    allows it — or nobody (it will go to the waves). Refused: someone the task's kind does not
    accept now, someone whose capacity the plan already fills, or someone with another task of the
    plan (or already in hand) at an overlapping time."""
    plan = visible_plan(user, plan_id)
    item = _item_of(plan, item_id)
    if plan.status != "draft":
        raise PlanNotDraft()
    if assignee is None:
        _give(item, None)
    elif assignee != item_key(item):
        not_eligible, at_capacity, busy_then = REFUSALS[assignee[0]]
        kind = kind_of(item.task_kind)
        chosen = None
        if in_id_range(assignee[1]):
            chosen = next((c for c in _eligible(kind, item.task_id, now()) if c.key == assignee), None)
        if chosen is None:
            raise not_eligible()
        others = [other for other in plan.items if other.id != item.id and item_key(other) == assignee]
        counts, windows = in_hand([assignee], plan.community_id, plan.service_date)
        if len(others) >= capacities([assignee], counts)[assignee]:
            raise at_capacity()
        language = current_language()
        task = kind.shown(item.task_id, language)
        spans = [(shown.window_start, shown.window_end) for shown in
                 (kind_of(other.task_kind).shown(other.task_id, language) for other in others)]
        if any(_overlaps(task.window_start, task.window_end, start, end)
               for start, end in [*spans, *windows.get(assignee, ())]):
            raise busy_then()
        _give(item, chosen)
    item.edited_by_id, item.edited_at = user.id, now()
    view = item_view(item, current_language())
    db.session.commit()
    return view


def get_plan(user: User, plan_id: int) -> "PlanView":
    return plan_view(visible_plan(user, plan_id), current_language())


def get_item(user: User, plan_id: int, item_id: int) -> "ItemView":
    return item_view(_item_of(visible_plan(user, plan_id), item_id), current_language())


def list_plans(user: User, day: date | None, page: int, per_page: int) -> Page:
    """The plans of the caller's grids, newest first (of one date, if given; the latest 200)."""
    statement = select(BatchPlan).where(BatchPlan.community_id == user.community_id)
    if day is not None:
        statement = statement.where(BatchPlan.service_date == day)
    visible = visible_grid_ids(user)
    plans = [plan for plan in db.session.scalars(statement.order_by(BatchPlan.created_at.desc(), BatchPlan.id.desc())
                                                 .limit(LISTED)) if set(plan.grid_ids) <= visible]
    language = current_language()
    shown = plans[(page - 1) * per_page:page * per_page]
    return Page(items=[plan_view(plan, language, with_items=False) for plan in shown], total=len(plans),
                page=page, per_page=per_page)


@dataclass
class ItemView:
    id: int
    plan_id: int
    task_kind: str
    task_id: int
    help_request_id: int | None
    category: str
    category_label: str
    when: str
    window_start: datetime
    window_end: datetime
    building_label: str
    address_as: str
    assignee: str | None
    volunteer_id: int | None
    worker_id: int | None
    assignee_name: str | None
    volunteer_name: str | None
    score: float | None
    reasons: str
    reason_codes: list
    candidates: list
    fcfs_volunteer_id: int | None
    fcfs_worker_id: int | None
    fcfs_assignee_name: str | None
    fcfs_volunteer_name: str | None
    edited_by_id: int | None
    edited_at: datetime | None
    outcome: str | None
    outcome_reason: str | None


@dataclass
class PlanView:
    id: int
    community_id: int
    date: date
    grid_ids: list
    status: str
    made_by: str
    created_by_id: int | None
    created_at: datetime
    sent_at: datetime | None
    total_score: float
    matched: int
    proposed_total_score: float
    proposed_matched: int
    fcfs_total_score: float
    fcfs_matched: int
    requests: int
    items: list | None


def _keys_of(items) -> set[Key]:
    keys: set[Key] = set()
    for item in items:
        keys.update(key for key in (item_key(item), (VOLUNTEER, item.fcfs_volunteer_id), (WORKER, item.fcfs_worker_id))
                    if key is not None and key[1] is not None)
        keys.update(_candidate_key(c) for c in item.candidates)
    return keys


def _names(keys) -> dict[Key, str]:
    """Display names of volunteers and workers, by (assignee, id)."""
    volunteer_ids = sorted({i for kind, i in keys if kind == VOLUNTEER})
    worker_ids = sorted({i for kind, i in keys if kind == WORKER})
    names: dict[Key, str] = {}
    if volunteer_ids:
        names.update(((VOLUNTEER, vid), name) for vid, name in db.session.execute(
            select(Volunteer.id, User.display_name).join(User, User.id == Volunteer.user_id)
            .where(Volunteer.id.in_(volunteer_ids))))
    if worker_ids:
        names.update(((WORKER, uid), name) for uid, name in db.session.execute(
            select(User.id, User.display_name).where(User.id.in_(worker_ids))))
    return names


def _candidate_view(stored: dict, names: dict, language: str, terms: dict) -> dict:
    assignee, assignee_id = _candidate_key(stored)
    return {"assignee": assignee, "volunteer_id": assignee_id if assignee == VOLUNTEER else None,
            "worker_id": assignee_id if assignee == WORKER else None,
            "name": names.get((assignee, assignee_id), ""), "score": stored["score"],
            "distance_km": stored.get("distance_km"), "reasons": describe(_reasons_of(stored["reasons"]), language, terms)}


def item_view(item: BatchPlanItem, language: str, names: dict | None = None, terms: dict | None = None,
              community_id: int | None = None) -> ItemView:
    shown = kind_of(item.task_kind).shown(item.task_id, language)
    if names is None:
        names = _names(_keys_of([item]))
    if terms is None:
        terms = language_names(community_id or item.plan.community_id, language)
    reasons = _reasons_of(item.reasons)
    key = item_key(item)
    fcfs_key = ((VOLUNTEER, item.fcfs_volunteer_id) if item.fcfs_volunteer_id is not None
                else (WORKER, item.fcfs_worker_id) if item.fcfs_worker_id is not None else None)
    return ItemView(
        id=item.id, plan_id=item.plan_id, task_kind=item.task_kind, task_id=item.task_id,
        help_request_id=item.help_request_id, category=shown.category, category_label=shown.category_label,
        when=shown.when, window_start=shown.window_start, window_end=shown.window_end,
        building_label=shown.building_label, address_as=shown.address_as,
        assignee=key[0] if key else None, volunteer_id=item.volunteer_id, worker_id=item.worker_id,
        assignee_name=names.get(key), volunteer_name=names.get((VOLUNTEER, item.volunteer_id)),
        score=item.score, reasons=describe(reasons, language, terms), reason_codes=[r.code for r in reasons],
        candidates=[_candidate_view(c, names, language, terms) for c in item.candidates],
        fcfs_volunteer_id=item.fcfs_volunteer_id, fcfs_worker_id=item.fcfs_worker_id,
        fcfs_assignee_name=names.get(fcfs_key), fcfs_volunteer_name=names.get((VOLUNTEER, item.fcfs_volunteer_id)),
        edited_by_id=item.edited_by_id, edited_at=item.edited_at, outcome=item.outcome,
        outcome_reason=item.outcome_reason)


def plan_view(plan: BatchPlan, language: str, *, with_items: bool = True) -> PlanView:
    items = list(plan.items)
    view = PlanView(
        id=plan.id, community_id=plan.community_id, date=plan.service_date, grid_ids=list(plan.grid_ids),
        status=plan.status, made_by=plan.made_by, created_by_id=plan.created_by_id, created_at=plan.created_at,
        sent_at=plan.sent_at, total_score=round(sum(item.score or 0.0 for item in items), 6),
        matched=sum(1 for item in items if item_key(item) is not None),
        proposed_total_score=plan.total_score, proposed_matched=plan.matched,
        fcfs_total_score=plan.fcfs_total_score, fcfs_matched=plan.fcfs_matched, requests=len(items), items=None)
    if with_items:
        names = _names(_keys_of(items))
        terms = language_names(plan.community_id, language)
        view.items = [item_view(item, language, names, terms, plan.community_id) for item in items]
    return view


def grids_of_community(community_id: int) -> list[int]:
    return list(db.session.scalars(select(Grid.id).where(Grid.community_id == community_id)))
