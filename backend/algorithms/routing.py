"""A worker's day route: the order of household visits, with times, and the visits that do not fit.

Pure: plain frozen dataclasses in, a Route out; numpy, no Flask, no database (docs/routing.md
explains the model, the exact search and the heuristic, which is in routing_search.py).

The route starts at the worker's start point and start time and is open (it ends at the last
visit). Walking between two points takes the great-circle distance × a detour factor at a walking
speed. Each visit takes its service time; one with an appointment window must start within it
(waiting for it to open is allowed), and every visit must finish by the end of the working day.
The route minimises its walking time plus a penalty (default 8 hours, longer than a working day,
so fitting one more visit always comes first) for each stop it defers. Deferred stops are always
listed, with why: `unreachable` (it cannot be served even as the first visit) or `no_room`.

Up to `EXACT_UP_TO` stops the route is optimal: a dynamic programme over subsets whose labels
are Pareto fronts of (walking time, finish time), bounded by the heuristic's route. Beyond, the
heuristic alone: cheapest feasible insertion, then local search (2-opt, or-opt, relocation,
swaps with and insertion of deferred stops) and seeded ruin-and-recreate rounds.
"""
from __future__ import annotations

import math
import random
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from backend.algorithms.assignment import haversine_km_array
from backend.algorithms.routing_search import EPS, Search

DEFAULT_DETOUR_FACTOR = 1.3
DEFAULT_WALKING_KMH = 4.5
DEFAULT_DEFERRAL_PENALTY_S = 8 * 3600.0
EXACT_UP_TO = 12
# Ruin-and-recreate rounds beyond EXACT_UP_TO stops: ROUND_WORK // stops, within these bounds
# (fewer rounds at 30 stops let one plan in ten defer a stop more; docs/routing.md has the times).
MIN_ROUNDS, MAX_ROUNDS, ROUND_WORK = 30, 40, 1200
# The exact search needs only a good first bound: fewer rounds before it.
BOUND_ROUNDS = 10

When = float | int | datetime
Duration = float | int | timedelta


@dataclass(frozen=True)
class Stop:
    """A household to visit: where, how long the visit takes and, for an appointment, the window
    its start must fall in (earliest and/or latest start; None: no bound)."""

    id: Hashable
    lat: float
    lng: float
    service: Duration
    earliest: When | None = None
    latest: When | None = None


@dataclass(frozen=True)
class Visit:
    """One stop of the route: when the worker arrives, starts (after waiting for the window) and
    leaves, and the walk from the previous point."""

    stop_id: Hashable
    arrival: When
    start: When
    finish: When
    travel_s: float
    wait_s: float


@dataclass(frozen=True)
class Deferral:
    stop_id: Hashable
    reason: str  # "unreachable": not even as the first visit; "no_room": not with the others


@dataclass(frozen=True)
class Violation:
    """A hand-made order breaking a rule: `late` (started after the window's latest start) or
    `after_day_end` (finished after the working day), by how many seconds."""

    stop_id: Hashable
    kind: str
    by_s: float


@dataclass(frozen=True)
class Route:
    visits: tuple[Visit, ...]
    deferred: tuple[Deferral, ...]
    travel_s: float
    objective_s: float
    violations: tuple[Violation, ...]
    method: str  # "exact", "heuristic" or "given"


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number")
    return float(value)


