"""How long a worker waits for 明天的安排 (docs/batch_plans.md): one plan of a community's held
requests for tomorrow, SQLite and PostgreSQL.

The demo neighbourhood plus synthetic volunteers spread over a square around it (the matching
benchmark's generator: the demo's mix of skills, availability, reach, standing and vetting), and
seeded scheduled requests for tomorrow across the demo's grids, held for the plan. The clock runs
over `build_plan` as `POST /api/v1/batch-plans` runs it (every held request's ranking by the core
loop, the exact assignment, first come, first served and the items written), from an empty
session. (A profile of the busy size puts about 95 % of it in the core loop's ranking of each
request; the assignment itself takes milliseconds.) Sizes (requests × volunteers in the square): a
typical community's day (50 × 300), a busy one (200 × 300), and a large one (200 × 1,000 in a
6 km square). No target is set by the issue; docs/batch_plans.md says what a worker should expect.

Run: .venv/bin/python -m benchmarks.batch_plan   → benchmarks/results/batch_plan.json
BENCH_PLAN_DATABASES ("sqlite,postgresql") picks the databases.
"""
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from backend import create_app
from backend.batch.services import planning
from backend.community.models import Community, Grid
from backend.demo.seed import seed_demo
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.matching.services import dispatch
from backend.people.models import Resident
from benchmarks.common import write_result
from benchmarks.matching import _refresh_statistics, _square_point, own_postgres_database, seed_city

SEED = 20261128
SIZES = [("typical", 50, 300, 3.0), ("busy", 200, 300, 3.0), ("large", 200, 1000, 6.0)]
ROUNDS = 3  # each size planned three times (a new draft discards the last); the median is reported
DATABASES = [name.strip() for name in os.environ.get("BENCH_PLAN_DATABASES", "sqlite,postgresql").split(",")]
CATEGORIES = ("companionship", "errands", "meal_delivery", "medical_escort", "home_repair")


def seed_held(community_id: int, count: int, square_km: float, moment: datetime) -> None:
    """`count` open scheduled requests for tomorrow, windows of 1–3 hours between 08:00 and 18:00."""
    rng = random.Random(SEED)
    residents = list(db.session.scalars(select(Resident).where(Resident.status == "active").order_by(Resident.id)))
    zone = ZoneInfo(db.session.get(Community, community_id).timezone)
    tomorrow = moment.astimezone(zone).date() + timedelta(days=1)
    for n in range(count):
        resident = rng.choice(residents)
        start = datetime.combine(tomorrow, datetime.min.time(), zone) + timedelta(minutes=rng.randrange(8 * 60, 18 * 60, 30))
        lat, lng = _square_point(rng, square_km)
        request = HelpRequest(
            community_id=community_id, resident_id=resident.id, household_id=resident.household_id,
            grid_id=resident.household.building.grid_id, on_behalf="resident", category=rng.choice(CATEGORIES),
            asap=False, window_start=start.astimezone(UTC), window_end=(start + timedelta(hours=rng.choice([1, 2, 3]))
                                                                      ).astimezone(UTC),
            urgency="normal", lat=lat, lng=lng, status="open", created_at=moment - timedelta(minutes=count - n))
        db.session.add(request)
        db.session.flush()
        dispatch.stage_dispatch(request, moment)  # held: its first wave waits for the plan
    db.session.commit()


def measure(database_url: str, requests: int, volunteers: int, square_km: float) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "BATCH_HOLD": True, "BATCH_GRACE_MINUTES": 24 * 60})
    with app.app_context():
        db.create_all()
        community_id = seed_demo().community_id
        moment = datetime.now(UTC).replace(microsecond=0)
        seed_city(community_id, moment.date(), count=volunteers, square_km=square_km)
        seed_held(community_id, requests, square_km, moment)
        _refresh_statistics()
        zone = ZoneInfo(db.session.get(Community, community_id).timezone)
        tomorrow = moment.astimezone(zone).date() + timedelta(days=1)
        grids = list(db.session.scalars(select(Grid.id).where(Grid.community_id == community_id)))
        totals, plans = [], []
        for _ in range(ROUNDS):
            db.session.expunge_all()
            started = time.perf_counter()
            plan = planning.build_plan(community_id, tomorrow, grids, user=None, moment=moment)
            totals.append(time.perf_counter() - started)
            plans.append((len(plan.items), plan.matched, plan.fcfs_matched, plan.total_score, plan.fcfs_total_score))
            db.session.rollback()
        db.session.remove()
    items, matched, fcfs_matched, total, fcfs_total = plans[0]
    return {"requests": items, "volunteers": volunteers, "square_km": square_km,
            "seconds": round(statistics.median(totals), 2),
            "ms_per_request": round(statistics.median(totals) / max(1, items) * 1000, 1),
            "rounds_s": [round(value, 2) for value in totals],
            "matched": matched, "fcfs_matched": fcfs_matched,
            "total_score": round(total, 3), "fcfs_total_score": round(fcfs_total, 3)}


def main() -> dict:
    figures: dict = {}
    for label, requests, volunteers, square_km in SIZES:
        if "sqlite" in DATABASES:
            with tempfile.TemporaryDirectory() as folder:
                figures.setdefault("sqlite", {})[label] = measure(
                    f"sqlite:///{Path(folder) / 'plan.db'}", requests, volunteers, square_km)
        if "postgresql" in DATABASES:
            database_url, drop = own_postgres_database(f"plan_{label}")
            try:
                figures.setdefault("postgresql", {})[label] = measure(database_url, requests, volunteers, square_km)
            finally:
                drop()
        for database, sizes in figures.items():
            result = sizes.get(label)
            if result:
                print(f"{database} {label}: {result['requests']} requests × {volunteers} volunteers: "
                      f"{result['seconds']} s ({result['ms_per_request']} ms per request), matched {result['matched']} "
                      f"vs first come first served {result['fcfs_matched']}", flush=True)
    path = write_result("batch_plan", {"plan": figures})
    print(f"→ {path}")
    return figures


if __name__ == "__main__":
    main()
