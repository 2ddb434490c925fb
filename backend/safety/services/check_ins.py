"""The daily "I'm OK" (我很好, docs/safety.md): a worker enrols a resident with their consent and a
deadline; one tap checks in (through the outbox with `occurred_at`: a tap at 09:30 without signal
that arrives at 11:00 counts as 09:30), or a worker records a check-in made by phone. A missed
deadline starts a chain, each step a timer: a reminder to the resident → after the grace period a
`welfare_check` request in waves to nearby volunteers (the core loop prefers those who know them)
and the family told (proxies with receive_alerts; emergency contacts by SMS) → after the second
grace period a safety alert to the grid's workers. A check-in at any time stops the chain and tells
everyone who was told. Residents who are not active are never chased."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from backend.accounts.models import User
from backend.alerts.models import ENDED_STATUSES, Alert
from backend.alerts.services.alerts import raise_alert
from backend.alerts.services.escalation import stop_escalation
from backend.alerts.services.timeline import add_step, grid_workers
from backend.common.i18n import pick
from backend.common.offline import occurred_time
from backend.common.time import now
from backend.errors import Conflict, InvalidInput, NotFound
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.help_requests.services import deadlines
from backend.help_requests.services.timeline import add_event, locked_request, move
from backend.matching import kinds as matching_kinds
from backend.matching.services import dispatch
from backend.notifications import timers
from backend.notifications.services.outbox import Contact, notify
from backend.people.models import ConsentRecord, Resident
from backend.people.services.access import add_audit, community_of, proxies_holding, resident_access
from backend.safety import kinds
from backend.safety.models import CheckIn, CheckInEnrolment, MissedCheckIn

DEADLINE_TIMER, GRACE_TIMER, ESCALATE_TIMER = "check_in_deadline", "check_in_grace", "check_in_escalate"
# A deadline whose timer fires this late (the worker process was down for long) is not chased:
# a reminder about yesterday helps nobody; the next deadline is scheduled as always.
STALE_AFTER = timedelta(hours=12)
OPEN_REQUEST = ("open", "offered", "escalated", "accepted")


class AlreadyEnrolled(Conflict):
    reason = "already_enrolled"
    messages = {"zh-CN": "这位居民已经在每日报平安名单里了。", "en": "This resident is already enrolled for daily check-ins."}


class NotEnrolled(Conflict):
    reason = "not_enrolled"
    messages = {"zh-CN": "这位居民没有参加每日报平安。", "en": "This resident is not enrolled for daily check-ins."}


def _owner(enrolment: CheckInEnrolment) -> tuple[str, int]:
    return "check_in_enrolment", enrolment.id


def _zone(resident: Resident) -> ZoneInfo:
    return ZoneInfo(community_of(resident).timezone)


def _deadline_on(enrolment: CheckInEnrolment, day: date, zone: ZoneInfo) -> datetime:
    hours, minutes = enrolment.deadline.split(":")
    return datetime.combine(day, time(int(hours), int(minutes)), zone)


def active_enrolment(resident_id: int) -> CheckInEnrolment | None:
    return db.session.scalar(select(CheckInEnrolment).where(CheckInEnrolment.resident_id == resident_id,
                                                            CheckInEnrolment.ended_at.is_(None)))


def _schedule_next_deadline(enrolment: CheckInEnrolment, resident: Resident, after: datetime) -> None:
    """The first deadline after `after` (today's if still to come, else tomorrow's)."""
    zone = _zone(resident)
    day = after.astimezone(zone).date()
    due = _deadline_on(enrolment, day, zone)
    if due <= after:
        day, due = day + timedelta(days=1), _deadline_on(enrolment, day + timedelta(days=1), zone)
    timers.schedule(DEADLINE_TIMER, due, _owner(enrolment), {"date": day.isoformat()})


def stage_enrolment(resident: Resident, *, deadline: str, grace_minutes: int, second_grace_minutes: int,
                    consent: ConsentRecord, enrolled_by: User | None) -> CheckInEnrolment:
    """Stage (no commit) a resident's enrolment under a consent on record, and its first deadline."""
    enrolment = CheckInEnrolment(community_id=community_of(resident).id, resident_id=resident.id,
                                 deadline=deadline, grace_minutes=grace_minutes,
                                 second_grace_minutes=second_grace_minutes, consent_id=consent.id,
                                 enrolled_by_id=enrolled_by.id if enrolled_by else None, created_at=now())
    db.session.add(enrolment)
    db.session.flush()
    _schedule_next_deadline(enrolment, resident, now())
    return enrolment