class _Problem:
    """The validated day as arrays: node 0 is the start point, node i the (i-1)-th stop; times are
    seconds after the start time; `late[i]` is the latest start that keeps both the window and the
    working day, `end_node` a zero-cost "end of the walk" used by the vectorised moves."""

    def __init__(self, start, start_time, day_end, stops, detour_factor, walking_kmh, penalty_s):
        if not isinstance(start, (tuple, list)) or len(start) != 2:
            raise ValueError("the start point must be a (lat, lng) pair")
        self.kind = start_time
        self.origin = self._instant(start_time, "the start time", None)
        self.day_end = self._instant(day_end, "the end of the working day", self.origin)
        detour = _number(detour_factor, "the detour factor")
        speed = _number(walking_kmh, "the walking speed")
        if detour < 1:
            raise ValueError("the detour factor must be 1 or more (a walk is never shorter than the straight line)")
        if speed <= 0:
            raise ValueError("the walking speed must be more than 0 km/h")
        self.penalty = _number(penalty_s, "the deferral penalty")
        if self.penalty < 0:
            raise ValueError("the deferral penalty must not be negative")
        self.stops = list(stops)
        seen = set()
        for stop in self.stops:
            if not isinstance(stop, Stop):
                raise ValueError("every stop must be a Stop")
            try:
                if stop.id in seen:
                    raise ValueError(f"stop {stop.id!r} appears twice")
                seen.add(stop.id)
            except TypeError:
                raise ValueError("a stop id must be hashable") from None
        lat = [_number(start[0], "the start point's lat")] + [_number(s.lat, f"stop {s.id!r}'s lat") for s in self.stops]
        lng = [_number(start[1], "the start point's lng")] + [_number(s.lng, f"stop {s.id!r}'s lng") for s in self.stops]
        for i, (la, ln) in enumerate(zip(lat, lng)):
            if abs(la) > 90 or abs(ln) > 180:
                what = "the start point" if i == 0 else f"stop {self.stops[i - 1].id!r}"
                raise ValueError(f"{what}'s position is outside the earth's degree ranges")
        self.n = n = len(self.stops)
        self.service = [0.0] + [self._duration(s.service, f"stop {s.id!r}'s service time") for s in self.stops]
        self.early = [0.0] + [-math.inf if s.earliest is None else
                              self._instant(s.earliest, f"stop {s.id!r}'s earliest start", self.origin)
                              for s in self.stops]
        self.latest = latest = [math.inf] + [math.inf if s.latest is None else
                                             self._instant(s.latest, f"stop {s.id!r}'s latest start", self.origin)
                                             for s in self.stops]
        for i in range(1, n + 1):
            if self.early[i] > latest[i]:
                raise ValueError(f"stop {self.stops[i - 1].id!r}'s window ends before it starts")
        self.late = [0.0] + [min(latest[i], self.day_end - self.service[i]) for i in range(1, n + 1)]
        lat_a, lng_a = np.array(lat), np.array(lng)
        km = haversine_km_array(lat_a[:, None], lng_a[:, None], lat_a[None, :], lng_a[None, :])
        seconds = km * detour / speed * 3600.0
        self.end_node = n + 1
        self.matrix = np.zeros((n + 2, n + 2))
        self.matrix[: n + 1, : n + 1] = seconds
        self.travel = self.matrix.tolist()
        self.travel_to = self.matrix.T.tolist()  # travel_to[j][i]: the walk from i to j
        self.early_a = np.array(self.early + [-math.inf])
        self.late_a = np.array(self.late + [math.inf])
        self.service_a = np.array(self.service + [0.0])
        # A stop that cannot be served even straight from the start never can (the walk obeys the
        # triangle inequality and waiting only delays): it is deferred before any search.
        self.reachable = [i for i in range(1, n + 1)
                          if max(self.travel[0][i], self.early[i]) <= self.late[i] + EPS]

    def _instant(self, value, what: str, origin) -> float:
        if isinstance(value, datetime) != isinstance(self.kind, datetime):
            raise ValueError(f"{what} must be of the same kind as the start time (a number or a datetime)")
        if isinstance(value, datetime):
            if (value.tzinfo is None) != (self.kind.tzinfo is None):
                raise ValueError(f"{what} must be naive or aware as the start time is")
            return 0.0 if origin is None else (value - self.kind).total_seconds()
        seconds = _number(value, what)
        return seconds if origin is None else seconds - origin

    def _duration(self, value, what: str) -> float:
        seconds = value.total_seconds() if isinstance(value, timedelta) else _number(value, what)
        if seconds < 0 or not math.isfinite(seconds):
            raise ValueError(f"{what} must not be negative")
        return seconds

    def when(self, seconds: float) -> When:
        if isinstance(self.kind, datetime):
            return self.kind + timedelta(seconds=seconds)
        return self.origin + seconds

    def walk(self, order: Sequence[int]):
        """Travel time and the finish times along `order` (nodes), or None if a rule breaks."""
        travel, t, prev = 0.0, 0.0, 0
        row = self.travel
        for node in order:
            leg = row[prev][node]
            arrival = t + leg
            start = arrival if arrival > self.early[node] else self.early[node]
            if start > self.late[node] + EPS:
                return None
            t = start + self.service[node]
            travel += leg
            prev = node
        return travel

    def objective(self, order: Sequence[int], travel: float) -> float:
        return travel + self.penalty * (self.n - len(order))

    def route(self, order: Sequence[int], method: str) -> Route:
        """The Route of an order of nodes, with times, deferred stops and any rule it breaks."""
        visits, violations = [], []
        t, prev, travel = 0.0, 0, 0.0
        for node in order:
            stop = self.stops[node - 1]
            leg = self.travel[prev][node]
            arrival = t + leg
            start = max(arrival, self.early[node])
            t = start + self.service[node]
            travel += leg
            prev = node
            if start > self.latest[node] + EPS:
                violations.append(Violation(stop.id, "late", start - self.latest[node]))
            if t > self.day_end + EPS:
                violations.append(Violation(stop.id, "after_day_end", t - self.day_end))
            visits.append(Visit(stop.id, self.when(arrival), self.when(start), self.when(t), leg, start - arrival))
        served = set(order)
        reachable = set(self.reachable)
        deferred = tuple(Deferral(self.stops[i - 1].id, "no_room" if i in reachable else "unreachable")
                         for i in range(1, self.n + 1) if i not in served)
        return Route(tuple(visits), deferred, travel, self.objective(order, travel), tuple(violations), method)


