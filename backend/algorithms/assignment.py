"""Batch assignment: tomorrow's scheduled tasks given to assignees in one optimal plan.

Pure: plain frozen dataclasses in, a Plan out; numpy and scipy, no Flask, no database
(docs/assignment.md explains the model, the candidate graph and the two exact solvers).

The plan minimises the total cost: the cost of every (task, assignee) pair it makes plus each
unassigned task's penalty, subject to each assignee's capacity for the day and no two of one
assignee's tasks with overlapping windows. A score to maximise is a cost of -score (and a
penalty of 0: any pair with a positive score is worth making).

Where the pairs come from:
- `candidates` given: exactly those pairs and costs (e.g. the core loop's best k by score).
- otherwise a sparse candidate graph: for each task the k nearest eligible assignees (k-d trees
  on the unit sphere, one per skill, so "nearest" is exact great-circle order; more neighbours
  are asked for while too few of them are eligible) and, unless assignees are plentiful, for
  each assignee few tasks' lists reached their `reverse_k` nearest eligible tasks, so that
  nobody who may be needed is left without an edge. Eligible: the task's skill among the
  assignee's, its whole window inside one of the assignee's availability spans, within the
  assignee's reach, and `eligible(task, assignee)` if given (asked only of the pairs that pass
  the rest, nearest first). Cost: the great-circle distance in km, or `cost(task, assignee, km)`.

The solve is exact on that graph (pairs costing at least the task's penalty are dropped first:
leaving the task unassigned is never worse). Where no assignee of capacity 2 or more has two
candidate tasks whose windows overlap, it is an assignment problem: each assignee becomes one
column per unit of capacity and each row a private "not matched" column, so a full matching
always exists, solved by scipy's sparse LAPJVsp (the smaller side as rows). The connected parts
of the graph where windows do overlap are an integer program (pair variables, one row per task,
per capacity, and per maximal set of an assignee's mutually overlapping windows), solved by
HiGHS to a zero gap.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, csr_array
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching
from scipy.spatial import cKDTree

from backend.algorithms.geo import EARTH_RADIUS_KM

DEFAULT_K = 12
DEFAULT_REVERSE_K = 8
DEFAULT_PENALTY = 50.0
# Capacity for at least this many times the tasks: assignees are plentiful, and each task's own
# k nearest leave enough choice; below it, seldom-reached assignees get reverse lists too.
PLENTIFUL = 2

When = float | int | datetime


@dataclass(frozen=True)
class Task:
    """One piece of help to plan: where, when (start ≤ end) and what skill it needs (None: any)."""

    id: Hashable
    lat: float | None
    lng: float | None
    start: When
    end: When
    skill: str | None = None
    penalty: float | None = None  # its own cost of staying unassigned; None: the batch's


@dataclass(frozen=True)
class Assignee:
    """A volunteer (or worker) for the day: where they start from, how many tasks they take,
    their skills, when they are available ((start, end) spans; None: at any time) and how far
    they go (None: anywhere)."""

    id: Hashable
    lat: float | None
    lng: float | None
    capacity: int = 1
    skills: frozenset[str] = frozenset()
    available: tuple[tuple[When, When], ...] | None = None
    reach_km: float | None = None


@dataclass(frozen=True)
class Pair:
    task_id: Hashable
    assignee_id: Hashable
    cost: float


@dataclass(frozen=True)
class Plan:
    """The assignment: its pairs (by task id), the tasks left unassigned (by id), the pairs' cost,
    the penalties, their sum, the candidate graph's size and which solvers ran."""

    pairs: tuple[Pair, ...]
    unassigned: tuple[Hashable, ...]
    assigned_cost: float
    penalty_cost: float
    total_cost: float
    edges: int
    solvers: tuple[str, ...]


