"""SOS (紧急求助, docs/safety.md): the resident (or a proxy with request_help) presses it after the
app's countdown, and in that one transaction the grid's workers get a safety alert, the family
(proxies with receive_alerts; emergency contacts by SMS) is told, and an SOS help request goes to
the nearest on-duty vetted volunteers in big, quick waves. Repeated presses join the open event.
"我没事了，误按了" tells everyone told; a worker closes the event with a note."""
import math
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import case, select

from backend.accounts.models import User
from backend.alerts.models import ENDED_STATUSES, Alert
from backend.alerts.services.alerts import raise_alert
from backend.alerts.services.escalation import cancel_escalation_timers, stop_escalation
from backend.alerts.services.timeline import add_step, locked_alert, told_ids
from backend.algorithms.geo import haversine_km
from backend.common.offline import occurred_time
from backend.common.pagination import Page, paginate
from backend.common.time import now
from backend.community.services import require_staff, visible_grid_ids
from backend.errors import Conflict, NotFound
from backend.extensions import db
from backend.help_requests.models import SOS_CATEGORY, HelpRequest
from backend.help_requests.services import deadlines
from backend.help_requests.services.timeline import add_event, locked_request, move
from backend.matching.models import Offer
from backend.matching.services import dispatch
from backend.notifications.services.outbox import Contact, notify
from backend.people.models import Resident
from backend.people.services.access import community_of, grid_id_of, proxies_holding, resident_access
from backend.people.services.me import grid_worker_phone
from backend.safety import kinds
from backend.safety.models import SosEvent, SosStep
from backend.volunteers.models import Volunteer

SEEKING = ("open", "offered", "escalated")
ENDABLE = (*SEEKING, "accepted")  # a cancelled SOS's request ends from any of these
# Who may read an SOS: the resident, their grid's staff, proxies who follow the resident.
READ_SCOPES = ("request_help", "receive_alerts", "view_status")


class SosNotFound(NotFound):
    reason = "sos_not_found"
    messages = {"zh-CN": "没有正在进行的紧急求助。", "en": "There is no SOS going on."}


class SosClosed(Conflict):
    reason = "sos_closed"
    messages = {"zh-CN": "这次紧急求助已经结束了。", "en": "This SOS has been closed."}


# -- the resident's side ---------------------------------------------------------------------------

def press(user: User, resident_id: int, data: dict) -> "SosView":
    """The countdown ran out: a new SOS — alert, family, volunteers — or, while one is open, a
    repeated press that joins it (a timeline step; nobody is told twice, nothing is refused)."""
    access = resident_access(user, resident_id, staff=False, own=True, scopes=("request_help",))
    # The resident's row locked: a resident and a proxy pressing at once make one event.
    resident = db.session.scalar(select(Resident).where(Resident.id == access.resident.id).with_for_update()
                                 .execution_options(populate_existing=True))
    moment = occurred_time(data.get("occurred_at"))
    event = db.session.scalar(select(SosEvent).where(SosEvent.resident_id == resident.id, SosEvent.status == "open"))
    if event is not None:
        event.presses += 1
        event.steps.append(SosStep(action="joined", at=moment, recorded_at=now(), actor_id=user.id))
    else:
        event = _start(user, resident, moment)
    db.session.flush()
    view = view_of(event, user)
    db.session.commit()
    return view


def _start(user: User, resident: Resident, moment: datetime) -> SosEvent:
    received = now()
    event = SosEvent(community_id=community_of(resident).id, resident_id=resident.id, grid_id=grid_id_of(resident),
                     status="open", pressed_by_id=user.id, occurred_at=moment, received_at=received, presses=1,
                     created_at=received)
    event.steps.append(SosStep(action="pressed", at=moment, recorded_at=received, actor_id=user.id))
    db.session.add(event)
    db.session.flush()
    data = {"sos_event_id": event.id}
    alert = raise_alert(kinds.SOS.code, resident_id=resident.id, data=data, actor=user)
    proxies, contacts = _family(resident)
    params = {"address_as": resident.address_as}
    family_data = {**data, "resident_id": resident.id}
    for proxy in proxies:
        notify(kinds.SOS_FAMILY.code, user=proxy, params=params, data=family_data)
    for contact in contacts:
        notify(kinds.SOS_FAMILY.code, contact=contact, params=params, data=family_data,
               community_id=event.community_id)
    event.alert_id = alert.id if alert is not None else None
    event.told = {"grid_workers": len(told_ids(alert)) if alert is not None else 0, "family": len(proxies),
                  "emergency_contacts": len(contacts)}
    if resident.status == "active":  # away or in hospital: not at home, so no neighbour is sent there
        event.help_request_id = _ask_volunteers(user, resident, received).id
    return event


