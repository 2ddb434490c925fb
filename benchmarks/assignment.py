"""Batch assignment: our engine against the dense optimum and a greedy baseline.

A fixed seeded generator puts requests and volunteers as points in a 30 km square (Hangzhou):
each request needs one of six skills (the demo's mix of weights) in a window of 1–2 hours
between 08:00 and 21:00; each volunteer has 1–3 skills and one or two availability spans that
day, and capacity 1. The cost of a pair is the haversine distance in km, plus 1,000 when the
pair is not eligible (skill, or a window not inside the volunteer's availability); an unassigned
request costs 50.

Regimes: `abundant` (1,000 requests × 5,000 volunteers) and `scarce` (2,000 × 2,000), each with,
side by side on the same points and the same cost:
- ours: backend.algorithms.assignment.assign() from the Task/Assignee objects (validation,
  k-d trees, eligibility, the sparse graph and its exact solve all timed);
- dense: the full cost matrix built with numpy from the points' arrays and
  scipy.optimize.linear_sum_assignment on it, with every cost clipped at 50 (a request "matched"
  at 50 or more is left unassigned: with at least as many volunteers as requests that is exactly
  the problem with a private unassigned column per request); building the matrix is timed;
- greedy: requests in order, each to the nearest eligible volunteer still free (or unassigned
  when none is nearer than 50 km).
Times are the median of 3 runs (wall clock; time_ratio_cpu is the same ratio in CPU time). Figures: gap = our total cost ÷ the dense optimum − 1,
time_ratio = our time ÷ the dense time, matched_ratio = our matched count ÷ the optimum's,
greedy_gap, and peak_rss_mb: the peak resident memory of a fresh Python process that builds the
regime and runs our engine alone (os.wait4's rusage of that child: interpreter, numpy and scipy
included). `city` (10,000 × 100,000) is ours alone, in such a process: seconds and peak_rss_mb.
`capacities` (1,000 × 300, each volunteer taking 1–4 tasks, so overlapping windows matter and the
integer program runs) is ours alone too, for information: no target.

Targets: abundant gap ≤ 0.001, time_ratio ≤ 0.2; scarce gap ≤ 0.015, time_ratio ≤ 0.25,
matched_ratio ≥ 1.0; every peak_rss_mb ≤ 1,024; city ≤ 10 s.

Run: .venv/bin/python -m benchmarks.assignment   → benchmarks/results/assignment.json
"""
import json
import math
import os
import statistics
import subprocess
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment

from backend.algorithms.assignment import Assignee, Task, assign, haversine_km_array
from benchmarks.common import write_result

SEED = 20261127
CENTRE = (30.2741, 120.1551)
SQUARE_KM = 30.0
KM_PER_DEGREE_LAT = 111.195
PENALTY = 50.0
INELIGIBLE = 1000.0
REPEATS = 3
REGIMES = {"abundant": (1_000, 5_000), "scarce": (2_000, 2_000), "city": (10_000, 100_000),
           "capacities": (1_000, 300)}
SKILLS = ("shopping", "companionship", "escort", "repairs", "tech_help", "cooking")
SKILL_WEIGHTS = (0.3, 0.25, 0.15, 0.1, 0.1, 0.1)
HOUR = 3600.0
# Availability patterns for the day, as (start hour, end hour) spans.
PATTERNS = (((8, 12),), ((13, 18),), ((8, 18),), ((9, 21),), ((14, 21),), ((8, 12), (18, 21)),
            ((8, 21),))


