"""Candidate search: the facts matching needs about a help request and about the volunteers near
it, loaded in a fixed handful of queries (never one per volunteer), and ranked.

One query finds the volunteers: the active, on-duty ones whose home lies inside the bounding box
of the community's largest travel radius (capped at MAX_SEARCH_KM) and of their own radius, read
from the index ix_volunteers_search alone, who also pass the other hard rules SQL can check
(SQL_RULES). Those rules are an optimisation only, each a necessary condition for rank() to accept
someone: rank() checks every rule again (the exact distance among them) and stays the one place
that decides (docs/matching.md, "Candidate search")."""
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, case, exists, func, or_, select, true, union_all

from backend.algorithms.geo import bounding_box
from backend.algorithms.matching import (
    COMPONENTS, DEFAULT_WEIGHTS, SHORT_WINDOW, Availability, CandidateFacts, Ranked, RequestFacts, Weights, Window,
    rank,
)
from backend.community.models import Community, Term
from backend.extensions import db
from backend.help_requests.models import FIXED_CATEGORIES, SOS_CATEGORY, HelpRequest, HelpRequestEvent
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
LONG_WINDOW_DAYS = 8  # a long window on more dates than this is searched by "any weekly slot"
FACT_CHUNK = 10_000  # volunteers per IN list: under SQLite's 32,766 and PostgreSQL's 65,535 bind parameters


@dataclass
class Ranking:
    """One ranking of a request: its facts, the candidates loaded, the weights and the result."""

    request: RequestFacts
    candidates: list[CandidateFacts]
    weights: Weights
    ranked: list[Ranked]
    # How the candidates were found (None: given by the caller): the hard rules applied in SQL, as
    # rank()'s codes, so a volunteer missing from `candidates` was refused for one of them or is out of reach.
    search: dict | None = None


def weights_for(community_id: int, category: str | None = None) -> Weights:
    """MATCHING_WEIGHTS: {"default": {...}, <community id>: {...}}; missing keys keep the algorithm's.
    An SOS ranks by SOS_WEIGHTS alone (the nearest first; keys it does not name count 0)."""
    if category == SOS_CATEGORY:
        sos = current_app.config.get("SOS_WEIGHTS") or {"distance": 1.0}
        return Weights.from_mapping({name: 0.0 for name in COMPONENTS} | dict(sos))
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
        category=category, skill_needed=None if category in (*FIXED_CATEGORIES, SOS_CATEGORY) else category,
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


# The volunteer's own columns candidate_facts() needs: rows of these, not ORM objects, are loaded.
SEARCH_COLUMNS = (Volunteer.id, Volunteer.status, Volunteer.on_duty, Volunteer.gender, Volunteer.home_lat,
                  Volunteer.home_lng, Volunteer.travel_radius_km, Volunteer.load_cap)
# The hard rules the search applies in SQL, as rank()'s codes (docs/matching.md, "Candidate search").
SQL_RULES = ("not_active", "off_duty", "unavailable", "lacks_skill", "no_location", "needs_identity_vetting",
             "needs_child_safeguarding", "declined_or_withdrew", "blocked", "at_load_cap", "gender_preference",
             "language_preference")


def _term_ids(code: str) -> list[int]:
    """Every term with this code: candidate_facts() compares codes whatever the term's community."""
    return list(db.session.scalars(select(Term.id).where(Term.code == code)))


def _holds_term(table, term_ids: list[int]):
    return exists().where(table.c.volunteer_id == Volunteer.id, table.c.term_id.in_(term_ids))


def _valid_vetting(kind: str, last_day):
    return exists().where(Vetting.volunteer_id == Volunteer.id, Vetting.kind == kind,
                          Vetting.revoked_at.is_(None), Vetting.expires_on >= last_day)


def _minute_of(moment: datetime) -> float:
    return moment.hour * 60 + moment.minute + moment.second / 60 + moment.microsecond / 60_000_000


