"""Candidate search and ranking in a city of 100,000 volunteers, SQLite and PostgreSQL.

`rank`: the demo neighbourhood plus 100,000 synthetic volunteers spread over a 30 km square
around it (the demo's mix of skills, availability patterns, travel radii, standing and vetting),
inserted with Core bulk inserts from a fixed random seed; 300 seeded help requests anywhere in the
square. For each request, "ours" is exactly what dispatch runs, ranking_for() in
backend/matching/services/candidates.py (the search box and each volunteer's reach, the hard rules
SQL can check, the fact queries, rank()); the brute force is the same ranking over the same SQL
without the spatial filter, ranking_for(spatial=False): every volunteer of the community who passes
the same hard rules, their facts loaded the same way (in IN lists of 10,000 ids, under the
bind-parameter limits) and ranked by the same rank().

Figures: k = 18 (3 + 5 + 10, the default waves); recall = mean over requests of
|our top k ∩ the brute force's top k| ÷ min(k, eligible volunteers) (1 when nobody is eligible);
identical = the share of requests whose whole ranking (ids and scores) equals the brute force's;
p50/p99 of ours, p99 of the brute force, and p99_ratio = p99 / brute_p99 (targets: recall 1.0,
p99_ratio ≤ 0.1). Each measurement starts from an empty session (nothing cached in the ORM).
The database is seeded once and both ours and the brute force run on it, request by request;
then the statistics are refreshed (ANALYZE; on PostgreSQL VACUUM ANALYZE, as autovacuum would
after a bulk load, so index-only scans can skip the heap).

Run: .venv/bin/python -m benchmarks.matching   → benchmarks/results/matching.json
Both databases, 300 requests, the brute force on every one: about 10 minutes on 2 cores.
BENCH_MATCHING_REQUESTS (300), BENCH_MATCHING_VOLUNTEERS (100000) and BENCH_MATCHING_BRUTE_EVERY
(1: the brute force on every n-th request only) shrink it for a quick look; BENCH_MATCHING_DATABASES
("sqlite,postgresql") picks the databases. PostgreSQL: BENCH_DATABASE_URL's server, in a database
of its own named <name>_matching (created and dropped), so other benchmarks running at the same
time are left alone.
"""
import math
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from backend import create_app
from backend.accounts.models import User
from backend.community.models import Community, Term
from backend.demo import data
from backend.demo.seed import seed_demo
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.matching.services.candidates import ranking_for
from backend.people.models import Resident
from backend.volunteers.models import AvailabilitySlot, Vetting, Volunteer, volunteer_languages, volunteer_skills
from benchmarks.common import write_result
from benchmarks.registry_lists import DEFAULT_BENCH_URL

SEED = 20261127
VOLUNTEERS = int(os.environ.get("BENCH_MATCHING_VOLUNTEERS", "100000"))
REQUESTS = int(os.environ.get("BENCH_MATCHING_REQUESTS", "300"))
# BENCH_MATCHING_BRUTE_EVERY=n runs the brute force (and measures recall) on every n-th request only;
# 1, every request, is the benchmark.
BRUTE_EVERY = int(os.environ.get("BENCH_MATCHING_BRUTE_EVERY", "1"))
DATABASES = [name.strip() for name in os.environ.get("BENCH_MATCHING_DATABASES", "sqlite,postgresql").split(",")]
K = 18  # 3 + 5 + 10
SQUARE_KM = 30.0
BATCH = 10_000
KM_PER_DEGREE_LAT = 111.195


def _square_point(rng: random.Random, square_km: float = SQUARE_KM) -> tuple[float, float]:
    centre_lat, centre_lng = data.COMMUNITY["centre"]
    half = square_km / 2
    north, east = rng.uniform(-half, half), rng.uniform(-half, half)
    lat = centre_lat + north / KM_PER_DEGREE_LAT
    lng = centre_lng + east / (KM_PER_DEGREE_LAT * math.cos(math.radians(centre_lat)))
    return round(lat, 6), round(lng, 6)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _insert(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start:start + BATCH])


