"""Matching: the hard rules, the score and its reasons, availability, and waves (no app, no database)."""
import json
import random
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, timedelta

import pytest

from backend.algorithms.geo import EARTH_RADIUS_KM
from backend.algorithms.matching import (
    COMPONENTS, DEFAULT_WEIGHTS, Availability, CandidateFacts, Reason, RequestFacts, WavePlan, Weights, Window,
    describe, dispatch_record, first_wave_at, ineligibility, next_wave, rank, wave_interval,
)

HOME = (30.2668, 120.1660)  # 葵巷新村
WEDNESDAY = date(2026, 12, 2)
EVERY_DAY_8_TO_18 = Availability(weekly=tuple((weekday, 8 * 60, 18 * 60) for weekday in range(7)))
LANGUAGE_NAMES_ZH = {"hangzhou_dialect": "杭州话", "mandarin": "普通话"}
LANGUAGE_NAMES_EN = {"hangzhou_dialect": "Hangzhou dialect", "mandarin": "Mandarin"}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def window(start: datetime, hours: float = 1) -> Window:
    return Window(start, start + timedelta(hours=hours))


def north_of(km: float) -> tuple[float, float]:
    """A point km due north of HOME (a degree of latitude is R·π/180 km)."""
    return HOME[0] + km / (EARTH_RADIUS_KM * 3.141592653589793 / 180), HOME[1]


def a_request(**changes) -> RequestFacts:
    """A companionship request Wednesday 10:00–11:00 that the baseline candidate passes every rule for."""
    facts = RequestFacts(
        request_id=412, resident_id=7, resident_active=True, category="companionship",
        skill_needed="companionship", is_welfare_check=False, goes_to_worker=False, child=False,
        lat=HOME[0], lng=HOME[1], window=window(at(WEDNESDAY, 10)), urgency="normal", scheduled=True,
        preferred_gender=None, preferred_language=None, resident_addressed_as="王奶奶",
    )
    return replace(facts, **changes)


def a_candidate(volunteer_id: int = 1, km: float = 0.5, **changes) -> CandidateFacts:
    lat, lng = north_of(km)
    facts = CandidateFacts(
        volunteer_id=volunteer_id, status="active", on_duty=True, gender="female", lat=lat, lng=lng,
        travel_radius_km=2.0, skills=frozenset({"companionship", "errands"}),
        languages=frozenset({"mandarin"}), valid_vettings=frozenset({"identity"}),
        availability=EVERY_DAY_8_TO_18, open_tasks=0, load_cap=2, declined_or_withdrew=False,
        blocked_for_resident=False, helped_resident_count=0, helped_resident_rating=None, recent_offers=1,
        recent_tasks=1, rating=4.0, ratings_count=2, withdrawals=0, no_shows=0, completed=2,
    )
    return replace(facts, **changes)


def ranked_ids(request, candidates, weights=DEFAULT_WEIGHTS):
    return [item.volunteer_id for item in rank(request, candidates, weights)]


# --- the hard rules ---------------------------------------------------------------------------------

def test_the_baseline_candidate_is_eligible():
    assert ineligibility(a_request(), a_candidate()) == ()
    assert ranked_ids(a_request(), [a_candidate()]) == [1]


@pytest.mark.parametrize("code, request_changes, candidate_changes", [
    ("resident_not_active", {"resident_active": False}, {}),
    ("goes_to_worker", {"category": "other", "skill_needed": None, "goes_to_worker": True}, {}),
    ("not_active", {}, {"status": "pending"}),
    ("not_active", {}, {"status": "suspended"}),
    ("off_duty", {}, {"on_duty": False}),
    ("unavailable", {}, {"availability": Availability(weekly=((2, 14 * 60, 18 * 60),))}),
    ("lacks_skill", {}, {"skills": frozenset({"errands"})}),
    ("too_far", {}, {"km": 2.5}),
    ("no_location", {}, {"lat": None, "lng": None}),
    ("no_location", {"lat": None, "lng": None}, {}),
    ("needs_identity_vetting", {}, {"valid_vettings": frozenset()}),
    ("needs_child_safeguarding", {"child": True}, {}),
    ("declined_or_withdrew", {}, {"declined_or_withdrew": True}),
    ("blocked", {}, {"blocked_for_resident": True}),
    ("at_load_cap", {}, {"open_tasks": 2, "load_cap": 2}),
    ("gender_preference", {"preferred_gender": "female"}, {"gender": "male"}),
    ("language_preference", {"preferred_language": "hangzhou_dialect"}, {}),
])
def test_each_rule_alone_makes_a_candidate_ineligible(code, request_changes, candidate_changes):
    request, candidate = a_request(**request_changes), a_candidate(**candidate_changes)
    assert ineligibility(request, candidate) == (code,)
    assert rank(request, [candidate]) == []


