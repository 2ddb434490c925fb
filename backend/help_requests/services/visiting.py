"""The visit itself: the volunteer checks in and out (also offline, with occurred_at), and the
resident's side confirms and rates it; a poor rating asks the grid's workers to call back."""
import math
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from backend.accounts.models import User
from backend.common.offline import occurred_time
from backend.common.time import now
from backend.community.models import GridWorker
from backend.errors import InvalidInput
from backend.extensions import db
from backend.help_requests import kinds
from backend.help_requests.models import CallbackTask, HelpRequest
from backend.help_requests.services import deadlines
from backend.help_requests.services.access import (
    RequestView, assigned_volunteer, load_request, requester_access, view_for,
)
from backend.help_requests.services.timeline import locked_request, move
from backend.notifications.services.outbox import notify
from backend.timebank.services import earning as timebank

DEFAULT_FAR_METRES = 500
DEFAULT_HOURS_CAP = 4.0
CALLBACK_RATING = 2  # this rating or less asks for a call-back (回访)
EARTH_RADIUS_M = 6_371_000
CONFIRMED_BY = {"self": "resident", "proxy": "proxy", "staff": "worker"}  # an Access kind → the time bank's word


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle (haversine) distance in metres between two WGS-84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def hours_cap(category: str) -> float:
    """The most hours one visit of `category` counts: HELP_REQUEST_HOURS_CAPS {category: hours},
    else HELP_REQUEST_HOURS_CAP (4 by default)."""
    caps = current_app.config.get("HELP_REQUEST_HOURS_CAPS") or {}
    return float(caps.get(category, current_app.config.get("HELP_REQUEST_HOURS_CAP", DEFAULT_HOURS_CAP)))


def visit_hours(checked_in_at: datetime, checked_out_at: datetime, category: str) -> float:
    return round(min((checked_out_at - checked_in_at) / timedelta(hours=1), hours_cap(category)), 2)


def _is_far(request: HelpRequest, lat: float | None, lng: float | None) -> bool:
    if lat is None or request.lat is None or request.lng is None:
        return False
    limit = current_app.config.get("HELP_REQUEST_CHECK_IN_FAR_METRES", DEFAULT_FAR_METRES)
    return distance_m(request.lat, request.lng, lat, lng) > limit


def _load(request_id: int) -> HelpRequest:
    request = load_request(request_id)
    return request


def check_in(user: User, request_id: int, data: dict) -> RequestView:
    """The assigned volunteer arrives. `occurred_at` (offline) counts if plausible; a position far
    from the request's location is flagged, not refused."""
    assigned_volunteer(user, _load(request_id))
    request = locked_request(request_id)
    volunteer = assigned_volunteer(user, request)  # still theirs now that the row is locked
    moment = now()
    occurred = occurred_time(data.get("occurred_at"), not_before=request.accepted_at).astimezone(UTC)
    lat, lng = data.get("lat"), data.get("lng")
    far = _is_far(request, lat, lng)
    move(request, "checked_in", actor=user, occurred_at=occurred, volunteer_id=volunteer.id,
         data={"volunteer_id": volunteer.id}, checked_in_at=occurred, check_in_received_at=moment,
         check_in_lat=lat, check_in_lng=lng, check_in_far=far)
    deadlines.stage_released(request)  # there already: no more reminders
    view = view_for(user, request, moment)
    db.session.commit()
    return view


def check_out(user: User, request_id: int, data: dict) -> RequestView:
    """The assigned volunteer leaves: hours = check-out − check-in (both as they happened), capped."""
    assigned_volunteer(user, _load(request_id))
    request = locked_request(request_id)
    volunteer = assigned_volunteer(user, request)  # still theirs now that the row is locked
    moment = now()
    occurred = occurred_time(data.get("occurred_at"), not_before=request.checked_in_at).astimezone(UTC)
    hours = visit_hours(request.checked_in_at, occurred, request.category) if request.checked_in_at else None
    move(request, "checked_out", actor=user, occurred_at=occurred, volunteer_id=volunteer.id,
         data={"volunteer_id": volunteer.id}, checked_out_at=occurred, check_out_received_at=moment,
         check_out_lat=data.get("lat"), check_out_lng=data.get("lng"), hours=hours)
    deadlines.stage_completed(request, moment)
    view = view_for(user, request, moment)
    db.session.commit()
    return view


def _grid_workers(grid_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(GridWorker, GridWorker.user_id == User.id)
        .where(GridWorker.grid_id == grid_id, User.is_enabled.is_(True))
        .order_by(GridWorker.is_primary.desc(), User.id)))


class WorkerNoteRequired(InvalidInput):
    """A worker confirms for the resident after calling them: what the resident said is the note
    the time bank keeps with the verified hours (issue 6)."""

    reason = "note_required"
    messages = {"zh-CN": "替居民确认时，请写下电话里居民对这次帮助怎么说。",
                "en": "When you confirm for the resident, write down what they said about this help on the phone."}


def confirm(user: User, request_id: int, rating: int, comment: str | None) -> RequestView:
    """The resident, a proxy with request_help or a worker confirms the visit with a rating 1–5;
    2 or less opens a call-back task for the grid and tells its workers. The visit's hours go to
    the volunteer's time bank as verified hours in the same transaction (a worker's confirmation
    names the worker, with their comment as the note; docs/timebank.md)."""
    access = requester_access(user, _load(request_id), "request_help")
    if access.kind == "staff" and not (comment or "").strip():
        raise WorkerNoteRequired(field_errors={"comment": [WorkerNoteRequired().message]})
    request = locked_request(request_id)
    moment = now()
    move(request, "confirmed", actor=user, occurred_at=moment, data={},
         rating=rating, comment=comment or None, confirmed_by_id=user.id, confirmed_at=moment)
    timebank.credit_confirmed_task(request, user, CONFIRMED_BY[access.kind], comment)
    deadlines.stage_confirmed(request, user)
    if rating <= CALLBACK_RATING:
        task = CallbackTask(help_request_id=request.id, grid_id=request.grid_id, status="open", created_at=moment)
        db.session.add(task)
        db.session.flush()
        subject = f"{request.resident.address_as} · {request.resident.household.building.label}"
        for worker in _grid_workers(request.grid_id):
            notify(kinds.CALLBACK_NEEDED.code, user=worker, params={"subject": subject, "rating": rating},
                   data={"help_request_id": request.id, "callback_task_id": task.id},
                   community_id=request.community_id)
    view = view_for(user, request, moment)
    db.session.commit()
    return view