def haversine_km_array(lat1, lng1, lat2, lng2) -> np.ndarray:
    """geo.haversine_km on numpy arrays (degrees in, km out), element by element."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlambda = np.radians(np.asarray(lng2, dtype=float) - np.asarray(lng1, dtype=float))
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def _unit_xyz(lat_deg: np.ndarray, lng_deg: np.ndarray) -> np.ndarray:
    lat, lng = np.radians(lat_deg), np.radians(lng_deg)
    return np.column_stack((np.cos(lat) * np.cos(lng), np.cos(lat) * np.sin(lng), np.sin(lat)))


def _chord(km: float) -> float:
    """The straight-line distance through the unit sphere for a great-circle distance in km."""
    return 2 * math.sin(min(math.pi, km / EARTH_RADIUS_KM) / 2)


def _id_key(value):
    return type(value).__name__, value


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number")
    return float(value)


class _Clock:
    """Windows as floats: numbers as they are, datetimes as seconds; naive and aware never mixed."""

    def __init__(self):
        self.kind = None

    def __call__(self, value, what: str) -> float:
        if isinstance(value, datetime):
            kind = "aware" if value.tzinfo is not None else "naive"
            seconds = value.timestamp() if kind == "aware" else \
                (value - datetime(1970, 1, 1)).total_seconds()
        else:
            kind = "number"
            seconds = _number(value, what)
        if self.kind is None:
            self.kind = kind
        elif self.kind != kind:
            raise ValueError("windows must all be numbers, all naive datetimes or all aware datetimes")
        return seconds


def _position(item, what: str, required: bool) -> tuple[float, float]:
    if item.lat is None or item.lng is None:
        if required:
            raise ValueError(f"{what} {item.id!r} needs a position (lat and lng)")
        return math.nan, math.nan
    lat, lng = _number(item.lat, f"{what} {item.id!r}'s lat"), _number(item.lng, f"{what} {item.id!r}'s lng")
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValueError(f"{what} {item.id!r}'s position is outside the earth's degree ranges")
    return lat, lng


def _unique_sorted(items, kind: str) -> list:
    items = list(items)
    for item in items:
        if not isinstance(item, Task if kind == "task" else Assignee):
            raise ValueError(f"every {kind} must be {'an Assignee' if kind == 'assignee' else 'a Task'}")
        try:
            hash(item.id)
        except TypeError:
            raise ValueError(f"a {kind} id must be hashable") from None
    seen: set = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"{kind} id {item.id!r} appears twice")
        seen.add(item.id)
    try:
        items.sort(key=lambda item: _id_key(item.id))
    except TypeError:
        raise ValueError(f"{kind} ids must be comparable (all numbers or all text)") from None
    return items


_PLAIN_NUMBERS = (int, float)


def _floats(values: list, what) -> np.ndarray:
    """Finite numbers as an array; what(i) names item i for the message when one is not."""
    if all(type(value) in _PLAIN_NUMBERS for value in values):
        array = np.array(values, dtype=float)
        if np.isfinite(array).all():
            return array
    for i, value in enumerate(values):
        _number(value, what(i))
    return np.array(values, dtype=float)  # numbers' subclasses (numpy's) that passed _number


def _instants(values: list, clock: _Clock, what) -> np.ndarray:
    """Window ends as floats: plain numbers at once, datetimes through the clock."""
    if values and all(type(value) in _PLAIN_NUMBERS for value in values):
        clock(values[0], what(0))
        return _floats(values, what)
    return np.array([clock(value, what(i)) for i, value in enumerate(values)], dtype=float)


class _Batch:
    """The validated input as arrays, in id order."""

    def __init__(self, tasks, assignees, penalty: float, need_positions: bool):
        clock = _Clock()
        self.tasks = _unique_sorted(tasks, "task")
        self.assignees = _unique_sorted(assignees, "assignee")
        self.task_lat, self.task_lng = self._positions(self.tasks, "task", need_positions)
        self.start = _instants([task.start for task in self.tasks], clock,
                               lambda i: f"task {self.tasks[i].id!r}'s start")
        self.end = _instants([task.end for task in self.tasks], clock, lambda i: f"task {self.tasks[i].id!r}'s end")
        backwards = np.flatnonzero(self.end < self.start)
        if len(backwards):
            raise ValueError(f"task {self.tasks[backwards[0]].id!r}'s window ends before it starts")
        self.penalty = _floats([penalty if task.penalty is None else task.penalty for task in self.tasks],
                               lambda i: f"task {self.tasks[i].id!r}'s penalty")
        skills: dict[str, int] = {}
        task_skill = []
        for task in self.tasks:
            if task.skill is None:
                task_skill.append(-1)
            elif isinstance(task.skill, str):
                task_skill.append(skills.setdefault(task.skill, len(skills)))
            else:
                raise ValueError(f"task {task.id!r}'s skill must be text or None")
        self.task_skill = np.array(task_skill, dtype=np.int64)
        # A window of no length still takes its moment: it ends just after it starts.
        self.stop = np.where(self.end > self.start, self.end, np.nextafter(self.start, np.inf))
        people = self.assignees
        m = len(people)
        self.ass_lat, self.ass_lng = self._positions(people, "assignee", need_positions)
        for person in people:
            if isinstance(person.capacity, bool) or not isinstance(person.capacity, int):
                raise ValueError(f"assignee {person.id!r}'s capacity must be a whole number, 0 or more")
        self.capacity = np.array([person.capacity for person in people], dtype=np.int64)
        negative = np.flatnonzero(self.capacity < 0)
        if len(negative):
            raise ValueError(f"assignee {people[negative[0]].id!r}'s capacity must be a whole number, 0 or more")
        given = np.array([person.reach_km is not None for person in people], dtype=bool)
        self.reach = _floats([0.0 if person.reach_km is None else person.reach_km for person in people],
                             lambda j: f"assignee {people[j].id!r}'s reach_km")
        self.reach[~given] = np.inf
        negative = np.flatnonzero(self.reach < 0)
        if len(negative):
            raise ValueError(f"assignee {people[negative[0]].id!r}'s reach_km must not be negative")
        self.reach_chord = np.array([_chord(km) if math.isfinite(km) else np.inf for km in self.reach])
        words = max(1, -(-len(skills) // 64))
        masks: dict = {}
        bits = []
        for person in people:
            try:
                mask = masks[person.skills]
            except (KeyError, TypeError):
                if isinstance(person.skills, str) or not isinstance(person.skills, Iterable):
                    raise ValueError(f"assignee {person.id!r}'s skills must be a set of text") from None
                mask = sum(1 << skills[skill] for skill in set(person.skills) if skill in skills)
                try:
                    masks[person.skills] = mask
                except TypeError:
                    pass
            bits.append(mask)
        self.skill_bits = np.array([[(mask >> (64 * word)) & 0xFFFFFFFFFFFFFFFF for word in range(words)]
                                    for mask in bits], dtype=np.uint64).reshape(m, words)
        converted: dict = {}
        spans = []
        for person in people:
            try:
                own = converted[person.available]
            except (KeyError, TypeError):
                own = self._spans(person, clock)
                try:
                    converted[person.available] = own
                except TypeError:
                    pass
            spans.append(own)
        self.anytime = np.array([own is None for own in spans], dtype=bool)
        width = max((len(own) for own in spans if own), default=0) or 1
        self.span_start = np.full((m, width), np.inf)
        self.span_end = np.full((m, width), -np.inf)
        for j, own in enumerate(spans):
            for place, (first, last) in enumerate(own or ()):
                self.span_start[j, place], self.span_end[j, place] = first, last

    @staticmethod
    def _positions(items, what: str, required: bool) -> tuple[np.ndarray, np.ndarray]:
        lats, lngs = [item.lat for item in items], [item.lng for item in items]
        if required and (None in lats or None in lngs):
            missing = next(item for item in items if item.lat is None or item.lng is None)
            raise ValueError(f"{what} {missing.id!r} needs a position (lat and lng)")
        if None in lats or None in lngs:
            pairs = [_position(item, what, False) for item in items]
            return np.array([lat for lat, _ in pairs]), np.array([lng for _, lng in pairs])
        lat = _floats(lats, lambda i: f"{what} {items[i].id!r}'s lat")
        lng = _floats(lngs, lambda i: f"{what} {items[i].id!r}'s lng")
        outside = np.flatnonzero((np.abs(lat) > 90) | (np.abs(lng) > 180))
        if len(outside):
            raise ValueError(f"{what} {items[outside[0]].id!r}'s position is outside the earth's degree ranges")
        return lat, lng

    @staticmethod
    def _spans(person, clock: _Clock):
        if person.available is None:
            return None
        if isinstance(person.available, (str, bytes)) or not isinstance(person.available, Iterable):
            raise ValueError(f"assignee {person.id!r}'s availability must be (start, end) pairs")
        own = []
        for span in person.available:
            if not isinstance(span, (tuple, list)) or len(span) != 2:
                raise ValueError(f"assignee {person.id!r}'s availability must be (start, end) pairs")
            first = clock(span[0], f"assignee {person.id!r}'s availability")
            last = clock(span[1], f"assignee {person.id!r}'s availability")
            if last < first:
                raise ValueError(f"assignee {person.id!r} has an availability span that ends before it starts")
            own.append((first, last))
        # Spans that touch or overlap are one stretch of time: 08–12 and 12–16 cover 11–13.
        merged: list[tuple[float, float]] = []
        for first, last in sorted(own):
            if merged and first <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], last))
            else:
                merged.append((first, last))
        return merged

    def has_skill(self, skill: int) -> np.ndarray:
        """Which assignees have the skill numbered `skill`."""
        return ((self.skill_bits[:, skill // 64] >> np.uint64(skill % 64)) & np.uint64(1)) == 1

    def eligible(self, ti: np.ndarray, aj: np.ndarray, chord: np.ndarray) -> np.ndarray:
        """Skill, availability over the whole window and reach, for the pairs (ti[e], aj[e]) at
        these chord distances (on the unit sphere: the same order as great-circle distances)."""
        skill = self.task_skill[ti]
        needs = skill >= 0
        word = np.where(needs, skill, 0) // 64
        bit = (np.where(needs, skill, 0) % 64).astype(np.uint64)
        has = (self.skill_bits[aj, word] >> bit) & np.uint64(1)
        ok = ~needs | (has == 1)
        inside = (self.span_start[aj] <= self.start[ti, None]) & (self.end[ti, None] <= self.span_end[aj])
        ok &= self.anytime[aj] | inside.any(axis=1)
        ok &= chord <= self.reach_chord[aj]
        return ok


def _nearest_eligible(batch: _Batch, queries: np.ndarray, query_xyz: np.ndarray, points: np.ndarray,
                      point_xyz: np.ndarray, k: int, pair_of, limit: float, extra=None):
    """For each query, its k nearest eligible points among `points` (global indices, all of them
    in one k-d tree): (query, point, chord) triples; `extra(task, assignee)`, if given, must
    hold too. Asks for more neighbours for the queries still
    short of k until every point has been looked at or the farthest is beyond the chord `limit`."""
    found_q, found_t, found_d = [], [], []
    if len(queries) == 0 or len(points) == 0:
        return found_q, found_t, found_d
    tree = cKDTree(point_xyz[points])
    pending = queries
    want = min(len(points), 3 * k)
    while len(pending):
        dist, index = tree.query(query_xyz[pending], k=want)
        dist, index = dist.reshape(len(pending), want), points[index.reshape(len(pending), want)]
        rows = np.repeat(pending, want)
        ti, aj = pair_of(rows, index.ravel())
        ok = batch.eligible(ti, aj, dist.ravel()) & (dist.ravel() <= limit)
        if extra is not None:
            check = np.flatnonzero(ok)
            ok[check] = [bool(extra(batch.tasks[t], batch.assignees[a])) for t, a in zip(ti[check], aj[check])]
        ok = ok.reshape(len(pending), want)
        rank = np.cumsum(ok, axis=1)
        short = (rank[:, -1] < k) & (dist[:, -1] <= limit) if want < len(points) else np.zeros(len(pending), bool)
        # The neighbours of the queries still short of k come back in the next, longer list.
        keep = (ok & (rank <= k) & ~short[:, None]).ravel()
        found_q.append(rows[keep])
        found_t.append(index.ravel()[keep])
        found_d.append(dist.ravel()[keep])
        if not short.any():
            break
        # Ask for enough to find k at the median rate found so far, at least twice as many.
        rate = max(float(np.median(rank[short, -1])), 1.0) / want
        want = min(len(points), max(2 * want, math.ceil(1.5 * k / rate)))
        pending = pending[short]
    return found_q, found_t, found_d


def _k_nearest(found_q, found_t, found_d, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Of the points found for each query in every partition, the k nearest overall."""
    if not found_q:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    q, t, d = np.concatenate(found_q), np.concatenate(found_t), np.concatenate(found_d)
    order = np.lexsort((t, d, q))
    q, t = q[order], t[order]
    first = np.r_[0, np.flatnonzero(q[1:] != q[:-1]) + 1]
    lengths = np.diff(np.r_[first, len(q)])
    place = np.arange(len(q)) - np.repeat(first, lengths)
    keep = place < k
    return q[keep], t[keep]


