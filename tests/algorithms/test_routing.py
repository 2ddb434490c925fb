"""The day route (backend/algorithms/routing.py) against every order of every subset of stops."""
import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from backend.algorithms.geo import haversine_km
from backend.algorithms.routing import Stop, evaluate_route, exact_route, plan_route, walking_times

CENTRE = (30.2741, 120.1551)
DETOUR, KMH, PENALTY = 1.3, 4.5, 8 * 3600.0
HOUR = 3600.0


def _near(rng: random.Random, km: float) -> tuple[float, float]:
    north, east = rng.uniform(-km / 2, km / 2), rng.uniform(-km / 2, km / 2)
    return CENTRE[0] + north / 111.195, CENTRE[1] + east / (111.195 * math.cos(math.radians(CENTRE[0])))


def _day(rng: random.Random, n: int, *, km: float, appointments: float, day_s: float, width_s=HOUR):
    stops = []
    for i in range(n):
        lat, lng = _near(rng, km)
        service = rng.choice([300.0, 600.0, 900.0])
        if rng.random() < appointments:
            earliest = rng.uniform(-0.2 * day_s, day_s)
            stops.append(Stop(f"h{i}", lat, lng, service, earliest, earliest + rng.uniform(0, width_s)))
        else:
            stops.append(Stop(f"h{i}", lat, lng, service))
    return stops


# The brute force's own model, written plainly from the module's contract.

def _walk_s(one, other) -> float:
    return haversine_km(one[0], one[1], other[0], other[1]) * DETOUR / KMH * 3600.0


def _best_by_enumeration(stops, day_end: float) -> float:
    """The least walking time plus penalties over every order of every subset of the stops. An
    order whose first k stops already break a rule is cut there: every longer order starting so
    breaks it too, so nothing feasible is skipped."""
    best = PENALTY * len(stops)

    def extend(here, t, walked, used):
        nonlocal best
        best = min(best, walked + PENALTY * (len(stops) - len(used)))
        for i, stop in enumerate(stops):
            if i in used:
                continue
            leg = _walk_s(here, (stop.lat, stop.lng))
            start = max(t + leg, stop.earliest if stop.earliest is not None else -math.inf)
            finish = start + stop.service
            if (stop.latest is not None and start > stop.latest + 1e-6) or finish > day_end + 1e-6:
                continue
            extend((stop.lat, stop.lng), finish, walked + leg, used | {i})

    extend(CENTRE, 0.0, 0.0, frozenset())
    return best


def _best_by_labels(stops, day_end: float) -> float:
    """The optimum by a plain dynamic programme over (visited set, last stop) keeping every label
    (walking time, finish) that no other beats on both, with no bound: for sizes where
    enumerating every order takes too long."""
    n = len(stops)
    points = [CENTRE] + [(stop.lat, stop.lng) for stop in stops]
    labels = {(0, -1): [(0.0, 0.0)]}
    best = PENALTY * n
    for mask in range(1 << n):
        for last in range(-1, n):
            for walked, t in labels.pop((mask, last), []):
                served = bin(mask).count("1")
                best = min(best, walked + PENALTY * (n - served))
                for i, stop in enumerate(stops):
                    if mask >> i & 1:
                        continue
                    leg = _walk_s(points[last + 1], points[i + 1])
                    start = max(t + leg, stop.earliest if stop.earliest is not None else -math.inf)
                    if (stop.latest is not None and start > stop.latest + 1e-6) or \
                            start + stop.service > day_end + 1e-6:
                        continue
                    front = labels.setdefault((mask | 1 << i, i), [])
                    label = (walked + leg, start + stop.service)
                    if not any(w <= label[0] and f <= label[1] for w, f in front):
                        front[:] = [(w, f) for w, f in front if not (label[0] <= w and label[1] <= f)]
                        front.append(label)
    return best


def _exact_alone(stops, day_end: float) -> float:
    """The exact search started from no route at all, so that its result owes nothing to the
    heuristic route plan_route() gives it as the first bound."""
    route = exact_route(CENTRE, 0.0, day_end, stops, detour_factor=DETOUR, walking_kmh=KMH,
                        deferral_penalty_s=PENALTY)
    assert route.method == "exact"
    _check_route(route, stops, day_end)
    return route.objective_s


