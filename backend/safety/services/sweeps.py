"""The emergency sweep (应急排查, docs/safety.md): a worker (their grids) or an admin starts a sweep
of the households whose active residents match a filter; every matching household gets exactly one
check. Households with the app are asked "我平安 / 我需要帮助" and have `answer_minutes` to answer;
the rest — and, when the time is up, those who did not answer — are shared out at once between the
grids' workers and the community's on-duty vetted volunteers by the batch assignment engine
(capacities respected; nobody free leaves a check "unassigned"). The start is one bulk path: a
grouped read, one solve, one multi-row insert of the checks (each carries its assignment) and one
notification per assignee, in one transaction. Answers and findings close checks; "needs help"
raises a safety alert or asks for help."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, exists, func, insert, select, update

from backend.accounts.models import DeviceSession, User
from backend.alerts.services.alerts import raise_alert
from backend.common.i18n import pick
from backend.common.offline import occurred_time
from backend.common.time import local_today, now
from backend.community.models import Building, Community, Household, Term
from backend.community.services import visible_grid_ids
from backend.errors import Conflict, InvalidInput, NotFound
from backend.extensions import db
from backend.help_requests.models import FIXED_CATEGORIES, HelpRequest
from backend.help_requests.services import deadlines
from backend.help_requests.services.timeline import add_event
from backend.matching.services import dispatch
from backend.notifications import timers
from backend.notifications.services.bulk import notify_users
from backend.notifications.services.outbox import notify
from backend.people.models import Resident, resident_tags
from backend.safety import sweep_kinds
from backend.safety.services import sweep_board as board_views
from backend.safety.services.sweep_assignment import (
    VOLUNTEER, WORKER, Assignees, assign_unassigned, eligible_assignees, plan_assignment, tell_assignees,
)
from backend.safety.services.sweep_board import SweepClosed, check_not_found
from backend.safety.sweep_models import NOT_YET_REACHED, REACHED, Sweep, SweepCheck
from backend.volunteers.models import Volunteer

ANSWER_DUE_TIMER = "sweep_answer_due"


class AlreadyReached(Conflict):
    reason = "check_already_reached"
    messages = {"zh-CN": "这一户已经确认过了。", "en": "This household has already been reached."}


def _owner(sweep: Sweep) -> tuple[str, int]:
    return "sweep", sweep.id


def _grids_for(user: User, grid_ids: list[int] | None) -> list[int]:
    """The caller's grids (all of them, or the ones named); another grid's id is 404."""
    visible = visible_grid_ids(user)
    if grid_ids is None:
        grids = sorted(visible)
    else:
        for grid_id in grid_ids:
            if grid_id not in visible:
                raise NotFound("该网格", "Grid")
        grids = sorted(set(grid_ids))
    if not grids:
        raise NotFound("该网格", "Grid")
    return grids


def _tag_ids(community_id: int, codes: list[str]) -> list[int]:
    found = dict(db.session.execute(select(Term.code, Term.id).where(
        Term.community_id == community_id, Term.vocabulary == "risk_tag", Term.code.in_(codes))).all())
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise InvalidInput(field_errors={"tags": [pick({"zh-CN": "没有这些标签：{codes}。", "en": "No such tags: {codes}."},
                                                       codes=", ".join(unknown))]})
    return sorted(found.values())


@dataclass
class MatchedHousehold:
    grid_id: int
    lat: float | None
    lng: float | None
    resident_ids: list
    app_user_ids: list


def matching_households(community: Community, grid_ids: list[int], resident_filter: dict) -> dict[int, MatchedHousehold]:
    """Every household of the grids with an active resident the filter matches (any of the tags;
    at least min_age), with the matched residents and those of them who have the app — an enabled
    account linked to the resident with a device still signed in. One query."""
    has_app = and_(User.is_enabled.is_(True), exists().where(DeviceSession.user_id == Resident.user_id,
                                                            DeviceSession.ended_at.is_(None)))
    statement = (select(Resident.id, Resident.household_id, Resident.user_id, Building.grid_id,
                        func.coalesce(Household.lat, Building.lat), func.coalesce(Household.lng, Building.lng),
                        has_app)
                 .join(Household, Household.id == Resident.household_id)
                 .join(Building, Building.id == Household.building_id)
                 .outerjoin(User, User.id == Resident.user_id)
                 .where(Building.grid_id.in_(grid_ids), Resident.status == "active")
                 .order_by(Resident.household_id, Resident.id))
    if resident_filter.get("tags"):
        tag_ids = _tag_ids(community.id, resident_filter["tags"])
        statement = statement.where(exists().where(resident_tags.c.resident_id == Resident.id,
                                                   resident_tags.c.term_id.in_(tag_ids)))
    if resident_filter.get("min_age") is not None:
        born_by = local_today(community.timezone).year - resident_filter["min_age"]
        statement = statement.where(Resident.birth_year <= born_by)
    households: dict[int, MatchedHousehold] = {}
    for resident_id, household_id, user_id, grid_id, lat, lng, app in db.session.execute(statement):
        found = households.get(household_id)
        if found is None:
            found = households[household_id] = MatchedHousehold(grid_id, lat, lng, [], [])
        found.resident_ids.append(resident_id)
        if user_id is not None and app:
            found.app_user_ids.append(user_id)
    return households


# Starting a sweep ----------------------------------------------------------------------------


def start_sweep(user: User, data: dict) -> board_views.SweepView:
    """Start a sweep: one check per matching household, app users prompted, the rest assigned."""
    community = db.session.get(Community, user.community_id) if user.community_id else None
    if community is None:
        raise NotFound("该网格", "Grid")
    grid_ids = _grids_for(user, data.get("grid_ids"))
    resident_filter = {"tags": sorted(set(data["tags"])), "min_age": data.get("min_age"),
                       "statuses": ["active"]}
    households = matching_households(community, grid_ids, resident_filter)
    moment = now()
    sweep = Sweep(community_id=community.id, name=data["name"], grid_ids=grid_ids, resident_filter=resident_filter,
                  answer_minutes=data["answer_minutes"], status="open", households=len(households),
                  started_by_id=user.id, started_at=moment,
                  answer_due_at=moment + timedelta(minutes=data["answer_minutes"]))
    db.session.add(sweep)
    db.session.flush()
    without_app = [(household_id, found.grid_id, found.lat, found.lng) for household_id, found in households.items()
                   if not found.app_user_ids]
    assignees = eligible_assignees(community, grid_ids) if without_app else Assignees([], {})
    given = plan_assignment(without_app, assignees, (community.centre_lat, community.centre_lng))
    rows = []
    for household_id, found in households.items():
        assignee = given.get(household_id)
        status = "prompted" if found.app_user_ids else ("assigned" if assignee else "unassigned")
        rows.append({"sweep_id": sweep.id, "household_id": household_id, "grid_id": found.grid_id,
                     "resident_ids": found.resident_ids, "status": status,
                     "volunteer_id": assignee[1] if assignee and assignee[0] == VOLUNTEER else None,
                     "worker_id": assignee[1] if assignee and assignee[0] == WORKER else None,
                     "assigned_at": moment if assignee else None, "attempts": 0, "created_at": moment})
    if rows:  # Core, not the ORM's bulk path: one executemany of plain rows
        db.session.execute(insert(SweepCheck.__table__), rows)
    tell_assignees(sweep, given, assignees)
    prompted = sorted({user_id for found in households.values() for user_id in found.app_user_ids})
    if prompted:  # in bulk too: a sweep may ask thousands of residents
        notify_users(sweep_kinds.SWEEP_PROMPT.code, [(user_id, {"sweep_name": sweep.name}, {"sweep_id": sweep.id})
                                                     for user_id in prompted], community_id=community.id)
        timers.schedule(ANSWER_DUE_TIMER, sweep.answer_due_at, _owner(sweep))
    view = board_views.sweep_view(sweep, grid_ids)
    db.session.commit()
    return view


@timers.timer_handler(ANSWER_DUE_TIMER)
def answer_time_up(timer) -> None:
    """The app users' time to answer is up: the households still waiting are assigned."""
    sweep = db.session.get(Sweep, timer.owner_id)
    if sweep is None or sweep.status != "open":
        return
    db.session.execute(update(SweepCheck).where(SweepCheck.sweep_id == sweep.id, SweepCheck.status == "prompted")
                       .values(status="unassigned").execution_options(synchronize_session=False))
    assign_unassigned(sweep)


