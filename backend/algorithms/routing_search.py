"""The day route's heuristic (backend/algorithms/routing.py builds the problem and calls it):
cheapest feasible insertion, local search (insertion and swaps of deferred stops, 2-opt, or-opt)
and seeded ruin-and-recreate rounds over a route held as a list of nodes (docs/routing.md).

Insertion and swaps are priced in plain Python, skipping gaps without room (small neighbourhoods,
where numpy's per-call cost would dominate); 2-opt and or-opt price all their moves at once with
numpy over per-size index arrays and time only those that shorten the walk.
"""
from __future__ import annotations

import math
import random

import numpy as np

# The share of ruin-and-recreate rounds that put stops back where they delay the day least
# rather than where they add the least walk: that frees room for one more visit.
BY_TIME_SHARE = 0.25
# A gap is full when it has less room than the shortest visit, give or take this (float rounding).
ROOM_MARGIN_S = 1e-3
# A move must shorten the walk by more than this (seconds) to count as one.
IMPROVES = 1e-7
# The heuristic's time limit, counted as work so that the route stays the same on any machine:
# no ruin-and-recreate round starts once local search has scanned this many route positions (each
# pass counts the route's length). The benchmark's day plans take 2,500–4,900 at 30 stops (never
# reached) and 5,200–9,500 at 50, where it ends the slowest plans' rounds early: the same stops
# served, walks up to 6 % longer on two plans of ten, the slowest plan a fifth faster
# (docs/routing.md).
WORK_BUDGET = 6_000
# Times are floats in seconds; a start this close to a window's end still counts as inside it.
EPS = 1e-6


class Timing:
    """A route's timing: its nodes with the start (0) and the end of the walk around them, the
    earliest finish at each position (0: the start) and the latest arrival at each that keeps the
    rest of the route on time (one past the last: no limit), as lists; as arrays, the room in each
    gap and the walks between positions when first asked for (only some moves use them)."""

    def __init__(self, problem, nodes: list[int], finish: list[float], latest: list[float]):
        self.problem = problem
        self.nodes, self.finish_list, self.latest_list = nodes, finish, latest
        self._arrays = self._walk = self._room = None

    @property
    def room(self) -> list[float]:
        """Per gap, the time a visit there could take without delaying the rest (before the walk
        it adds beyond the leg it replaces; after the last stop: no limit)."""
        if self._room is None:
            travel, nodes, finish, latest = self.problem.travel, self.nodes, self.finish_list, self.latest_list
            self._room = [latest[gap + 1] - finish[gap] - travel[nodes[gap]][nodes[gap + 1]]
                          for gap in range(len(nodes) - 2)] + [math.inf]
        return self._room

    def _array(self, index: int):
        if self._arrays is None:
            self._arrays = (np.array(self.nodes), np.array(self.finish_list), np.array(self.latest_list))
        return self._arrays[index]

    ext = property(lambda self: self._array(0))
    finish = property(lambda self: self._array(1))
    latest = property(lambda self: self._array(2))

    @property
    def walk(self):
        if self._walk is None:
            self._walk = self.problem.matrix[self.ext[:, None], self.ext[None, :]]
        return self._walk