def _spatial_graph(batch: _Batch, k: int, reverse_k: int, cost, eligible, default_cost: bool):
    """The sparse candidate graph from positions: each task's k nearest eligible assignees and
    each seldom-reached assignee's reverse_k nearest eligible tasks. Every search runs within one
    skill: the tasks that need it against the assignees who have it (a k-d tree each), so most of
    the neighbours looked at are eligible."""
    n, m = len(batch.tasks), len(batch.assignees)
    if n == 0 or m == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0)
    # With the distance as the cost, nobody farther than the largest penalty is worth a pair.
    max_km = float(batch.penalty.max()) if default_cost else math.inf
    max_km = min(max_km, float(batch.reach.max()))
    limit = _chord(max_km) if math.isfinite(max_km) else np.inf
    task_xyz = _unit_xyz(batch.task_lat, batch.task_lng)
    ass_xyz = _unit_xyz(batch.ass_lat, batch.ass_lng)
    able = batch.capacity > 0
    partitions = []  # (tasks needing the skill, assignees able to take them)
    for skill in np.unique(batch.task_skill):
        tasks = np.flatnonzero(batch.task_skill == skill)
        people = able if skill < 0 else able & batch.has_skill(skill)
        partitions.append((tasks, np.flatnonzero(people)))
    found = ([], [], [])
    for tasks, people in partitions:
        for bucket, part in zip(found, _nearest_eligible(batch, tasks, task_xyz, people, ass_xyz, k,
                                                         lambda rows, points: (rows, points), limit, eligible)):
            bucket.extend(part)
    ti, aj = _k_nearest(*found, k)
    if reverse_k > 0 and batch.capacity.sum() < PLENTIFUL * n:
        # Assignees the tasks' own lists reach fewer than reverse_k times get lists of their own,
        # unless assignees are plentiful: then the tasks' lists hold enough of them.
        seldom = np.bincount(aj, minlength=m) < reverse_k
        found = ([], [], [])
        for tasks, people in partitions:
            people = people[seldom[people]]
            for bucket, part in zip(found, _nearest_eligible(batch, people, ass_xyz, tasks, task_xyz, reverse_k,
                                                             lambda rows, points: (points, rows), limit,
                                                             eligible)):
                bucket.extend(part)
        back_a, back_t = _k_nearest(*found, reverse_k)
        ti, aj = np.concatenate((ti, back_t)), np.concatenate((aj, back_a))
    unique = np.unique(ti * m + aj)
    ti, aj = unique // m, unique % m
    km = haversine_km_array(batch.task_lat[ti], batch.task_lng[ti], batch.ass_lat[aj], batch.ass_lng[aj])
    if default_cost:
        costs = km
    else:
        costs = np.fromiter((cost(batch.tasks[t], batch.assignees[a], float(d)) for t, a, d in zip(ti, aj, km)),
                            dtype=float, count=len(ti))
        if not np.isfinite(costs).all():
            raise ValueError("cost() must return finite numbers")
    return ti, aj, costs