def test_a_candidate_just_inside_their_radius_is_eligible():
    assert ineligibility(a_request(), a_candidate(km=1.99)) == ()


def test_failing_several_rules_lists_each_in_a_stable_order():
    candidate = a_candidate(on_duty=False, status="pending", open_tasks=5, valid_vettings=frozenset())
    assert ineligibility(a_request(), candidate) == (
        "not_active", "off_duty", "needs_identity_vetting", "at_load_cap")


def test_child_requests_need_child_safeguarding_as_well_as_identity():
    child_request = a_request(child=True, category="tutoring", skill_needed="tutoring")
    tutor = a_candidate(skills=frozenset({"tutoring"}))
    assert ineligibility(child_request, tutor) == ("needs_child_safeguarding",)
    vetted = replace(tutor, valid_vettings=frozenset({"identity", "child_safeguarding"}))
    assert ineligibility(child_request, vetted) == ()
    safeguarding_only = replace(tutor, valid_vettings=frozenset({"child_safeguarding"}))
    assert ineligibility(child_request, safeguarding_only) == ("needs_identity_vetting",)


def test_welfare_check_needs_identity_vetting_and_no_skill():
    welfare = a_request(category="welfare_check", skill_needed=None, is_welfare_check=True)
    no_skills = a_candidate(skills=frozenset())
    assert ineligibility(welfare, no_skills) == ()
    assert ineligibility(welfare, replace(no_skills, valid_vettings=frozenset())) == ("needs_identity_vetting",)


def test_other_goes_to_the_grid_worker_and_nobody_is_offered_it():
    other = a_request(category="other", skill_needed=None, goes_to_worker=True)
    candidates = [a_candidate(volunteer_id) for volunteer_id in range(1, 6)]
    assert rank(other, candidates) == []
    assert all("goes_to_worker" in ineligibility(other, candidate) for candidate in candidates)


def test_residents_who_are_not_active_get_no_offers():
    candidates = [a_candidate(volunteer_id) for volunteer_id in range(1, 6)]
    assert rank(a_request(resident_active=False), candidates) == []


def test_preferences_pass_when_met():
    request = a_request(preferred_gender="female", preferred_language="hangzhou_dialect")
    candidate = a_candidate(languages=frozenset({"mandarin", "hangzhou_dialect"}))
    assert ineligibility(request, candidate) == ()


# --- availability -------------------------------------------------------------------------------------

def available_for(availability: Availability, start: datetime, hours: float = 1) -> bool:
    candidate = a_candidate(availability=availability)
    return "unavailable" not in ineligibility(a_request(window=window(start, hours)), candidate)


def test_a_short_window_needs_the_volunteer_available_at_its_start():
    mornings = Availability(weekly=((2, 9 * 60, 12 * 60),))
    assert available_for(mornings, at(WEDNESDAY, 9))
    assert available_for(mornings, at(WEDNESDAY, 11, 30), hours=4)  # running past 12:00 is fine
    assert not available_for(mornings, at(WEDNESDAY, 8, 59))
    assert not available_for(mornings, at(WEDNESDAY, 12))  # the range ends at 12:00
    assert not available_for(mornings, at(WEDNESDAY + timedelta(days=1), 10))  # Thursday


