"""Planning a date's held requests in one batch: each request's best eligible candidates from the
core loop's ranking, the assignment engine's exact plan of the largest total score within each
volunteer's capacity and without overlapping windows, and first come, first served beside it;
a worker's view of a plan and their edits before sending (docs/batch_plans.md)."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from backend.accounts.models import User
from backend.algorithms.assignment import Assignee, Task, assign
from backend.algorithms.matching import Reason, describe
from backend.batch.models import BatchPlan, BatchPlanItem
from backend.common.i18n import current_language
from backend.common.ids import in_id_range
from backend.common.pagination import Page
from backend.common.time import local_today, now
from backend.community.models import Community, Grid
from backend.community.services import visible_grid_ids
from backend.errors import Conflict, InvalidInput, NotFound
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.matching.services.candidates import OPEN_TASK_STATUSES, ranking_for
from backend.matching.models import Offer
from backend.matching.services.dispatch import PLAN_WAVE, awaiting_wave, category_label, local_day_bounds, when_text
from backend.matching.services.offers import language_names
from backend.people.models import Resident
from backend.volunteers.models import Volunteer

MAX_DAYS_AHEAD = 60
CANDIDATES_SHOWN = 12  # per request, kept on its item for the worker to choose from
LISTED = 200


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


def plan_not_found() -> NotFound:
    return NotFound("该安排", "Plan")


def _reasons_json(reasons) -> list:
    return [{"code": reason.code, "params": dict(reason.params)} for reason in reasons]


def _reasons_of(stored: list) -> tuple[Reason, ...]:
    return tuple(Reason(item["code"], dict(item.get("params") or {})) for item in stored or ())


def held_requests(community_id: int, day: date, grid_ids: list[int]) -> list[HelpRequest]:
    """The date's held requests of these grids, in the order they were asked: open, scheduled, the
    window starting on that local date, and their first wave still to come."""
    start, end = local_day_bounds(community_id, day)
    statement = (select(HelpRequest).where(
        HelpRequest.community_id == community_id, HelpRequest.grid_id.in_(grid_ids), HelpRequest.status == "open",
        HelpRequest.asap.is_(False), HelpRequest.window_start >= start, HelpRequest.window_start < end,
        awaiting_wave())
        .order_by(HelpRequest.created_at, HelpRequest.id).limit(current_app.config.get("BATCH_MAX_REQUESTS", 500)))
    return list(db.session.scalars(statement))


def reserved_windows(volunteer_ids, community_id: int, day: date) -> dict[int, list[tuple[datetime, datetime]]]:
    """The windows of that date's sent plans' offers each volunteer has not answered yet: a planned
    offer holds its place, so a later plan neither counts on that capacity nor that time."""
    ids = sorted(set(volunteer_ids))
    start, end = local_day_bounds(community_id, day)
    rows = db.session.execute(select(Offer.volunteer_id, HelpRequest.window_start, HelpRequest.window_end)
                              .join(HelpRequest, HelpRequest.id == Offer.help_request_id).where(
        Offer.volunteer_id.in_(ids), Offer.wave == PLAN_WAVE, Offer.status == "offered",
        HelpRequest.status == "offered", HelpRequest.window_start >= start, HelpRequest.window_start < end)).all()
    reserved: dict[int, list] = {}
    for volunteer_id, window_start, window_end in rows:
        reserved.setdefault(volunteer_id, []).append((window_start, window_end))
    return reserved


def capacities(volunteer_ids, reserved: dict | None = None) -> dict[int, int]:
    """Each volunteer's capacity for the day: their load cap less the tasks they have open (and
    the planned offers they hold for it)."""
    ids = sorted(set(volunteer_ids))
    if not ids:
        return {}
    reserved = reserved or {}
    caps = dict(db.session.execute(select(Volunteer.id, Volunteer.load_cap).where(Volunteer.id.in_(ids))).all())
    busy = dict(db.session.execute(select(HelpRequest.volunteer_id, func.count()).where(
        HelpRequest.volunteer_id.in_(ids), HelpRequest.status.in_(OPEN_TASK_STATUSES))
        .group_by(HelpRequest.volunteer_id)).all())
    return {vid: max(0, (caps.get(vid) or 0) - busy.get(vid, 0) - len(reserved.get(vid, ()))) for vid in ids}


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def _clashes(request: HelpRequest, windows) -> bool:
    return any(_overlaps(request.window_start, request.window_end, start, end) for start, end in windows)


def first_come_first_served(requests: list[HelpRequest], lists: dict[int, list], capacity: dict[int, int]) -> dict:
    """Requests in the order asked, each to its best-ranked candidate still free (capacity left and
    no overlapping window): {request id: (volunteer id, score)}."""
    left, taken, chosen = dict(capacity), {}, {}
    for request in requests:
        for volunteer_id, score in lists[request.id]:
            windows = taken.setdefault(volunteer_id, [])
            if left.get(volunteer_id, 0) <= 0 or any(
                    _overlaps(request.window_start, request.window_end, start, end) for start, end in windows):
                continue
            left[volunteer_id] -= 1
            windows.append((request.window_start, request.window_end))
            chosen[request.id] = (volunteer_id, score)
            break
    return chosen


def build_plan(community_id: int, day: date, grid_ids: list[int], *, user: User | None, moment: datetime) -> BatchPlan:
    """Stage a draft plan of the date's held requests of these grids (no commit)."""
    k = current_app.config.get("BATCH_CANDIDATES", 0) or None
    requests = held_requests(community_id, day, grid_ids)
    rankings = {request.id: ranking_for(request, moment).ranked[:k] for request in requests}
    everyone = {item.volunteer_id for ranked in rankings.values() for item in ranked}
    reserved = reserved_windows(everyone, community_id, day)
    by_request = {request.id: request for request in requests}
    lists = {rid: [(item.volunteer_id, item.score) for item in ranked if not _clashes(
        by_request[rid], reserved.get(item.volunteer_id, ()))] for rid, ranked in rankings.items()}
    capacity = capacities(everyone, reserved)
    tasks = [Task(id=request.id, lat=None, lng=None, start=request.window_start, end=request.window_end)
             for request in requests]
    assignees = [Assignee(id=vid, lat=None, lng=None, capacity=cap) for vid, cap in capacity.items()]
    result = assign(tasks, assignees, unassigned_penalty=0.0,
                    candidates={rid: [(vid, -score) for vid, score in ranked] for rid, ranked in lists.items()})
    proposed = {pair.task_id: pair.assignee_id for pair in result.pairs}
    fcfs = first_come_first_served(requests, lists, capacity)
    plan = BatchPlan(community_id=community_id, service_date=day, grid_ids=sorted(grid_ids), status="draft",
                     made_by="worker" if user is not None else "nightly",
                     created_by_id=user.id if user is not None else None, created_at=moment,
                     total_score=round(-result.assigned_cost, 6), matched=len(result.pairs),
                     fcfs_total_score=round(sum(score for _vid, score in fcfs.values()), 6), fcfs_matched=len(fcfs))
    for request in requests:
        by_id = {item.volunteer_id: item for item in rankings[request.id]}
        chosen = by_id.get(proposed.get(request.id))
        plan.items.append(BatchPlanItem(
            help_request_id=request.id, volunteer_id=chosen.volunteer_id if chosen else None,
            score=round(chosen.score, 6) if chosen else None,
            reasons=_reasons_json(chosen.reasons) if chosen else [],
            candidates=[{"volunteer_id": item.volunteer_id, "score": round(item.score, 6),
                         "distance_km": round(item.distance_km, 2), "reasons": _reasons_json(item.reasons)}
                        for item in _shown(rankings[request.id], chosen)],
            fcfs_volunteer_id=fcfs.get(request.id, (None,))[0]))
    db.session.add(plan)
    db.session.flush()
    return plan


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


