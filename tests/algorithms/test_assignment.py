"""Batch assignment (backend/algorithms/assignment.py) against every feasible assignment enumerated."""
import itertools
import math
import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from backend.algorithms.assignment import Assignee, Pair, Task, assign, haversine_km_array
from backend.algorithms.geo import haversine_km

CENTRE = (30.2741, 120.1551)


def _near(rng: random.Random, km: float = 3.0) -> tuple[float, float]:
    north, east = rng.uniform(-km, km), rng.uniform(-km, km)
    return CENTRE[0] + north / 111.195, CENTRE[1] + east / (111.195 * math.cos(math.radians(CENTRE[0])))


# The brute force's own rules, written plainly from the module's contract.

def _eligible(task: Task, person: Assignee) -> bool:
    if person.capacity < 1:
        return False
    if task.skill is not None and task.skill not in person.skills:
        return False
    if person.available is not None and not any(first <= task.start and task.end <= last
                                                for first, last in _stretches(person.available)):
        return False
    return person.reach_km is None or haversine_km(task.lat, task.lng, person.lat, person.lng) <= person.reach_km


def _stretches(spans):
    """Availability spans joined where they touch or overlap."""
    joined = []
    for first, last in sorted(spans):
        if joined and first <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], last))
        else:
            joined.append((first, last))
    return joined


def _overlap(one: Task, other: Task) -> bool:
    """Windows share time; a window of no length still takes its moment."""
    def span(task):
        return task.start, task.end if task.end > task.start else task.start + 1e-9
    (first, last), (other_first, other_last) = span(one), span(other)
    return first < other_last and other_first < last


def _feasible(tasks, people_by_id, choice) -> bool:
    load: dict = {}
    for task, person_id in zip(tasks, choice):
        if person_id is not None:
            load.setdefault(person_id, []).append(task)
    for person_id, taken in load.items():
        if len(taken) > people_by_id[person_id].capacity:
            return False
        if any(_overlap(one, other) for one, other in itertools.combinations(taken, 2)):
            return False
    return True


def _brute_force(tasks, people, penalty, costs) -> float:
    """The least total cost over every feasible assignment; costs maps (task id, assignee id) to a cost."""
    by_id = {person.id: person for person in people}
    options = [[None] + [person.id for person in people if (task.id, person.id) in costs] for task in tasks]
    best = math.inf
    for choice in itertools.product(*options):
        if not _feasible(tasks, by_id, choice):
            continue
        total = sum(costs[(task.id, person_id)] if person_id is not None
                    else penalty if task.penalty is None else task.penalty
                    for task, person_id in zip(tasks, choice))
        best = min(best, total)
    return best


def _check_plan(plan, tasks, people, penalty, costs):
    """The plan is feasible, uses only allowed pairs at their cost, and adds up."""
    by_task = {task.id: task for task in tasks}
    by_id = {person.id: person for person in people}
    assigned = [pair.task_id for pair in plan.pairs]
    assert len(set(assigned)) == len(assigned)
    assert set(assigned) | set(plan.unassigned) == set(by_task) and not set(assigned) & set(plan.unassigned)
    for pair in plan.pairs:
        assert pair.cost == pytest.approx(costs[(pair.task_id, pair.assignee_id)], abs=1e-9)
    choice = [next((pair.assignee_id for pair in plan.pairs if pair.task_id == task.id), None) for task in tasks]
    assert _feasible(tasks, by_id, choice)
    penalties = sum(penalty if by_task[task_id].penalty is None else by_task[task_id].penalty
                    for task_id in plan.unassigned)
    assert plan.total_cost == pytest.approx(sum(pair.cost for pair in plan.pairs) + penalties, abs=1e-9)


def _random_instance(rng: random.Random):
    hours = [8, 9, 10, 11, 13]
    tasks = []
    for number in range(rng.randint(1, 6)):
        start = rng.choice(hours)
        tasks.append(Task(number, *_near(rng), start, start + rng.choice([0, 1, 1, 2, 3]),
                          rng.choice([None, "shopping", "shopping", "escort"]),
                          penalty=rng.choice([None, None, None, 1.5])))
    people = []
    for number in range(rng.randint(1, 4)):
        available = rng.choice([None, ((8, 12),), ((10, 16),), ((8, 10), (12, 17)), ((12, 14), (8, 10), (10, 11))])
        people.append(Assignee(f"v{number}", *_near(rng), rng.choice([0, 1, 1, 2, 2, 3]),
                               frozenset(rng.sample(["shopping", "escort", "cooking"], rng.randint(0, 2))),
                               available, rng.choice([None, None, 3.0])))
    return tasks, people