def test_a_day_off_exception_replaces_the_weekly_pattern():
    away = replace(EVERY_DAY_8_TO_18, exceptions=((WEDNESDAY, False, None, None),))
    assert not available_for(away, at(WEDNESDAY, 10))
    assert available_for(away, at(WEDNESDAY + timedelta(days=1), 10))


def test_an_available_exception_means_exactly_that_range_that_day():
    only_afternoon = replace(EVERY_DAY_8_TO_18, exceptions=((WEDNESDAY, True, 14 * 60, 16 * 60),))
    assert not available_for(only_afternoon, at(WEDNESDAY, 10))
    assert available_for(only_afternoon, at(WEDNESDAY, 14, 30))
    nothing_weekly = Availability(exceptions=((WEDNESDAY, True, 14 * 60, 16 * 60),))
    assert available_for(nothing_weekly, at(WEDNESDAY, 15))
    assert not available_for(nothing_weekly, at(WEDNESDAY + timedelta(days=7), 15))


def test_a_range_ending_at_24_00_covers_a_late_start_and_midnight_belongs_to_the_next_day():
    late_wednesdays = Availability(weekly=((2, 22 * 60, 1440),))
    assert available_for(late_wednesdays, at(WEDNESDAY, 23, 59))
    assert not available_for(late_wednesdays, at(WEDNESDAY + timedelta(days=1), 0))
    early_thursdays = Availability(weekly=((3, 0, 2 * 60),))
    assert available_for(early_thursdays, at(WEDNESDAY + timedelta(days=1), 0))


def test_a_window_crossing_midnight_is_judged_by_its_start():
    late_wednesdays = Availability(weekly=((2, 22 * 60, 1440),))
    assert available_for(late_wednesdays, at(WEDNESDAY, 23), hours=3)
    assert not available_for(Availability(weekly=((3, 0, 6 * 60),)), at(WEDNESDAY, 23), hours=3)


def test_a_long_window_needs_an_unbroken_hour_inside_it():
    saturday = WEDNESDAY + timedelta(days=3)
    evenings = Availability(weekly=((5, 19 * 60, 1440),))
    half_hour = Availability(weekly=((5, 19 * 60 + 30, 1440),))
    assert available_for(evenings, at(saturday, 8), hours=12)  # 19:00–20:00 inside 08:00–20:00
    assert not available_for(half_hour, at(saturday, 8), hours=12)
    assert not available_for(Availability(), at(saturday, 8), hours=12)


def test_an_unbroken_hour_may_run_across_midnight():
    night = at(WEDNESDAY, 22)
    joined = Availability(weekly=((2, 23 * 60 + 30, 1440), (3, 0, 30)))
    assert available_for(joined, night, hours=8)
    assert not available_for(Availability(weekly=((2, 23 * 60 + 30, 1440),)), night, hours=8)


def test_windows_must_be_local_and_not_end_before_they_start():
    with pytest.raises(ValueError):
        Window(at(WEDNESDAY, 11), at(WEDNESDAY, 10))
    with pytest.raises(ValueError):
        Window(datetime(2026, 12, 2, 10, tzinfo=UTC), datetime(2026, 12, 2, 11, tzinfo=UTC))


# --- the score ----------------------------------------------------------------------------------------

def test_closer_ranks_higher_all_else_equal():
    assert ranked_ids(a_request(), [a_candidate(1, km=1.5), a_candidate(2, km=0.3), a_candidate(3, km=0.8)]) \
        == [2, 3, 1]


def test_having_helped_this_resident_and_been_rated_well_ranks_higher():
    stranger = a_candidate(1, km=0.4)
    familiar = a_candidate(2, km=0.6, helped_resident_count=3, helped_resident_rating=5.0)
    assert ranked_ids(a_request(), [stranger, familiar]) == [2, 1]


def test_continuity_counts_only_when_rated_well():
    rated_well = a_candidate(1, helped_resident_count=2, helped_resident_rating=5.0)
    rated_badly = a_candidate(2, helped_resident_count=2, helped_resident_rating=1.0)
    assert ranked_ids(a_request(), [rated_badly, rated_well]) == [1, 2]
    (badly,) = rank(a_request(), [rated_badly])
    assert badly.breakdown["continuity"] == 0.0


