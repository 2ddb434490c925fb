"""Candidate search: the facts matching needs about a help request and about the volunteers near
it, loaded in a fixed handful of queries (never one per volunteer), and ranked.

Only volunteers whose home lies inside the bounding box of the community's largest travel
radius (capped at MAX_SEARCH_KM) are loaded: a range query the index on volunteers
(community_id, home_lat, home_lng) serves; rank() then checks each one's own radius exactly."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from backend.algorithms.geo import bounding_box
from backend.algorithms.matching import (
    DEFAULT_WEIGHTS, Availability, CandidateFacts, Ranked, RequestFacts, Weights, Window, rank,
)
from backend.community.models import Community, Term
from backend.extensions import db
from backend.help_requests.models import FIXED_CATEGORIES, HelpRequest, HelpRequestEvent
from backend.matching.models import Offer, VolunteerBlock
from backend.people.models import Resident
from backend.volunteers.models import (
    AvailabilityException, AvailabilitySlot, Vetting, Volunteer, volunteer_languages, volunteer_skills,
)

MAX_SEARCH_KM = 50.0
RECENT = timedelta(days=30)
ASAP_WINDOW = timedelta(hours=1)
OPEN_TASK_STATUSES = ("accepted", "in_progress")
DONE_STATUSES = ("completed", "confirmed")
RELIABILITY_EVENTS = ("withdrawn", "no_show")


@dataclass
class Ranking:
    """One ranking of a request: its facts, the candidates loaded, the weights and the result."""

    request: RequestFacts
    candidates: list[CandidateFacts]
    weights: Weights
    ranked: list[Ranked]


def weights_for(community_id: int) -> Weights:
    """MATCHING_WEIGHTS: {"default": {...}, <community id>: {...}}; missing keys keep the algorithm's."""
    configured = current_app.config.get("MATCHING_WEIGHTS") or {}
    mapping = dict(configured.get("default") or {})
    mapping.update(configured.get(community_id) or configured.get(str(community_id)) or {})
    return Weights.from_mapping(mapping) if mapping else DEFAULT_WEIGHTS


def local_window(request: HelpRequest, timezone: str, moment: datetime) -> Window:
    """The request's window as naive local times; an asap request's is the next hour."""
    zone = ZoneInfo(timezone)
    if request.asap or request.window_start is None or request.window_end is None:
        start, end = moment, moment + ASAP_WINDOW
    else:
        start, end = request.window_start, request.window_end
    return Window(start.astimezone(zone).replace(tzinfo=None), end.astimezone(zone).replace(tzinfo=None))


def request_facts(request: HelpRequest, moment: datetime) -> RequestFacts:
    community = db.session.get(Community, request.community_id)
    resident = db.session.get(Resident, request.resident_id)
    category = request.category
    return RequestFacts(
        request_id=request.id, resident_id=resident.id, resident_active=resident.status == "active",
        category=category, skill_needed=None if category in FIXED_CATEGORIES else category,
        is_welfare_check=category == "welfare_check", goes_to_worker=category == "other",
        child=resident.is_child, lat=request.lat, lng=request.lng,
        window=local_window(request, community.timezone, moment), urgency=request.urgency,
        scheduled=not request.asap, preferred_gender=request.preferred_gender or resident.prefers_volunteer_gender,
        preferred_language=request.preferred_language, resident_addressed_as=resident.address_as,
        resident_languages=frozenset(term.code for term in resident.languages),
    )


def search_radius_km(community_id: int) -> float:
    largest = db.session.scalar(select(func.max(Volunteer.travel_radius_km))
                                .where(Volunteer.community_id == community_id))
    return min(MAX_SEARCH_KM, largest or 0.0)


def volunteers_near(request: HelpRequest) -> list[Volunteer]:
    """The community's volunteers who may be able to reach the request: their home inside the
    search box of the community's largest travel radius (the index range), and inside the box of
    their OWN radius. The box's half-widths grow at least linearly with the radius (convex, zero at
    zero), so the largest box scaled to a volunteer's radius always holds that volunteer's exact
    reach: nobody who can come is left out; rank() then checks the exact distance."""
    if request.lat is None or request.lng is None:
        return []
    radius = search_radius_km(request.community_id)
    box = bounding_box(request.lat, request.lng, radius)
    statement = select(Volunteer).where(
        Volunteer.community_id == request.community_id,
        Volunteer.home_lat.between(box.min_lat, box.max_lat),
        Volunteer.home_lng.between(box.min_lng, box.max_lng))
    if radius > 0 and box.max_lng - box.min_lng < 360:
        lat_per_km = (box.max_lat - request.lat) / radius
        lng_per_km = (box.max_lng - request.lng) / radius
        statement = statement.where(
            func.abs(Volunteer.home_lat - request.lat) <= Volunteer.travel_radius_km * lat_per_km,
            func.abs(Volunteer.home_lng - request.lng) <= Volunteer.travel_radius_km * lng_per_km)
    return list(db.session.scalars(statement.order_by(Volunteer.id)))


def _codes(table, ids) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for volunteer_id, code in db.session.execute(
            select(table.c.volunteer_id, Term.code).join(Term, Term.id == table.c.term_id)
            .where(table.c.volunteer_id.in_(ids))):
        found[volunteer_id].add(code)
    return found


def _counts(statement) -> dict[int, int]:
    return {key: count for key, count in db.session.execute(statement)}