def _check_route(route, stops, day_end: float):
    """Times recomputed from the stops: walks, waits, windows and the working day all hold, every
    stop is visited or deferred exactly once, and the objective adds up."""
    by_id = {stop.id: stop for stop in stops}
    here, t, walked = CENTRE, 0.0, 0.0
    for visit in route.visits:
        stop = by_id[visit.stop_id]
        leg = _walk_s(here, (stop.lat, stop.lng))
        assert visit.travel_s == pytest.approx(leg, abs=1e-6)
        assert visit.arrival == pytest.approx(t + leg, abs=1e-6)
        assert visit.start == pytest.approx(max(t + leg, stop.earliest if stop.earliest is not None else -math.inf),
                                            abs=1e-6)
        assert visit.wait_s == pytest.approx(visit.start - visit.arrival, abs=1e-6)
        if stop.latest is not None:
            assert visit.start <= stop.latest + 1e-6, f"{stop.id} starts after its window"
        assert visit.finish == pytest.approx(visit.start + stop.service, abs=1e-6)
        assert visit.finish <= day_end + 1e-6, f"{stop.id} ends after the working day"
        here, t, walked = (stop.lat, stop.lng), visit.finish, walked + leg
    visited = [visit.stop_id for visit in route.visits]
    deferred = [deferral.stop_id for deferral in route.deferred]
    assert sorted(visited + deferred) == sorted(by_id)
    assert route.violations == ()
    assert route.travel_s == pytest.approx(walked, abs=1e-6)
    assert route.objective_s == pytest.approx(walked + PENALTY * len(deferred), abs=1e-6)


@pytest.mark.parametrize("seed", range(60))
def test_up_to_seven_stops_the_route_is_the_best_of_every_order_of_every_subset(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 7)
    day_end = rng.choice([1.0, 2.0, 4.0, 8.0]) * HOUR
    stops = _day(rng, n, km=rng.choice([0.3, 1.5, 4.0]), appointments=rng.choice([0.0, 0.3, 0.7]), day_s=day_end)
    route = plan_route(CENTRE, 0.0, day_end, stops)
    assert route.method == "exact"
    _check_route(route, stops, day_end)
    best = _best_by_enumeration(stops, day_end)
    assert route.objective_s == pytest.approx(best, abs=1e-4)
    assert _exact_alone(stops, day_end) == pytest.approx(best, abs=1e-4)


@pytest.mark.parametrize("seed", range(8))
def test_up_to_twelve_stops_in_a_short_day_the_route_is_the_best_of_every_order(seed):
    rng = random.Random(1000 + seed)
    n = rng.randint(8, 12)
    day_end = 1.5 * HOUR  # room for a handful of visits: enumerating every order stays quick
    stops = _day(rng, n, km=2.0, appointments=0.3, day_s=day_end)
    route = plan_route(CENTRE, 0.0, day_end, stops)
    assert route.method == "exact"
    _check_route(route, stops, day_end)
    best = _best_by_enumeration(stops, day_end)
    assert route.objective_s == pytest.approx(best, abs=1e-4)
    assert _exact_alone(stops, day_end) == pytest.approx(best, abs=1e-4)
    assert route.deferred, "the short day leaves some stops out"


@pytest.mark.parametrize("seed, n", [(0, 9), (1, 10), (2, 12)])
def test_up_to_twelve_stops_in_a_full_day_the_route_is_the_optimum_of_every_label(seed, n):
    rng = random.Random(2000 + seed)
    day_end = 3 * HOUR
    stops = _day(rng, n, km=1.5, appointments=0.4, day_s=day_end)
    route = plan_route(CENTRE, 0.0, day_end, stops)
    assert route.method == "exact"
    _check_route(route, stops, day_end)
    best = _best_by_labels(stops, day_end)
    assert route.objective_s == pytest.approx(best, abs=1e-4)
    assert _exact_alone(stops, day_end) == pytest.approx(best, abs=1e-4)


