"""Matching volunteers to a help request: who may be offered it, in what order and why, and in which waves.

Pure: plain frozen dataclasses in and out, no Flask, no database (docs/matching.md explains the rules,
the score and its default weights, the reasons and the waves). Times of day are the community's local
time; instants (waves) are aware UTC datetimes.
"""
import math
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, time, timedelta

from backend.algorithms.geo import haversine_km

URGENCIES = ("normal", "urgent")
# A window up to this long is a time to come: the volunteer must be available when it starts.
SHORT_WINDOW = timedelta(hours=4)
# A longer window is a span to choose from: the volunteer needs this much unbroken time inside it.
LONG_WINDOW_STRETCH = timedelta(hours=1)
# Scheduled requests are escalated to the worker at the latest this long before the window opens.
SCHEDULED_CLOSE_BEFORE = timedelta(hours=1)

DISTANCE_HALF_KM = 1.0  # the distance component halves at this distance
RATING_PRIOR, RATING_PRIOR_COUNT = 4.0, 3  # a new volunteer counts as three ratings of 4 stars
RELIABILITY_PRIOR = 2  # two imagined completed tasks, so one early no-show does not sink anyone
FAIRNESS_SCALE = 4.0  # recent offers + 2 × recent tasks at which the fairness component halves
WELL_RATED, WELL_RATED_COUNT = 4.5, 3
RELIABLE_COMPLETED = 3


@dataclass(frozen=True)
class Window:
    """When the help is wanted, as naive local datetimes in the community's time zone."""

    start_local: datetime
    end_local: datetime

    def __post_init__(self):
        if self.start_local.tzinfo is not None or self.end_local.tzinfo is not None:
            raise ValueError("a window is in naive local time")
        if self.end_local < self.start_local:
            raise ValueError("a window cannot end before it starts")


@dataclass(frozen=True)
class RequestFacts:
    """What matching needs to know about one help request and its resident."""

    request_id: int
    resident_id: int
    resident_active: bool
    category: str
    skill_needed: str | None  # None for welfare_check and other
    is_welfare_check: bool
    goes_to_worker: bool  # category other: the grid worker assigns it by hand
    child: bool
    lat: float | None
    lng: float | None
    window: Window
    urgency: str
    scheduled: bool
    preferred_gender: str | None
    preferred_language: str | None  # a language/dialect term code
    resident_addressed_as: str  # 王奶奶, used in reasons
    resident_languages: frozenset[str] = frozenset()  # every language the resident speaks, if known

    def __post_init__(self):
        if self.urgency not in URGENCIES:
            raise ValueError(f"urgency must be one of {URGENCIES}")


@dataclass(frozen=True)
class Availability:
    """A weekly pattern (weekday 0 = Monday, minutes from local midnight, 1440 = 24:00) and dated
    exceptions (date, available, start_minute, end_minute), each replacing the pattern for its date."""

    weekly: tuple[tuple[int, int, int], ...] = ()
    exceptions: tuple[tuple[date, bool, int | None, int | None], ...] = ()

    def ranges_on(self, day: date) -> list[tuple[int, int]]:
        """The minute ranges available on one local date."""
        for on_date, available, start, end in self.exceptions:
            if on_date == day:
                if not available:
                    return []
                return [(0, 1440)] if start is None or end is None else [(start, end)]
        return sorted((start, end) for weekday, start, end in self.weekly if weekday == day.weekday())

    def stretches(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """Unbroken available spans touching [start, end], joined across midnight."""
        merged: list[tuple[datetime, datetime]] = []
        day = start.date() - timedelta(days=1)
        while day <= end.date():
            midnight = datetime.combine(day, time())
            for first, last in self.ranges_on(day):
                span = (midnight + timedelta(minutes=first), midnight + timedelta(minutes=last))
                if merged and span[0] <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], span[1]))
                else:
                    merged.append(span)
            day += timedelta(days=1)
        return merged

    def covers(self, window: Window) -> bool:
        """Short windows (≤ 4 h): available at the start. Longer ones: an hour unbroken inside."""
        spans = self.stretches(window.start_local, window.end_local)
        if window.end_local - window.start_local <= SHORT_WINDOW:
            return any(first <= window.start_local < last for first, last in spans)
        return any(min(last, window.end_local) - max(first, window.start_local) >= LONG_WINDOW_STRETCH
                   for first, last in spans)