class Search:
    """The heuristic. A route is a list of nodes; each neighbourhood prices all its moves at once
    with numpy (the change in walking time) and checks their timing against the route's earliest
    finish and latest arrival at each position, so a move it applies never breaks a rule."""

    CHECKS = 12  # improving reversals timed one by one before giving up on 2-opt
    RUIN = 10  # most stops a ruin-and-recreate round takes out

    def __init__(self, problem, rng: random.Random):
        self.p = problem
        self.rng = rng
        m = problem.matrix
        self.run_arrays: dict[int, tuple] = {}
        self.work = 0  # route positions scanned by local search (see WORK_BUDGET)
        self.reversal_arrays: dict[int, tuple] = {}
        self.near = {i: [int(j) for j in np.argsort(m[i, 1: problem.n + 1], kind="stable") + 1 if j != i]
                     for i in problem.reachable}

    def solve(self, rounds: int) -> list[int]:
        p = self.p
        if not p.reachable:
            return []
        by_window = sorted(p.reachable, key=lambda node: (p.late[node], p.early[node], node))
        best, best_value = None, math.inf
        for order in (self.insert([], list(p.reachable)), self.insert_each([], by_window)):
            order = self.improve(order)
            if self.value(order) < best_value - EPS:
                best, best_value = order, self.value(order)
        current, current_value = best, best_value
        # A slowly closing threshold lets a round keep a slightly longer route to leave a dead end.
        threshold = 0.02 * (p.walk(best) or 0.0) + 60.0
        for number in range(rounds if len(p.reachable) > 1 else 0):
            if self.work > WORK_BUDGET:
                break
            candidate = self.improve(self.recreate(current))
            value = self.value(candidate)
            if value < best_value - EPS:
                best, best_value = candidate, value
            if value < current_value + threshold * (1 - number / rounds):
                current, current_value = candidate, value
        return best

    def value(self, order: list[int]) -> float:
        return self.p.objective(order, self.p.walk(order))

    def timing(self, order: list[int]) -> Timing:
        """The route's earliest finish and latest arrival at each position (see Timing)."""
        p = self.p
        travel, early, late, service = p.travel, p.early, p.late, p.service
        finish = [0.0]
        t, prev = 0.0, 0
        for node in order:
            arrival = t + travel[prev][node]
            t = (arrival if arrival > early[node] else early[node]) + service[node]
            finish.append(t)
            prev = node
        latest = [math.inf] * (len(order) + 2)
        limit, after = math.inf, None
        for pos in range(len(order), 0, -1):
            node = order[pos - 1]
            if after is not None:
                limit = limit - service[node] - travel[node][after]
            else:
                limit = math.inf
            limit = late[node] if late[node] < limit else limit
            latest[pos] = limit
            after = node
        return Timing(p, [0] + order + [p.end_node], finish, latest)

    def could_take(self, timing: Timing, pending: list[int]) -> bool:
        """Whether some gap might take one of `pending` (False: none can, so no need to price them).
        A visit put between two stops adds its service time and, by the triangle inequality, no
        less walk than the leg it replaces, so a gap with less room than the shortest visit is
        full; after the last stop, the stop's own window decides."""
        p = self.p
        travel, nodes, finish, latest = p.travel, timing.nodes, timing.finish_list, timing.latest_list
        need = min(p.service[node] for node in pending) - ROOM_MARGIN_S
        last = len(nodes) - 2
        for gap in range(last):
            if latest[gap + 1] - finish[gap] - travel[nodes[gap]][nodes[gap + 1]] >= need:
                return True
        here, t = nodes[last], finish[last]
        return any(max(t + travel[here][node], p.early[node]) <= p.late[node] + EPS for node in pending)

    def best_gap(self, timing: Timing, node: int, by_time: bool = False, gaps=None) -> tuple[float, int]:
        """The node's cheapest feasible gap in the route, as (added walk, gap), or (inf, -1) if none
        keeps the windows and the day; by_time: the gap where the route goes on least late instead
        (walk, wait and the visit: the room it takes from the day), among those adding less walk
        than the penalty. A gap with less room than the visit is skipped unpriced; `gaps`: only
        those (in order)."""
        p = self.p
        travel, nodes, finish, latest, room = p.travel, timing.nodes, timing.finish_list, timing.latest_list, \
            timing.room
        into_row, out_row = p.travel_to[node], travel[node]
        early, late, service = p.early[node], p.late[node], p.service[node]
        need = service - ROOM_MARGIN_S
        best, best_gap = math.inf, -1
        for gap in range(len(nodes) - 1) if gaps is None else gaps:
            if room[gap] < need:
                continue
            if finish[gap] > late + EPS:
                break  # finishes only grow along the route: too late here, too late further on
            here, after = nodes[gap], nodes[gap + 1]
            into = into_row[here]
            start = finish[gap] + into
            if start < early:
                start = early
            if start > late + EPS:
                continue
            out = out_row[after]
            end = start + service + out
            if end > latest[gap + 1] + EPS:
                continue
            added = into + out - travel[here][after]
            if by_time:
                if not added < p.penalty:
                    continue
                added = end - (finish[gap] + travel[here][after])
            if added < best:
                best, best_gap = added, gap
        return best, best_gap

    def cheapest(self, timing: Timing, pending: list[int]) -> tuple[float, int, int]:
        """The cheapest feasible insertion of any pending stop: (added walk, gap, index in pending);
        ties go to the earliest gap, then the first stop."""
        best = (math.inf, 0, 0)
        need = min(self.p.service[node] for node in pending) - ROOM_MARGIN_S
        gaps = [gap for gap, room in enumerate(timing.room) if room >= need]
        for which, node in enumerate(pending):
            cost, gap = self.best_gap(timing, node, gaps=gaps)
            if (cost, gap, which) < best:
                best = (cost, gap, which)
        return best

    def insert(self, order: list[int], pending: list[int]) -> list[int]:
        """Cheapest feasible insertion over all pending stops, one at a time, until none fits."""
        order, pending = list(order), list(pending)
        while pending:
            cost, gap, which = self.cheapest(self.timing(order), pending)
            if not cost < self.p.penalty:
                break
            order.insert(gap, pending.pop(which))
        return order

    def insert_each(self, order: list[int], pending: list[int], by_time: bool = False) -> list[int]:
        """Each pending stop in turn at its cheapest feasible gap (least walk, or by_time least
        delay), if it has one (a stop that finds none is left out: the route only fills up)."""
        order = list(order)
        limit = math.inf if by_time else self.p.penalty
        timing = self.timing(order)
        for node in pending:
            cost, gap = self.best_gap(timing, node, by_time)
            if cost < limit:
                order.insert(gap, node)
                timing = self.timing(order)
        return order

    def recreate(self, order: list[int]) -> list[int]:
        """Ruin and recreate: take out a few stops near a random one (or a stretch of the route),
        or make room around a deferred stop by taking out the routed stops nearest to it and
        putting it in first; then put every stop that is out back in, in one of four orders."""
        p, rng = self.p, self.rng
        inside = set(order)
        waiting = [node for node in p.reachable if node not in inside]
        first: list[int] = []
        removed: set[int] = set()
        if order:
            size = rng.randint(1, max(1, min(self.RUIN, len(order) // 3 + 1)))
            choice = rng.random()
            if waiting and choice < 0.4:
                seed = rng.choice(waiting)
                first = [seed]
                for node in self.near[seed]:
                    if len(removed) >= size:
                        break
                    if node in inside:
                        removed.add(node)
            elif choice < 0.7:
                seed = rng.choice(order)
                removed = {seed}
                for node in self.near[seed]:
                    if len(removed) >= size:
                        break
                    if node in inside:
                        removed.add(node)
            else:
                start = rng.randrange(len(order))
                removed = set(order[start: start + size])
        kept = [node for node in order if node not in removed]
        out = [node for node in p.reachable if node not in inside and node not in first] + sorted(removed)
        rule = rng.randrange(4)
        if rule == 0:
            rng.shuffle(out)
        elif rule == 1:
            out.sort(key=lambda node: (p.late[node], node))
        elif rule == 2:
            out.sort(key=lambda node: -p.travel[0][node])
        else:
            out.sort(key=lambda node: p.travel[0][node])
        return self.insert_each(kept, first + out, by_time=rng.random() < BY_TIME_SHARE)

    def improve(self, order: list[int]) -> list[int]:
        moves = (self.fill, self.swap_in, self.two_opt, self.relocate)
        while True:
            self.work += len(order) + 1
            timing = self.timing(order)
            for move in moves:
                changed = move(order, timing)
                if changed is not None:
                    order = changed
                    break
            else:
                return order

    def fill(self, order: list[int], timing: Timing):
        inside = set(order)
        pending = [node for node in self.p.reachable if node not in inside]
        if not pending or not self.could_take(timing, pending):
            return None
        cost, gap, which = self.cheapest(timing, pending)
        if not cost < self.p.penalty:
            return None
        return order[:gap] + [pending[which]] + order[gap:]

    # Or-opt's runs: (length, reversed) — a run of one reversed is the same run.
    RUNS = ((1, False), (2, False), (2, True), (3, False), (3, True))

    def runs(self, size: int):
        """Or-opt's moves for a route of `size` stops as flat arrays (kind × run start × gap, in
        that order, only the pairs that are moves), kept per size: the run's kind, its first
        position, the gap, and where to read, in the walks between positions flattened, the legs
        its taking out joins and leaves and those its putting in adds and replaces (its first and
        last stop in walking order)."""
        cached = self.run_arrays.get(size)
        if cached is None:
            length = np.array([run[0] for run in self.RUNS])[:, None, None]
            reverse = np.array([run[1] for run in self.RUNS])[:, None, None]
            a = np.arange(1, size + 1)[None, :, None]
            valid = a + length - 1 <= size
            b = np.where(valid, a + length - 1, a)
            q = np.arange(0, size + 1)[None, None, :]
            allowed = valid & ((q < a - 1) | (q > b))
            kind, row, gap = np.nonzero(allowed)
            first_pos, last_pos = row + 1, b[kind, row, 0]
            backwards = reverse[kind, 0, 0]
            first, last = np.where(backwards, last_pos, first_pos), np.where(backwards, first_pos, last_pos)
            width = size + 2
            cached = self.run_arrays[size] = (
                kind, row, gap, (first_pos - 1) * width + first_pos, last_pos * width + last_pos + 1,
                (first_pos - 1) * width + last_pos + 1,
                gap * width + first, last * width + gap + 1, gap * width + gap + 1)
        return cached

    def relocate(self, order: list[int], timing: Timing):
        """Or-opt: move a run of 1–3 stops to another gap, forwards or reversed, all five kinds of
        run priced in one array. Timing: from the earliest finish before the gap (moving the run
        later, the route's old finish there, which taking the run out can only bring forward) to
        the latest arrival after it (moving the run earlier, the old one, which taking the run out
        can only push back): a move that passes is on time, by the triangle inequality and because
        arriving earlier never hurts."""
        size = len(order)
        if size < 2:
            return None
        walk = timing.walk.ravel()
        kind, row, gaps, joined, left, joins, into, out, replaced = self.runs(size)
        gain = walk.take(joined) + walk.take(left) - walk.take(joins)
        delta = walk.take(into) + walk.take(out) - walk.take(replaced) - gain
        # Only the moves that shorten the walk are timed, shortest walk first, until one fits.
        better = np.flatnonzero(delta < -IMPROVES)
        if not len(better):
            return None
        better = better[np.argsort(delta.take(better), kind="stable")]
        nodes, finish, latest = timing.nodes, timing.finish_list, timing.latest_list
        for move in better.tolist():
            run_length, backwards = self.RUNS[int(kind[move])]
            first_index, gap = int(row[move]), int(gaps[move])
            if self.run_fits(nodes, finish, latest, first_index, run_length, backwards, gap):
                moved = order[first_index: first_index + run_length]
                rest = order[:first_index] + order[first_index + run_length:]
                at = gap if gap < first_index else gap - run_length
                return rest[:at] + (moved[::-1] if backwards else moved) + rest[at:]
        return None

    def run_fits(self, nodes, finish, latest, first_index, run_length, backwards, gap) -> bool:
        """Whether the run order[first_index:first_index + run_length] (reversed if backwards), put
        in `gap`, keeps its windows and reaches the stop after the gap by its latest arrival."""
        p = self.p
        travel, early, late, service = p.travel, p.early, p.late, p.service
        run = nodes[first_index + 1: first_index + 1 + run_length]
        t, prev = finish[gap], nodes[gap]
        for node in (run[::-1] if backwards else run):
            arrival = t + travel[prev][node]
            start = arrival if arrival > early[node] else early[node]
            if start > late[node] + EPS:
                return False
            t, prev = start + service[node], node
        return t + travel[prev][nodes[gap + 1]] <= latest[gap + 1] + EPS

    def reversals(self, size: int):
        """2-opt's moves for a route of `size` stops as flat arrays (first < last position, in that
        order): the positions, where to read in the flattened walks the legs a reversal adds and
        those it replaces, and the move's index in a size × size table (kept per size)."""
        cached = self.reversal_arrays.get(size)
        if cached is None:
            i, j = np.nonzero(np.arange(size)[:, None] < np.arange(size)[None, :])
            i, j = i + 1, j + 1  # positions in the walks (0: the start)
            width = size + 2
            cached = self.reversal_arrays[size] = (
                i, j, (i - 1) * width + j, i * width + j + 1, (i - 1) * width + i, j * width + j + 1,
                (i - 1) * size + (j - 1))
        return cached

    def two_opt(self, order: list[int], timing: Timing):
        """Walk order[i..j] backwards: only the walks into i and out of j change (the CHECKS most
        improving reversals whose new first visit is on time are timed in full)."""
        size = len(order)
        if size < 2:
            return None
        p = self.p
        ext, finish, latest, walk = timing.ext, timing.finish, timing.latest, timing.walk.ravel()
        i, j, into, out, old_in, old_out, index = self.reversals(size)
        into = walk.take(into)
        delta = into + walk.take(out) - walk.take(old_in) - walk.take(old_out)
        node = ext.take(j)
        first_start = np.maximum(finish.take(i - 1) + into, p.early_a.take(node))
        candidates = np.flatnonzero((delta < -IMPROVES) & (first_start <= p.late_a.take(node) + EPS))
        travel, early, late, service = p.travel, p.early, p.late, p.service
        finish, latest = timing.finish_list, timing.latest_list
        for move in candidates[np.argsort(delta[candidates], kind="stable")][: self.CHECKS]:
            lo, hi = divmod(int(index[move]), size)  # order[lo..hi], 0-based
            t, prev, fits = finish[lo], timing.nodes[lo], True
            for node in order[hi: lo - 1 if lo else None: -1]:
                arrival = t + travel[prev][node]
                start = arrival if arrival > early[node] else early[node]
                if start > late[node] + EPS:
                    fits = False
                    break
                t, prev = start + service[node], node
            if fits and (hi + 1 == size or t + travel[prev][order[hi + 1]] <= latest[hi + 2] + EPS):
                return order[:lo] + order[lo: hi + 1][::-1] + order[hi + 1:]
        return None

    def swap_in(self, order: list[int], timing: Timing):
        """Serve a deferred stop in place of a routed one when the walk gets shorter (the best such
        swap; a stop whose walk in alone is no shorter than the two legs it would replace is not
        priced further)."""
        p = self.p
        inside = set(order)
        pending = [node for node in p.reachable if node not in inside]
        if not pending or not order:
            return None
        travel, early, late, service = p.travel, p.early, p.late, p.service
        nodes, finish, latest = timing.nodes, timing.finish_list, timing.latest_list
        best, best_pos, best_node = -IMPROVES, -1, -1
        for pos in range(1, len(order) + 1):
            prev, routed, after = nodes[pos - 1], nodes[pos], nodes[pos + 1]
            leg_in, leg_out = travel[prev][routed], travel[routed][after]
            within = leg_in + leg_out - IMPROVES / 2
            from_prev, t, limit = travel[prev], finish[pos - 1], latest[pos + 1] + EPS
            for node in pending:
                into = from_prev[node]
                if into >= within:
                    continue
                out = travel[node][after]
                delta = into + out - leg_in - leg_out
                if not delta < best:
                    continue
                start = t + into
                if start < early[node]:
                    start = early[node]
                if start <= late[node] + EPS and start + service[node] + out <= limit:
                    best, best_pos, best_node = delta, pos, node
        if best_pos < 0:
            return None
        return order[: best_pos - 1] + [best_node] + order[best_pos:]