def test_haversine_array_equals_geo():
    rng = random.Random(3)
    points = [(*_near(rng, 40), *_near(rng, 40)) for _ in range(50)] + [(0, 0, 0, 180), (89.9, 10, -89.9, -170)]
    array = haversine_km_array(*np.array(points).T)
    for (lat1, lng1, lat2, lng2), km in zip(points, array):
        assert km == pytest.approx(haversine_km(lat1, lng1, lat2, lng2), rel=1e-12, abs=1e-9)


def test_equals_brute_force_on_many_small_instances_with_capacities_windows_and_penalties():
    rng = random.Random(20261127)
    solvers_seen, unassigned_seen, shared_seen = set(), 0, 0
    for _ in range(300):
        tasks, people = _random_instance(rng)
        penalty = rng.choice([2.0, 5.0, 50.0])
        costs = {(task.id, person.id): haversine_km(task.lat, task.lng, person.lat, person.lng)
                 for task in tasks for person in people if _eligible(task, person)}
        plan = assign(tasks, people, unassigned_penalty=penalty, k=len(people) + 1)
        assert plan.total_cost == pytest.approx(_brute_force(tasks, people, penalty, costs), abs=1e-9)
        _check_plan(plan, tasks, people, penalty, costs)
        solvers_seen |= set(plan.solvers)
        unassigned_seen += bool(plan.unassigned) and bool(plan.pairs)
        shared_seen += len({pair.assignee_id for pair in plan.pairs}) < len(plan.pairs)
    # The instances reach both solvers, partial plans, and assignees taking several tasks.
    assert solvers_seen == {"matching", "milp"}
    assert unassigned_seen > 20 and shared_seen > 20


def test_equals_brute_force_with_the_default_candidate_lists():
    rng = random.Random(7)
    for _ in range(60):
        tasks, people = _random_instance(rng)
        costs = {(task.id, person.id): haversine_km(task.lat, task.lng, person.lat, person.lng)
                 for task in tasks for person in people if _eligible(task, person)}
        plan = assign(tasks, people)  # k = 12 and four assignees at most: every eligible pair is a candidate
        assert plan.total_cost == pytest.approx(_brute_force(tasks, people, 50.0, costs), abs=1e-9)


def test_equals_brute_force_on_given_candidates_and_costs_including_scores_to_maximise():
    rng = random.Random(11)
    for _ in range(150):
        tasks, people = _random_instance(rng)
        tasks = [Task(task.id, None, None, task.start, task.end) for task in tasks]
        people = [Assignee(person.id, None, None, person.capacity) for person in people]
        # A score in [0, 1] to maximise is a cost of -score with no penalty for staying unassigned.
        costs = {(task.id, person.id): -round(rng.random(), 3) for task in tasks for person in people
                 if rng.random() < 0.7}
        candidates = {}
        for (task_id, person_id), value in costs.items():
            candidates.setdefault(task_id, []).append((person_id, value))
        plan = assign(tasks, people, unassigned_penalty=0.0, candidates=candidates)
        allowed = {key: value for key, value in costs.items()
                   if next(person for person in people if person.id == key[1]).capacity > 0}
        assert plan.total_cost == pytest.approx(_brute_force(tasks, people, 0.0, allowed), abs=1e-9)
        _check_plan(plan, tasks, people, 0.0, costs)


def test_an_assignee_takes_no_two_overlapping_windows_and_no_more_than_their_capacity():
    here = CENTRE
    person = Assignee("w", *here, capacity=2)
    tasks = [Task("a", *here, 9, 11), Task("b", *here, 10, 12), Task("c", *here, 11, 12), Task("d", *here, 14, 15)]
    plan = assign(tasks, [person])
    assert len(plan.pairs) == 2
    taken = {pair.task_id for pair in plan.pairs}
    assert taken not in ({"a", "b"}, {"b", "c"})
    # Back to back is fine: a ends at 11, c starts at 11.
    plan = assign(tasks[:1] + tasks[2:3], [person])
    assert {pair.task_id for pair in plan.pairs} == {"a", "c"}
    # Capacity 0 takes nothing.
    assert assign(tasks, [Assignee("z", *here, capacity=0)]).pairs == ()