@pytest.mark.parametrize("seed", range(4))
def test_the_heuristic_alone_is_on_time_and_near_the_optimum_on_small_days(seed):
    rng = random.Random(3000 + seed)
    stops = _day(rng, 7, km=1.5, appointments=0.3, day_s=2 * HOUR)
    route = plan_route(CENTRE, 0.0, 2 * HOUR, stops, exact_up_to=0)
    assert route.method == "heuristic"
    _check_route(route, stops, 2 * HOUR)
    assert route.objective_s <= _best_by_enumeration(stops, 2 * HOUR) * 1.05 + 1e-6


@pytest.mark.parametrize("seed, n, appointments, day_hours", [
    (0, 20, 0.3, 8), (1, 30, 0.3, 8), (2, 50, 0.3, 8), (3, 60, 0.8, 8), (4, 40, 0.3, 3), (5, 25, 1.0, 6),
])
def test_beyond_twelve_stops_windows_and_the_day_hold_and_what_does_not_fit_is_deferred(
        seed, n, appointments, day_hours):
    rng = random.Random(4000 + seed)
    day_end = day_hours * HOUR
    stops = _day(rng, n, km=1.5, appointments=appointments, day_s=day_end, width_s=1800.0)
    route = plan_route(CENTRE, 0.0, day_end, stops)
    assert route.method == "heuristic"
    _check_route(route, stops, day_end)
    # No deferred stop fits into any gap of the route as it is.
    by_id = {stop.id: stop for stop in stops}
    for deferral in route.deferred:
        stop = by_id[deferral.stop_id]
        for gap in range(len(route.visits) + 1):
            order = [visit.stop_id for visit in route.visits]
            order.insert(gap, stop.id)
            assert evaluate_route(CENTRE, 0.0, day_end, stops, order).violations, \
                f"{stop.id} was deferred but fits at position {gap}"
    if sum(stop.service for stop in stops) > day_end:
        assert route.deferred


def test_a_route_beyond_twelve_stops_is_the_same_every_time():
    stops = _day(random.Random(5), 30, km=1.5, appointments=0.3, day_s=8 * HOUR)
    first = plan_route(CENTRE, 0.0, 8 * HOUR, stops)
    assert plan_route(CENTRE, 0.0, 8 * HOUR, stops) == first


def test_no_stops_is_an_empty_route():
    route = plan_route(CENTRE, 0.0, 8 * HOUR, [])
    assert (route.visits, route.deferred, route.travel_s, route.objective_s) == ((), (), 0.0, 0.0)


def test_stops_that_can_never_be_served_are_all_deferred_as_unreachable():
    far = Stop("far", CENTRE[0] + 1.0, CENTRE[1], 600)  # 111 km: a day's walk and more
    gone = Stop("gone", *CENTRE, 600, -2 * HOUR, -HOUR)  # the appointment was before the day began
    late = Stop("late", *CENTRE, 600, 9 * HOUR, 10 * HOUR)  # after the working day
    route = plan_route(CENTRE, 0.0, 8 * HOUR, [far, gone, late])
    assert route.visits == ()
    assert {(d.stop_id, d.reason) for d in route.deferred} == {
        ("far", "unreachable"), ("gone", "unreachable"), ("late", "unreachable")}
    assert route.objective_s == 3 * PENALTY


def test_a_start_after_the_end_of_the_day_defers_everything():
    stops = [Stop(i, *CENTRE, 600) for i in range(3)]
    route = plan_route(CENTRE, 10 * HOUR, 8 * HOUR, stops)
    assert route.visits == ()
    assert [d.stop_id for d in route.deferred] == [0, 1, 2]


def test_stops_at_one_point_cost_no_walk_and_follow_their_appointments():
    stops = [Stop("a", *CENTRE, 600, 2 * HOUR, 2 * HOUR), Stop("b", *CENTRE, 600), Stop("c", *CENTRE, 600, HOUR, HOUR)]
    route = plan_route(CENTRE, 0.0, 8 * HOUR, stops)
    assert route.travel_s == 0.0 and route.deferred == ()
    times = {visit.stop_id: visit.start for visit in route.visits}
    assert times["c"] == HOUR and times["a"] == 2 * HOUR
    assert [visit.stop_id for visit in route.visits].index("c") < [visit.stop_id for visit in route.visits].index("a")