def _family(resident: Resident) -> tuple[list[User], list[Contact]]:
    proxies = proxies_holding(resident.id, "receive_alerts")
    contacts = [Contact(name=c.name, phone=c.phone, language=c.language) for c in resident.emergency_contacts]
    return proxies, contacts


def _ask_volunteers(user: User, resident: Resident, moment: datetime) -> HelpRequest:
    """The SOS's help request: its first wave goes out now, in this transaction (SOS_WAVE_*), and the
    core loop's accept, timeline and "who is coming" do the rest."""
    household = resident.household
    lat = household.lat if household.lat is not None else household.building.lat
    lng = household.lng if household.lat is not None else household.building.lng
    request = HelpRequest(community_id=community_of(resident).id, resident_id=resident.id, household_id=household.id,
                          grid_id=household.building.grid_id, created_by_id=user.id,
                          on_behalf="resident" if resident.user_id == user.id else "proxy", category=SOS_CATEGORY,
                          description=None, asap=True, urgency="urgent", lat=lat, lng=lng, status="open",
                          created_at=moment, updated_at=moment)
    request.resident = resident
    db.session.add(request)
    add_event(request, "created", None, actor=user, occurred_at=moment, data={"resident_id": resident.id})
    db.session.flush()
    dispatch.stage_dispatch(request, moment)
    deadlines.stage_seeking(request, moment)
    return request


def cancel(user: User, event_id: int, data: dict) -> "SosView":
    """我没事了，误按了: everyone told hears it — the grid's workers and whoever the alert reached,
    the family, the volunteers offered it or on their way — and the volunteers' request ends. The
    event stays for a worker to close with a note; its alert stays until someone takes it."""
    event = _event(event_id)
    resident_access(user, event.resident_id, staff=False, own=True, scopes=("request_help",))
    if event.status == "closed":
        raise SosClosed()
    if event.status == "cancelled":  # said twice: nothing more to tell
        return _answer(event, user)
    moment = occurred_time(data.get("occurred_at"), not_before=event.occurred_at)
    resident = db.session.get(Resident, event.resident_id)
    event.status, event.cancelled_at, event.cancelled_by_id = "cancelled", moment, user.id
    event.steps.append(SosStep(action="cancelled", at=moment, recorded_at=now(), actor_id=user.id))
    params, data_ids = {"address_as": resident.address_as}, {"sos_event_id": event.id}
    people = _told_staff(event) | {proxy.id: proxy for proxy in _family(resident)[0]}
    if event.help_request_id is not None:
        people |= _end_request(event.help_request_id, "sos_cancelled")
    people.pop(user.id, None)
    for person in sorted(people.values(), key=lambda person: person.id):
        notify(kinds.SOS_CANCELLED.code, user=person, params=params, data=data_ids)
    for contact in _family(resident)[1]:
        notify(kinds.SOS_CANCELLED.code, contact=contact, params=params, data=data_ids,
               community_id=event.community_id)
    return _answer(event, user)


def _told_staff(event: SosEvent) -> dict[int, User]:
    """Everyone the alert reached so far (the grid's workers, the on-duty worker, admins)."""
    if event.alert_id is None:
        return {}
    ids = told_ids(db.session.get(Alert, event.alert_id))
    return {person.id: person for person in db.session.scalars(select(User).where(User.id.in_(ids)))
            if person.is_enabled} if ids else {}


