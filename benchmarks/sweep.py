"""How fast an emergency sweep starts (docs/safety.md, "The emergency sweep"), SQLite and PostgreSQL.

A seeded community of 10,000 at-risk households (one resident each, lives alone, none with the app,
so every one is assigned at once) in 500 buildings over 20 grids in a 3 km square, and 500 workers
and volunteers (2 workers per grid, 460 on-duty, identity-vetted volunteers in the same square).
The clock runs over `start_sweep` as `POST /api/v1/sweeps` runs it, from an empty session: the
grouped read of the households, the assignees and their capacities, one solve of the assignment
engine, every check written (each carrying its assignment) and every assignee's notification in the
outbox, one commit. Beside it, on the same database, the least any sweep must write: a bare bulk
insert of 10,000 check rows, 10,000 assignment rows and 10,000 outbox rows (executemany on SQLite,
COPY on PostgreSQL), one commit. `time_ratio` = seconds / bare_seconds (target ≤ 5). Each is the
median of ROUNDS runs, alternating, the previous run's rows deleted between runs (not timed).

Run: .venv/bin/python -m benchmarks.sweep   → benchmarks/results/sweep.json
BENCH_SWEEP_DATABASES ("sqlite,postgresql") picks the databases.
"""
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, delete, func, select

from backend import create_app
from backend.accounts.models import User, UserRole
from backend.common.time import UTCDateTime
from backend.community.models import Building, Community, Grid, GridWorker, Household, Term
from backend.extensions import db
from backend.notifications.models import Delivery, Notification
from backend.people.models import Resident, resident_tags
from backend.safety.services import sweeps
from backend.safety.sweep_models import Sweep, SweepCheck
from backend.volunteers.models import Vetting, Volunteer
from benchmarks.common import write_result
from benchmarks.matching import _insert, _refresh_statistics, _square_point, own_postgres_database

SEED = 20261129
HOUSEHOLDS = int(os.environ.get("BENCH_SWEEP_HOUSEHOLDS", "10000"))
GRIDS, WORKERS_PER_GRID, VOLUNTEERS, BUILDINGS = 20, 2, 460, 500
SQUARE_KM = 3.0
ROUNDS = 3
WORKER_CAPACITY, VOLUNTEER_CAPACITY = 40, 25  # 80 × 40 + 460 × 25 = 14,700 ≥ 10,000
DATABASES = [name.strip() for name in os.environ.get("BENCH_SWEEP_DATABASES", "sqlite,postgresql").split(",")]

# The bare write's assignment rows need a table of their own (a sweep keeps them on its checks).
_bare = MetaData()
BARE_ASSIGNMENTS = Table("bench_sweep_assignments", _bare, Column("id", Integer, primary_key=True),
                         Column("check_id", Integer), Column("assignee", String(16)), Column("assignee_id", Integer),
                         Column("assigned_at", UTCDateTime))