def test_fewer_recent_offers_and_tasks_rank_higher():
    busy = a_candidate(1, recent_offers=6, recent_tasks=0)
    quiet = a_candidate(2, recent_offers=1, recent_tasks=0)
    assert ranked_ids(a_request(), [busy, quiet]) == [2, 1]
    worked = a_candidate(3, recent_offers=1, recent_tasks=3)
    assert ranked_ids(a_request(), [worked, quiet]) == [2, 3]


@pytest.mark.parametrize("worse", [{"no_shows": 1}, {"withdrawals": 2}])
def test_no_shows_and_withdrawals_rank_lower(worse):
    assert ranked_ids(a_request(), [a_candidate(1, **worse), a_candidate(2)]) == [2, 1]
    no_shows = a_candidate(3, no_shows=3)
    assert ranked_ids(a_request(), [no_shows, a_candidate(1, **worse)]) == [1, 3]


def test_a_better_rating_ranks_higher_and_a_new_volunteer_sits_in_between():
    good = a_candidate(1, rating=4.9, ratings_count=10)
    poor = a_candidate(2, rating=2.0, ratings_count=10)
    new = a_candidate(3, rating=None, ratings_count=0)
    assert ranked_ids(a_request(), [poor, new, good]) == [1, 3, 2]


def test_speaking_more_of_the_residents_languages_ranks_higher():
    request = a_request(resident_languages=frozenset({"mandarin", "hangzhou_dialect"}))
    both = a_candidate(1, km=0.6, languages=frozenset({"mandarin", "hangzhou_dialect"}))
    mandarin = a_candidate(2, km=0.6)
    assert ranked_ids(request, [mandarin, both]) == [1, 2]


def test_score_is_the_weighted_mean_of_the_components():
    weights = Weights()
    (ranked,) = rank(a_request(), [a_candidate(helped_resident_count=1, helped_resident_rating=4.0)], weights)
    assert set(ranked.breakdown) == set(COMPONENTS)
    assert 0.0 <= ranked.score <= 1.0
    assert ranked.score == pytest.approx(sum(ranked.breakdown.values()) / weights.total())
    for name in COMPONENTS:
        assert 0.0 <= ranked.breakdown[name] <= getattr(weights, name)
    assert ranked.distance_km == pytest.approx(0.5, abs=1e-6)


def test_the_best_imaginable_candidate_scores_one():
    request = a_request(preferred_language="hangzhou_dialect")
    best = a_candidate(km=0.0, helped_resident_count=60, helped_resident_rating=5.0, recent_offers=0,
                       recent_tasks=0, rating=5.0, ratings_count=10**9, completed=10**9,
                       languages=frozenset({"hangzhou_dialect"}))
    (ranked,) = rank(request, [best])
    assert ranked.score == pytest.approx(1.0)


def test_weights_change_the_order():
    near_but_busy = a_candidate(1, km=0.2, recent_offers=8)
    far_but_quiet = a_candidate(2, km=1.5, recent_offers=0, recent_tasks=0)
    assert ranked_ids(a_request(), [near_but_busy, far_but_quiet], Weights(distance=1, fairness=0)) == [1, 2]
    assert ranked_ids(a_request(), [near_but_busy, far_but_quiet], Weights(distance=0, fairness=1)) == [2, 1]


def test_ties_break_by_distance_then_volunteer_id_whatever_the_input_order():
    only_rating = Weights(distance=0, continuity=0, fairness=0, rating=1, reliability=0, language=0)
    candidates = [a_candidate(9, km=0.5), a_candidate(4, km=0.5), a_candidate(7, km=0.2), a_candidate(2, km=0.5)]
    assert ranked_ids(a_request(), candidates, only_rating) == [7, 2, 4, 9]
    assert ranked_ids(a_request(), list(reversed(candidates)), only_rating) == [7, 2, 4, 9]
    twins = [a_candidate(5), a_candidate(3)]
    assert ranked_ids(a_request(), twins) == [3, 5]