def reassign(user: User, sweep_id: int) -> board_views.SweepView:
    """Share out the checks nobody could take yet (more volunteers came on duty, capacity freed)."""
    sweep = board_views.visible_sweep(user, sweep_id, whole=True)
    if sweep.status != "open":
        raise SweepClosed()
    assign_unassigned(sweep)
    view = board_views.sweep_view(sweep, list(sweep.grid_ids))
    db.session.commit()
    return view


# Answers and findings ------------------------------------------------------------------------


def _open_sweep_of(check: SweepCheck) -> Sweep:
    sweep = db.session.get(Sweep, check.sweep_id)
    if sweep.status != "open":
        raise SweepClosed()
    return sweep


def _locked_check(check_id: int) -> SweepCheck | None:
    return db.session.scalar(select(SweepCheck).where(SweepCheck.id == check_id).with_for_update())


def _needs_help(check: SweepCheck, sweep: Sweep, resident_id: int, actor: User | None, data: dict) -> None:
    """"Needs help": a safety alert to the grid's workers, or (asked by whoever found it) a help
    request in the community's name, dispatched at once as urgent."""
    if data.get("follow_up") == "help_request":
        resident = db.session.get(Resident, resident_id)
        household = resident.household
        moment = now()
        request = HelpRequest(community_id=sweep.community_id, resident_id=resident.id, household_id=household.id,
                              grid_id=check.grid_id, created_by_id=actor.id if actor else None, on_behalf="worker",
                              category=data.get("category") or "other", description=data.get("note") or None,
                              asap=True, urgency="urgent", lat=household.lat if household.lat is not None
                              else household.building.lat,
                              lng=household.lng if household.lat is not None else household.building.lng,
                              status="open", created_at=moment, updated_at=moment)
        request.resident = resident
        db.session.add(request)
        add_event(request, "created", None, actor=actor, occurred_at=moment,
                  data={"resident_id": resident.id, "sweep_id": sweep.id})
        db.session.flush()
        dispatch.stage_dispatch(request, moment)
        deadlines.stage_seeking(request, moment)
        check.help_request_id = request.id
        return
    alert = raise_alert(sweep_kinds.SWEEP_NEEDS_HELP.code, resident_id=resident_id,
                        data={"sweep_id": sweep.id, "sweep_check_id": check.id})
    check.alert_id = alert.id if alert is not None else None