def seed_city(community_id: int, today: date, count: int = VOLUNTEERS, square_km: float = SQUARE_KM) -> None:
    """100,000 volunteers (or `count`, in a square of `square_km`), their users, skills, languages,
    weekly availability and vettings: Core inserts."""
    rng = random.Random(SEED)
    skill_ids = {term.code: term.id for term in db.session.scalars(
        select(Term).where(Term.community_id == community_id, Term.vocabulary == "skill"))}
    language_ids = {term.code: term.id for term in db.session.scalars(
        select(Term).where(Term.community_id == community_id, Term.vocabulary == "language"))}
    codes = [code for code, _, _ in data.SKILLS]
    weights = [data.SKILL_WEIGHTS[code] for code in codes]
    first_user = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    first_volunteer = (db.session.scalar(select(func.max(Volunteer.id))) or 0) + 1
    users, volunteers, skills, languages, slots, vettings = [], [], [], [], [], []
    for n in range(count):
        user_id, volunteer_id = first_user + n, first_volunteer + n
        users.append({"id": user_id, "community_id": community_id, "display_name": f"城市志愿者{n:06d}"})
        lat, lng = _square_point(rng, square_km)
        standing = rng.choices(["active", "pending", "suspended"], [0.88, 0.09, 0.03])[0]
        volunteers.append({
            "id": volunteer_id, "user_id": user_id, "community_id": community_id,
            "gender": "female" if rng.random() < 0.6 else "male", "status": standing,
            "home_lat": lat, "home_lng": lng, "travel_radius_km": rng.choice([1, 1.5, 2, 2, 3, 3, 5]),
            "load_cap": rng.choice([1, 2, 2, 3]), "on_duty": standing == "active" and rng.random() < 0.75})
        chosen = {rng.choices(codes, weights)[0] for _ in range(rng.choice([1, 2, 2, 3, 3, 4]))}
        skills += [{"volunteer_id": volunteer_id, "term_id": skill_ids[code]} for code in sorted(chosen)]
        spoken = ["mandarin"] + (["hangzhou_dialect"] if rng.random() < 0.5 else [])
        languages += [{"volunteer_id": volunteer_id, "term_id": language_ids[code]} for code in spoken]
        for days, start, end in rng.choice(data.AVAILABILITY_PATTERNS):
            slots += [{"volunteer_id": volunteer_id, "weekday": day, "start_minute": _minutes(start),
                       "end_minute": _minutes(end)} for day in days]
        if standing != "pending":
            expired = rng.random() < 0.08
            expires = today + timedelta(days=-rng.randint(5, 300) if expired else rng.randint(200, 1000))
            verified = datetime.now(UTC) - timedelta(days=rng.randint(20, 600))
            kinds = ["identity"] + (["child_safeguarding"] if rng.random() < 0.35 else [])
            vettings += [{"volunteer_id": volunteer_id, "kind": kind, "verified_at": verified,
                          "expires_on": expires} for kind in kinds]
    _insert(User.__table__, users)
    _insert(Volunteer.__table__, volunteers)
    _insert(volunteer_skills, skills)
    _insert(volunteer_languages, languages)
    _insert(AvailabilitySlot.__table__, slots)
    _insert(Vetting.__table__, vettings)
    db.session.commit()


# Most requests are asked in the day, when neighbours are about; some at night, when few are.
DAYTIME_SHARE = 0.8
DAYTIME = (8 * 60, 21 * 60)  # local minutes


def _asked_at(rng: random.Random, moment: datetime, zone: ZoneInfo) -> datetime:
    """A moment within the week after `moment`: DAYTIME_SHARE of them in the local daytime."""
    midnight = datetime.combine(moment.astimezone(zone).date() + timedelta(days=1 + rng.randrange(7)),
                                datetime.min.time(), zone)
    start, end = DAYTIME if rng.random() < DAYTIME_SHARE else (0, 24 * 60)
    return (midnight + timedelta(minutes=rng.randrange(start, end))).astimezone(UTC)


def seed_requests(community_id: int, moment: datetime) -> list[tuple[int, datetime]]:
    """300 open requests anywhere in the square, each with the moment it is ranked at (within a
    week; mostly in the day)."""
    rng = random.Random(SEED + 1)
    residents = list(db.session.scalars(select(Resident).where(Resident.status == "active").order_by(Resident.id)))
    categories = [code for code, _, _ in data.SKILLS] + ["welfare_check"]
    zone = ZoneInfo(db.session.get(Community, community_id).timezone)
    planned = []
    for _ in range(REQUESTS):
        resident = rng.choice(residents)
        at = _asked_at(rng, moment, zone)
        lat, lng = _square_point(rng)
        asap = rng.random() < 0.7
        start = None if asap else at + timedelta(hours=rng.randint(2, 48))
        end = None if asap else start + timedelta(hours=rng.choice([1, 2, 3, 6]))
        request = HelpRequest(
            community_id=community_id, resident_id=resident.id, household_id=resident.household_id,
            grid_id=resident.household.building.grid_id, on_behalf="resident", category=rng.choice(categories),
            asap=asap, window_start=start, window_end=end, urgency="urgent" if rng.random() < 0.2 else "normal",
            lat=lat, lng=lng, status="open", created_at=at)
        db.session.add(request)
        planned.append((request, at))
    db.session.commit()
    return [(request.id, at) for request, at in planned]


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(len(ordered) * fraction) - 1))]


def _refresh_statistics() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _ranking(request_id: int, at: datetime, spatial: bool):
    db.session.expunge_all()
    request = db.session.get(HelpRequest, request_id)
    started = time.perf_counter()
    ranking = ranking_for(request, at, spatial=spatial)
    return ranking, time.perf_counter() - started