@dataclass(frozen=True)
class CandidateFacts:
    """What matching needs to know about one volunteer, with counts the adapter has gathered."""

    volunteer_id: int
    status: str
    on_duty: bool
    gender: str
    lat: float | None
    lng: float | None
    travel_radius_km: float
    skills: frozenset[str]
    languages: frozenset[str]
    valid_vettings: frozenset[str]  # kinds valid through the window
    availability: Availability
    open_tasks: int
    load_cap: int
    declined_or_withdrew: bool  # for this request
    blocked_for_resident: bool
    helped_resident_count: int
    helped_resident_rating: float | None  # their mean rating from this resident, 1–5
    recent_offers: int
    recent_tasks: int
    rating: float | None  # mean of all their ratings, 1–5
    ratings_count: int
    withdrawals: int
    no_shows: int
    completed: int


COMPONENTS = ("distance", "continuity", "fairness", "rating", "reliability", "language")


@dataclass(frozen=True)
class Weights:
    """How much each score component counts; a community may set its own."""

    distance: float = 0.30
    continuity: float = 0.20
    fairness: float = 0.20
    rating: float = 0.10
    reliability: float = 0.15
    language: float = 0.05

    def __post_init__(self):
        for name in COMPONENTS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"weight {name} must be a number")
            if value < 0:
                raise ValueError(f"weight {name} must not be negative")
        if self.total() <= 0:
            raise ValueError("at least one weight must be above zero")

    @classmethod
    def from_mapping(cls, mapping: dict) -> "Weights":
        """Weights from configuration: the keys given replace the defaults; unknown keys are refused."""
        unknown = sorted(set(mapping) - set(COMPONENTS), key=str)
        if unknown:
            raise ValueError(f"unknown weights: {', '.join(map(str, unknown))}")
        return cls(**mapping)

    def total(self) -> float:
        return sum(getattr(self, name) for name in COMPONENTS)


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Reason:
    """One structured reason a candidate ranks where they do; describe() turns them into text."""

    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Ranked:
    volunteer_id: int
    score: float
    distance_km: float
    breakdown: dict[str, float]  # each component times its weight; their sum / weights.total() = score
    reasons: tuple[Reason, ...]


def distance_km(request: RequestFacts, candidate: CandidateFacts) -> float | None:
    if None in (request.lat, request.lng, candidate.lat, candidate.lng):
        return None
    return haversine_km(request.lat, request.lng, candidate.lat, candidate.lng)


def ineligibility(request: RequestFacts, candidate: CandidateFacts) -> tuple[str, ...]:
    """Every hard rule this candidate fails for this request, as stable codes (empty = eligible)."""
    codes = []
    if not request.resident_active:
        codes.append("resident_not_active")
    if request.goes_to_worker:
        codes.append("goes_to_worker")
    if candidate.status != "active":
        codes.append("not_active")
    if not candidate.on_duty:
        codes.append("off_duty")
    if not candidate.availability.covers(request.window):
        codes.append("unavailable")
    if not request.is_welfare_check and request.skill_needed is not None \
            and request.skill_needed not in candidate.skills:
        codes.append("lacks_skill")
    distance = distance_km(request, candidate)
    if distance is None:
        codes.append("no_location")
    elif distance > candidate.travel_radius_km:
        codes.append("too_far")
    if "identity" not in candidate.valid_vettings:
        codes.append("needs_identity_vetting")
    if request.child and "child_safeguarding" not in candidate.valid_vettings:
        codes.append("needs_child_safeguarding")
    if candidate.declined_or_withdrew:
        codes.append("declined_or_withdrew")
    if candidate.blocked_for_resident:
        codes.append("blocked")
    if candidate.open_tasks >= candidate.load_cap:
        codes.append("at_load_cap")
    if request.preferred_gender is not None and candidate.gender != request.preferred_gender:
        codes.append("gender_preference")
    if request.preferred_language is not None and request.preferred_language not in candidate.languages:
        codes.append("language_preference")
    return tuple(codes)


def _rating_on_scale(rating: float) -> float:
    return min(1.0, max(0.0, (rating - 1.0) / 4.0))