def test_overlap_decides_who_goes_where():
    """Two nearby requests at the same hour: the volunteer of capacity 2 next door can take only
    one, so the other goes to the second volunteer, farther away, rather than staying unassigned."""
    near = Assignee("near", CENTRE[0], CENTRE[1], capacity=2)
    far = Assignee("far", CENTRE[0] + 0.03, CENTRE[1], capacity=1)  # about 3.3 km north
    tasks = [Task(1, CENTRE[0] + 0.001, CENTRE[1], 9, 10), Task(2, CENTRE[0] - 0.001, CENTRE[1], 9.5, 10.5)]
    plan = assign(tasks, [near, far])
    assert {pair.assignee_id for pair in plan.pairs} == {"near", "far"}
    assert plan.unassigned == ()
    assert plan.solvers == ("milp",)


def test_a_task_stays_unassigned_when_every_pair_costs_more_than_its_penalty():
    person = Assignee("v", *CENTRE)
    far_task = Task("far", CENTRE[0] + 0.2, CENTRE[1], 9, 10)  # about 22 km
    plan = assign([far_task], [person], unassigned_penalty=10.0)
    assert plan.pairs == () and plan.unassigned == ("far",)
    assert plan.total_cost == 10.0 and plan.penalty_cost == 10.0
    # Its own penalty outweighs the trip.
    urgent = Task("far", CENTRE[0] + 0.2, CENTRE[1], 9, 10, penalty=30.0)
    plan = assign([urgent], [person], unassigned_penalty=10.0)
    assert [pair.assignee_id for pair in plan.pairs] == ["v"] and plan.total_cost == pytest.approx(22.24, abs=0.01)


def test_the_nearest_eligible_assignee_is_found_behind_hundreds_of_ineligible_ones():
    rng = random.Random(5)
    crowd = [Assignee(n, *_near(rng, 0.5), skills=frozenset({"cooking"})) for n in range(400)]
    helper = Assignee("escort", CENTRE[0] + 0.05, CENTRE[1], skills=frozenset({"escort"}))
    away = Assignee("away", CENTRE[0] + 0.01, CENTRE[1], skills=frozenset({"escort"}), available=((14, 18),))
    plan = assign([Task("t", *CENTRE, 9, 10, "escort")], crowd + [helper, away], k=1)
    assert plan.pairs == (Pair("t", "escort", pytest.approx(haversine_km(*CENTRE, CENTRE[0] + 0.05, CENTRE[1]))),)


def test_reach_limits_who_is_eligible():
    close = Assignee("close", CENTRE[0] + 0.01, CENTRE[1], reach_km=0.5)  # 1.1 km away, goes 0.5 km
    keen = Assignee("keen", CENTRE[0] + 0.02, CENTRE[1], reach_km=5)
    plan = assign([Task(1, *CENTRE, 9, 10)], [close, keen])
    assert [pair.assignee_id for pair in plan.pairs] == ["keen"]


def test_plans_are_deterministic_and_do_not_depend_on_input_order():
    rng = random.Random(9)
    tasks = [Task(n, *_near(rng, 5), 9 + n % 4, 10 + n % 4, rng.choice([None, "shopping"])) for n in range(60)]
    people = [Assignee(f"v{n:02d}", *_near(rng, 5), rng.choice([1, 2, 3]), frozenset({"shopping"}))
              for n in range(25)]
    plan = assign(tasks, people)
    assert assign(tasks, people) == plan
    rng.shuffle(tasks)
    rng.shuffle(people)
    assert assign(tasks, people) == plan
    assert [pair.task_id for pair in plan.pairs] == sorted(pair.task_id for pair in plan.pairs)


def test_a_larger_batch_respects_capacities_and_windows():
    rng = random.Random(13)
    tasks = [Task(n, *_near(rng, 4), start, start + rng.choice([1, 2]), rng.choice([None, "shopping", "escort"]))
             for n, start in enumerate(rng.choice(range(8, 18)) for _ in range(150))]
    people = [Assignee(n, *_near(rng, 4), rng.choice([1, 2, 3, 4]),
                       frozenset(rng.sample(["shopping", "escort"], rng.randint(1, 2))), reach_km=rng.choice([2, 5]))
              for n in range(40)]
    plan = assign(tasks, people)
    costs = {(task.id, person.id): haversine_km(task.lat, task.lng, person.lat, person.lng)
             for task in tasks for person in people if _eligible(task, person)}
    _check_plan(plan, tasks, people, 50.0, costs)
    loads = {}
    for pair in plan.pairs:
        loads[pair.assignee_id] = loads.get(pair.assignee_id, 0) + 1
    assert max(loads.values()) > 1 and len(plan.pairs) > 60
    assert "milp" in plan.solvers