def _given_graph(batch: _Batch, candidates: Mapping):
    task_index = {task.id: i for i, task in enumerate(batch.tasks)}
    ass_index = {person.id: j for j, person in enumerate(batch.assignees)}
    ti, aj, costs, seen = [], [], [], set()
    if not isinstance(candidates, Mapping):
        raise ValueError("candidates must map each task id to (assignee id, cost) pairs")
    for task_id, pairs in candidates.items():
        if task_id not in task_index:
            raise ValueError(f"candidates name task {task_id!r}, which is not in the batch")
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise ValueError(f"task {task_id!r}'s candidates must be (assignee id, cost) pairs")
            assignee_id, value = pair
            if assignee_id not in ass_index:
                raise ValueError(f"candidates name assignee {assignee_id!r}, who is not in the batch")
            if (task_id, assignee_id) in seen:
                raise ValueError(f"candidates give task {task_id!r} and assignee {assignee_id!r} twice")
            seen.add((task_id, assignee_id))
            ti.append(task_index[task_id])
            aj.append(ass_index[assignee_id])
            costs.append(_number(value, f"the cost of task {task_id!r} with assignee {assignee_id!r}"))
    ti, aj, costs = np.array(ti, dtype=np.int64), np.array(aj, dtype=np.int64), np.array(costs, dtype=float)
    order = np.lexsort((aj, ti))
    return ti[order], aj[order], costs[order]