def components(request: RequestFacts, candidate: CandidateFacts, distance: float) -> dict[str, float]:
    """Each soft criterion in [0, 1], higher is better."""
    continuity = 0.0
    if candidate.helped_resident_count > 0:
        rated = candidate.helped_resident_rating
        quality = 0.5 if rated is None else _rating_on_scale(rated)
        continuity = (1 - 0.5 ** candidate.helped_resident_count) * quality
    count = candidate.ratings_count if candidate.rating is not None else 0
    smoothed = ((candidate.rating or 0.0) * count + RATING_PRIOR * RATING_PRIOR_COUNT) / (count + RATING_PRIOR_COUNT)
    failures = candidate.withdrawals + 2 * candidate.no_shows
    reliability = (candidate.completed + RELIABILITY_PRIOR) / (candidate.completed + RELIABILITY_PRIOR + failures)
    wanted = set(request.resident_languages)
    if request.preferred_language is not None:
        wanted.add(request.preferred_language)
    language = len(wanted & candidate.languages) / len(wanted) if wanted else 1.0
    return {
        "distance": 1.0 / (1.0 + distance / DISTANCE_HALF_KM),
        "continuity": continuity,
        "fairness": 1.0 / (1.0 + (candidate.recent_offers + 2 * candidate.recent_tasks) / FAIRNESS_SCALE),
        "rating": _rating_on_scale(smoothed),
        "reliability": reliability,
        "language": language,
    }


def reasons_for(request: RequestFacts, candidate: CandidateFacts, distance: float) -> tuple[Reason, ...]:
    """Why this candidate: the distance first, then whatever sets them apart."""
    found = [Reason("distance", {"km": round(distance, 1)})]
    if candidate.helped_resident_count > 0:
        found.append(Reason("helped_before", {"count": candidate.helped_resident_count,
                                              "name": request.resident_addressed_as}))
    if request.preferred_language is not None:
        spoken = [request.preferred_language] if request.preferred_language in candidate.languages else []
    else:
        spoken = sorted(request.resident_languages & candidate.languages)
    found.extend(Reason("speaks", {"language": code}) for code in spoken)
    if candidate.ratings_count >= WELL_RATED_COUNT and candidate.rating is not None \
            and candidate.rating >= WELL_RATED:
        found.append(Reason("well_rated", {"rating": round(candidate.rating, 1), "count": candidate.ratings_count}))
    if candidate.completed >= RELIABLE_COMPLETED and candidate.withdrawals == 0 and candidate.no_shows == 0:
        found.append(Reason("reliable", {"completed": candidate.completed}))
    if candidate.recent_offers == 0 and candidate.recent_tasks == 0:
        found.append(Reason("new_to_offers", {}))
    return tuple(found)


def rank(request: RequestFacts, candidates, weights: Weights = DEFAULT_WEIGHTS,
         limit: int | None = None) -> list[Ranked]:
    """The eligible candidates, best first: score, then distance, then volunteer id."""
    total = weights.total()
    ranked = []
    for candidate in candidates:
        if ineligibility(request, candidate):
            continue
        distance = distance_km(request, candidate)
        parts = components(request, candidate, distance)
        breakdown = {name: getattr(weights, name) * parts[name] for name in COMPONENTS}
        score = min(1.0, max(0.0, sum(breakdown.values()) / total))
        ranked.append(Ranked(candidate.volunteer_id, score, distance, breakdown,
                             reasons_for(request, candidate, distance)))
    ranked.sort(key=lambda item: (-item.score, item.distance_km, item.volunteer_id))
    return ranked if limit is None else ranked[:limit]


_TEXTS = {
    "zh-CN": {
        "helped_before": "帮助过{name} {count} 次",
        "speaks": "会说{language}",
        "well_rated": "评分 {rating}",
        "reliable": "已完成 {completed} 次，从未爽约",
        "new_to_offers": "最近还没接过任务",
    },
    "en": {
        "helped_before": "helped {name} {count} times",
        "speaks": "speaks {language}",
        "well_rated": "rated {rating}",
        "reliable": "{completed} tasks done, never missed one",
        "new_to_offers": "no recent tasks yet",
    },
}