def _reach(check: SweepCheck, sweep: Sweep, outcome: str, *, at, via: str, actor: User, resident_id: int,
           note: str | None, data: dict) -> None:
    """Record a finding: safe closes the check; needs help also raises the alarm (once)."""
    if check.status == "needs_help" or (check.status == "safe" and outcome == "safe"):
        raise AlreadyReached()
    check.status, check.reached_at, check.received_at = outcome, at, now()
    check.reached_via, check.reached_by_id, check.resident_id = via, actor.id, resident_id
    if note:
        check.note = note
    if outcome == "needs_help":
        _needs_help(check, sweep, resident_id, actor, data)


def _tell_assignee_answered(check: SweepCheck, resident: Resident) -> None:
    """The household answered in the app: whoever had it need not call (it leaves their list)."""
    if check.worker_id is not None:
        user_id = check.worker_id
    elif check.volunteer_id is not None:
        user_id = db.session.scalar(select(Volunteer.user_id).where(Volunteer.id == check.volunteer_id))
    else:
        return
    notify(sweep_kinds.SWEEP_CHECK_ANSWERED.code, user=db.session.get(User, user_id),
           params={"address_as": resident.address_as}, data={"sweep_id": check.sweep_id, "sweep_check_id": check.id})


def answer(user: User, check_id: int, data: dict) -> board_views.MyCheckView:
    """The resident's own answer in the app: 我平安 closes the check; 我需要帮助 raises the alarm.
    A second 我平安 changes nothing; 我需要帮助 after 我平安 still counts (things change)."""
    resident = db.session.scalar(select(Resident).where(Resident.user_id == user.id))
    check = _locked_check(check_id)
    if resident is None or check is None or resident.household_id != check.household_id \
            or resident.id not in check.resident_ids:
        raise check_not_found()
    sweep = _open_sweep_of(check)
    moment = occurred_time(data.get("occurred_at"), not_before=sweep.started_at)
    if check.status == "safe" and data["answer"] == "safe":
        return board_views.my_check_view(check, sweep)
    if check.status in REACHED and not (check.status == "safe" and data["answer"] == "needs_help"):
        raise AlreadyReached()
    _reach(check, sweep, data["answer"], at=moment, via="app", actor=user, resident_id=resident.id, note=None,
           data={})
    if data["answer"] == "safe":  # 我需要帮助 goes to the grid's workers as an alert instead
        _tell_assignee_answered(check, resident)
    view = board_views.my_check_view(check, sweep)
    db.session.commit()
    return view