def test_the_sparse_graph_finds_the_dense_optimum_when_assignees_are_scarce():
    """As many volunteers as requests, a fifth of the pairs eligible: the dense optimum
    (linear_sum_assignment over every pair) matches everyone, and so does the plan, within 1.5 %."""
    rng = np.random.default_rng(4)
    size = 300
    lat = CENTRE[0] + rng.uniform(-0.1, 0.1, (2, size))
    lng = CENTRE[1] + rng.uniform(-0.1, 0.1, (2, size))
    need = rng.integers(0, 3, size)
    have = rng.random((size, 3)) < 0.35
    start = rng.integers(8, 18, size).astype(float)
    shift = rng.integers(0, 2, size)  # 0: 08–14, 1: 12–20
    spans = (((8.0, 14.0),), ((12.0, 20.0),))
    tasks = [Task(i, lat[0, i], lng[0, i], start[i], start[i] + 1, f"s{need[i]}") for i in range(size)]
    people = [Assignee(j, lat[1, j], lng[1, j], 1, frozenset(f"s{s}" for s in np.flatnonzero(have[j])),
                       spans[shift[j]]) for j in range(size)]
    cost = np.full((size, size), 50.0)
    for i, task in enumerate(tasks):
        for j, person in enumerate(people):
            if _eligible(task, person):
                cost[i, j] = min(50.0, haversine_km(task.lat, task.lng, person.lat, person.lng))
    rows, cols = linear_sum_assignment(cost)
    optimum = cost[rows, cols].sum()
    plan = assign(tasks, people)
    assert len(plan.pairs) >= int((cost[rows, cols] < 50).sum())
    assert optimum <= plan.total_cost <= optimum * 1.015


def test_windows_as_datetimes():
    day = datetime(2026, 11, 28, 9, 0)
    person = Assignee("v", *CENTRE, capacity=2, available=((day, day + timedelta(hours=8)),))
    tasks = [Task(1, *CENTRE, day, day + timedelta(hours=1)), Task(2, *CENTRE, day + timedelta(minutes=30),
                                                                   day + timedelta(hours=2)),
             Task(3, *CENTRE, day + timedelta(hours=7), day + timedelta(hours=9))]  # past their day
    plan = assign(tasks, [person])
    assert len(plan.pairs) == 1 and plan.pairs[0].task_id in (1, 2)
    aware = Task(4, *CENTRE, day.replace(tzinfo=UTC), day.replace(tzinfo=UTC) + timedelta(hours=1))
    with pytest.raises(ValueError, match="all naive datetimes"):
        assign(tasks + [aware], [person])


def test_empty_inputs():
    person = Assignee("v", *CENTRE)
    assert assign([], []).pairs == ()
    plan = assign([], [person])
    assert (plan.pairs, plan.unassigned, plan.total_cost, plan.solvers) == ((), (), 0.0, ())
    plan = assign([Task(1, *CENTRE, 9, 10), Task(2, *CENTRE, 9, 10, penalty=7.0)], [], unassigned_penalty=5.0)
    assert plan.unassigned == (1, 2) and plan.total_cost == 12.0
    assert assign([Task(1, None, None, 9, 10)], [person], candidates={}).unassigned == (1,)


HERE = CENTRE


