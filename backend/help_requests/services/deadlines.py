"""The clock's part in a help request, as timers staged in each use case's transaction
(backend/notifications/timers.py; the worker fires them):

- expiry: a request nobody has when its window ends (an as-soon-as-possible one: 24 h after it was
  asked or opened again) becomes `expired`;
- a completion nobody confirms within 72 h of the check-out goes to the grid's workers as an alert
  (they confirm it through /confirm);
- reminders before a scheduled task: its volunteer the day before and an hour before, the resident
  (and their proxies) the day before, with who is coming.

And the notices a step sends at once: who is coming (an accepted offer, a worker's assignment),
the volunteer a worker gave the request to or took it from, the volunteer whose request was
cancelled.

Nothing here commits; the use cases and the worker do."""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from backend.accounts.models import User
from backend.alerts.models import ENDED_STATUSES, Alert
from backend.alerts.services.alerts import raise_alert
from backend.alerts.services.escalation import stop_escalation
from backend.alerts.services.timeline import add_step
from backend.common.time import now
from backend.extensions import db
from backend.help_requests import kinds
from backend.help_requests.models import SEEKING, HelpRequest
from backend.help_requests.services.access import requester_side
from backend.help_requests.services.timeline import locked_request, move
from backend.matching import kinds as matching_kinds
from backend.matching.services import dispatch as matching  # a module: matching imports help_requests back
from backend.notifications import timers
from backend.notifications.services.outbox import notify
from backend.volunteers.models import Volunteer

EXPIRY_TIMER = "help_request_expiry"
UNCONFIRMED_TIMER = "help_request_unconfirmed"
REMINDER_TIMER = "help_request_reminder"
DEFAULT_ASAP_HOURS = 24
DEFAULT_CONFIRM_HOURS = 72
# (who, lead, how long before the window starts)
REMINDERS = (("volunteer", "day", timedelta(hours=24)), ("volunteer", "hour", timedelta(hours=1)),
             ("resident", "day", timedelta(hours=24)))
LEADS = {"day": ("明天", "Tomorrow"), "hour": ("一小时后", "In an hour")}


def owner(request_id: int) -> tuple[str, int]:
    """A request's own timers, apart from matching's wave timer (owned by "help_request")."""
    return ("help_request_deadline", request_id)


def expires_at(request: HelpRequest, moment: datetime) -> datetime:
    """When a request nobody has expires: its window's end, or HELP_REQUEST_ASAP_EXPIRY_HOURS (24)
    after `moment` (asked, or open again) for an as-soon-as-possible one."""
    if request.asap or request.window_end is None:
        hours = current_app.config.get("HELP_REQUEST_ASAP_EXPIRY_HOURS", DEFAULT_ASAP_HOURS)
        return moment + timedelta(hours=hours)
    return request.window_end


def stage_seeking(request: HelpRequest, moment: datetime) -> None:
    """The request is new or open again: it expires at its window's end (at once, on the worker's
    next round, when that has passed meanwhile)."""
    timers.cancel(owner(request.id), EXPIRY_TIMER)
    timers.schedule(EXPIRY_TIMER, max(expires_at(request, moment), moment), owner(request.id))


def stage_taken(request: HelpRequest, moment: datetime) -> None:
    """A volunteer has it (accepted, assigned, reassigned): no expiry; the reminders of the
    volunteer who has it now, those of any earlier one cancelled."""
    timers.cancel(owner(request.id), EXPIRY_TIMER)
    timers.cancel(owner(request.id), REMINDER_TIMER)
    if request.asap or request.window_start is None or request.volunteer_id is None:
        return
    for audience, lead, before in REMINDERS:
        due = request.window_start - before
        if due > moment:  # accepted later than that: this reminder is skipped, not sent late
            timers.schedule(REMINDER_TIMER, due, owner(request.id),
                            {"audience": audience, "lead": lead, "volunteer_id": request.volunteer_id})


def stage_released(request: HelpRequest) -> None:
    """The volunteer will not come (withdrawn, no-show) or is there already (checked in)."""
    timers.cancel(owner(request.id), REMINDER_TIMER)


def stage_ended(request: HelpRequest) -> None:
    """Cancelled: none of its timers is wanted any more."""
    for handler in (EXPIRY_TIMER, REMINDER_TIMER, UNCONFIRMED_TIMER):
        timers.cancel(owner(request.id), handler)


def stage_completed(request: HelpRequest, moment: datetime) -> None:
    """Checked out: unless the resident's side confirms it within 72 h, the grid's workers are asked to."""
    hours = current_app.config.get("HELP_REQUEST_CONFIRM_HOURS", DEFAULT_CONFIRM_HOURS)
    due = max((request.checked_out_at or moment) + timedelta(hours=hours), moment)
    timers.schedule(UNCONFIRMED_TIMER, due, owner(request.id))


def _close_alerts(request: HelpRequest, kind: str, reason: str, actor: User | None) -> None:
    """Open alerts of `kind` about this request are closed (they stop escalating), saying why."""
    alerts = db.session.scalars(select(Alert).where(
        Alert.kind == kind, Alert.resident_id == request.resident_id, Alert.status.not_in(ENDED_STATUSES)))
    for alert in alerts:
        if alert.data.get("help_request_id") == request.id:
            stop_escalation(alert)
            alert.status, alert.next_escalation_at = "closed", None
            add_step(alert, "closed", actor=actor, reason=reason, at=now())