def generate(requests: int, volunteers: int, seed: int = SEED) -> dict:
    """The regime's raw data as arrays (points in degrees, windows in seconds of the day)."""
    rng = np.random.default_rng(seed)
    half = SQUARE_KM / 2

    def points(count):
        north, east = rng.uniform(-half, half, count), rng.uniform(-half, half, count)
        lat = CENTRE[0] + north / KM_PER_DEGREE_LAT
        lng = CENTRE[1] + east / (KM_PER_DEGREE_LAT * math.cos(math.radians(CENTRE[0])))
        return lat, lng

    r_lat, r_lng = points(requests)
    r_skill = rng.choice(len(SKILLS), size=requests, p=SKILL_WEIGHTS)
    r_start = (8 + 0.5 * rng.integers(0, 23, size=requests)) * HOUR  # 08:00 … 19:00
    r_end = r_start + rng.choice([1.0, 1.5, 2.0], size=requests) * HOUR
    v_lat, v_lng = points(volunteers)
    v_skills = np.zeros((volunteers, len(SKILLS)), dtype=bool)
    counts = rng.choice([1, 2, 2, 3], size=volunteers)
    for count in (1, 2, 3):
        rows = np.flatnonzero(counts == count)
        for _ in range(count):
            v_skills[rows, rng.choice(len(SKILLS), size=len(rows), p=SKILL_WEIGHTS)] = True
    v_pattern = rng.integers(0, len(PATTERNS), size=volunteers)
    return {"r_lat": r_lat, "r_lng": r_lng, "r_skill": r_skill, "r_start": r_start, "r_end": r_end,
            "v_lat": v_lat, "v_lng": v_lng, "v_skills": v_skills, "v_pattern": v_pattern}


def objects(data: dict, capacities: bool = False) -> tuple[list[Task], list[Assignee]]:
    """The engine's input; with capacities, each volunteer takes 1–4 tasks that day (seeded)."""
    tasks = [Task(i, float(lat), float(lng), float(start), float(end), SKILLS[skill])
             for i, (lat, lng, start, end, skill) in enumerate(zip(
                 data["r_lat"], data["r_lng"], data["r_start"], data["r_end"], data["r_skill"]))]
    spans = [tuple((first * HOUR, last * HOUR) for first, last in pattern) for pattern in PATTERNS]
    count = len(data["v_lat"])
    capacity = np.random.default_rng(SEED + 1).choice([1, 2, 3, 4], size=count) if capacities else np.ones(count)
    assignees = [Assignee(j, float(lat), float(lng), int(cap), frozenset(SKILLS[s] for s in np.flatnonzero(row)),
                          spans[pattern])
                 for j, (lat, lng, row, pattern, cap) in enumerate(zip(
                     data["v_lat"], data["v_lng"], data["v_skills"], data["v_pattern"], capacity))]
    return tasks, assignees


def dense_matrix(data: dict) -> np.ndarray:
    """Every request × volunteer cost: haversine km, + 1,000 where not eligible."""
    cost = haversine_km_array(data["r_lat"][:, None], data["r_lng"][:, None], data["v_lat"][None, :],
                              data["v_lng"][None, :])
    skilled = data["v_skills"][:, data["r_skill"]].T
    inside = np.zeros(cost.shape, dtype=bool)
    for number, pattern in enumerate(PATTERNS):
        fits = np.zeros(len(data["r_start"]), dtype=bool)
        for first, last in pattern:
            fits |= (first * HOUR <= data["r_start"]) & (data["r_end"] <= last * HOUR)
        inside |= fits[:, None] & (data["v_pattern"] == number)[None, :]
    cost += INELIGIBLE * ~(skilled & inside)
    return cost


def dense(data: dict) -> tuple[float, int, np.ndarray]:
    cost = dense_matrix(data)
    clipped = np.minimum(cost, PENALTY)
    rows, cols = linear_sum_assignment(clipped)
    return float(clipped[rows, cols].sum()), int((cost[rows, cols] < PENALTY).sum()), cost


def greedy(cost: np.ndarray) -> tuple[float, int]:
    free = np.ones(cost.shape[1], dtype=bool)
    total, matched = 0.0, 0
    for row in cost:
        masked = np.where(free, row, np.inf)
        best = int(np.argmin(masked))
        if masked[best] < PENALTY:
            free[best] = False
            total += float(masked[best])
            matched += 1
        else:
            total += PENALTY
    return total, matched


def ours(tasks, assignees):
    return assign(tasks, assignees, unassigned_penalty=PENALTY)


