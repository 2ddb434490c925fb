"""Dispatch: a help request goes out in waves of offers, re-ranked before each; after the last wave
with nobody accepting it is escalated to the grid's workers (an alert they acknowledge).

Everything here is staged in the caller's transaction (no commit): help_requests calls
stage_dispatch() when a request is created or goes back to open, and stage_close_offers() when it
leaves offered/escalated; the wave timer's handler runs in the worker's transaction.

Holding (docs/batch_plans.md): a scheduled request whose window starts on a later local date is
held for that date's batch plan instead of going out in waves. It is never lost: its first wave is
scheduled as usual, only not before the night's planning time plus a grace, so the waves start
anyway if no plan sends it; a plan that sends it replaces that timer."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import exists, func, select, update

from backend.algorithms.matching import WavePlan, dispatch_record, first_wave_at, next_wave, wave_interval
from backend.alerts.models import ENDED_STATUSES, Alert
from backend.alerts.services.alerts import raise_alert
from backend.common.time import now
from backend.community.models import Community, Term
from backend.extensions import db
from backend.help_requests.models import SOS_CATEGORY, HelpRequest
from backend.help_requests.services import assigning  # a module: help_requests imports this one back
from backend.help_requests.services.timeline import locked_request
from backend.matching import kinds
from backend.matching.models import Offer
from backend.matching.models import Dispatch as DispatchRecord
from backend.matching.services.candidates import ranking_for
from backend.notifications import timers
from backend.notifications.models import Timer
from backend.notifications.services import policy
from backend.notifications.services.outbox import notify
from backend.people.models import Resident
from backend.providers import routing as provider_routing
from backend.providers.models import ProviderOffer
from backend.volunteers.models import Volunteer

WAVE_TIMER = "matching_wave"
PLAN_WAVE = 0  # an offer a batch plan sent (the waves number from 1)
NIGHTLY_TIMER = "batch_nightly"  # its handler is backend/batch's: plan and send a date's held requests
OPEN_OFFER = "offered"
REOFFERABLE = ("withdrawn", "expired")  # closed without the volunteer saying no: may be offered again


def owner(request_id: int) -> tuple[str, int]:
    return ("help_request", request_id)


def awaiting_wave():
    """SQL, about a HelpRequest row: a wave of it is still to come (the first one of a scheduled
    request, or the next). An open request without one is nobody's to offer: the grid's workers
    have it (category other, nobody eligible, a resident who is not active)."""
    return exists().where(Timer.owner_type == "help_request", Timer.owner_id == HelpRequest.id,
                          Timer.handler == WAVE_TIMER, Timer.status == "pending")


def wave_plan(category: str | None = None) -> WavePlan:
    """MATCHING_WAVE_SIZES, MATCHING_URGENT_MINUTES, MATCHING_NORMAL_MINUTES, MATCHING_SCHEDULED_LEAD_HOURS;
    an SOS's request: SOS_WAVE_SIZES every SOS_WAVE_MINUTES (a bigger first wave, a shorter interval)."""
    config = current_app.config
    if category == SOS_CATEGORY:
        minutes = timedelta(minutes=config.get("SOS_WAVE_MINUTES", 2))
        return WavePlan(sizes=tuple(config.get("SOS_WAVE_SIZES", (8, 12, 20))), urgent_interval=minutes,
                        normal_interval=minutes, scheduled_lead=timedelta(0))
    return WavePlan(sizes=tuple(config.get("MATCHING_WAVE_SIZES", (3, 5, 10))),
                    urgent_interval=timedelta(minutes=config.get("MATCHING_URGENT_MINUTES", 5)),
                    normal_interval=timedelta(minutes=config.get("MATCHING_NORMAL_MINUTES", 30)),
                    scheduled_lead=timedelta(hours=config.get("MATCHING_SCHEDULED_LEAD_HOURS", 24)))


def _window_start(request: HelpRequest, moment: datetime) -> datetime:
    return moment if request.asap or request.window_start is None else request.window_start