def seed(moment: datetime) -> tuple[int, int]:
    """The community (Core inserts); returns (community id, the admin's user id)."""
    rng = random.Random(SEED)
    community = Community(name="排查社区", timezone="Asia/Shanghai", centre_lat=30.27, centre_lng=120.15)
    db.session.add(community)
    db.session.flush()
    tag = Term(community_id=community.id, vocabulary="risk_tag", code="lives_alone", label_zh="独居",
               label_en="Lives alone")
    db.session.add(tag)
    admin = User(community_id=community.id, phone="13800000000", display_name="社区管理员")
    admin.role_rows = [UserRole(role="admin")]
    db.session.add(admin)
    grids = [Grid(community_id=community.id, name=f"第{n + 1}网格") for n in range(GRIDS)]
    db.session.add_all(grids)
    db.session.flush()
    grid_ids = [grid.id for grid in grids]
    first_user = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    users, roles, grid_workers, volunteers, vettings = [], [], [], [], []
    for n in range(GRIDS * WORKERS_PER_GRID):
        users.append({"id": first_user + n, "community_id": community.id, "display_name": f"网格员{n:03d}",
                      "phone": f"1370000{n:04d}"})
        roles.append({"user_id": first_user + n, "role": "worker"})
        grid_workers.append({"grid_id": grid_ids[n // WORKERS_PER_GRID], "user_id": first_user + n,
                             "is_primary": n % WORKERS_PER_GRID == 0})
    first_volunteer_user = first_user + len(users)
    for n in range(VOLUNTEERS):
        user_id = first_volunteer_user + n
        users.append({"id": user_id, "community_id": community.id, "display_name": f"志愿者{n:03d}",
                      "phone": f"1360000{n:04d}"})
        roles.append({"user_id": user_id, "role": "volunteer"})
        lat, lng = _square_point(rng, SQUARE_KM)
        volunteers.append({"id": n + 1, "user_id": user_id, "community_id": community.id, "gender": "female",
                           "status": "active", "home_lat": lat, "home_lng": lng,
                           "travel_radius_km": rng.choice([3, 4, 5]), "load_cap": 2, "on_duty": True})
        vettings.append({"volunteer_id": n + 1, "kind": "identity", "verified_at": moment,
                         "expires_on": date(2030, 1, 1)})
    _insert(User.__table__, users)
    _insert(UserRole.__table__, roles)
    _insert(GridWorker.__table__, grid_workers)
    _insert(Volunteer.__table__, volunteers)
    _insert(Vetting.__table__, vettings)
    buildings, households, residents, tags = [], [], [], []
    for n in range(BUILDINGS):
        lat, lng = _square_point(rng, SQUARE_KM)
        buildings.append({"id": n + 1, "grid_id": grid_ids[n % GRIDS], "label": f"幸福里{n + 1}幢", "lat": lat,
                          "lng": lng, "position_source": "csv"})
    for n in range(HOUSEHOLDS):
        households.append({"id": n + 1, "building_id": n % BUILDINGS + 1, "door_number": f"{n // BUILDINGS + 1}室",
                           "address_text": "幸福里", "created_at": moment})
        residents.append({"id": n + 1, "household_id": n + 1, "family_name": "王", "given_name": "秀英",
                          "address_as": "王奶奶", "gender": "female", "birth_year": 1940 - n % 15, "status": "active",
                          "created_at": moment, "updated_at": moment})
        tags.append({"resident_id": n + 1, "term_id": tag.id})
    _insert(Building.__table__, buildings)
    _insert(Household.__table__, households)
    _insert(Resident.__table__, residents)
    _insert(resident_tags, tags)
    db.session.commit()
    return community.id, admin.id


def _clear() -> None:
    db.session.execute(delete(Delivery))
    db.session.execute(delete(Notification))
    db.session.execute(delete(SweepCheck))
    db.session.execute(delete(BARE_ASSIGNMENTS))
    db.session.execute(delete(Sweep))
    db.session.commit()


def run_sweep(admin_id: int) -> tuple[float, dict]:
    db.session.expunge_all()
    admin = db.session.get(User, admin_id)
    body = {"name": "高温天气排查", "grid_ids": None, "tags": ["lives_alone"], "min_age": 60, "answer_minutes": 30}
    started = time.perf_counter()
    view = sweeps.start_sweep(admin, body)
    seconds = time.perf_counter() - started
    notified = db.session.scalar(select(func.count()).select_from(Notification))
    return seconds, {"checks": view.totals["total"], "assigned": view.totals["assigned"],
                     "unassigned": view.totals["unassigned"], "notifications": notified}


def run_bare(community_id: int, admin_id: int, moment: datetime) -> float:
    """10,000 check rows, 10,000 assignment rows and 10,000 outbox rows, written as bare as the
    database allows, in one transaction."""
    sweep = Sweep(community_id=community_id, name="bare", grid_ids=[], resident_filter={}, answer_minutes=30,
                  households=HOUSEHOLDS, started_by_id=admin_id, started_at=moment, answer_due_at=moment)
    db.session.add(sweep)
    db.session.commit()
    grid_of = dict(db.session.execute(select(Household.id, Building.grid_id).join(Building)).all())
    workers = list(db.session.scalars(select(GridWorker.user_id)))
    sweep_id = sweep.id
    db.session.commit()  # end the session's transaction (SQLite: its write lock) before the bare connection
    dialect = db.engine.dialect.name
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        stamp = moment.astimezone(UTC)
        if dialect == "sqlite":
            stamp = stamp.replace(tzinfo=None).isoformat(sep=" ")
        first_id = 1_000_000
        checks = [(first_id + n, sweep_id, n + 1, grid_of[n + 1], f"[{n + 1}]", "assigned", 0, stamp)
                  for n in range(HOUSEHOLDS)]
        assignments = [(first_id + n, "worker", workers[n % len(workers)], stamp) for n in range(HOUSEHOLDS)]
        outbox = [("sweep_checks_assigned", community_id, workers[n % len(workers)], '{"count": 1}',
                   f'{{"sweep_id": {sweep_id}}}', "high", False, True, stamp, stamp) for n in range(HOUSEHOLDS)]
        check_sql = "sweep_checks (id, sweep_id, household_id, grid_id, resident_ids, status, attempts, created_at)"
        assignment_sql = "bench_sweep_assignments (check_id, assignee, assignee_id, assigned_at)"
        outbox_sql = ("notifications (kind, community_id, recipient_user_id, params, data, urgency, is_safety, "
                      "in_inbox, created_at, expires_at)")
        started = time.perf_counter()
        if dialect == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")
            cursor.executemany(f"INSERT INTO {check_sql} VALUES (?, ?, ?, ?, ?, ?, ?, ?)", checks)
            cursor.executemany(f"INSERT INTO {assignment_sql} VALUES (?, ?, ?, ?)", assignments)
            cursor.executemany(f"INSERT INTO {outbox_sql} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", outbox)
        else:
            for statement, rows in ((check_sql, checks), (assignment_sql, assignments), (outbox_sql, outbox)):
                with cursor.copy(f"COPY {statement} FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        connection.commit()
        return time.perf_counter() - started
    finally:
        connection.close()


def measure(database_url: str) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SWEEP_WORKER_CAPACITY": WORKER_CAPACITY,
                      "SWEEP_VOLUNTEER_CAPACITY": VOLUNTEER_CAPACITY})
    with app.app_context():
        db.create_all()
        BARE_ASSIGNMENTS.create(db.engine)
        moment = datetime.now(UTC).replace(microsecond=0)
        community_id, admin_id = seed(moment)
        _refresh_statistics()
        swept, bare, figures = [], [], {}
        for _ in range(ROUNDS):
            seconds, figures = run_sweep(admin_id)
            swept.append(seconds)
            _clear()
            bare.append(run_bare(community_id, admin_id, moment))
            _clear()
        db.session.remove()
    seconds, bare_seconds = statistics.median(swept), statistics.median(bare)
    return {"seconds": round(seconds, 3), "bare_seconds": round(bare_seconds, 3),
            "time_ratio": round(seconds / bare_seconds, 2),
            "rounds_s": [round(value, 3) for value in swept], "bare_rounds_s": [round(value, 3) for value in bare],
            "households": HOUSEHOLDS, "assignees": GRIDS * WORKERS_PER_GRID + VOLUNTEERS, **figures}


def main() -> dict:
    figures: dict = {}
    if "sqlite" in DATABASES:
        with tempfile.TemporaryDirectory() as folder:
            figures["sqlite"] = measure(f"sqlite:///{Path(folder) / 'sweep.db'}")
    if "postgresql" in DATABASES:
        database_url, drop = own_postgres_database("sweep")
        try:
            figures["postgresql"] = measure(database_url)
        finally:
            drop()
    load = os.getloadavg()
    for database, result in figures.items():
        print(f"{database}: sweep of {result['checks']} households ({result['assigned']} assigned, "
              f"{result['unassigned']} unassigned, {result['notifications']} notifications): {result['seconds']} s; "
              f"bare bulk insert {result['bare_seconds']} s; time_ratio {result['time_ratio']} (target ≤ 5)",
              flush=True)
    path = write_result("sweep", {**figures, "load_average": [round(value, 2) for value in load],
                                  "target_time_ratio": 5})
    print(f"→ {path} (load average {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f})")
    return figures


if __name__ == "__main__":
    main()