@pytest.mark.parametrize("tasks, people, options, message", [
    ([Task(1, *HERE, 10, 9)], [], {}, "ends before it starts"),
    ([Task(1, *HERE, 9, 10), Task(1, *HERE, 9, 10)], [], {}, "task id 1 appears twice"),
    ([], [Assignee("a", *HERE), Assignee("a", *HERE)], {}, "assignee id 'a' appears twice"),
    ([Task(1, None, 120.0, 9, 10)], [], {}, "needs a position"),
    ([Task(1, 91.0, 120.0, 9, 10)], [], {}, "outside the earth"),
    ([Task(1, math.nan, 120.0, 9, 10)], [], {}, "lat must be a finite number"),
    ([Task(1, *HERE, "nine", 10)], [], {}, "start must be a finite number"),
    ([Task(1, *HERE, 9, 10, penalty=math.inf)], [], {}, "penalty must be a finite number"),
    ([Task(1, *HERE, 9, 10, skill=3)], [], {}, "skill must be text"),
    ([], [Assignee("a", *HERE, capacity=-1)], {}, "capacity must be a whole number"),
    ([], [Assignee("a", *HERE, capacity=1.5)], {}, "capacity must be a whole number"),
    ([], [Assignee("a", *HERE, capacity=True)], {}, "capacity must be a whole number"),
    ([], [Assignee("a", *HERE, reach_km=-2)], {}, "reach_km must not be negative"),
    ([], [Assignee("a", *HERE, skills="shopping")], {}, "skills must be a set of text"),
    ([], [Assignee("a", *HERE, available=((10, 9),))], {}, "ends before it starts"),
    ([], [Assignee("a", *HERE, available=(9, 10))], {}, "(start, end) pairs"),
    ([], [], {"unassigned_penalty": math.nan}, "unassigned_penalty must be a finite number"),
    ([], [], {"k": 0}, "k must be a whole number of at least 1"),
    ([], [], {"reverse_k": -1}, "reverse_k must be a whole number of at least 0"),
    ([], [], {"candidates": {}, "cost": lambda t, a, km: km}, "either candidates or cost"),
    ([], [], {"candidates": [(1, "a", 2.0)]}, "candidates must map"),
    ([Task(1, *HERE, 9, 10)], [], {"candidates": {2: []}}, "task 2, which is not in the batch"),
    ([Task(1, *HERE, 9, 10)], [], {"candidates": {1: [("z", 1.0)]}}, "assignee 'z', who is not in the batch"),
    ([Task(1, *HERE, 9, 10)], [Assignee("a", *HERE)], {"candidates": {1: [("a", 1.0), ("a", 2.0)]}}, "twice"),
    ([Task(1, *HERE, 9, 10)], [Assignee("a", *HERE)], {"candidates": {1: [("a", math.nan)]}}, "finite number"),
    ([Task(1, *HERE, 9, 10)], [Assignee("a", *HERE)], {"candidates": {1: ["a"]}}, "(assignee id, cost) pairs"),
    ([Task(1, *HERE, 9, 10)], [Assignee("a", *HERE)], {"cost": lambda t, a, km: math.inf}, "finite numbers"),
    (["a task"], [], {}, "must be a Task"),
])
def test_bad_input_is_refused_with_a_plain_message(tasks, people, options, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        assign(tasks, people, **options)


def test_cost_and_eligibility_functions_shape_the_plan():
    tasks = [Task(1, *HERE, 9, 10), Task(2, *HERE, 9, 10)]
    people = [Assignee("a", *HERE), Assignee("b", HERE[0] + 0.01, HERE[1])]
    # Without "a" for task 1, "a" does 2 and "b" does 1.
    plan = assign(tasks, people, eligible=lambda task, person: not (task.id == 1 and person.id == "a"))
    assert {(pair.task_id, pair.assignee_id) for pair in plan.pairs} == {(1, "b"), (2, "a")}
    # A cost in minutes on foot at 4 km/h, plus a fixed 5.
    plan = assign(tasks[:1], people[1:], cost=lambda task, person, km: 5 + km * 15)
    assert plan.pairs[0].cost == pytest.approx(5 + haversine_km(*HERE, HERE[0] + 0.01, HERE[1]) * 15)


def test_the_eligibility_function_is_asked_during_the_search_so_k_eligible_are_still_found():
    rng = random.Random(21)
    people = [Assignee(n, *_near(rng, 1.0)) for n in range(200)]
    task = Task("t", *CENTRE, 9, 10)

    def odd_only(one, person):
        return person.id % 2 == 1 and person.id > 150

    plan = assign([task], people, k=3, eligible=odd_only)
    nearest = min((person for person in people if odd_only(task, person)),
                  key=lambda person: haversine_km(*CENTRE, person.lat, person.lng))
    assert [pair.assignee_id for pair in plan.pairs] == [nearest.id]
    assert plan.edges == 3


def test_availability_spans_that_touch_are_one_stretch():
    person = Assignee("v", *CENTRE, available=((12, 16), (8, 12)))
    assert [pair.assignee_id for pair in assign([Task(1, *CENTRE, 11, 13)], [person]).pairs] == ["v"]
    apart = Assignee("v", *CENTRE, available=((8, 12), (12.5, 16)))
    assert assign([Task(1, *CENTRE, 11, 13)], [apart]).pairs == ()
