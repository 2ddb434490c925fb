"""Who comes: assigning a volunteer (a worker now, an accepted offer later), reassigning, the
volunteer withdrawing, a no-show, and the system's own transitions (offered, escalated, expired).

First accept wins atomically: ONE conditional UPDATE … WHERE status IN (open, offered, escalated)
and its row count, never read-then-write (docs/help_requests.md)."""
from sqlalchemy import func, select, update

from backend.accounts.models import User
from backend.common.i18n import pick
from backend.common.time import now
from backend.errors import Conflict, InvalidInput
from backend.extensions import db
from backend.help_requests.models import SEEKING, HelpRequest, HelpRequestEvent
from backend.help_requests.services.access import (
    RequestView, assigned_volunteer, load_request, request_not_found, requester_access, require_grid_staff,
    view_for,
)
from backend.help_requests.services import deadlines
from backend.help_requests.services.machine import InvalidTransition, next_status
from backend.help_requests.services.timeline import add_event, fresh_request, locked_request, move
from backend.matching.services import dispatch as matching  # a module: matching imports this one back
from backend.volunteers.models import Volunteer

TAKEN = ("accepted", "in_progress", "completed", "confirmed")
ASSIGN_ATTEMPTS = 3  # a wave or an escalation may move the request between seeking statuses meanwhile
RELIABILITY_EVENTS = ("withdrawn", "no_show")


class TaskAlreadyTaken(Conflict):
    reason = "task_already_taken"
    messages = {"zh-CN": "已被其他志愿者接单。", "en": "Another volunteer has already taken this task."}


class VolunteerNotActive(Conflict):
    reason = "volunteer_not_active"
    messages = {"zh-CN": "这位志愿者目前不能接受任务（待审核或已暂停）。",
                "en": "This volunteer cannot take tasks now (pending vetting or suspended)."}


def _load(request_id: int) -> HelpRequest:
    request = load_request(request_id)
    return request


def _volunteer_for(request: HelpRequest, volunteer_id: int) -> Volunteer:
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.community_id != request.community_id:
        raise InvalidInput(field_errors={"volunteer_id": [pick({
            "zh-CN": "不是本社区的志愿者。", "en": "Not a volunteer of this community."})]})
    if volunteer.status != "active":
        raise VolunteerNotActive()
    return volunteer


def stage_assignment(request_id: int, volunteer_id: int, actor: User | None, via: str) -> tuple[HelpRequest, bool]:
    """Give the request to a volunteer in the caller's transaction (no commit): (request, changed).

    `via` is "offer" (the volunteer accepted) or "worker" (a worker assigned them). The same
    volunteer again is a no-op (changed False); anyone else once it is taken: TaskAlreadyTaken;
    a request that ended: InvalidTransition."""
    if via not in ("offer", "worker"):
        raise ValueError(f"an assignment is via an offer or a worker, not {via!r}")
    request = _load(request_id)
    event = "accepted" if via == "offer" else "assigned"
    volunteer = _volunteer_for(request, volunteer_id)
    for _ in range(ASSIGN_ATTEMPTS):
        seen = request.status
        if seen in SEEKING:
            moment = now()
            changed = db.session.execute(
                update(HelpRequest)
                .where(HelpRequest.id == request_id, HelpRequest.status == seen)
                .values(status="accepted", volunteer_id=volunteer.id, provider_id=None, accepted_at=moment,
                        updated_at=moment)
                .execution_options(synchronize_session=False)).rowcount
            request = fresh_request(request_id)
            if changed == 1:
                add_event(request, event, seen, actor=actor, occurred_at=moment, volunteer_id=volunteer.id,
                          data={"volunteer_id": volunteer.id})
                db.session.flush()
                deadlines.stage_taken(request, moment)
                return request, True
            continue  # someone moved it first: see where it is now
        if seen in TAKEN:
            if request.volunteer_id == volunteer.id:
                return request, False
            raise TaskAlreadyTaken()
        raise InvalidTransition(seen)
    raise TaskAlreadyTaken()


def assign_volunteer(request_id: int, volunteer_id: int, actor: User | None, via: str) -> HelpRequest:
    """stage_assignment() as a use case of its own: one commit."""
    request, _ = stage_assignment(request_id, volunteer_id, actor, via)
    db.session.commit()
    return request


def assign(user: User, request_id: int, volunteer_id: int) -> RequestView:
    """A worker of the request's grid gives it to an active volunteer of the community."""
    require_grid_staff(user, _load(request_id))
    request, changed = stage_assignment(request_id, volunteer_id, user, "worker")
    matching.stage_close_offers(request.id, "withdrawn")  # the offers still out are moot now
    if changed:
        deadlines.tell_assigned(request, db.session.get(Volunteer, volunteer_id))
    view = view_for(user, request, now())
    db.session.commit()
    return view


