"""A swept neighbourhood for the emergency sweep's tests: grids of buildings and households whose
residents match the filter (lives alone or aged 80+, at least 60), some with the app (a device still
signed in), and others the filter must leave out (not active, too young and untagged); each grid's
worker, an admin, and on-duty vetted volunteers — plus one unvetted and one off duty, never used."""
import secrets
from dataclasses import dataclass, field

from sqlalchemy import func, select

from backend.accounts.models import DeviceSession
from backend.common.time import now
from backend.community.models import Grid
from backend.extensions import db
from backend.safety.sweep_models import SweepCheck
from backend.volunteers.models import Volunteer
from tests.factories import (
    make_admin, make_building, make_community, make_grid, make_household, make_resident, make_user, make_volunteer,
    make_worker,
)
from tests.help_requests.helpers import volunteer_id

FILTER = {"tags": ["lives_alone", "aged_80_plus"], "min_age": 60}


@dataclass(frozen=True)
class Who:
    """Ids and sign-in phones read once, so tests never lean on ORM objects across requests."""

    id: int
    phone: str | None = None


@dataclass
class Swept:
    community_id: int
    grid_ids: list
    workers: list  # one per grid, in grid order
    other_worker: Who  # a grid outside the sweep
    other_grid_id: int
    admin: Who
    volunteers: list  # Who with volunteers.id as id
    volunteer_users: dict  # volunteers.id → users.id
    matched: dict = field(default_factory=dict)  # household id → [resident ids the filter matches]
    with_app: dict = field(default_factory=dict)  # household id → Who (phone None: cannot sign in)
    left_out: list = field(default_factory=list)  # household ids the filter must not include


def _signed_in(user) -> None:
    db.session.add(DeviceSession(user_id=user.id, token_hash=secrets.token_hex(32), device_label="手机",
                                 signed_in_with="password"))


def build_swept(households_per_grid: int, grids: int = 4, *, app_every: int = 10, volunteers: int = 10,
                signed_in_accounts: int = 2) -> Swept:
    """`grids` × `households_per_grid` matching households (every `app_every`-th with the app; the
    first `signed_in_accounts` of those can sign in with the demo password), two left-out households
    per grid, and a household whose resident signed out everywhere (no app: assigned at once)."""
    community = make_community()
    grid_rows = [make_grid(community, f"第{n + 1}网格") for n in range(grids)]
    workers = [make_worker(grid) for grid in grid_rows]
    other_grid = make_grid(community, "不排查的网格")
    other_worker = make_worker(other_grid)
    admin = make_admin(community)
    make_household(make_building(other_grid))
    swept = Swept(community_id=community.id, grid_ids=[g.id for g in grid_rows],
                  workers=[Who(w.id, w.phone) for w in workers], other_worker=Who(other_worker.id, other_worker.phone),
                  other_grid_id=other_grid.id, admin=Who(admin.id, admin.phone), volunteers=[], volunteer_users={})
    accounts = 0
    n = 0
    for g, grid in enumerate(grid_rows):
        buildings = [make_building(grid, lat=30.27 + g * 0.004, lng=120.15 + b * 0.002) for b in range(5)]
        for h in range(households_per_grid):
            household = make_household(buildings[h % len(buildings)])
            n += 1
            user = None
            if n % app_every == 0:
                password = "linli-demo-2026" if accounts < signed_in_accounts else None
                user = make_user(community, "resident", name="居民", password=password)
                _signed_in(user)
                accounts += 1
                swept.with_app[household.id] = Who(user.id, user.phone if password else None)
            first = make_resident(household, tags=("lives_alone",), birth_year=1940, user=user)
            swept.matched[household.id] = [first.id]
            if h % 7 == 3:  # a second matching resident: still one check for the household
                second = make_resident(household, tags=("aged_80_plus",), birth_year=1938, given_name="建国",
                                       address_as="王爷爷", gender="male")
                swept.matched[household.id].append(second.id)
            if h % 9 == 4:  # a resident in hospital in a matched household: not among the matched
                make_resident(household, tags=("lives_alone",), birth_year=1941, status="in_hospital")
        hospital = make_household(buildings[0])
        make_resident(hospital, tags=("lives_alone",), birth_year=1939, status="in_hospital")
        young = make_household(buildings[1])
        make_resident(young, birth_year=1995)
        swept.left_out += [hospital.id, young.id]
    signed_out = make_household(make_building(grid_rows[0]))
    user = make_user(community, "resident", name="居民", password=None)
    db.session.add(DeviceSession(user_id=user.id, token_hash=secrets.token_hex(32), device_label="旧手机",
                                 signed_in_with="password", ended_at=now()))
    swept.matched[signed_out.id] = [make_resident(signed_out, tags=("lives_alone",), birth_year=1940, user=user).id]
    for _ in range(volunteers):
        user = make_volunteer(community, grid=grid_rows[0])
        swept.volunteers.append(Who(volunteer_id(user), user.phone))
        swept.volunteer_users[volunteer_id(user)] = user.id
    make_volunteer(community, vetted_until=None)
    off_duty = make_volunteer(community)
    db.session.scalar(select(Volunteer).where(Volunteer.user_id == off_duty.id)).on_duty = False
    db.session.commit()
    return swept


def checks(sweep_id: int) -> list[SweepCheck]:
    return list(db.session.scalars(select(SweepCheck).where(SweepCheck.sweep_id == sweep_id).order_by(SweepCheck.id)))


def by_status(sweep_id: int) -> dict[str, int]:
    return dict(db.session.execute(select(SweepCheck.status, func.count()).where(SweepCheck.sweep_id == sweep_id)
                                   .group_by(SweepCheck.status)).all())


def grid_names(grid_ids: list[int]) -> dict[int, str]:
    return dict(db.session.execute(select(Grid.id, Grid.name).where(Grid.id.in_(grid_ids))).all())