def change_item(user: User, plan_id: int, item_id: int, volunteer_id: int | None) -> "ItemView":
    """Propose another eligible candidate for one request, or nobody (it will go to the waves).
    Refused: a volunteer the request's ranking does not accept now, one whose capacity the plan
    already fills, or one with another task of the plan at an overlapping time."""
    plan = visible_plan(user, plan_id)
    item = _item_of(plan, item_id)
    if plan.status != "draft":
        raise PlanNotDraft()
    if volunteer_id is None:
        item.volunteer_id, item.score, item.reasons = None, None, []
    elif volunteer_id != item.volunteer_id:
        request = db.session.get(HelpRequest, item.help_request_id)
        ranked = {entry.volunteer_id: entry for entry in ranking_for(request, now()).ranked}
        chosen = ranked.get(volunteer_id) if in_id_range(volunteer_id) else None
        if chosen is None:
            raise VolunteerNotEligible()
        others = [other for other in plan.items if other.id != item.id and other.volunteer_id == volunteer_id]
        reserved = reserved_windows([volunteer_id], plan.community_id, plan.service_date)
        if len(others) >= capacities([volunteer_id], reserved)[volunteer_id]:
            raise VolunteerAtCapacity()
        windows = db.session.execute(select(HelpRequest.window_start, HelpRequest.window_end).where(
            HelpRequest.id.in_([other.help_request_id for other in others]))).all()
        if _clashes(request, [*windows, *reserved.get(volunteer_id, ())]):
            raise VolunteerBusyThen()
        item.volunteer_id, item.score, item.reasons = volunteer_id, round(chosen.score, 6), _reasons_json(chosen.reasons)
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
    help_request_id: int
    category: str
    category_label: str
    when: str
    window_start: datetime
    window_end: datetime
    building_label: str
    address_as: str
    volunteer_id: int | None
    volunteer_name: str | None
    score: float | None
    reasons: str
    reason_codes: list
    candidates: list
    fcfs_volunteer_id: int | None
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