def plan_route(start: tuple[float, float], start_time: When, day_end: When, stops: Sequence[Stop], *,
               detour_factor: float = DEFAULT_DETOUR_FACTOR, walking_kmh: float = DEFAULT_WALKING_KMH,
               deferral_penalty_s: float = DEFAULT_DEFERRAL_PENALTY_S, exact_up_to: int = EXACT_UP_TO,
               rounds: int | None = None, seed: int = 0) -> Route:
    """The best route found for the day (optimal up to `exact_up_to` stops): visits in order with
    their times, deferred stops with why, the walking time and the objective (walking time plus
    the penalty per deferred stop). `rounds` of ruin and recreate (None: as many as the size
    allows), seeded by `seed`, improve the heuristic route; the same input always gives the
    same route."""
    problem = _Problem(start, start_time, day_end, stops, detour_factor, walking_kmh, deferral_penalty_s)
    if isinstance(exact_up_to, bool) or not isinstance(exact_up_to, int):
        raise ValueError("exact_up_to must be a whole number")
    exact = len(problem.reachable) <= exact_up_to
    if rounds is None:
        rounds = BOUND_ROUNDS if exact else \
            max(MIN_ROUNDS, min(MAX_ROUNDS, ROUND_WORK // max(1, len(problem.reachable))))
    elif isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 0:
        raise ValueError("rounds must be a whole number, 0 or more")
    order = Search(problem, random.Random(seed)).solve(rounds)
    if exact:
        return problem.route(_exact(problem, order), "exact")
    return problem.route(order, "heuristic")


def evaluate_route(start: tuple[float, float], start_time: When, day_end: When, stops: Sequence[Stop],
                   order: Sequence[Hashable], *, detour_factor: float = DEFAULT_DETOUR_FACTOR,
                   walking_kmh: float = DEFAULT_WALKING_KMH,
                   deferral_penalty_s: float = DEFAULT_DEFERRAL_PENALTY_S) -> Route:
    """A hand-made order (stop ids) timed as given, waiting for windows to open: the times, the
    rules it breaks (a late start, a finish after the working day), the stops it leaves out as
    deferred, and its objective."""
    problem = _Problem(start, start_time, day_end, stops, detour_factor, walking_kmh, deferral_penalty_s)
    node_of = {stop.id: i + 1 for i, stop in enumerate(problem.stops)}
    nodes = []
    for stop_id in order:
        try:
            node = node_of[stop_id]
        except (KeyError, TypeError):
            raise ValueError(f"the order names {stop_id!r}, which is not one of the stops") from None
        if node in nodes:
            raise ValueError(f"the order names {stop_id!r} twice")
        nodes.append(node)
    return problem.route(nodes, "given")


def exact_route(start: tuple[float, float], start_time: When, day_end: When, stops: Sequence[Stop], *,
                detour_factor: float = DEFAULT_DETOUR_FACTOR, walking_kmh: float = DEFAULT_WALKING_KMH,
                deferral_penalty_s: float = DEFAULT_DEFERRAL_PENALTY_S) -> Route:
    """The optimal route by the exact search alone, with no heuristic route as its first bound
    (slower than plan_route, which bounds it so; the tests check it against every order of
    every subset). At most EXACT_UP_TO stops that can be served."""
    problem = _Problem(start, start_time, day_end, stops, detour_factor, walking_kmh, deferral_penalty_s)
    if len(problem.reachable) > EXACT_UP_TO:
        raise ValueError(f"the exact search takes at most {EXACT_UP_TO} stops that can be served")
    return problem.route(_exact(problem, []), "exact")


def walking_times(start: tuple[float, float], stops: Sequence[Stop], *,
                  detour_factor: float = DEFAULT_DETOUR_FACTOR,
                  walking_kmh: float = DEFAULT_WALKING_KMH) -> list[list[float]]:
    """The walking times the planner uses, in seconds: row and column 0 the start point, i the
    (i-1)-th stop (for comparing with another solver on the same times)."""
    problem = _Problem(start, 0.0, 0.0, stops, detour_factor, walking_kmh, DEFAULT_DEFERRAL_PENALTY_S)
    return [row[: problem.n + 1] for row in problem.travel[: problem.n + 1]]


def _exact(problem: _Problem, incumbent: list[int]) -> list[int]:
    """The optimal order: labels (walking time, finish time, previous label, node) per (set of
    visited stops, last stop), keeping only the Pareto front of each — a later finish can still
    be worth a shorter walk when windows make the worker wait. A label whose walk plus a lower
    bound on the rest (each stop still reachable: its cheapest walk in; each not: the penalty)
    cannot beat the incumbent is dropped."""
    nodes = problem.reachable
    k = len(nodes)
    travel, early, late, service = problem.travel, problem.early, problem.late, problem.service
    penalty = problem.penalty
    cheapest_in = [min(penalty, min((travel[i][node] for i in [0] + nodes if i != node), default=0.0))
                   for node in nodes]
    best_order = list(incumbent)
    best = problem.objective(incumbent, problem.walk(incumbent))
    unreachable_penalty = penalty * (problem.n - k)
    fronts: list[dict | None] = [None] * (1 << k)
    fronts[0] = {-1: [(0.0, 0.0, None, 0)]}
    full = (1 << k) - 1
    for mask in range(1 << k):
        by_last = fronts[mask]
        if not by_last:
            continue
        fronts[mask] = None
        rest = [b for b in range(k) if not mask >> b & 1]
        for last, labels in by_last.items():
            here = 0 if last < 0 else nodes[last]
            row = travel[here]
            for label in labels:
                cost, t = label[0], label[1]
                # Stopping here defers the rest.
                total = cost + penalty * len(rest) + unreachable_penalty
                if total < best - EPS:
                    best, best_order = total, _unwind(label)
                moves, bound = [], cost + unreachable_penalty
                for b in rest:
                    node = nodes[b]
                    arrival = t + row[node]
                    start = arrival if arrival > early[node] else early[node]
                    if start > late[node] + EPS:
                        bound += penalty
                    else:
                        bound += cheapest_in[b]
                        moves.append((b, node, start + service[node]))
                if bound >= best - EPS:
                    continue
                for b, node, finish in moves:
                    walked = cost + row[node]
                    if bound - cheapest_in[b] + row[node] >= best - EPS:
                        continue
                    child = mask | (1 << b)
                    if child == full:
                        total = walked + unreachable_penalty
                        if total < best - EPS:
                            best, best_order = total, _unwind((walked, finish, label, node))
                        continue
                    table = fronts[child]
                    if table is None:
                        table = fronts[child] = {}
                    front = table.get(b)
                    if front is None:
                        table[b] = [(walked, finish, label, node)]
                    elif not any(c <= walked + EPS and f <= finish + EPS for c, f, _, _ in front):
                        front[:] = [entry for entry in front if not (walked <= entry[0] and finish <= entry[1])]
                        front.append((walked, finish, label, node))
    return best_order


def _unwind(label) -> list[int]:
    order = []
    while label is not None and label[2] is not None:
        order.append(label[3])
        label = label[2]
    return order[::-1]