def test_limit_keeps_the_best():
    candidates = [a_candidate(volunteer_id, km=volunteer_id / 10) for volunteer_id in range(1, 9)]
    assert [item.volunteer_id for item in rank(a_request(), candidates, Weights(), limit=3)] == [1, 2, 3]


@pytest.mark.parametrize("mapping, problem", [
    ({"distance": 1, "kindness": 2}, "kindness"),
    ({"distance": -0.1}, "negative"),
    ({"rating": "high"}, "number"),
    ({"rating": True}, "number"),
    ({"rating": float("nan")}, "number"),
    ({name: 0 for name in COMPONENTS}, "above zero"),
])
def test_weights_from_mapping_refuses_bad_configuration(mapping, problem):
    with pytest.raises(ValueError, match=problem):
        Weights.from_mapping(mapping)


def test_weights_from_mapping_keeps_defaults_for_keys_not_given():
    weights = Weights.from_mapping({"distance": 0.5, "language": 0})
    assert (weights.distance, weights.language, weights.fairness) == (0.5, 0, Weights().fairness)
    assert Weights.from_mapping({}) == Weights()


# --- reasons ------------------------------------------------------------------------------------------

def test_reasons_name_the_distance_past_help_and_the_dialect():
    request = a_request(preferred_language="hangzhou_dialect")
    candidate = a_candidate(km=0.6, helped_resident_count=3, helped_resident_rating=5.0,
                            languages=frozenset({"mandarin", "hangzhou_dialect"}))
    (ranked,) = rank(request, [candidate])
    assert ranked.reasons == (
        Reason("distance", {"km": 0.6}),
        Reason("helped_before", {"count": 3, "name": "王奶奶"}),
        Reason("speaks", {"language": "hangzhou_dialect"}),
    )
    assert describe(ranked.reasons, "zh-CN", LANGUAGE_NAMES_ZH) == "0.6 km · 帮助过王奶奶 3 次 · 会说杭州话"
    assert describe(ranked.reasons, "en", LANGUAGE_NAMES_EN) == \
        "0.6 km · helped 王奶奶 3 times · speaks Hangzhou dialect"


def test_reasons_for_a_newcomer_and_for_a_reliable_well_rated_volunteer():
    (newcomer,) = rank(a_request(), [a_candidate(km=1.24, recent_offers=0, recent_tasks=0, ratings_count=0,
                                                 rating=None, completed=0)])
    assert newcomer.reasons == (Reason("distance", {"km": 1.2}), Reason("new_to_offers", {}))
    assert describe(newcomer.reasons, "zh-CN", {}) == "1.2 km · 最近还没接过任务"
    assert describe(newcomer.reasons, "en", {}) == "1.2 km · no recent tasks yet"
    (veteran,) = rank(a_request(), [a_candidate(km=0.3, rating=4.84, ratings_count=12, completed=15,
                                                helped_resident_count=1, helped_resident_rating=5.0)])
    assert [reason.code for reason in veteran.reasons] == ["distance", "helped_before", "well_rated", "reliable"]
    assert describe(veteran.reasons, "zh-CN", {}) == "0.3 km · 帮助过王奶奶 1 次 · 评分 4.8 · 已完成 15 次，从未爽约"
    assert describe(veteran.reasons, "en", {}) == \
        "0.3 km · helped 王奶奶 once · rated 4.8 · 15 tasks done, never missed one"


def test_a_volunteer_with_a_no_show_is_not_called_reliable():
    (ranked,) = rank(a_request(), [a_candidate(completed=15, no_shows=1)])
    assert "reliable" not in [reason.code for reason in ranked.reasons]


def test_describe_shows_unknown_language_codes_and_reason_codes_as_they_are():
    reasons = (Reason("speaks", {"language": "wenzhou_dialect"}), Reason("something_new", {}))
    assert describe(reasons, "zh-CN", LANGUAGE_NAMES_ZH) == "会说wenzhou_dialect · something_new"