def describe(reasons: tuple[Reason, ...] | list[Reason], language: str, language_names: dict) -> str:
    """Reasons as one line for people, e.g. "0.6 km · 帮助过王奶奶 3 次 · 会说杭州话".

    language is "zh-CN" or "en" (anything else reads Chinese); language_names maps language term
    codes to their label in that language (unknown codes show as the code).
    """
    texts = _TEXTS["en" if language == "en" else "zh-CN"]
    parts = []
    for reason in reasons:
        params = dict(reason.params)
        if reason.code == "distance":
            parts.append(f"{params['km']:.1f} km")
            continue
        if reason.code == "speaks":
            params["language"] = language_names.get(params["language"], params["language"])
        if reason.code == "helped_before" and language == "en" and params["count"] == 1:
            parts.append(f"helped {params['name']} once")
            continue
        template = texts.get(reason.code)
        parts.append(template.format(**params) if template else reason.code)
    return " · ".join(parts)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value):
    """A JSON-ready copy, in one pass: dataclasses as dicts of their fields, frozensets sorted into
    lists, tuples as lists, dates and datetimes as ISO text, durations in seconds. (dataclasses.asdict
    then a second pass gave the same and cost more than ranking, for a dispatch of hundreds.)"""
    kind = type(value)
    if kind in (int, float, str, bool) or value is None:
        return value
    if kind in (list, tuple):
        return [_plain(item) for item in value]
    if kind is dict:
        return {key: _plain(item) for key, item in value.items()}
    names = _FIELD_NAMES.get(kind)
    if names is None and is_dataclass(value):
        names = _FIELD_NAMES[kind] = tuple(item.name for item in fields(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def dispatch_record(request: RequestFacts, candidates, weights: Weights, ranked: list[Ranked],
                    search: dict | None = None) -> dict:
    """What a dispatch decided and from what (PIPL art. 24), JSON-ready for storing with it:
    the request's facts, the weights, every candidate's facts and refusals, and the ranking.
    `search`, when given, says how the candidates were found (the hard rules the search applied
    before loading them): a volunteer missing from `candidates` was refused by one of those."""
    record = {
        "request": _plain(request),
        "weights": {item.name: getattr(weights, item.name) for item in fields(weights)},
        "candidates": [dict(_plain(candidate), ineligible=list(ineligibility(request, candidate)))
                       for candidate in candidates],
        "ranked": [_plain(item) for item in ranked],
    }
    if search is not None:
        record["search"] = _plain(search)
    return record


@dataclass(frozen=True)
class WavePlan:
    """How many volunteers each wave offers a request to, and how long each wave waits."""

    sizes: tuple[int, ...] = (3, 5, 10)
    urgent_interval: timedelta = timedelta(minutes=5)
    normal_interval: timedelta = timedelta(minutes=30)
    scheduled_lead: timedelta = timedelta(hours=24)

    def __post_init__(self):
        if not self.sizes or any(isinstance(size, bool) or not isinstance(size, int) or size < 1
                                 for size in self.sizes):
            raise ValueError("wave sizes must be whole numbers of at least 1")
        if not timedelta(0) < self.urgent_interval <= self.normal_interval:
            raise ValueError("intervals must be positive, the urgent one no longer than the normal one")
        if self.scheduled_lead < timedelta(0):
            raise ValueError("scheduled_lead must not be negative")


def next_wave(plan: WavePlan, waves_sent: int, ranked_ids, already_offered: set[int]) -> list[int]:
    """The next wave's volunteers in ranked order, skipping anyone already offered; [] when the plan is used up."""
    if waves_sent < 0 or waves_sent >= len(plan.sizes):
        return []
    wave: list[int] = []
    for volunteer_id in ranked_ids:
        if len(wave) == plan.sizes[waves_sent]:
            break
        if volunteer_id not in already_offered and volunteer_id not in wave:
            wave.append(volunteer_id)
    return wave


def first_wave_at(plan: WavePlan, scheduled: bool, window_start_utc: datetime, now_utc: datetime) -> datetime:
    """When the first wave goes out: at once, or for a scheduled request scheduled_lead before its window."""
    if not scheduled:
        return now_utc
    return max(now_utc, window_start_utc - plan.scheduled_lead)


def wave_interval(plan: WavePlan, urgency: str, scheduled: bool, window_start_utc: datetime,
                  now_utc: datetime, *, waves_sent: int = 1) -> timedelta:
    """How long the wave just sent waits before the next one (or, after the last, before escalation).

    Urgent: urgent_interval. Normal asap: normal_interval. Scheduled (and not urgent): the time left
    until an hour before the window, shared equally by this wave and those still to come, so the last
    closes by then — but never shorter than urgent_interval nor longer than normal_interval.
    waves_sent counts the waves sent so far, this one included.
    """
    if urgency not in URGENCIES:
        raise ValueError(f"urgency must be one of {URGENCIES}")
    if urgency == "urgent":
        return plan.urgent_interval
    if not scheduled:
        return plan.normal_interval
    deadline = max(now_utc, window_start_utc - SCHEDULED_CLOSE_BEFORE)
    waves_open = max(1, len(plan.sizes) - max(1, waves_sent) + 1)
    share = (deadline - now_utc) / waves_open
    return min(plan.normal_interval, max(plan.urgent_interval, share))
