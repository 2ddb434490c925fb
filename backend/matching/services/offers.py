"""A volunteer's offers: the list (what they may know before accepting — category, time, building
label, distance, how to address the resident, why them; never the address, phone or full name),
accepting (first accept wins, atomically, in help_requests' stage_assignment) and declining.

The worker's view of a request's ranked candidates is here too: the same ranking, with names."""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from backend.accounts.models import User
from backend.algorithms.matching import Reason, describe
from backend.common.i18n import current_language
from backend.common.pagination import Page, paginate
from backend.common.time import now
from backend.community.models import Term
from backend.errors import Conflict, NotFound
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.help_requests.services import deadlines
from backend.help_requests.services.access import require_grid_staff, request_not_found, volunteer_of
from backend.help_requests.services.assigning import TaskAlreadyTaken, stage_assignment
from backend.help_requests.services.machine import InvalidTransition
from backend.help_requests.services.timeline import locked_request
from backend.matching.models import Dispatch, Offer
from backend.matching.services.candidates import ranking_for
from backend.matching.services.dispatch import (
    category_label, send_next_wave_now, stage_close_offers,
)
from backend.people.models import Resident
from backend.volunteers.models import Volunteer

SEEKING = ("offered", "escalated")


class OfferClosed(Conflict):
    reason = "offer_closed"
    messages = {"zh-CN": "这个邀请已经结束了。", "en": "This offer is no longer open."}


def offer_not_found() -> NotFound:
    return NotFound("该邀请", "Offer")


@dataclass
class OfferView:
    """An offer as its volunteer sees it: nothing that names or locates the resident exactly."""

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
    reason_codes: list[str] = field(default_factory=list)
    created_at: datetime | None = None


def language_names(community_id: int, language: str) -> dict[str, str]:
    rows = db.session.execute(select(Term.code, Term.label_zh, Term.label_en).where(
        Term.community_id == community_id, Term.vocabulary == "language"))
    return {code: (en if language == "en" else zh) for code, zh, en in rows}


def _reasons(stored: list) -> tuple[Reason, ...]:
    return tuple(Reason(item["code"], dict(item.get("params") or {})) for item in stored or ())


def offer_view(offer: Offer, language: str, names: dict | None = None) -> OfferView:
    request = db.session.get(HelpRequest, offer.help_request_id)
    resident = db.session.get(Resident, request.resident_id)
    names = names if names is not None else language_names(request.community_id, language)
    reasons = _reasons(offer.reasons)
    return OfferView(
        id=offer.id, help_request_id=request.id, status=offer.status, wave=offer.wave, category=request.category,
        category_label=category_label(request, language), asap=request.asap, urgency=request.urgency,
        window_start=request.window_start, window_end=request.window_end,
        building_label=resident.household.building.label, distance_km=offer.distance_km,
        address_as=resident.address_as, reasons=describe(reasons, language, names),
        reason_codes=[reason.code for reason in reasons], created_at=offer.created_at)


def _volunteer(user: User) -> Volunteer:
    volunteer = volunteer_of(user)
    if volunteer is None:
        raise offer_not_found()
    return volunteer


def _own_offer(user: User, offer_id: int) -> tuple[Volunteer, Offer]:
    volunteer = _volunteer(user)
    offer = db.session.get(Offer, offer_id)
    if offer is None or offer.volunteer_id != volunteer.id:
        raise offer_not_found()
    return volunteer, offer


def list_offers(user: User, page: int = 1, per_page: int = 20) -> Page:
    """The caller's open offers, newest first (only while the request still seeks someone)."""
    volunteer = _volunteer(user)
    statement = (select(Offer).join(HelpRequest, HelpRequest.id == Offer.help_request_id)
                 .where(Offer.volunteer_id == volunteer.id, Offer.status == "offered",
                        HelpRequest.status.in_(SEEKING))
                 .order_by(Offer.created_at.desc(), Offer.id.desc()))
    result = paginate(statement, page, per_page)
    language = current_language()
    names = language_names(volunteer.community_id, language)
    result.items = [offer_view(offer, language, names) for offer in result.items]
    return result