def test_the_worker_waits_for_an_appointment_window_to_open():
    stop = Stop("appointment", *CENTRE, 600, HOUR, HOUR + 900)
    (visit,) = plan_route(CENTRE, 0.0, 8 * HOUR, [stop]).visits
    assert (visit.arrival, visit.start, visit.wait_s, visit.finish) == (0.0, HOUR, HOUR, HOUR + 600)


def test_one_more_visit_beats_any_walk_under_the_penalty():
    rng = random.Random(9)
    near = [Stop(f"n{i}", *_near(rng, 0.2), 600) for i in range(3)]
    out = Stop("out", CENTRE[0] + 0.05, CENTRE[1], 600)  # 5.6 km away: a long walk, still in the day
    route = plan_route(CENTRE, 0.0, 8 * HOUR, near + [out])
    assert route.deferred == ()


@pytest.mark.parametrize("exact_up_to", [12, 0])
def test_with_a_small_penalty_a_stop_whose_walk_costs_more_is_deferred(exact_up_to):
    rng = random.Random(9)
    near = [Stop(f"n{i}", *_near(rng, 0.2), 600) for i in range(3)]
    out = Stop("out", CENTRE[0] + 0.05, CENTRE[1], 600)
    route = plan_route(CENTRE, 0.0, 8 * HOUR, near + [out], deferral_penalty_s=600.0, exact_up_to=exact_up_to)
    assert [(d.stop_id, d.reason) for d in route.deferred] == [("out", "no_room")]
    assert route.objective_s == pytest.approx(route.travel_s + 600.0)


def test_times_in_and_out_are_datetimes_when_given_as_datetimes():
    start = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    stops = [Stop("a", CENTRE[0] + 0.005, CENTRE[1], timedelta(minutes=10), start + timedelta(hours=1),
                  start + timedelta(hours=1, minutes=30))]
    (visit,) = plan_route(CENTRE, start, start + timedelta(hours=8), stops).visits
    assert visit.start == start + timedelta(hours=1)
    assert visit.finish == start + timedelta(hours=1, minutes=10)
    assert visit.arrival.tzinfo is not None


def test_a_hand_made_order_is_timed_as_given_with_what_it_breaks():
    stops = [Stop("early", *CENTRE, 600, 0.0, 600.0), Stop("slow", *CENTRE, 3 * HOUR), Stop("spare", *CENTRE, 600)]
    route = evaluate_route(CENTRE, 0.0, 3 * HOUR, stops, ["slow", "early"])
    assert route.method == "given"
    assert [visit.stop_id for visit in route.visits] == ["slow", "early"]
    assert {(v.stop_id, v.kind) for v in route.violations} == {("early", "late"), ("early", "after_day_end")}
    late = next(v for v in route.violations if v.kind == "late")
    assert late.by_s == pytest.approx(3 * HOUR - 600.0)
    assert [(d.stop_id, d.reason) for d in route.deferred] == [("spare", "no_room")]
    assert route.objective_s == PENALTY


def test_a_hand_made_order_that_keeps_the_rules_has_no_violations():
    stops = _day(random.Random(3), 6, km=1.0, appointments=0.0, day_s=8 * HOUR)
    planned = plan_route(CENTRE, 0.0, 8 * HOUR, stops)
    order = [visit.stop_id for visit in planned.visits]
    assert evaluate_route(CENTRE, 0.0, 8 * HOUR, stops, order[::-1]).violations == ()
    assert evaluate_route(CENTRE, 0.0, 8 * HOUR, stops, order).objective_s == pytest.approx(planned.objective_s)