def candidate_facts(request: HelpRequest, facts: RequestFacts, volunteers: list[Volunteer],
                    moment: datetime) -> list[CandidateFacts]:
    """Every fact about these volunteers, a fixed number of queries whatever their number."""
    ids = [volunteer.id for volunteer in volunteers]
    if not ids:
        return []
    skills, languages = _codes(volunteer_skills, ids), _codes(volunteer_languages, ids)
    last_day = facts.window.end_local.date()
    vettings: dict[int, set[str]] = defaultdict(set)
    for volunteer_id, kind in db.session.execute(select(Vetting.volunteer_id, Vetting.kind).where(
            Vetting.volunteer_id.in_(ids), Vetting.revoked_at.is_(None), Vetting.expires_on >= last_day)):
        vettings[volunteer_id].add(kind)
    weekly: dict[int, list] = defaultdict(list)
    for row in db.session.execute(select(AvailabilitySlot.volunteer_id, AvailabilitySlot.weekday,
                                         AvailabilitySlot.start_minute, AvailabilitySlot.end_minute)
                                  .where(AvailabilitySlot.volunteer_id.in_(ids))):
        weekly[row[0]].append((row[1], row[2], row[3]))
    first_day = facts.window.start_local.date() - timedelta(days=1)
    exceptions: dict[int, list] = defaultdict(list)
    for row in db.session.execute(select(AvailabilityException.volunteer_id, AvailabilityException.on_date,
                                         AvailabilityException.available, AvailabilityException.start_minute,
                                         AvailabilityException.end_minute)
                                  .where(AvailabilityException.volunteer_id.in_(ids),
                                         AvailabilityException.on_date.between(first_day, last_day))):
        exceptions[row[0]].append(tuple(row[1:]))
    tasks = HelpRequest.volunteer_id
    open_tasks = _counts(select(tasks, func.count()).where(tasks.in_(ids), HelpRequest.status.in_(OPEN_TASK_STATUSES))
                         .group_by(tasks))
    declined = set(db.session.scalars(select(Offer.volunteer_id).where(
        Offer.help_request_id == request.id, Offer.volunteer_id.in_(ids), Offer.status == "declined")))
    declined |= set(db.session.scalars(select(HelpRequestEvent.volunteer_id).where(
        HelpRequestEvent.help_request_id == request.id, HelpRequestEvent.volunteer_id.in_(ids),
        HelpRequestEvent.event.in_(RELIABILITY_EVENTS))))
    blocked = set(db.session.scalars(select(VolunteerBlock.volunteer_id).where(
        VolunteerBlock.resident_id == request.resident_id, VolunteerBlock.volunteer_id.in_(ids))))
    helped = {row[0]: (row[1], row[2]) for row in db.session.execute(
        select(tasks, func.count(), func.avg(HelpRequest.rating)).where(
            tasks.in_(ids), HelpRequest.resident_id == request.resident_id, HelpRequest.status == "confirmed")
        .group_by(tasks))}
    since = moment - RECENT
    recent_offers = _counts(select(Offer.volunteer_id, func.count()).where(
        Offer.volunteer_id.in_(ids), Offer.created_at >= since).group_by(Offer.volunteer_id))
    recent_tasks = _counts(select(tasks, func.count()).where(tasks.in_(ids), HelpRequest.accepted_at >= since)
                           .group_by(tasks))
    ratings = {row[0]: (row[1], row[2]) for row in db.session.execute(
        select(tasks, func.avg(HelpRequest.rating), func.count(HelpRequest.rating))
        .where(tasks.in_(ids), HelpRequest.rating.is_not(None)).group_by(tasks))}
    completed = _counts(select(tasks, func.count()).where(tasks.in_(ids), HelpRequest.status.in_(DONE_STATUSES))
                        .group_by(tasks))
    failures: dict[int, dict[str, int]] = defaultdict(dict)
    for volunteer_id, event, count in db.session.execute(
            select(HelpRequestEvent.volunteer_id, HelpRequestEvent.event, func.count()).where(
                HelpRequestEvent.volunteer_id.in_(ids), HelpRequestEvent.event.in_(RELIABILITY_EVENTS))
            .group_by(HelpRequestEvent.volunteer_id, HelpRequestEvent.event)):
        failures[volunteer_id][event] = count
    result = []
    for volunteer in volunteers:
        vid = volunteer.id
        helped_count, helped_rating = helped.get(vid, (0, None))
        rating, rating_count = ratings.get(vid, (None, 0))
        result.append(CandidateFacts(
            volunteer_id=vid, status=volunteer.status, on_duty=volunteer.on_duty, gender=volunteer.gender,
            lat=volunteer.home_lat, lng=volunteer.home_lng, travel_radius_km=volunteer.travel_radius_km,
            skills=frozenset(skills[vid]), languages=frozenset(languages[vid]),
            valid_vettings=frozenset(vettings[vid]),
            availability=Availability(weekly=tuple(weekly[vid]), exceptions=tuple(exceptions[vid])),
            open_tasks=open_tasks.get(vid, 0), load_cap=volunteer.load_cap, declined_or_withdrew=vid in declined,
            blocked_for_resident=vid in blocked, helped_resident_count=helped_count,
            helped_resident_rating=float(helped_rating) if helped_rating is not None else None,
            recent_offers=recent_offers.get(vid, 0), recent_tasks=recent_tasks.get(vid, 0),
            rating=float(rating) if rating is not None else None, ratings_count=rating_count,
            withdrawals=failures[vid].get("withdrawn", 0), no_shows=failures[vid].get("no_show", 0),
            completed=completed.get(vid, 0),
        ))
    return result


def ranking_for(request: HelpRequest, moment: datetime, volunteers: list[Volunteer] | None = None) -> Ranking:
    """Rank the volunteers near the request (or those given, e.g. every volunteer in a test)."""
    facts = request_facts(request, moment)
    if volunteers is None:
        volunteers = volunteers_near(request)
    candidates = candidate_facts(request, facts, volunteers, moment)
    weights = weights_for(request.community_id)
    return Ranking(facts, candidates, weights, rank(facts, candidates, weights))