def enrol(user: User, resident_id: int, data: dict) -> "EnrolmentView":
    """A worker enrols a resident, recording the consent they (or their guardian) gave."""
    access = resident_access(user, resident_id)
    resident = access.resident
    if active_enrolment(resident.id) is not None:
        raise AlreadyEnrolled()
    consent = db.session.scalar(select(ConsentRecord).where(
        ConsentRecord.resident_id == resident.id, ConsentRecord.purpose == "daily_check_in",
        ConsentRecord.withdrawn_at.is_(None)))
    if consent is None:
        given = data.get("consent")
        if given is None:
            raise InvalidInput(field_errors={"consent": [pick({
                "zh-CN": "请记下是谁同意参加每日报平安（本人或监护人）。",
                "en": "Record who consented to daily check-ins (the resident or their guardian)."})]})
        consent = ConsentRecord(resident_id=resident.id, purpose="daily_check_in", given_by=given["given_by"],
                                giver_name=given["giver_name"], recorded_by_id=user.id, granted_at=now())
        db.session.add(consent)
        db.session.flush()
    stage_enrolment(resident, deadline=data["deadline"], grace_minutes=data["grace_minutes"],
                    second_grace_minutes=data["second_grace_minutes"], consent=consent, enrolled_by=user)
    add_audit(access, "update", ["daily_check_in"])
    view = status_of(resident)
    db.session.commit()
    return view


def end_enrolment(user: User, resident_id: int) -> "EnrolmentView":
    access = resident_access(user, resident_id)
    enrolment = active_enrolment(access.resident.id)
    if enrolment is None:
        raise NotEnrolled()
    enrolment.ended_at, enrolment.ended_by_id = now(), user.id
    timers.cancel(_owner(enrolment))
    add_audit(access, "update", ["daily_check_in"])
    view = status_of(access.resident)
    db.session.commit()
    return view


def check_in(user: User, resident_id: int | None, data: dict) -> "EnrolmentView":
    """我很好: the resident themself (resident_id None), or a worker recording a phone call."""
    if resident_id is None:
        resident = db.session.scalar(select(Resident).where(Resident.user_id == user.id))
        if resident is None:
            raise NotFound("该居民", "Resident")
        via = "app"
    else:
        access = resident_access(user, resident_id)
        resident, via = access.resident, "phone_call"
    if active_enrolment(resident.id) is None:
        raise NotEnrolled()
    moment = occurred_time(data.get("occurred_at"))
    day = moment.astimezone(_zone(resident)).date()
    existing = db.session.scalar(select(CheckIn).where(CheckIn.resident_id == resident.id, CheckIn.local_date == day))
    if existing is None:
        existing = CheckIn(resident_id=resident.id, local_date=day, occurred_at=moment, received_at=now(), via=via,
                           recorded_by_id=user.id)
        db.session.add(existing)
        db.session.flush()
        _stop_chain(resident, day, existing)
    view = status_of(resident)
    db.session.commit()
    return view


def _told_family(resident: Resident) -> tuple[list[User], list[Contact]]:
    """Proxies with receive_alerts (enabled accounts), and the emergency contacts."""
    proxies = proxies_holding(resident.id, "receive_alerts")
    contacts = [Contact(name=c.name, phone=c.phone, language=c.language) for c in resident.emergency_contacts]
    return proxies, contacts