@pytest.mark.parametrize("stops, kwargs, message", [
    ([Stop("a", *CENTRE, 600, 2 * HOUR, HOUR)], {}, "window ends before it starts"),
    ([Stop("a", *CENTRE, -1)], {}, "must not be negative"),
    ([Stop("a", *CENTRE, 600), Stop("a", *CENTRE, 600)], {}, "appears twice"),
    ([Stop("a", 91.0, 0.0, 600)], {}, "outside the earth's degree ranges"),
    ([Stop("a", *CENTRE, float("nan"))], {}, "finite number"),
    ([Stop("a", *CENTRE, 600, datetime(2026, 11, 27, tzinfo=UTC))], {}, "same kind as the start time"),
    ([], {"detour_factor": 0.5}, "detour factor must be 1 or more"),
    ([], {"walking_kmh": 0}, "walking speed must be more than 0"),
    ([], {"deferral_penalty_s": -1}, "penalty must not be negative"),
    (["a"], {}, "every stop must be a Stop"),
    ([], {"rounds": -1}, "rounds must be a whole number"),
    ([], {"exact_up_to": "12"}, "exact_up_to must be a whole number"),
])
def test_bad_input_is_refused_with_a_plain_message(stops, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plan_route(CENTRE, 0.0, 8 * HOUR, stops, **kwargs)


def test_a_hand_made_order_naming_an_unknown_or_repeated_stop_is_refused():
    stops = [Stop("a", *CENTRE, 600)]
    with pytest.raises(ValueError, match="not one of the stops"):
        evaluate_route(CENTRE, 0.0, 8 * HOUR, stops, ["b"])
    with pytest.raises(ValueError, match="twice"):
        evaluate_route(CENTRE, 0.0, 8 * HOUR, stops, ["a", "a"])


def test_the_exact_search_alone_refuses_more_stops_than_it_takes():
    stops = [Stop(i, *CENTRE, 60) for i in range(13)]
    with pytest.raises(ValueError, match="at most 12 stops"):
        exact_route(CENTRE, 0.0, 8 * HOUR, stops)


def test_walking_times_are_the_straight_line_times_the_detour_at_walking_speed():
    rng = random.Random(5)
    stops = [Stop(i, *_near(rng, 1.0), 600) for i in range(4)]
    times = walking_times(CENTRE, stops)
    points = [CENTRE] + [(stop.lat, stop.lng) for stop in stops]
    assert len(times) == 5 and all(len(row) == 5 for row in times)
    for i, one in enumerate(points):
        for j, other in enumerate(points):
            assert times[i][j] == pytest.approx(haversine_km(*one, *other) * DETOUR / KMH * 3600, rel=1e-9)


def test_the_heuristic_serves_a_visit_that_exactly_fills_the_room_between_two_appointments():
    # All at one point (no walk): appointments at 08:00 and 08:20 leave exactly 10 minutes between
    # them, the free visit's length, and the free visit must start by 08:25, so it fits only
    # there. The heuristic (no exact search, no ruin and recreate) skips gaps with less room than
    # a visit: this one has just enough.
    stops = [Stop("first", *CENTRE, 600, 0.0, 0.0), Stop("last", *CENTRE, 600, 1200.0, 1200.0),
             Stop("free", *CENTRE, 600, None, 1500.0)]
    route = plan_route(CENTRE, 0.0, 8 * HOUR, stops, exact_up_to=0, rounds=0)
    assert route.method == "heuristic"
    assert [visit.stop_id for visit in route.visits] == ["first", "free", "last"]
    assert route.deferred == () and route.violations == ()


def test_a_work_budget_ends_the_rounds_however_many_are_asked_for():
    # A million rounds would take minutes; the budget (work counted, not time) stops them after a
    # few hundred, and the same route comes back on every run.
    stops = _day(random.Random(11), 15, km=1.0, appointments=0.3, day_s=8 * HOUR)
    route = plan_route(CENTRE, 0.0, 8 * HOUR, stops, exact_up_to=0, rounds=10**6)
    again = plan_route(CENTRE, 0.0, 8 * HOUR, stops, exact_up_to=0, rounds=10**6)
    _check_route(route, stops, 8 * HOUR)
    assert route == again