def _end_request(request_id: int, reason: str) -> dict[int, User]:
    """The SOS's request ends (cancelled); returns every volunteer it was offered to (each was woken
    by it, whether they answered or not) and the one who had taken it."""
    request = locked_request(request_id)
    if request is None or request.status not in ENDABLE:
        return {}
    volunteer_ids = set(db.session.scalars(select(Offer.volunteer_id).where(Offer.help_request_id == request.id)))
    volunteer_ids |= {request.volunteer_id} if request.volunteer_id else set()
    move(request, "cancelled", actor=None, occurred_at=now(), reason=reason,
         data={"volunteer_id": request.volunteer_id} if request.volunteer_id else {})
    dispatch.stage_close_offers(request.id)
    deadlines.stage_cancelled(request, None)  # and the "nobody could be found" alert about it ends
    volunteers = db.session.scalars(select(Volunteer).where(Volunteer.id.in_(volunteer_ids))) if volunteer_ids else []
    return {volunteer.user_id: volunteer.user for volunteer in volunteers if volunteer.user.is_enabled}


# -- the workers' side -------------------------------------------------------------------------------

def close(user: User, event_id: int, note: str) -> "SosView":
    """A worker of the grid (or an admin) closes the event with a note on what was found; its alert
    is resolved with the same note, and volunteers still being asked are asked no more."""
    event = _event(event_id)
    resident_access(user, event.resident_id)  # staff of the resident's grid, else 404
    if event.status == "closed":
        raise SosClosed()
    moment = now()
    if event.alert_id is not None:
        cancel_escalation_timers(event.alert_id)  # timer rows before the alert's row (docs/alerts.md)
        alert = locked_alert(event.alert_id)
        if alert.status not in ENDED_STATUSES:
            stop_escalation(alert)
            alert.status, alert.resolved_by_id, alert.resolved_at, alert.resolution_note = "resolved", user.id, moment, note
            add_step(alert, "resolved", actor=user, note=note, at=moment)
    if event.help_request_id is not None:
        request = locked_request(event.help_request_id)
        if request is not None and request.status in SEEKING:  # nobody took it: asked no more
            move(request, "cancelled", actor=user, occurred_at=moment, reason="sos_closed")
            dispatch.stage_close_offers(request.id)
            deadlines.stage_cancelled(request, user)
    event.status, event.closed_at, event.closed_by_id, event.close_note = "closed", moment, user.id, note
    event.steps.append(SosStep(action="closed", at=moment, recorded_at=moment, actor_id=user.id, note=note))
    return _answer(event, user)


def list_events(user: User, status: str | None, page: int, per_page: int) -> Page:
    """SOS events of the caller's grids (an admin: the community's): open first, then called off
    (still to close), then closed; newest first within each."""
    require_staff(user)
    statement = select(SosEvent)
    if user.has_role("admin") and user.community_id is not None:
        statement = statement.where(SosEvent.community_id == user.community_id)
    else:
        statement = statement.where(SosEvent.grid_id.in_(visible_grid_ids(user)))
    if status is not None:
        statement = statement.where(SosEvent.status == status)
    rank = case((SosEvent.status == "open", 0), (SosEvent.status == "cancelled", 1), else_=2)
    result = paginate(statement.order_by(rank, SosEvent.created_at.desc(), SosEvent.id.desc()), page, per_page)
    result.items = [view_of(event, user) for event in result.items]
    return result


# -- reading -----------------------------------------------------------------------------------------

def get_event(user: User, event_id: int) -> "SosView":
    event = _event(event_id)
    resident_access(user, event.resident_id, own=True, scopes=READ_SCOPES)
    return view_of(event, user)


def current_event(user: User, resident_id: int) -> "SosView":
    """The resident's SOS not yet closed (the latest), for the status screen after a reload."""
    access = resident_access(user, resident_id, own=True, scopes=READ_SCOPES)
    event = db.session.scalar(select(SosEvent).where(SosEvent.resident_id == access.resident.id,
                                                     SosEvent.status != "closed")
                              .order_by(SosEvent.created_at.desc(), SosEvent.id.desc()).limit(1))
    if event is None:
        raise SosNotFound()
    return view_of(event, user)


def _event(event_id: int) -> SosEvent:
    event = db.session.get(SosEvent, event_id)
    if event is None:
        raise SosNotFound()
    return event


def _answer(event: SosEvent, user: User) -> "SosView":
    db.session.flush()
    view = view_of(event, user)
    db.session.commit()
    return view