def _stop_chain(resident: Resident, day: date, check: CheckIn) -> None:
    """A check-in on a missed day: the chain's timers end, its welfare check is cancelled (the
    volunteer who took it told), and everyone told hears all is well."""
    missed = db.session.scalar(select(MissedCheckIn).where(MissedCheckIn.resident_id == resident.id,
                                                           MissedCheckIn.local_date == day,
                                                           MissedCheckIn.stopped_at.is_(None)))
    if missed is None:
        return
    enrolment = db.session.get(CheckInEnrolment, missed.enrolment_id)
    timers.cancel(_owner(enrolment), GRACE_TIMER)
    timers.cancel(_owner(enrolment), ESCALATE_TIMER)
    local = check.occurred_at.astimezone(_zone(resident)).strftime("%H:%M")
    params = {"address_as": resident.address_as, "time": local}
    data = {"resident_id": resident.id}
    if missed.welfare_request_id is not None:
        _cancel_welfare_check(missed.welfare_request_id)
    if missed.told_family:
        proxies, contacts = _told_family(resident)
        for proxy in proxies:
            notify(kinds.CHECK_IN_ALL_WELL.code, user=proxy, params=params, data=data)
        for contact in contacts:
            notify(kinds.CHECK_IN_ALL_WELL.code, contact=contact, params=params, data=data,
                   community_id=enrolment.community_id)
    if missed.alert_id is not None:
        for worker in grid_workers(resident.household.building.grid_id):
            notify(kinds.CHECK_IN_ALL_WELL.code, user=worker, params=params, data=data)
    _close_alerts(missed)
    missed.stage, missed.stopped_at, missed.check_in_id = "stopped", now(), check.id


def _close_alerts(missed: MissedCheckIn) -> None:
    """The chain's alert, and the core loop's about its welfare check nobody took, are closed: they
    stop escalating (the resident checked in), their timelines say why."""
    alerts = db.session.scalars(select(Alert).where(
        Alert.resident_id == missed.resident_id, Alert.status.not_in(ENDED_STATUSES),
        Alert.kind.in_((kinds.MISSED_CHECK_IN.code, matching_kinds.UNMATCHED.code))))
    for alert in alerts:
        ours = alert.id == missed.alert_id or (
            missed.welfare_request_id is not None and alert.data.get("help_request_id") == missed.welfare_request_id)
        if ours:
            stop_escalation(alert)
            alert.status, alert.next_escalation_at = "closed", None
            add_step(alert, "closed", reason="checked_in", at=now())


def _cancel_welfare_check(request_id: int) -> None:
    request = locked_request(request_id)
    if request is None or request.status not in OPEN_REQUEST:
        return
    volunteer_id = request.volunteer_id
    move(request, "cancelled", actor=None, occurred_at=now(), reason="checked_in",
         data={"volunteer_id": volunteer_id} if volunteer_id else {})
    dispatch.stage_close_offers(request.id)
    deadlines.stage_ended(request)
    if volunteer_id is not None:
        deadlines.tell_volunteer_cancelled(request, volunteer_id)


def _chased(timer) -> tuple[CheckInEnrolment, Resident, date] | None:
    """The enrolment, resident and date a chain timer is about — None when there is nothing to do:
    enrolment ended, resident not active, or already checked in that day."""
    enrolment = db.session.get(CheckInEnrolment, timer.owner_id)
    if enrolment is None or enrolment.ended_at is not None:
        return None
    resident = db.session.get(Resident, enrolment.resident_id)
    day = date.fromisoformat(timer.payload["date"])
    if resident.status != "active":
        return None
    if db.session.scalar(select(CheckIn.id).where(CheckIn.resident_id == resident.id, CheckIn.local_date == day)):
        return None
    return enrolment, resident, day


@timers.timer_handler(DEADLINE_TIMER)
def deadline_passed(timer) -> None:
    """The deadline: tomorrow's is scheduled; a resident who has not checked in is reminded."""
    enrolment = db.session.get(CheckInEnrolment, timer.owner_id)
    if enrolment is None or enrolment.ended_at is not None:
        return
    resident = db.session.get(Resident, enrolment.resident_id)
    _schedule_next_deadline(enrolment, resident, max(timer.due_at, now()))
    chased = _chased(timer)
    if chased is None or now() - timer.due_at > STALE_AFTER:
        return
    _, _, day = chased
    db.session.add(MissedCheckIn(enrolment_id=enrolment.id, resident_id=resident.id, local_date=day, stage="reminded",
                                 created_at=now()))
    if resident.user_id is not None:
        notify(kinds.CHECK_IN_REMINDER.code, user=db.session.get(User, resident.user_id),
               data={"resident_id": resident.id})
    timers.schedule(GRACE_TIMER, timer.due_at + timedelta(minutes=enrolment.grace_minutes), _owner(enrolment),
                    {"date": day.isoformat()})