def category_label(request: HelpRequest, language: str = "zh-CN") -> str:
    term = db.session.scalar(select(Term).where(Term.community_id == request.community_id,
                                                Term.vocabulary == "skill", Term.code == request.category))
    if term is not None:
        return term.label_en if language == "en" else term.label_zh
    fixed = {"other": ("其他", "other"), "welfare_check": ("上门探视", "welfare check"),
             SOS_CATEGORY: ("紧急求助", "SOS")}
    zh, en = fixed.get(request.category, (request.category, request.category))
    return en if language == "en" else zh


def when_text(request: HelpRequest, language: str = "zh-CN") -> str:
    """The time as a lock screen may show it: 尽快, or 11月27日 14:00–16:00 in the community's zone."""
    if request.asap or request.window_start is None:
        if language == "en":
            return "as soon as possible" if request.urgency == "normal" else "urgent, as soon as possible"
        return "尽快" if request.urgency == "normal" else "紧急，尽快"
    zone = ZoneInfo(db.session.scalar(select(Community.timezone).where(Community.id == request.community_id)))
    start, end = request.window_start.astimezone(zone), request.window_end.astimezone(zone)
    if language == "en":
        return f"{start:%d %b} {start:%H:%M}–{end:%H:%M}"
    return f"{start.month}月{start.day}日 {start:%H:%M}–{end:%H:%M}"


def lock_screen_params(request: HelpRequest) -> dict:
    """The category and the time in both languages: nothing else may reach a lock screen."""
    return {"category": category_label(request), "when": when_text(request),
            "category_en": category_label(request, "en"), "when_en": when_text(request, "en")}


def stage_dispatch(request: HelpRequest, moment: datetime | None = None) -> None:
    """A request is new or open again: send its first wave now, or schedule it (a scheduled request
    goes out scheduled_lead before its window). `other` goes to the grid's workers at once; a
    resident who is not active gets no offers."""
    moment = moment or now()
    resident = db.session.get(Resident, request.resident_id)
    if resident.status != "active" or request.status != "open":
        return
    if request.category == "other":
        if not _workers_alerted(request):
            _alert_workers(request, "goes_to_worker")
        return
    if provider_routing.route_for(request.community_id, request.category) == "providers":
        timers.cancel(owner(request.id), WAVE_TIMER)
        send_to_providers(request, moment)
        return
    plan = wave_plan(request.category)
    timers.cancel(owner(request.id), WAVE_TIMER)
    starts = first_wave_at(plan, not request.asap, _window_start(request, moment), moment)
    held_for = held_date(request, moment)
    if held_for is not None:
        planning = planning_time(request.community_id, held_for)
        starts = max(starts, planning + timedelta(minutes=current_app.config.get("BATCH_GRACE_MINUTES", 60)))
        ensure_nightly_run(request.community_id, held_for, planning)
        timers.schedule(WAVE_TIMER, starts, owner(request.id), {"waves_sent": 0, "held_for": held_for.isoformat()})
        return
    if starts > moment:
        timers.schedule(WAVE_TIMER, starts, owner(request.id), {"waves_sent": 0})
        return
    send_wave(request, moment, 0)


def _community_zone(community_id: int) -> ZoneInfo:
    return ZoneInfo(db.session.scalar(select(Community.timezone).where(Community.id == community_id)))


def local_date_of(request: HelpRequest) -> date:
    """The community's local date the request's window starts on."""
    return request.window_start.astimezone(_community_zone(request.community_id)).date()