def get_offer(user: User, offer_id: int) -> OfferView:
    _volunteer_row, offer = _own_offer(user, offer_id)
    return offer_view(offer, current_language())


def _close_own(offer: Offer, status: str) -> None:
    if offer.status == "offered":
        offer.status, offer.answered_at = status, now()


def accept_offer(user: User, offer_id: int) -> OfferView:
    """First accept wins; the same volunteer again gets the same answer. Anyone after the winner:
    TaskAlreadyTaken, and their offer is withdrawn. The winner's request closes every other offer,
    cancels its wave timer and tells the resident's side who is coming."""
    volunteer, offer = _own_offer(user, offer_id)
    if offer.status == "declined":
        raise OfferClosed()
    try:
        request, changed = stage_assignment(offer.help_request_id, volunteer.id, user, via="offer")
    except TaskAlreadyTaken:
        _close_own(offer, "withdrawn")
        db.session.commit()
        raise
    except InvalidTransition:
        _close_own(offer, "expired")
        db.session.commit()
        raise
    if changed:
        offer.status, offer.answered_at = "accepted", now()
        stage_close_offers(request.id, "withdrawn", except_volunteer_id=volunteer.id)
        deadlines.tell_coming(request, volunteer)
    view = offer_view(offer, current_language())
    db.session.commit()
    return view


def decline_offer(user: User, offer_id: int, reason: str | None) -> OfferView:
    """这次不行: the offer is declined (with an optional reason). When nobody offered is left
    waiting to answer, the next wave goes out now rather than at the end of the interval."""
    _volunteer_row, offer = _own_offer(user, offer_id)
    if offer.status != "declined":
        if offer.status != "offered":
            raise OfferClosed()
        moment = now()
        offer.status, offer.answered_at, offer.decline_reason = "declined", moment, reason
        db.session.flush()
        request = locked_request(offer.help_request_id)
        waiting = db.session.scalar(select(func.count()).select_from(Offer).where(
            Offer.help_request_id == request.id, Offer.status == "offered"))
        if not waiting and request.status == "offered":
            send_next_wave_now(request, moment)
    view = offer_view(offer, current_language())
    db.session.commit()
    return view


def candidates_for(user: User, request_id: int) -> dict:
    """A grid worker's view: the ranked eligible candidates with names, and the latest dispatch record."""
    request = db.session.get(HelpRequest, request_id)
    if request is None:
        raise request_not_found()
    require_grid_staff(user, request)
    ranking = ranking_for(request, now())
    language = current_language()
    names = language_names(request.community_id, language)
    ids = [item.volunteer_id for item in ranking.ranked]
    display = dict(db.session.execute(select(Volunteer.id, User.display_name)
                                      .join(User, User.id == Volunteer.user_id).where(Volunteer.id.in_(ids))).all())
    latest = db.session.scalar(select(Dispatch).where(Dispatch.help_request_id == request.id)
                               .order_by(Dispatch.wave.desc(), Dispatch.id.desc()).limit(1))
    return {
        "help_request_id": request.id,
        "candidates": [{"volunteer_id": item.volunteer_id, "name": display.get(item.volunteer_id, ""),
                        "distance_km": round(item.distance_km, 2), "score": round(item.score, 4),
                        "breakdown": {key: round(value, 4) for key, value in item.breakdown.items()},
                        "reasons": describe(item.reasons, language, names),
                        "reason_codes": [reason.code for reason in item.reasons]} for item in ranking.ranked],
        "latest_dispatch": None if latest is None else {
            "wave": latest.wave, "at": latest.at, "offered_volunteer_ids": latest.offered_volunteer_ids,
            "record": latest.record},
    }