def measure(database_url: str) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.create_all()
        community_id = seed_demo().community_id
        moment = datetime.now(UTC).replace(microsecond=0)
        started = time.perf_counter()
        seed_city(community_id, moment.date())
        seeded_s = time.perf_counter() - started
        requests = seed_requests(community_id, moment)
        _refresh_statistics()
        ours_s, brute_s, recalls, identical, loaded, brute_loaded, eligible = [], [], [], [], [], [], []
        total = db.session.scalar(select(func.count(Volunteer.id)).where(Volunteer.community_id == community_id))
        started = time.perf_counter()
        for number, (request_id, at) in enumerate(requests):
            ours, took = _ranking(request_id, at, spatial=True)
            ours_s.append(took)
            loaded.append(len(ours.candidates))
            if number % BRUTE_EVERY == 0:
                brute, took = _ranking(request_id, at, spatial=False)
                brute_s.append(took)
                brute_loaded.append(len(brute.candidates))
                top_ours = {item.volunteer_id for item in ours.ranked[:K]}
                top_brute = {item.volunteer_id for item in brute.ranked[:K]}
                recalls.append(1.0 if not top_brute else len(top_ours & top_brute) / min(K, len(top_brute)))
                identical.append([(item.volunteer_id, item.score) for item in ours.ranked] ==
                                 [(item.volunteer_id, item.score) for item in brute.ranked])
                eligible.append(len(brute.ranked))
            if (number + 1) % 50 == 0:
                print(f"  {number + 1}/{len(requests)} requests, {time.perf_counter() - started:.0f} s", flush=True)
        measured_s = time.perf_counter() - started
        jit = db.session.scalar(text("SHOW jit")) if db.engine.dialect.name == "postgresql" else None
        db.session.remove()
    p99, brute_p99 = _percentile(ours_s, 0.99), _percentile(brute_s, 0.99)
    return {
        "k": K, "requests": len(requests), "brute_force_requests": len(brute_s), "volunteers": total,
        "recall": round(statistics.fmean(recalls), 4), "identical": round(statistics.fmean(identical), 4),
        # the same mean over the requests somebody may take (an empty ranking is trivially recalled)
        "recall_with_somebody_eligible": round(statistics.fmean(
            [recall for recall, count in zip(recalls, eligible) if count] or [1.0]), 4),
        "p50_ms": round(statistics.median(ours_s) * 1000, 2), "p99_ms": round(p99 * 1000, 2),
        "max_ms": round(max(ours_s) * 1000, 2),
        "brute_p50_ms": round(statistics.median(brute_s) * 1000, 2), "brute_p99_ms": round(brute_p99 * 1000, 2),
        "p99_ratio": round(p99 / brute_p99, 4),
        "loaded_per_request_p50": int(statistics.median(loaded)), "loaded_per_request_max": max(loaded),
        "brute_loaded_per_request_p50": int(statistics.median(brute_loaded)),
        "brute_loaded_per_request_max": max(brute_loaded),
        "eligible_per_request_p50": int(statistics.median(eligible)), "eligible_per_request_max": max(eligible),
        "requests_with_nobody_eligible": sum(1 for count in eligible if count == 0),
        "seed_city_s": round(seeded_s, 1), "measure_s": round(measured_s, 1),
        **({"jit": jit} if jit is not None else {}),
    }


def own_postgres_database(suffix: str = "matching"):
    """BENCH_DATABASE_URL's server, a database named <its name>_<suffix>: created empty, dropped after."""
    url = make_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_BENCH_URL))
    url = url.set(database=f"{url.database}_{suffix}")
    server = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    name = sql.Identifier(url.database)

    def run(statement) -> None:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(statement)

    run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
    run(sql.SQL("CREATE DATABASE {}").format(name))
    return url.render_as_string(hide_password=False), lambda: run(
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def main() -> dict:
    figures = {}
    started = time.perf_counter()
    if "sqlite" in DATABASES:
        with tempfile.TemporaryDirectory() as folder:
            figures["sqlite"] = measure(f"sqlite:///{Path(folder) / 'matching.db'}")
    if "postgresql" in DATABASES:
        database_url, drop = own_postgres_database()
        try:
            figures["postgresql"] = measure(database_url)
        finally:
            drop()
    path = write_result("matching", {"rank": figures, "targets": {"recall": 1.0, "p99_ratio_at_most": 0.1},
                                     "run_s": round(time.perf_counter() - started, 1)})
    for name, result in figures.items():
        print(f"rank.{name}: {result['volunteers']} volunteers, {result['requests']} requests, k={result['k']}: "
              f"recall {result['recall']}, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
              f"brute p99 {result['brute_p99_ms']} ms, p99_ratio {result['p99_ratio']} "
              f"(loaded {result['loaded_per_request_p50']} per request, p50)")
    print(f"→ {path}")
    return figures


if __name__ == "__main__":
    main()