def _may_be_available(window: Window):
    """A necessary condition for Availability.covers(window), in SQL. A short window needs a range
    covering its start on its start's date: a weekly slot of that weekday covering that minute, or
    an exception that day (which replaces the pattern). A long window needs an unbroken hour inside
    it, made of ranges on its dates, so at least one range on one of its dates overlapping it: a
    weekly slot of that date's weekday overlapping the window's part of that day, or an exception
    making one of its dates available. Weekdays and minutes are worked out here, in Python: no date
    functions in SQL; rounding only ever widens the condition."""
    start, end = window.start_local, window.end_local
    slots, dated = AvailabilitySlot, AvailabilityException
    if end - start <= SHORT_WINDOW:
        day, minute = start.date(), start.hour * 60 + start.minute  # start_minute ≤ t < end_minute, whole minutes
        slot = exists().where(slots.volunteer_id == Volunteer.id, slots.weekday == day.weekday(),
                              slots.start_minute <= minute, slots.end_minute > minute)
        on_the_day = exists().where(dated.volunteer_id == Volunteer.id, dated.on_date == day,
                                    dated.available == true())
        return or_(slot, on_the_day)
    first, last = start.date(), end.date()
    days = (last - first).days + 1
    if days > LONG_WINDOW_DAYS:  # a week or more: any weekly slot at all
        slot = exists().where(slots.volunteer_id == Volunteer.id)
    else:
        parts = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            earliest = math.floor(_minute_of(start)) if day == first else 0
            latest = math.ceil(_minute_of(end)) if day == last else 1440
            parts.append(and_(slots.weekday == day.weekday(), slots.start_minute < latest,
                              slots.end_minute > earliest))
        slot = exists().where(slots.volunteer_id == Volunteer.id, or_(*parts))
    on_a_day = exists().where(dated.volunteer_id == Volunteer.id, dated.on_date.between(first, last),
                              dated.available == true())
    return or_(slot, on_a_day)


def hard_rule_conditions(request: HelpRequest, facts: RequestFacts) -> list | None:
    """SQL conditions every volunteer rank() could accept for this request meets: status, duty,
    availability, the skill, vetting, load cap, refusals and blocks, the resident's preferences
    (SQL_RULES). Only an optimisation: rank() checks every rule again and stays the one place that
    decides. None: nobody can be offered it (the resident is not active, or it goes to the worker)."""
    if not facts.resident_active or facts.goes_to_worker:
        return None
    # Plain columns first, then the subqueries, the most selective first: SQLite tries them in this order.
    conditions = [Volunteer.status == "active", Volunteer.on_duty == true(),
                  Volunteer.home_lat.is_not(None), Volunteer.home_lng.is_not(None)]
    if facts.preferred_gender is not None:
        conditions.append(Volunteer.gender == facts.preferred_gender)
    refused = set(db.session.scalars(union_all(
        select(Offer.volunteer_id).where(Offer.help_request_id == request.id, Offer.status == "declined"),
        select(HelpRequestEvent.volunteer_id).where(
            HelpRequestEvent.help_request_id == request.id, HelpRequestEvent.volunteer_id.is_not(None),
            HelpRequestEvent.event.in_(RELIABILITY_EVENTS)),
        select(VolunteerBlock.volunteer_id).where(VolunteerBlock.resident_id == request.resident_id))))
    if refused:
        conditions.append(Volunteer.id.not_in(sorted(refused)))
    if not facts.is_welfare_check and facts.skill_needed is not None:
        conditions.append(_holds_term(volunteer_skills, _term_ids(facts.skill_needed)))
    if facts.preferred_language is not None:
        conditions.append(_holds_term(volunteer_languages, _term_ids(facts.preferred_language)))
    last_day = facts.window.end_local.date()
    conditions += [_may_be_available(facts.window), _valid_vetting("identity", last_day)]
    if facts.child:
        conditions.append(_valid_vetting("child_safeguarding", last_day))
    conditions.append(Volunteer.load_cap > select(func.count()).where(
        HelpRequest.volunteer_id == Volunteer.id, HelpRequest.status.in_(OPEN_TASK_STATUSES)).scalar_subquery())
    return conditions