def _conflicting_assignees(batch: _Batch, ti: np.ndarray, aj: np.ndarray) -> np.ndarray:
    """Assignees of capacity ≥ 2 with two candidate tasks whose windows overlap."""
    multi = batch.capacity[aj] >= 2
    ti, aj = ti[multi], aj[multi]
    if len(ti) < 2:
        return np.empty(0, dtype=np.int64)
    order = np.lexsort((batch.start[ti], aj))
    ti, aj = ti[order], aj[order]
    # In start order, a window that overlaps an earlier one overlaps the one just before it (the
    # first such clash is always with its neighbour), so neighbours are enough.
    same = aj[1:] == aj[:-1]
    clash = same & (batch.start[ti[1:]] < batch.stop[ti[:-1]])
    return np.unique(aj[1:][clash])


def _solve_matching(batch: _Batch, ti, aj, costs, tasks: np.ndarray) -> np.ndarray:
    """Exact, no window conflicts: an assignment problem between the tasks and the assignees'
    capacity slots, solved by LAPJVsp. Returns, for each edge, whether it is used.

    The smaller side is the rows (LAPJVsp is much faster so), and each row has a private column
    of its own for "not matched", so a full matching always exists: with tasks as rows that column
    costs the task's penalty; with slots as rows it costs 0 and a pair costs its cost minus the
    task's penalty (the same plans, every total lower by the sum of the penalties)."""
    used = np.zeros(len(ti), dtype=bool)
    if len(tasks) == 0:
        return used
    m = len(batch.assignees)
    place = np.full(len(batch.tasks), -1, dtype=np.int64)
    place[tasks] = np.arange(len(tasks))
    degree = np.bincount(aj, minlength=m)
    slots = np.minimum(batch.capacity, degree)
    offset = np.r_[0, np.cumsum(slots)[:-1]]
    copies = slots[aj]
    edge = np.repeat(np.arange(len(ti)), copies)
    within = np.arange(len(edge)) - np.repeat(np.cumsum(copies) - copies, copies)
    task_side, slot_side = place[ti[edge]], offset[aj[edge]] + within
    total_slots = int(slots.sum())
    if total_slots <= len(tasks):
        rows = np.r_[slot_side, np.arange(total_slots)]
        cols = np.r_[task_side, len(tasks) + np.arange(total_slots)]
        weights = np.r_[costs[edge] - batch.penalty[ti[edge]], np.zeros(total_slots)]
        shape = (total_slots, len(tasks) + total_slots)
    else:
        rows = np.r_[task_side, np.arange(len(tasks))]
        cols = np.r_[slot_side, total_slots + np.arange(len(tasks))]
        weights = np.r_[costs[edge], batch.penalty[tasks]]
        shape = (len(tasks), total_slots + len(tasks))
    # LAPJVsp treats a zero weight as no edge: shift every weight to 1 or more. Every row takes
    # exactly one column, so the shift adds the same to every full matching.
    weights = weights - weights.min() + 1.0
    matched_rows, matched_cols = min_weight_full_bipartite_matching(csr_array((weights, (rows, cols)), shape=shape))
    if total_slots <= len(tasks):
        real = matched_cols < len(tasks)
        task_rows, slot_cols = matched_cols[real], matched_rows[real]
    else:
        real = matched_cols < total_slots
        task_rows, slot_cols = matched_rows[real], matched_cols[real]
    # Each matched (task, slot) is the edge of that task and the slot's assignee.
    slot_owner = np.repeat(np.arange(m), slots)
    keys = ti * m + aj
    order = np.argsort(keys, kind="stable")
    wanted = tasks[task_rows] * m + slot_owner[slot_cols]
    used[order[np.searchsorted(keys[order], wanted)]] = True
    return used