def stage_confirmed(request: HelpRequest, actor: User) -> None:
    """Confirmed: no alert any more, and one already raised about it is closed (it stops escalating)."""
    timers.cancel(owner(request.id), UNCONFIRMED_TIMER)
    _close_alerts(request, kinds.UNCONFIRMED.code, "help_request_confirmed", actor)


def stage_cancelled(request: HelpRequest, actor: User | None) -> None:
    """Cancelled: its timers end, and an alert that nobody could be found for it is closed — there
    is nothing left to arrange (an expired request's alert stays: nobody helped)."""
    stage_ended(request)
    _close_alerts(request, matching_kinds.UNMATCHED.code, "help_request_cancelled", actor)


@timers.timer_handler(EXPIRY_TIMER)
def expiry_due(timer) -> None:
    """The window passed (or a day went by for an as-soon-as-possible request) with nobody on it."""
    request = locked_request(timer.owner_id)  # an accept at the same moment waits, or is waited for
    if request is None or request.status not in SEEKING:
        return
    reason = "nobody_took_it" if request.asap or request.window_end is None else "window_passed"
    move(request, "expired", actor=None, reason=reason, data={})
    matching.stage_close_offers(request.id)


@timers.timer_handler(UNCONFIRMED_TIMER)
def unconfirmed_due(timer) -> None:
    """72 h after the check-out and still unconfirmed: an alert to the grid's workers (ids only)."""
    request = locked_request(timer.owner_id)
    if request is None or request.status != "completed":
        return
    raise_alert(kinds.UNCONFIRMED.code, resident_id=request.resident_id, data={"help_request_id": request.id})


@timers.timer_handler(REMINDER_TIMER)
def reminder_due(timer) -> None:
    """A day (or an hour) before a scheduled task, if it is still the same volunteer's."""
    request = db.session.get(HelpRequest, timer.owner_id)
    volunteer_id = timer.payload.get("volunteer_id")
    if request is None or request.status != "accepted" or request.volunteer_id != volunteer_id:
        return
    volunteer = db.session.get(Volunteer, volunteer_id)
    params = matching.lock_screen_params(request)
    data = {"help_request_id": request.id}
    if timer.payload.get("audience") == "volunteer":
        lead, lead_en = LEADS[timer.payload.get("lead", "day")]
        if volunteer.user.is_enabled:
            notify(kinds.VOLUNTEER_REMINDER.code, user=volunteer.user, params={"lead": lead, "lead_en": lead_en, **params},
                   data=data, community_id=request.community_id)
        return
    params["volunteer_name"] = volunteer.user.display_name  # as the requester side sees them in the app
    for person in requester_side(request):
        notify(kinds.RESIDENT_REMINDER.code, user=person, params=params, data=data, community_id=request.community_id)


def tell_coming(request: HelpRequest, volunteer: Volunteer) -> None:
    """Who is coming, to the resident and the proxies who follow the request (the name in the app;
    the lock screen shows the category and the time only): on an accepted offer and on a worker's
    assignment alike."""
    params = {"volunteer_name": volunteer.user.display_name, **matching.lock_screen_params(request)}
    for person in requester_side(request):
        notify(matching_kinds.VOLUNTEER_COMING.code, user=person, params=params,
               data={"help_request_id": request.id}, community_id=request.community_id)


def tell_assigned(request: HelpRequest, volunteer: Volunteer, previous_id: int | None = None) -> None:
    """A worker gave the request to `volunteer` (taking it from `previous_id`, on a reassignment):
    the volunteer learns they have a task, the previous one that they need not go, and the
    resident's side who is coming."""
    data, params = {"help_request_id": request.id}, matching.lock_screen_params(request)
    if volunteer.user.is_enabled:
        notify(kinds.ASSIGNED_TO_VOLUNTEER.code, user=volunteer.user, params=params, data=data,
               community_id=request.community_id)
    previous = db.session.get(Volunteer, previous_id) if previous_id is not None else None
    if previous is not None and previous.user.is_enabled:
        notify(kinds.REASSIGNED_AWAY.code, user=previous.user, params=params, data=data,
               community_id=request.community_id)
    tell_coming(request, volunteer)


def tell_provider_cancelled(request: HelpRequest, provider_id: int) -> None:
    """The provider that took the request need not deliver: its staff hear it (category and time only)."""
    from backend.providers.routing import staff_users  # providers' dispatch side imports help_requests

    for user in staff_users(provider_id):
        notify(kinds.CANCELLED_FOR_VOLUNTEER.code, user=user, params=matching.lock_screen_params(request),
               data={"help_request_id": request.id}, community_id=request.community_id)


def tell_volunteer_cancelled(request: HelpRequest, volunteer_id: int) -> None:
    """The volunteer who had the request need not come: category and time only."""
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is not None and volunteer.user.is_enabled:
        notify(kinds.CANCELLED_FOR_VOLUNTEER.code, user=volunteer.user, params=matching.lock_screen_params(request),
               data={"help_request_id": request.id}, community_id=request.community_id)