def _names(volunteer_ids) -> dict[int, str]:
    ids = sorted({vid for vid in volunteer_ids if vid is not None})
    if not ids:
        return {}
    return dict(db.session.execute(select(Volunteer.id, User.display_name).join(User, User.id == Volunteer.user_id)
                                   .where(Volunteer.id.in_(ids))).all())


def item_view(item: BatchPlanItem, language: str, names: dict | None = None, terms: dict | None = None) -> ItemView:
    request = db.session.get(HelpRequest, item.help_request_id)
    resident = db.session.get(Resident, request.resident_id)
    if names is None:
        names = _names([item.volunteer_id, item.fcfs_volunteer_id] + [c["volunteer_id"] for c in item.candidates])
    terms = terms if terms is not None else language_names(request.community_id, language)
    reasons = _reasons_of(item.reasons)
    return ItemView(
        id=item.id, plan_id=item.plan_id, help_request_id=request.id, category=request.category,
        category_label=category_label(request, language), when=when_text(request, language),
        window_start=request.window_start, window_end=request.window_end,
        building_label=resident.household.building.label, address_as=resident.address_as,
        volunteer_id=item.volunteer_id, volunteer_name=names.get(item.volunteer_id),
        score=item.score, reasons=describe(reasons, language, terms), reason_codes=[r.code for r in reasons],
        candidates=[{"volunteer_id": c["volunteer_id"], "name": names.get(c["volunteer_id"], ""),
                     "score": c["score"], "distance_km": c.get("distance_km"),
                     "reasons": describe(_reasons_of(c["reasons"]), language, terms)} for c in item.candidates],
        fcfs_volunteer_id=item.fcfs_volunteer_id, fcfs_volunteer_name=names.get(item.fcfs_volunteer_id),
        edited_by_id=item.edited_by_id, edited_at=item.edited_at, outcome=item.outcome,
        outcome_reason=item.outcome_reason)


def plan_view(plan: BatchPlan, language: str, *, with_items: bool = True) -> PlanView:
    items = list(plan.items)
    view = PlanView(
        id=plan.id, community_id=plan.community_id, date=plan.service_date, grid_ids=list(plan.grid_ids),
        status=plan.status, made_by=plan.made_by, created_by_id=plan.created_by_id, created_at=plan.created_at,
        sent_at=plan.sent_at, total_score=round(sum(item.score or 0.0 for item in items), 6),
        matched=sum(1 for item in items if item.volunteer_id is not None),
        proposed_total_score=plan.total_score, proposed_matched=plan.matched,
        fcfs_total_score=plan.fcfs_total_score, fcfs_matched=plan.fcfs_matched, requests=len(items), items=None)
    if with_items:
        names = _names([vid for item in items for vid in (item.volunteer_id, item.fcfs_volunteer_id)]
                       + [c["volunteer_id"] for item in items for c in item.candidates])
        terms = language_names(plan.community_id, language)
        view.items = [item_view(item, language, names, terms) for item in items]
    return view


def grids_of_community(community_id: int) -> list[int]:
    return list(db.session.scalars(select(Grid.id).where(Grid.community_id == community_id)))