def _missed(resident_id: int, day: date) -> MissedCheckIn | None:
    return db.session.scalar(select(MissedCheckIn).where(MissedCheckIn.resident_id == resident_id,
                                                         MissedCheckIn.local_date == day))


@timers.timer_handler(GRACE_TIMER)
def grace_passed(timer) -> None:
    """Still nothing: a welfare check in waves to nearby volunteers, and the family told."""
    chased = _chased(timer)
    if chased is None:
        return
    enrolment, resident, day = chased
    missed = _missed(resident.id, day)
    if missed is None or missed.stage != "reminded":  # a step runs once
        return
    moment = now()
    household = resident.household
    lat = household.lat if household.lat is not None else household.building.lat
    lng = household.lng if household.lat is not None else household.building.lng
    request = HelpRequest(community_id=enrolment.community_id, resident_id=resident.id, household_id=household.id,
                          grid_id=household.building.grid_id, created_by_id=None, on_behalf="worker",
                          category="welfare_check", description=None, asap=True, urgency="urgent", lat=lat, lng=lng,
                          status="open", created_at=moment, updated_at=moment)
    request.resident = resident
    db.session.add(request)
    add_event(request, "created", None, actor=None, occurred_at=moment,
              data={"resident_id": resident.id, "missed_check_in": day.isoformat()})
    db.session.flush()
    dispatch.stage_dispatch(request, moment)
    deadlines.stage_seeking(request, moment)
    proxies, contacts = _told_family(resident)
    params = {"address_as": resident.address_as, "deadline": enrolment.deadline}
    for proxy in proxies:
        notify(kinds.CHECK_IN_MISSED_FAMILY.code, user=proxy, params=params, data={"resident_id": resident.id})
    for contact in contacts:
        notify(kinds.CHECK_IN_MISSED_FAMILY.code, contact=contact, params=params, data={"resident_id": resident.id},
               community_id=enrolment.community_id)
    missed.stage, missed.welfare_request_id, missed.told_family = "welfare_check", request.id, bool(proxies or contacts)
    timers.schedule(ESCALATE_TIMER, timer.due_at + timedelta(minutes=enrolment.second_grace_minutes),
                    _owner(enrolment), {"date": day.isoformat()})


@timers.timer_handler(ESCALATE_TIMER)
def second_grace_passed(timer) -> None:
    """Still nothing: a safety alert to the grid's workers (acknowledged, re-escalated)."""
    chased = _chased(timer)
    if chased is None:
        return
    _, resident, day = chased
    missed = _missed(resident.id, day)
    if missed is None or missed.stage != "welfare_check":
        return
    alert = raise_alert(kinds.MISSED_CHECK_IN.code, resident_id=resident.id,
                        data={"missed_check_in_id": missed.id, **({"help_request_id": missed.welfare_request_id}
                                                                  if missed.welfare_request_id else {})})
    missed.stage, missed.alert_id = "workers_alerted", alert.id if alert is not None else None


@dataclass
class EnrolmentView:
    resident_id: int
    enrolled: bool
    deadline: str | None
    grace_minutes: int | None
    second_grace_minutes: int | None
    checked_in_today: bool
    checked_in_at: datetime | None
    today: date


def status_of(resident: Resident) -> EnrolmentView:
    enrolment = active_enrolment(resident.id)
    today = now().astimezone(_zone(resident)).date()
    check = db.session.scalar(select(CheckIn).where(CheckIn.resident_id == resident.id, CheckIn.local_date == today))
    return EnrolmentView(resident_id=resident.id, enrolled=enrolment is not None,
                         deadline=enrolment.deadline if enrolment else None,
                         grace_minutes=enrolment.grace_minutes if enrolment else None,
                         second_grace_minutes=enrolment.second_grace_minutes if enrolment else None,
                         checked_in_today=check is not None, checked_in_at=check.occurred_at if check else None,
                         today=today)


def get_status(user: User, resident_id: int | None) -> EnrolmentView:
    """The resident's own (resident_id None), or a resident's as their staff or a proxy with view_status."""
    if resident_id is None:
        resident = db.session.scalar(select(Resident).where(Resident.user_id == user.id))
        if resident is None:
            raise NotFound("该居民", "Resident")
        return status_of(resident)
    return status_of(resident_access(user, resident_id, scopes=("view_status",)).resident)