def local_day_bounds(community_id: int, day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local date, as UTC instants."""
    zone = _community_zone(community_id)
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def planning_time(community_id: int, day: date) -> datetime:
    """When the nightly run plans `day`: BATCH_NIGHTLY_TIME ("HH:MM", local) on the day before."""
    hour, minute = (int(part) for part in current_app.config.get("BATCH_NIGHTLY_TIME", "20:00").split(":"))
    return datetime.combine(day - timedelta(days=1), time(hour, minute), tzinfo=_community_zone(community_id))


def held_date(request: HelpRequest, moment: datetime) -> date | None:
    """The date whose batch plan holds this request, or None (it goes out in waves): held when
    BATCH_HOLD is on, the request is scheduled and not urgent, its window starts on a later local
    date than today, and that date's planning time plus the grace is still to come."""
    if not current_app.config.get("BATCH_HOLD", True) or request.asap or request.window_start is None:
        return None
    if request.urgency != "normal" or request.category == "other":
        return None
    day = local_date_of(request)
    if day <= moment.astimezone(_community_zone(request.community_id)).date():
        return None
    grace = timedelta(minutes=current_app.config.get("BATCH_GRACE_MINUTES", 60))
    return day if moment < planning_time(request.community_id, day) + grace else None


def ensure_nightly_run(community_id: int, day: date, due_at: datetime) -> None:
    """One pending nightly run per community and date (the first request held for it schedules it)."""
    pending = db.session.scalars(select(Timer).where(
        Timer.owner_type == "community", Timer.owner_id == community_id, Timer.handler == NIGHTLY_TIMER,
        Timer.status == "pending"))
    if any(timer.payload.get("date") == day.isoformat() for timer in pending):
        return
    timers.schedule(NIGHTLY_TIMER, due_at, ("community", community_id), {"date": day.isoformat()})


def stage_planned_offer(request: HelpRequest, volunteer_id: int, reasons: list, distance_km: float | None,
                        moment: datetime) -> Offer:
    """A batch plan offers the held request to its proposed volunteer (wave 0: the plan); the
    request is offered, and its waves start if they have not answered by the answer deadline
    (BATCH_ANSWER_HOURS after sending, but at the latest BATCH_WAVES_BEFORE_HOURS before the window)."""
    config = current_app.config
    timers.cancel(owner(request.id), WAVE_TIMER)
    offer = db.session.scalar(select(Offer).where(Offer.help_request_id == request.id,
                                                  Offer.volunteer_id == volunteer_id))
    offer = offer or Offer(help_request_id=request.id, volunteer_id=volunteer_id)
    offer.wave, offer.status, offer.created_at, offer.answered_at = PLAN_WAVE, OPEN_OFFER, moment, None
    offer.decline_reason, offer.distance_km, offer.reasons = None, distance_km, list(reasons)
    db.session.add(offer)
    assigning.stage_transition(request.id, "offered", data={"batch_plan": True, "volunteer_ids": [volunteer_id]})
    _notify_volunteers(request, [volunteer_id])
    deadline = min(moment + timedelta(hours=config.get("BATCH_ANSWER_HOURS", 12)),
                   _window_start(request, moment) - timedelta(hours=config.get("BATCH_WAVES_BEFORE_HOURS", 6)))
    timers.schedule(WAVE_TIMER, max(moment, deadline), owner(request.id), {"waves_sent": 0})
    db.session.flush()
    return offer


def send_waves_now(request: HelpRequest, moment: datetime) -> None:
    """A held request the plan gives nobody: its waves start now."""
    timers.cancel(owner(request.id), WAVE_TIMER)
    send_wave(request, moment, 0)


def send_wave(request: HelpRequest, moment: datetime, waves_sent: int) -> list[Offer]:
    """Rank again and offer the request to the next wave; schedule the wave after it (or the
    escalation after the last). Nobody left to ask: escalate now."""
    plan = wave_plan(request.category)
    ranking = ranking_for(request, moment)
    offers = {offer.volunteer_id: offer for offer in db.session.scalars(
        select(Offer).where(Offer.help_request_id == request.id))}
    asked = {vid for vid, offer in offers.items() if offer.status not in REOFFERABLE}
    wave_ids = next_wave(plan, waves_sent, [item.volunteer_id for item in ranking.ranked], asked)
    provider_ids = []
    if waves_sent == 0 and provider_routing.route_for(request.community_id, request.category) == "both":
        provider_ids = [offer.provider_id for offer in _offer_to_providers(request, moment)]
        if not wave_ids and provider_ids:  # no volunteer to ask: the providers are the only wave
            _providers_wave(request, moment, provider_ids)
            return []
    if not wave_ids:
        if request.status == "offered":
            escalate(request, "no_more_candidates")
        elif not _workers_alerted(request):  # nobody at all may be offered it: stays open, with the workers
            _alert_workers(request, "no_candidates")
        return []
    number = (db.session.scalar(select(func.count()).select_from(DispatchRecord)
                                .where(DispatchRecord.help_request_id == request.id)) or 0) + 1
    by_id = {item.volunteer_id: item for item in ranking.ranked}
    sent = []
    for volunteer_id in wave_ids:
        item = by_id[volunteer_id]
        offer = offers.get(volunteer_id) or Offer(help_request_id=request.id, volunteer_id=volunteer_id)
        offer.wave, offer.status, offer.created_at, offer.answered_at = number, OPEN_OFFER, moment, None
        offer.decline_reason, offer.distance_km = None, round(item.distance_km, 2)
        offer.reasons = [{"code": reason.code, "params": dict(reason.params)} for reason in item.reasons]
        db.session.add(offer)
        sent.append(offer)
    db.session.add(DispatchRecord(help_request_id=request.id, wave=number, at=moment, offered_volunteer_ids=wave_ids,
                                  record=dispatch_record(ranking.request, ranking.candidates, ranking.weights,
                                                         ranking.ranked, search=ranking.search)))
    if request.status == "open":
        data = {"wave": number, "volunteer_ids": wave_ids} | ({"provider_ids": provider_ids} if provider_ids else {})
        assigning.stage_transition(request.id, "offered", data=data)
    volunteers = _notify_volunteers(request, wave_ids)
    counted_from = wave_counted_from(request, volunteers, moment)
    interval = wave_interval(plan, request.urgency, not request.asap, _window_start(request, counted_from),
                             counted_from, waves_sent=waves_sent + 1)
    timers.schedule(WAVE_TIMER, counted_from + interval, owner(request.id), {"waves_sent": waves_sent + 1})
    db.session.flush()
    return sent


def _offer_to_providers(request: HelpRequest, moment: datetime) -> list[ProviderOffer]:
    return provider_routing.stage_provider_offers(request, moment, kinds.provider_offer_kind(request.urgency).code,
                                                  lock_screen_params(request))


def send_to_providers(request: HelpRequest, moment: datetime) -> list[ProviderOffer]:
    """A category routed to providers only: the eligible providers are its one wave, sent now
    (also for a scheduled request: a canteen takes tomorrow's orders today). Nobody eligible: the
    grid's workers have it, as when no volunteer is."""
    sent = _offer_to_providers(request, moment)
    if not sent:
        if not _workers_alerted(request):
            _alert_workers(request, "no_candidates")
        return []
    _providers_wave(request, moment, [offer.provider_id for offer in sent])
    return sent


def _providers_wave(request: HelpRequest, moment: datetime, provider_ids: list[int]) -> None:
    """Offers went to providers and no volunteer wave follows: offered, and escalated to the
    workers when a first wave's interval passes with nobody accepting (the timer says every wave
    was sent)."""
    plan = wave_plan(request.category)
    if request.status == "open":
        assigning.stage_transition(request.id, "offered", data={"wave": 1, "provider_ids": provider_ids})
    interval = wave_interval(plan, request.urgency, not request.asap, _window_start(request, moment), moment,
                             waves_sent=1)
    timers.cancel(owner(request.id), WAVE_TIMER)
    timers.schedule(WAVE_TIMER, moment + interval, owner(request.id), {"waves_sent": len(plan.sizes)})
    db.session.flush()


def _notify_volunteers(request: HelpRequest, volunteer_ids: list[int]) -> list[Volunteer]:
    """An urgent request's offers go at once, day or night; a normal one's wait for quiet hours."""
    params, kind = lock_screen_params(request), kinds.offer_kind(request.urgency)
    volunteers = list(db.session.scalars(select(Volunteer).where(Volunteer.id.in_(volunteer_ids))))
    for volunteer in volunteers:
        notify(kind.code, user=volunteer.user, params=params, data={"help_request_id": request.id},
               community_id=request.community_id)
    return volunteers


def wave_counted_from(request: HelpRequest, volunteers: list[Volunteer], moment: datetime) -> datetime:
    """When the wave just sent starts counting: `moment`, or, for offers that wait for quiet hours
    while every volunteer in the wave is inside theirs, when the first of them ends. A normal
    request asked at 23:00 is not escalated to the workers in the night before anyone was told."""
    if not kinds.offer_kind(request.urgency).waits_for_quiet_hours:
        return moment
    timezone = policy.timezone_of(request.community_id)
    reachable = []
    for volunteer in volunteers:
        preferences = policy.preferences_of(volunteer.user_id)
        reachable.append(policy.quiet_hours_end(moment, preferences.quiet_start_minute,
                                                preferences.quiet_end_minute, timezone) or moment)
    return min(reachable, default=moment)


def escalate(request: HelpRequest, reason: str) -> None:
    """The last wave closed with nobody accepting: escalated, its offers stay open, the workers alerted."""
    assigning.stage_transition(request.id, "escalated", reason=reason)
    _alert_workers(request, reason)


def _workers_alerted(request: HelpRequest) -> bool:
    """An alert about this request is still open (its data names it: ids only, compared here)."""
    alerts = db.session.scalars(select(Alert).where(
        Alert.kind == kinds.UNMATCHED.code, Alert.resident_id == request.resident_id,
        Alert.status.not_in(ENDED_STATUSES)))
    return any(alert.data.get("help_request_id") == request.id for alert in alerts)


def _alert_workers(request: HelpRequest, reason: str) -> None:
    raise_alert(kinds.UNMATCHED.code, resident_id=request.resident_id,
                data={"help_request_id": request.id, "reason_id": reason})


def stage_close_offers(request_id: int, status: str = "expired", *, except_volunteer_id: int | None = None,
                       except_provider_id: int | None = None) -> int:
    """The request left offered/escalated (taken, cancelled, expired): close its open offers, the
    providers' too, and cancel its wave timer. Returns how many volunteers' offers were closed."""
    timers.cancel(owner(request_id), WAVE_TIMER)
    statement = (update(Offer).where(Offer.help_request_id == request_id, Offer.status == OPEN_OFFER)
                 .values(status=status, answered_at=now()).execution_options(synchronize_session="fetch"))
    if except_volunteer_id is not None:
        statement = statement.where(Offer.volunteer_id != except_volunteer_id)
    providers = (update(ProviderOffer).where(ProviderOffer.help_request_id == request_id,
                                             ProviderOffer.status == OPEN_OFFER)
                 .values(status=status, answered_at=now()).execution_options(synchronize_session="fetch"))
    if except_provider_id is not None:
        providers = providers.where(ProviderOffer.provider_id != except_provider_id)
    db.session.execute(providers)
    return db.session.execute(statement).rowcount


def send_next_wave_now(request: HelpRequest, moment: datetime) -> bool:
    """Every offered volunteer said no: the pending wave timer fires now instead of later."""
    timer = db.session.scalar(select(Timer).where(
        Timer.owner_type == "help_request", Timer.owner_id == request.id,
        Timer.handler == WAVE_TIMER, Timer.status == "pending").order_by(Timer.id.desc()).limit(1))
    if timer is None:
        return False
    waves_sent = timer.payload.get("waves_sent", 0)
    timers.cancel(owner(request.id), WAVE_TIMER)
    _wave_due(request, moment, waves_sent)
    return True


def _wave_due(request: HelpRequest, moment: datetime, waves_sent: int) -> None:
    if request.status == "open" and waves_sent == 0:
        send_wave(request, moment, 0)
    elif request.status == "offered":
        if waves_sent >= len(wave_plan(request.category).sizes):
            escalate(request, "last_wave_closed")
        else:
            send_wave(request, moment, waves_sent)


@timers.timer_handler(WAVE_TIMER)
def wave_timer(timer) -> None:
    """The wave's interval closed (or a scheduled request's first wave is due)."""
    request = locked_request(timer.owner_id)  # an accept at the same moment waits, or is waited for
    if request is None:
        return
    _wave_due(request, now(), int(timer.payload.get("waves_sent", 0)))