@dataclass
class Person:
    id: int
    name: str
    at: datetime | None = None


@dataclass
class Coming:
    """Who is coming and roughly how far: the volunteer's name as residents see it, a walking ETA."""

    name: str
    accepted_at: datetime | None
    distance_km: float | None
    eta_minutes: int | None
    arrived: bool


@dataclass
class SosView:
    id: int
    resident_id: int
    address_as: str
    building_label: str
    status: str
    occurred_at: datetime
    received_at: datetime
    presses: int
    told: dict
    acknowledged: Person | None
    coming: Coming | None
    help_request_id: int | None
    help_request_status: str | None
    alert_id: int | None
    grid_worker_phone: str | None
    cancelled_at: datetime | None
    closed_at: datetime | None
    closed_by: Person | None
    close_note: str | None
    timeline: list = field(default_factory=list)


def walking_minutes(km: float) -> int:
    """Straight-line km × the detour factor at walking speed (the day plan's VISIT_* settings)."""
    config = current_app.config
    return max(1, math.ceil(km * config["VISIT_DETOUR_FACTOR"] / config["VISIT_WALKING_KMH"] * 60))


def _coming(request: HelpRequest | None, moment: datetime) -> Coming | None:
    if request is None or request.volunteer_id is None or request.status not in ("accepted", "in_progress"):
        return None
    volunteer = db.session.get(Volunteer, request.volunteer_id)
    km = db.session.scalar(select(Offer.distance_km).where(Offer.help_request_id == request.id,
                                                           Offer.volunteer_id == volunteer.id))
    if km is None and None not in (volunteer.home_lat, volunteer.home_lng, request.lat, request.lng):
        km = haversine_km(volunteer.home_lat, volunteer.home_lng, request.lat, request.lng)
    arrived = request.status == "in_progress"
    eta = None
    if km is not None and not arrived:
        walked = (moment - request.accepted_at).total_seconds() / 60 if request.accepted_at else 0
        eta = max(1, math.ceil(walking_minutes(km) - walked))
    return Coming(name=volunteer.user.display_name, accepted_at=request.accepted_at,
                  distance_km=round(km, 1) if km is not None else None, eta_minutes=eta, arrived=arrived)


def view_of(event: SosEvent, reader: User) -> SosView:
    """What the status screen shows: kinds of people told (never their numbers), who took it on,
    who is coming and how far; the close note for staff only."""
    resident = db.session.get(Resident, event.resident_id)
    alert = db.session.get(Alert, event.alert_id) if event.alert_id is not None else None
    request = db.session.get(HelpRequest, event.help_request_id) if event.help_request_id is not None else None
    offered = 0
    if request is not None:
        offered = len(db.session.scalars(select(Offer.id).where(Offer.help_request_id == request.id)).all())
    told = {"grid_workers": 0, "family": 0, "emergency_contacts": 0, **(event.told or {}), "volunteers": offered}
    if alert is not None:
        told["grid_workers"] = len(told_ids(alert))  # grows as the alert climbs (on duty, admins)
    acknowledged = (Person(alert.owner.id, alert.owner.display_name, alert.acknowledged_at)
                    if alert and alert.owner else None)
    closed_by = db.session.get(User, event.closed_by_id) if event.closed_by_id else None
    is_staff = reader.is_staff
    timeline = [{"at": step.at, "action": step.action, "actor": step.actor.display_name if step.actor else None,
                 "note": step.note if is_staff else None} for step in event.steps]
    return SosView(
        id=event.id, resident_id=resident.id, address_as=resident.address_as,
        building_label=resident.household.building.label, status=event.status, occurred_at=event.occurred_at,
        received_at=event.received_at, presses=event.presses, told=told, acknowledged=acknowledged,
        coming=_coming(request, now()), help_request_id=event.help_request_id,
        help_request_status=request.status if request is not None else None, alert_id=event.alert_id,
        grid_worker_phone=grid_worker_phone(event.grid_id), cancelled_at=event.cancelled_at,
        closed_at=event.closed_at,
        closed_by=Person(closed_by.id, closed_by.display_name, event.closed_at) if closed_by else None,
        close_note=event.close_note if is_staff else None, timeline=timeline)