def reassign(user: User, request_id: int, volunteer_id: int, reason: str | None) -> RequestView:
    """A worker takes an accepted request from its volunteer and gives it to another: two steps
    on the timeline (reassigned → open, assigned → accepted) in one conditional update."""
    request = _load(request_id)
    require_grid_staff(user, request)
    if request.status != "accepted":
        raise InvalidTransition(request.status)
    previous = request.volunteer_id
    if previous == volunteer_id:
        view = view_for(user, request, now())
        db.session.commit()
        return view
    volunteer = _volunteer_for(request, volunteer_id)
    moment = now()
    changed = db.session.execute(
        update(HelpRequest)
        .where(HelpRequest.id == request_id, HelpRequest.status == "accepted", HelpRequest.volunteer_id == previous)
        .values(volunteer_id=volunteer.id, provider_id=None, accepted_at=moment, updated_at=moment)
        .execution_options(synchronize_session=False)).rowcount
    request = fresh_request(request_id)
    if changed != 1:
        if request.status == "accepted":
            raise TaskAlreadyTaken()
        raise InvalidTransition(request.status)
    add_event(request, "reassigned", "accepted", actor=user, occurred_at=moment, reason=reason,
              volunteer_id=previous, data={"volunteer_id": previous})
    add_event(request, "assigned", next_status("accepted", "reassigned"), actor=user, occurred_at=moment,
              volunteer_id=volunteer.id, data={"volunteer_id": volunteer.id})
    db.session.flush()
    deadlines.stage_taken(request, moment)  # the new volunteer's reminders, not the previous one's
    deadlines.tell_assigned(request, volunteer, previous_id=previous)
    view = view_for(user, request, moment)
    db.session.commit()
    return view


def withdraw(user: User, request_id: int, reason: str) -> RequestView:
    """The assigned volunteer cannot come after all: the request is open again (to be dispatched
    without them) and the withdrawal counts against their reliability."""
    assigned_volunteer(user, _load(request_id))
    request = locked_request(request_id)
    volunteer = assigned_volunteer(user, request)  # still theirs now that the row is locked
    moment = now()
    move(request, "withdrawn", actor=user, occurred_at=moment, reason=reason, volunteer_id=volunteer.id,
         data={"volunteer_id": volunteer.id})
    request.volunteer_id, request.accepted_at = None, None
    matching.stage_dispatch(request, moment)  # asked again, without them
    deadlines.stage_released(request)
    deadlines.stage_seeking(request, moment)
    view = view_for(user, request, moment)
    db.session.commit()
    return view


def report_no_show(user: User, request_id: int, reason: str | None) -> RequestView:
    """The resident, a proxy or a worker says nobody came: open again, counted against the volunteer."""
    requester_access(user, _load(request_id), "request_help")
    request = locked_request(request_id)
    previous, provider_id = request.volunteer_id, request.provider_id
    moment = now()
    data = ({"volunteer_id": previous} if previous else {}) | ({"provider_id": provider_id} if provider_id else {})
    move(request, "no_show", actor=user, occurred_at=moment, reason=reason, volunteer_id=previous, data=data)
    request.volunteer_id, request.provider_id, request.accepted_at = None, None, None
    matching.stage_dispatch(request, moment)  # asked again, without the one who did not come
    deadlines.stage_released(request)
    deadlines.stage_seeking(request, moment)
    view = view_for(user, request, moment)
    db.session.commit()
    return view


def stage_transition(request_id: int, event: str, *, actor: User | None = None, reason: str | None = None,
                     data: dict | None = None) -> HelpRequest:
    """A transition the system makes (offered, escalated, expired), staged in the caller's
    transaction for the matching slice and the timers (no commit)."""
    if event not in ("offered", "escalated", "expired"):
        raise ValueError(f"{event!r} is not a system transition")
    request = locked_request(request_id)
    if request is None:
        raise request_not_found()
    move(request, event, actor=actor, reason=reason, data=data)
    if event == "expired":
        matching.stage_close_offers(request.id)
        deadlines.stage_ended(request)
    return request


def reliability_counts(volunteer_id: int) -> dict[str, int]:
    """How often a volunteer withdrew and was reported as not coming ({"withdrawn": n, "no_show": m})."""
    rows = db.session.execute(
        select(HelpRequestEvent.event, func.count()).where(
            HelpRequestEvent.volunteer_id == volunteer_id, HelpRequestEvent.event.in_(RELIABILITY_EVENTS))
        .group_by(HelpRequestEvent.event)).all()
    counts = dict.fromkeys(RELIABILITY_EVENTS, 0)
    counts.update({event: count for event, count in rows})
    return counts