def test_the_dispatch_record_holds_inputs_refusals_weights_and_breakdown_as_json():
    request = a_request()
    candidates = [a_candidate(1), a_candidate(2, on_duty=False)]
    ranked = rank(request, candidates)
    record = json.loads(json.dumps(dispatch_record(request, candidates, Weights(), ranked)))
    assert record["request"]["window"]["start_local"] == "2026-12-02T10:00:00"
    assert record["weights"]["distance"] == Weights().distance
    assert [(item["volunteer_id"], item["ineligible"]) for item in record["candidates"]] == [
        (1, []), (2, ["off_duty"])]
    assert record["candidates"][0]["skills"] == ["companionship", "errands"]
    assert record["ranked"][0]["volunteer_id"] == 1
    assert set(record["ranked"][0]["breakdown"]) == set(COMPONENTS)
    assert record["ranked"][0]["reasons"][0] == {"code": "distance", "params": {"km": 0.5}}
    assert "search" not in record


def _reference_plain(value):
    """The record's first implementation: dataclasses.asdict, then this pass over the result."""
    if isinstance(value, dict):
        return {key: _reference_plain(item) for key, item in value.items()}
    if isinstance(value, (frozenset, set)):
        return sorted(_reference_plain(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [_reference_plain(item) for item in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def test_the_dispatch_record_is_what_asdict_gave_for_varied_candidates():
    chance = random.Random(5)
    request = a_request(resident_languages=frozenset({"hangzhou_dialect", "mandarin"}), preferred_gender="female")
    candidates = []
    for number in range(1, 80):
        weekly = tuple((chance.randrange(7), start, start + chance.choice([60, 240, 600]))
                       for start in chance.sample(range(0, 800, 30), chance.randint(0, 3)))
        exceptions = tuple((WEDNESDAY + timedelta(days=day), chance.random() < 0.5,
                            *chance.choice([(None, None), (480, 720)])) for day in chance.sample(range(-1, 3), 1))
        candidates.append(a_candidate(
            number, km=chance.uniform(0, 3), gender=chance.choice(["female", "male"]),
            skills=frozenset(chance.sample(["companionship", "errands", "meal_delivery"], chance.randint(0, 3))),
            languages=frozenset(chance.sample(["mandarin", "hangzhou_dialect"], chance.randint(0, 2))),
            availability=chance.choice([EVERY_DAY_8_TO_18, Availability(weekly, exceptions)]),
            helped_resident_count=chance.randint(0, 3), helped_resident_rating=chance.choice([None, 4.5]),
            rating=chance.choice([None, 4.8]), ratings_count=chance.randint(0, 9), completed=chance.randint(0, 9)))
    ranked = rank(request, candidates)
    assert len(ranked) >= 5
    record = dispatch_record(request, candidates, Weights(), ranked)
    reference = _reference_plain({
        "request": asdict(request),
        "weights": asdict(Weights()),
        "candidates": [dict(asdict(candidate), ineligible=list(ineligibility(request, candidate)))
                       for candidate in candidates],
        "ranked": [asdict(item) for item in ranked],
    })
    assert record == reference
    assert json.loads(json.dumps(record)) == record


def test_the_dispatch_record_says_how_the_candidates_were_found_when_told():
    request = a_request()
    candidates = [a_candidate(1)]
    search = {"hard_rules_in_sql": ["not_active", "off_duty"], "within_reach_box": True, "loaded": 1}
    record = json.loads(json.dumps(dispatch_record(request, candidates, Weights(), rank(request, candidates),
                                                   search=search)))
    assert record["search"] == search
    assert [item["volunteer_id"] for item in record["candidates"]] == [1]


def test_urgency_must_be_known():
    with pytest.raises(ValueError):
        a_request(urgency="whenever")


# --- waves --------------------------------------------------------------------------------------------

def test_waves_offer_3_then_5_more_then_10_more_then_nothing():
    plan, ranked = WavePlan(), list(range(101, 131))
    offered: set[int] = set()
    waves = []
    for waves_sent in range(4):
        wave = next_wave(plan, waves_sent, ranked, offered)
        offered.update(wave)
        waves.append(wave)
    assert waves == [ranked[:3], ranked[3:8], ranked[8:18], []]


def test_a_wave_skips_volunteers_already_offered_and_stops_at_the_end_of_the_ranking():
    assert next_wave(WavePlan(), 0, [5, 6, 7, 8], {6}) == [5, 7, 8]
    assert next_wave(WavePlan(), 1, [5, 6, 7, 8], {5, 6, 7}) == [8]
    assert next_wave(WavePlan(), 1, [5, 5, 6], set()) == [5, 6]
    assert next_wave(WavePlan(sizes=(2,)), 0, [1, 2, 3], set()) == [1, 2]
    assert next_wave(WavePlan(sizes=(2,)), 1, [1, 2, 3], {1, 2}) == []


NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_urgent_waves_come_minutes_apart_and_normal_asap_ones_within_the_hour():
    plan = WavePlan()
    assert wave_interval(plan, "urgent", False, NOW, NOW) == timedelta(minutes=5)
    assert wave_interval(plan, "urgent", True, NOW + timedelta(days=3), NOW) == timedelta(minutes=5)
    assert wave_interval(plan, "normal", False, NOW, NOW) == timedelta(minutes=30)
    custom = WavePlan(urgent_interval=timedelta(minutes=2), normal_interval=timedelta(minutes=45))
    assert wave_interval(custom, "urgent", False, NOW, NOW) == timedelta(minutes=2)
    assert wave_interval(custom, "normal", False, NOW, NOW) == timedelta(minutes=45)


def test_scheduled_waves_share_the_time_left_until_an_hour_before_the_window():
    plan = WavePlan()
    starts_in_2h = NOW + timedelta(hours=2)
    assert wave_interval(plan, "normal", True, starts_in_2h, NOW) == timedelta(minutes=20)
    assert wave_interval(plan, "normal", True, starts_in_2h, NOW, waves_sent=2) == timedelta(minutes=30)
    assert wave_interval(plan, "normal", True, NOW + timedelta(minutes=90), NOW, waves_sent=3) \
        == timedelta(minutes=30)
    assert wave_interval(plan, "normal", True, NOW + timedelta(minutes=90), NOW) == timedelta(minutes=10)


def test_scheduled_intervals_stay_between_the_urgent_and_normal_ones():
    plan = WavePlan()
    assert wave_interval(plan, "normal", True, NOW + timedelta(days=3), NOW) == timedelta(minutes=30)
    assert wave_interval(plan, "normal", True, NOW + timedelta(minutes=70), NOW) == timedelta(minutes=5)
    assert wave_interval(plan, "normal", True, NOW - timedelta(hours=1), NOW) == timedelta(minutes=5)


def test_the_last_scheduled_wave_closes_no_later_than_an_hour_before_the_window():
    plan = WavePlan()
    for minutes_to_window in (80, 100, 137, 150, 160, 200):
        window_start = NOW + timedelta(minutes=minutes_to_window)
        moment = NOW
        for waves_sent in range(1, len(plan.sizes) + 1):
            moment += wave_interval(plan, "normal", True, window_start, moment, waves_sent=waves_sent)
        assert moment <= window_start - timedelta(hours=1), minutes_to_window


def test_a_scheduled_request_is_first_offered_a_day_before_its_window():
    plan = WavePlan()
    window_start = NOW + timedelta(days=3)
    assert first_wave_at(plan, True, window_start, NOW) == window_start - timedelta(hours=24)
    assert first_wave_at(plan, True, NOW + timedelta(hours=5), NOW) == NOW
    assert first_wave_at(plan, False, window_start, NOW) == NOW


@pytest.mark.parametrize("changes", [
    {"sizes": ()}, {"sizes": (3, 0)}, {"sizes": (3, 2.5)},
    {"urgent_interval": timedelta(0)}, {"urgent_interval": timedelta(hours=2)},
    {"scheduled_lead": timedelta(hours=-1)},
])
def test_wave_plans_refuse_nonsense(changes):
    with pytest.raises(ValueError):
        WavePlan(**changes)