def measure_regime(name: str) -> dict:
    requests, volunteers = REGIMES[name]
    data = generate(requests, volunteers)
    tasks, assignees = objects(data)
    our_s, dense_s, our_cpu, dense_cpu = [], [], [], []
    for _ in range(REPEATS):
        started, cpu = time.perf_counter(), time.process_time()
        plan = ours(tasks, assignees)
        our_s.append(time.perf_counter() - started)
        our_cpu.append(time.process_time() - cpu)
        started, cpu = time.perf_counter(), time.process_time()
        optimum, optimum_matched, cost = dense(data)
        dense_s.append(time.perf_counter() - started)
        dense_cpu.append(time.process_time() - cpu)
    greedy_total, greedy_matched = greedy(cost)
    # Our plan priced on the dense matrix, so both totals use the very same numbers.
    index = {(pair.task_id, pair.assignee_id) for pair in plan.pairs}
    rows = np.array([t for t, _ in index], dtype=np.int64)
    cols = np.array([a for _, a in index], dtype=np.int64)
    priced = float(cost[rows, cols].sum()) + PENALTY * len(plan.unassigned)
    ours_median, dense_median = statistics.median(our_s), statistics.median(dense_s)
    return {
        "requests": requests, "volunteers": volunteers,
        "gap": round(plan.total_cost / optimum - 1, 6),
        "time_ratio": round(ours_median / dense_median, 4),
        "matched_ratio": round(len(plan.pairs) / optimum_matched, 4),
        "greedy_gap": round(greedy_total / optimum - 1, 6),
        "ours_s": round(ours_median, 4), "dense_s": round(dense_median, 4),
        # The same ratio in CPU time, which the other work on a busy machine disturbs less.
        "time_ratio_cpu": round(statistics.median(our_cpu) / statistics.median(dense_cpu), 4),
        "ours_total": round(plan.total_cost, 3), "ours_priced_on_dense": round(priced, 3),
        "dense_total": round(optimum, 3), "greedy_total": round(greedy_total, 3),
        "ours_matched": len(plan.pairs), "dense_matched": optimum_matched, "greedy_matched": greedy_matched,
        "edges": plan.edges, "solvers": list(plan.solvers),
    }


def peak_rss_mb(name: str) -> dict:
    """Run our engine alone on the regime in a fresh process; its peak RSS from os.wait4.

    Linux counts in a child's ru_maxrss the parent's memory as it was at the fork, so these
    children run first, while this process is small (numpy and scipy imported, no data); the
    child's own high-water mark (VmHWM, its memory after exec alone) is reported beside it."""
    child = subprocess.Popen([sys.executable, "-m", "benchmarks.assignment", "--ours-alone", name],
                             stdout=subprocess.PIPE, cwd=os.path.dirname(os.path.dirname(__file__)) or ".")
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"the {name} child failed ({child.returncode})")
    figures = json.loads(output)
    figures["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)  # ru_maxrss is in KB on Linux
    return figures


def ours_alone(name: str) -> None:
    requests, volunteers = REGIMES[name]
    data = generate(requests, volunteers)
    tasks, assignees = objects(data, capacities=name == "capacities")
    del data
    started = time.perf_counter()
    plan = ours(tasks, assignees)
    seconds = time.perf_counter() - started
    with open("/proc/self/status", encoding="ascii") as status:
        hwm_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": round(seconds, 3), "vm_hwm_mb": round(hwm_kb / 1024, 1), "matched": len(plan.pairs), "unassigned": len(plan.unassigned),
                      "total_cost": round(plan.total_cost, 3), "edges": plan.edges, "solvers": list(plan.solvers)}))


def main() -> None:
    alone = {name: peak_rss_mb(name) for name in REGIMES}
    figures = {"load_average_before": [round(value, 2) for value in os.getloadavg()]}
    for name in ("abundant", "scarce"):
        figures[name] = measure_regime(name)
        figures[name]["peak_rss_mb"] = alone[name]["peak_rss_mb"]
        figures[name]["vm_hwm_mb"] = alone[name]["vm_hwm_mb"]
        print(f"  {name}: {json.dumps(figures[name])}", flush=True)
    requests, volunteers = REGIMES["city"]
    figures["city"] = {"requests": requests, "volunteers": volunteers, **alone["city"]}
    print(f"  city: {json.dumps(figures['city'])}", flush=True)
    requests, volunteers = REGIMES["capacities"]
    figures["capacities"] = {"requests": requests, "volunteers": volunteers, **alone["capacities"]}
    print(f"  capacities: {json.dumps(figures['capacities'])}", flush=True)
    figures["load_average_after"] = [round(value, 2) for value in os.getloadavg()]
    path = write_result("assignment", figures)
    print(f"wrote {path}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--ours-alone":
        ours_alone(sys.argv[2])
    else:
        main()