def _cliques(starts: list[float], stops: list[float]) -> list[list[int]]:
    """The maximal sets of mutually overlapping windows: of an interval graph, those open at some
    window's start."""
    groups = set()
    for moment in set(starts):
        open_now = frozenset(e for e in range(len(starts)) if starts[e] <= moment < stops[e])
        if len(open_now) >= 2:
            groups.add(open_now)
    return sorted(sorted(group) for group in groups if not any(group < other for other in groups))


def _solve_milp(batch: _Batch, ti, aj, costs, edges: np.ndarray) -> np.ndarray:
    """Exact with window conflicts: a 0/1 program over the edges, solved by HiGHS to a zero gap."""
    used = np.zeros(len(ti), dtype=bool)
    if len(edges) == 0:
        return used
    rows, cols, upper = [], [], []

    def add_row(members, bound):
        number = len(upper)
        rows.extend([number] * len(members))
        cols.extend(members)
        upper.append(bound)

    local_t, local_a = ti[edges], aj[edges]
    for members in _groups(local_t):
        add_row(members, 1)
    for members in _groups(local_a):
        person = local_a[members[0]]
        if batch.capacity[person] < len(members):
            add_row(members, int(batch.capacity[person]))
        if batch.capacity[person] >= 2:
            starts = [batch.start[local_t[e]] for e in members]
            stops = [batch.stop[local_t[e]] for e in members]
            for group in _cliques(starts, stops):
                add_row([members[g] for g in group], 1)
    matrix = coo_array((np.ones(len(rows)), (rows, cols)), shape=(len(upper), len(edges))).tocsr()
    objective = costs[edges] - batch.penalty[local_t]
    result = milp(objective, integrality=np.ones(len(edges)), bounds=Bounds(0, 1),
                  constraints=LinearConstraint(matrix, -np.inf, np.array(upper, dtype=float)),
                  options={"mip_rel_gap": 0.0, "disp": False})
    if result.status != 0 or result.x is None:
        raise RuntimeError(f"the integer program was not solved: {result.message}")
    used[edges[result.x > 0.5]] = True
    return used