def _spatial_conditions(request: HelpRequest) -> list:
    """The search box of the community's largest travel radius (the index range), narrowed to the
    box of each volunteer's OWN radius. The box's half-widths grow at least linearly with the
    radius (convex, zero at zero), so the largest box scaled to a volunteer's radius always holds
    that volunteer's exact reach: nobody who can come is left out; rank() checks the exact distance."""
    radius = search_radius_km(request.community_id)
    box = bounding_box(request.lat, request.lng, radius)
    conditions = [Volunteer.home_lat.between(box.min_lat, box.max_lat),
                  Volunteer.home_lng.between(box.min_lng, box.max_lng)]
    if radius > 0 and box.max_lng - box.min_lng < 360:
        lat_per_km = (box.max_lat - request.lat) / radius
        lng_per_km = (box.max_lng - request.lng) / radius
        conditions += [func.abs(Volunteer.home_lat - request.lat) <= Volunteer.travel_radius_km * lat_per_km,
                       func.abs(Volunteer.home_lng - request.lng) <= Volunteer.travel_radius_km * lng_per_km]
    return conditions


def volunteers_near(request: HelpRequest, facts: RequestFacts | None = None, *, spatial: bool = True) -> list:
    """The community's volunteers who may be able to take the request, as rows of SEARCH_COLUMNS
    (.id, .status, … like a Volunteer): inside the search box and their own reach (spatial=False
    leaves that out: the benchmark's brute force) and, given the request's facts, passing the hard
    rules SQL can check (hard_rule_conditions). No coordinates for the request: nobody."""
    if request.lat is None or request.lng is None:
        return []
    place = [Volunteer.community_id == request.community_id]
    if spatial:
        place += _spatial_conditions(request)
    if facts is None:
        return list(db.session.execute(select(*SEARCH_COLUMNS).where(*place).order_by(Volunteer.id)))
    rules = hard_rule_conditions(request, facts)
    if rules is None:
        return []
    # The place, standing and duty first, on the index alone (ix_volunteers_search holds every column
    # they need, the id included: an index-only scan on PostgreSQL); then the other rules, per row.
    found = select(Volunteer.id).where(*place, Volunteer.status == "active", Volunteer.on_duty == true())
    return list(db.session.execute(select(*SEARCH_COLUMNS).where(Volunteer.id.in_(found), *rules)
                                   .order_by(Volunteer.id)))


def _codes(table, ids) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for volunteer_id, code in db.session.execute(
            select(table.c.volunteer_id, Term.code).join(Term, Term.id == table.c.term_id)
            .where(table.c.volunteer_id.in_(ids))):
        found[volunteer_id].add(code)
    return found


def candidate_facts(request: HelpRequest, facts: RequestFacts, volunteers: list,
                    moment: datetime) -> list[CandidateFacts]:
    """Every fact about these volunteers (rows of SEARCH_COLUMNS or Volunteer objects), a fixed
    number of queries per FACT_CHUNK volunteers (bind-parameter limits) whatever their number."""
    result = []
    for start in range(0, len(volunteers), FACT_CHUNK):
        result += _facts_of(request, facts, volunteers[start:start + FACT_CHUNK], moment)
    return result


