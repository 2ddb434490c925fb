"""Requests to providers, the staff's side: a provider's offers, answered by any of its staff
(role provider) through the same offers API as a volunteer's — the list and one offer (category,
time, building label, distance; never the address, phone or full name before acceptance),
accepting within the day's capacity (first accept wins, atomically), declining, and marking the
order done. After acceptance the offer carries what a delivery needs (address, phone), each such
read audited like a volunteer's reveal. docs/providers.md, "Requests to providers"."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from backend.accounts.models import User
from backend.common.i18n import current_language
from backend.common.pagination import Page, paginate
from backend.common.time import now
from backend.errors import Conflict, Forbidden
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.help_requests.services import deadlines
from backend.help_requests.services.access import requester_side
from backend.help_requests.services.assigning import TAKEN, TaskAlreadyTaken
from backend.help_requests.services.machine import InvalidTransition
from backend.help_requests.services.timeline import add_event, fresh_request, locked_request, move
from backend.matching import kinds as matching_kinds
from backend.matching.models import Offer
from backend.matching.services.dispatch import category_label, lock_screen_params, send_next_wave_now, stage_close_offers
from backend.matching.services.offers import SEEKING, OfferClosed, offer_not_found
from backend.notifications.services.outbox import notify
from backend.people.models import Resident
from backend.people.services.access import Access, add_audit
from backend.providers.models import Provider, ProviderOffer, ProviderStaff
from backend.providers.routing import service_day, used_capacity

ATTEMPTS = 3
ASSIGNED = ("accepted", "in_progress")


class NotProviderStaff(Forbidden):
    reason = "not_provider_staff"
    messages = {"zh-CN": "这个账号还没有关联到服务机构，请联系社区管理员。",
                "en": "This account is not linked to a neighbourhood service yet. Please ask the community's admin."}


class ProviderAtCapacity(Conflict):
    reason = "provider_at_capacity"
    messages = {"zh-CN": "今天的接单数已满，不能再接了。", "en": "Your service is full for that day."}


@dataclass
class ProviderOfferView:
    """An offer as a provider's staff see it: like a volunteer's, plus the request's status, and
    the contact a delivery needs only once their provider has the request."""

    id: int
    help_request_id: int
    status: str
    wave: int
    category: str
    category_label: str
    asap: bool
    urgency: str
    window_start: datetime | None
    window_end: datetime | None
    building_label: str
    distance_km: float | None
    address_as: str
    reasons: str
    request_status: str
    provider_id: int
    provider_name: str
    description: str | None = None
    contact: dict | None = None
    created_at: datetime | None = None


def provider_of(user: User) -> Provider:
    """The active provider the caller works for; an account linked to none (or to one taken out of
    the catalogue) may not answer offers at all (403)."""
    provider = db.session.scalar(select(Provider).join(ProviderStaff, ProviderStaff.provider_id == Provider.id)
                                 .where(ProviderStaff.user_id == user.id))
    if provider is None or not provider.active or provider.community_id != user.community_id:
        raise NotProviderStaff()
    return provider


def _own_offer(user: User, offer_id: int) -> tuple[Provider, ProviderOffer]:
    provider = provider_of(user)
    offer = db.session.get(ProviderOffer, offer_id)
    if offer is None or offer.provider_id != provider.id:
        raise offer_not_found()
    return provider, offer


def _contact(user: User, request: HelpRequest, provider: Provider) -> dict:
    resident, household = request.resident, request.resident.household
    contact = {"full_name": resident.full_name, "address": f"{household.address_text} {household.door_number}",
               "phone": resident.phone, "household_phone": household.phone}
    shown = ["address"] + (["phone"] if contact["phone"] or contact["household_phone"] else [])
    add_audit(Access(user, resident, "provider", f"provider {provider.id} has request {request.id}"), "read", shown)
    return contact


def offer_view(user: User, offer: ProviderOffer, provider: Provider, language: str) -> ProviderOfferView:
    request = db.session.get(HelpRequest, offer.help_request_id)
    resident = db.session.get(Resident, request.resident_id)
    ours = request.provider_id == provider.id and offer.status == "accepted"
    distance = "" if offer.distance_km is None else (
        f"{offer.distance_km:g} km" if language == "en" else f"{offer.distance_km:g} 公里")
    return ProviderOfferView(
        id=offer.id, help_request_id=request.id, status=offer.status, wave=1, category=request.category,
        category_label=category_label(request, language), asap=request.asap, urgency=request.urgency,
        window_start=request.window_start, window_end=request.window_end,
        building_label=resident.household.building.label, distance_km=offer.distance_km,
        address_as=resident.address_as, reasons=distance, request_status=request.status,
        provider_id=provider.id, provider_name=provider.name,
        description=request.description if ours else None,
        contact=_contact(user, request, provider) if ours and request.status in ASSIGNED else None,
        created_at=offer.created_at)


def list_offers(user: User, page: int = 1, per_page: int = 20, state: str = "open") -> Page:
    """`open`: offers still waiting for an answer, newest first; `taken`: requests the provider has
    and has not finished (accepted), oldest first; `done`: finished ones, newest first."""
    provider = provider_of(user)
    statement = (select(ProviderOffer).join(HelpRequest, HelpRequest.id == ProviderOffer.help_request_id)
                 .where(ProviderOffer.provider_id == provider.id))
    if state == "taken":
        statement = statement.where(ProviderOffer.status == "accepted", HelpRequest.provider_id == provider.id,
                                    HelpRequest.status.in_(ASSIGNED)).order_by(ProviderOffer.answered_at,
                                                                               ProviderOffer.id)
    elif state == "done":
        statement = statement.where(ProviderOffer.status == "accepted", HelpRequest.provider_id == provider.id,
                                    HelpRequest.status.in_(("completed", "confirmed"))).order_by(
            HelpRequest.updated_at.desc(), ProviderOffer.id.desc())
    else:
        statement = statement.where(ProviderOffer.status == "offered", HelpRequest.status.in_(SEEKING)).order_by(
            ProviderOffer.created_at.desc(), ProviderOffer.id.desc())
    result = paginate(statement, page, per_page)
    language = current_language()
    result.items = [offer_view(user, offer, provider, language) for offer in result.items]
    db.session.commit()  # the reveals' audit entries
    return result


def get_offer(user: User, offer_id: int) -> ProviderOfferView:
    provider, offer = _own_offer(user, offer_id)
    view = offer_view(user, offer, provider, current_language())
    db.session.commit()
    return view


def _close_own(offer: ProviderOffer, status: str) -> None:
    if offer.status == "offered":
        offer.status, offer.answered_at = status, now()


def _lock_provider(provider_id: int) -> Provider:
    """Accepts for one provider queue here (SELECT … FOR UPDATE on PostgreSQL; SQLite has one writer)."""
    return db.session.scalar(select(Provider).where(Provider.id == provider_id).with_for_update())


def stage_provider_assignment(request_id: int, provider: Provider, actor: User) -> tuple[HelpRequest, bool]:
    """Give the request to a provider within its day's capacity: the provider's row is locked,
    the day's count read, then ONE conditional UPDATE of the request and its row count (first
    accept wins). The same provider again: (request, False); taken by anyone else:
    TaskAlreadyTaken; ended: InvalidTransition; the day full: ProviderAtCapacity."""
    for _ in range(ATTEMPTS):
        request = fresh_request(request_id)
        seen = request.status
        if seen in SEEKING:
            locked = _lock_provider(provider.id)
            moment = now()
            if locked.daily_capacity is not None and used_capacity(
                    locked.id, request.community_id, service_day(request, moment)) >= locked.daily_capacity:
                raise ProviderAtCapacity()
            changed = db.session.execute(
                update(HelpRequest).where(HelpRequest.id == request_id, HelpRequest.status == seen)
                .values(status="accepted", provider_id=locked.id, volunteer_id=None, accepted_at=moment,
                        updated_at=moment)
                .execution_options(synchronize_session=False)).rowcount
            request = fresh_request(request_id)
            if changed == 1:
                add_event(request, "accepted", seen, actor=actor, occurred_at=moment, data={"provider_id": locked.id})
                db.session.flush()
                deadlines.stage_taken(request, moment)  # no expiry; no volunteer reminders
                return request, True
            continue
        if seen in TAKEN:
            if request.provider_id == provider.id:
                return request, False
            raise TaskAlreadyTaken()
        raise InvalidTransition(seen)
    raise TaskAlreadyTaken()


def tell_provider_coming(request: HelpRequest, provider: Provider) -> None:
    """The resident's side hears which service took it (its name in the app; the lock screen
    shows the category and the time only)."""
    params = {"provider_name": provider.name, **lock_screen_params(request)}
    for person in requester_side(request):
        notify(matching_kinds.PROVIDER_COMING.code, user=person, params=params,
               data={"help_request_id": request.id}, community_id=request.community_id)


def accept_offer(user: User, offer_id: int) -> ProviderOfferView:
    provider, offer = _own_offer(user, offer_id)
    if offer.status == "declined":
        raise OfferClosed()
    try:
        request, changed = stage_provider_assignment(offer.help_request_id, provider, user)
    except TaskAlreadyTaken:
        _close_own(offer, "withdrawn")
        db.session.commit()
        raise
    except InvalidTransition:
        _close_own(offer, "expired")
        db.session.commit()
        raise
    except ProviderAtCapacity:
        db.session.rollback()
        raise
    if changed:
        offer.status, offer.answered_at, offer.answered_by_id = "accepted", now(), user.id
        stage_close_offers(request.id, "withdrawn", except_provider_id=provider.id)
        tell_provider_coming(request, provider)
    view = offer_view(user, offer, provider, current_language())
    db.session.commit()
    return view


def decline_offer(user: User, offer_id: int, reason: str | None) -> ProviderOfferView:
    """这次不行: when nobody offered (volunteer or provider) is left to answer, the next wave — or,
    for a request routed to providers only, the escalation — comes now."""
    provider, offer = _own_offer(user, offer_id)
    if offer.status != "declined":
        if offer.status != "offered":
            raise OfferClosed()
        moment = now()
        offer.status, offer.answered_at, offer.decline_reason, offer.answered_by_id = "declined", moment, reason, user.id
        db.session.flush()
        request = locked_request(offer.help_request_id)
        waiting = (db.session.scalar(select(func.count()).select_from(Offer).where(
            Offer.help_request_id == request.id, Offer.status == "offered")) or 0) + (db.session.scalar(
                select(func.count()).select_from(ProviderOffer).where(
                    ProviderOffer.help_request_id == request.id, ProviderOffer.status == "offered")) or 0)
        if not waiting and request.status == "offered":
            send_next_wave_now(request, moment)
    view = offer_view(user, offer, provider, current_language())
    db.session.commit()
    return view


def complete_offer(user: User, offer_id: int) -> ProviderOfferView:
    """已完成: the provider's staff mark the order done; the request is completed through the
    machine's own steps (checked in and checked out at this moment, naming the provider), so the
    confirmation reminder and the reveal window run as for a visit, with no hours: a provider
    earns no time-bank credit. Again: the same answer."""
    provider, offer = _own_offer(user, offer_id)
    request = locked_request(offer.help_request_id)
    if offer.status != "accepted" or request.provider_id != provider.id:
        raise OfferClosed()
    if request.status not in ("completed", "confirmed"):
        moment, data = now(), {"provider_id": provider.id}
        if request.status == "accepted":  # a provider has no separate arrival: there and done at once
            move(request, "checked_in", actor=user, occurred_at=moment, data=data, checked_in_at=moment,
                 check_in_received_at=moment)
        move(request, "checked_out", actor=user, occurred_at=moment, data=data, checked_out_at=moment,
             check_out_received_at=moment, hours=None)
        deadlines.stage_released(request)
        deadlines.stage_completed(request, moment)
    view = offer_view(user, offer, provider, current_language())
    db.session.commit()
    return view