def _groups(keys: np.ndarray) -> list[list[int]]:
    order = np.argsort(keys, kind="stable")
    bounds = np.flatnonzero(np.r_[True, keys[order][1:] != keys[order][:-1], True])
    return [order[first:last].tolist() for first, last in zip(bounds[:-1], bounds[1:])]


def assign(tasks: Iterable[Task], assignees: Iterable[Assignee], *,
           unassigned_penalty: float = DEFAULT_PENALTY, k: int = DEFAULT_K,
           reverse_k: int = DEFAULT_REVERSE_K,
           candidates: Mapping[Hashable, Iterable[tuple[Hashable, float]]] | None = None,
           cost: Callable[[Task, Assignee, float], float] | None = None,
           eligible: Callable[[Task, Assignee], bool] | None = None) -> Plan:
    """The plan of least total cost for these tasks and assignees (see the module's docstring).

    Raises ValueError, with a plain message, for input it cannot plan with.
    """
    penalty = _number(unassigned_penalty, "unassigned_penalty")
    for name, value, least in (("k", k, 1), ("reverse_k", reverse_k, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValueError(f"{name} must be a whole number of at least {least}")
    if candidates is not None and (cost is not None or eligible is not None):
        raise ValueError("give either candidates or cost/eligible, not both: candidates are already costed")
    for name, function in (("cost", cost), ("eligible", eligible)):
        if function is not None and not callable(function):
            raise ValueError(f"{name} must be a function")
    batch = _Batch(tasks, assignees, penalty, need_positions=candidates is None)
    if candidates is None:
        ti, aj, costs = _spatial_graph(batch, k, reverse_k, cost, eligible, default_cost=cost is None)
    else:
        ti, aj, costs = _given_graph(batch, candidates)
    # A pair costing at least its task's penalty never beats leaving the task unassigned.
    worth = (costs < batch.penalty[ti]) & (batch.capacity[aj] > 0)
    ti, aj, costs = ti[worth], aj[worth], costs[worth]
    n, m = len(batch.tasks), len(batch.assignees)
    used = np.zeros(len(ti), dtype=bool)
    solvers = []
    clashing = _conflicting_assignees(batch, ti, aj)
    if len(clashing):
        graph = coo_array((np.ones(len(ti)), (ti, n + aj)), shape=(n + m, n + m))
        _, label = connected_components(graph, directed=False)
        hard_labels = np.unique(label[n + clashing])
        hard_edge = np.isin(label[ti], hard_labels)
    else:
        hard_edge = np.zeros(len(ti), dtype=bool)
    easy = np.flatnonzero(~hard_edge)
    if len(easy):
        easy_tasks = np.unique(ti[easy])
        used[easy] = _solve_matching(batch, ti[easy], aj[easy], costs[easy], easy_tasks)
        solvers.append("matching")
    if hard_edge.any():
        used |= _solve_milp(batch, ti, aj, costs, np.flatnonzero(hard_edge))
        solvers.append("milp")
    chosen = np.flatnonzero(used)
    pairs = tuple(Pair(batch.tasks[ti[e]].id, batch.assignees[aj[e]].id, float(costs[e])) for e in chosen)
    assigned = np.zeros(n, dtype=bool)
    assigned[ti[chosen]] = True
    unassigned = tuple(batch.tasks[i].id for i in np.flatnonzero(~assigned))
    assigned_cost = float(costs[chosen].sum())
    penalty_cost = float(batch.penalty[~assigned].sum())
    return Plan(pairs, unassigned, assigned_cost, penalty_cost, assigned_cost + penalty_cost,
                len(ti), tuple(solvers))