def _categories(community_id: int) -> set[str]:
    """What help may be asked for: the community's skills and the fixed categories."""
    return set(FIXED_CATEGORIES) | set(db.session.scalars(select(Term.code).where(
        Term.community_id == community_id, Term.vocabulary == "skill")))


def record_outcome(user: User, sweep_id: int, check_id: int, data: dict) -> board_views.CheckView:
    """The assignee's (or the grid's staff's) finding: reached and safe, needs help, or not reached
    (tried, by phone or in person — the check stays theirs and counts the try)."""
    check = _locked_check(check_id)
    if check is None or check.sweep_id != sweep_id:
        raise check_not_found()
    staff = user.is_staff and check.grid_id in visible_grid_ids(user)
    volunteer_id = db.session.scalar(select(Volunteer.id).where(Volunteer.user_id == user.id))
    mine = (check.worker_id is not None and check.worker_id == user.id) or \
           (volunteer_id is not None and check.volunteer_id == volunteer_id)
    if not (staff or mine):
        raise check_not_found()
    sweep = _open_sweep_of(check)
    resident_id = data.get("resident_id") or check.resident_ids[0]
    if resident_id not in check.resident_ids:
        raise InvalidInput(field_errors={"resident_id": [pick({"zh-CN": "这位居民不在这一户的排查里。",
                                                               "en": "This resident is not part of this household's check."})]})
    if data.get("follow_up") == "help_request" and not staff:
        raise InvalidInput(field_errors={"follow_up": [pick({
            "zh-CN": "志愿者发现需要帮助时，社区会收到提醒并安排求助。",
            "en": "When a volunteer finds help is needed, the community is alerted and arranges it."})]})
    if data.get("category") is not None and data["category"] not in _categories(sweep.community_id):
        raise InvalidInput(field_errors={"category": [pick({"zh-CN": "没有这种求助类别。",
                                                            "en": "There is no such category."})]})
    moment = occurred_time(data.get("occurred_at"), not_before=sweep.started_at)
    outcome = data["outcome"]
    if outcome == "not_reached":
        if check.status not in NOT_YET_REACHED:
            raise AlreadyReached()
        check.attempts += 1
        check.last_attempt_at = moment
        if data.get("note"):
            check.note = data["note"]
    else:
        _reach(check, sweep, outcome, at=moment, via=data["via"], actor=user, resident_id=resident_id,
               note=data.get("note"), data=data)
    view = board_views.check_view(check)
    db.session.commit()
    return view