def _facts_of(request: HelpRequest, facts: RequestFacts, volunteers: list, moment: datetime) -> list[CandidateFacts]:
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
    # Everything from the volunteers' tasks in one pass over their help requests.
    tasks = HelpRequest.volunteer_id
    since = moment - RECENT
    history: dict[int, tuple] = {}
    for row in db.session.execute(select(
            tasks,
            func.sum(case((HelpRequest.status.in_(OPEN_TASK_STATUSES), 1), else_=0)),
            func.sum(case((and_(HelpRequest.resident_id == request.resident_id,
                                HelpRequest.status == "confirmed"), 1), else_=0)),
            func.avg(case((and_(HelpRequest.resident_id == request.resident_id,
                                HelpRequest.status == "confirmed"), HelpRequest.rating), else_=None)),
            func.sum(case((HelpRequest.accepted_at >= since, 1), else_=0)),
            func.avg(HelpRequest.rating), func.count(HelpRequest.rating),
            func.sum(case((HelpRequest.status.in_(DONE_STATUSES), 1), else_=0)),
    ).where(tasks.in_(ids)).group_by(tasks)):
        history[row[0]] = tuple(row[1:])
    recent_offers: dict[int, int] = {}
    declined = set()
    for volunteer_id, recent, refused in db.session.execute(select(
            Offer.volunteer_id, func.sum(case((Offer.created_at >= since, 1), else_=0)),
            func.sum(case((and_(Offer.help_request_id == request.id, Offer.status == "declined"), 1), else_=0)),
    ).where(Offer.volunteer_id.in_(ids)).group_by(Offer.volunteer_id)):
        recent_offers[volunteer_id] = recent or 0
        if refused:
            declined.add(volunteer_id)
    failures: dict[int, dict[str, int]] = defaultdict(dict)
    for volunteer_id, event, count, here in db.session.execute(
            select(HelpRequestEvent.volunteer_id, HelpRequestEvent.event, func.count(),
                   func.sum(case((HelpRequestEvent.help_request_id == request.id, 1), else_=0))).where(
                HelpRequestEvent.volunteer_id.in_(ids), HelpRequestEvent.event.in_(RELIABILITY_EVENTS))
            .group_by(HelpRequestEvent.volunteer_id, HelpRequestEvent.event)):
        failures[volunteer_id][event] = count
        if here:
            declined.add(volunteer_id)
    blocked = set(db.session.scalars(select(VolunteerBlock.volunteer_id).where(
        VolunteerBlock.resident_id == request.resident_id, VolunteerBlock.volunteer_id.in_(ids))))
    result = []
    nothing = (0, 0, None, 0, None, 0, 0)
    for volunteer in volunteers:
        vid = volunteer.id
        open_tasks, helped_count, helped_rating, recent_tasks, rating, rating_count, completed = \
            history.get(vid, nothing)
        result.append(CandidateFacts(
            volunteer_id=vid, status=volunteer.status, on_duty=volunteer.on_duty, gender=volunteer.gender,
            lat=volunteer.home_lat, lng=volunteer.home_lng, travel_radius_km=volunteer.travel_radius_km,
            skills=frozenset(skills[vid]), languages=frozenset(languages[vid]),
            valid_vettings=frozenset(vettings[vid]),
            availability=Availability(weekly=tuple(weekly[vid]), exceptions=tuple(exceptions[vid])),
            open_tasks=open_tasks or 0, load_cap=volunteer.load_cap, declined_or_withdrew=vid in declined,
            blocked_for_resident=vid in blocked, helped_resident_count=helped_count or 0,
            helped_resident_rating=float(helped_rating) if helped_rating is not None else None,
            recent_offers=recent_offers.get(vid, 0), recent_tasks=recent_tasks or 0,
            rating=float(rating) if rating is not None else None, ratings_count=rating_count or 0,
            withdrawals=failures[vid].get("withdrawn", 0), no_shows=failures[vid].get("no_show", 0),
            completed=completed or 0,
        ))
    return result


def ranking_for(request: HelpRequest, moment: datetime, volunteers: list | None = None, *,
                spatial: bool = True) -> Ranking:
    """Rank the volunteers the search finds (volunteers_near with the hard rules in SQL), or those
    given (e.g. every volunteer in a test); spatial=False searches without the box (the benchmark's
    brute force). rank() decides in every case."""
    facts = request_facts(request, moment)
    search = None
    if volunteers is None:
        volunteers = volunteers_near(request, facts, spatial=spatial)
        search = {"hard_rules_in_sql": list(SQL_RULES), "within_reach_box": spatial, "loaded": len(volunteers)}
    candidates = candidate_facts(request, facts, volunteers, moment)
    weights = weights_for(request.community_id, request.category)
    return Ranking(facts, candidates, weights, rank(facts, candidates, weights), search)
