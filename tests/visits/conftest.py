"""Fixtures for the visit tests: a community with two grids, households of different risk, the
issue's example rules, and phones signed in as anyone. The test clock starts on 26 November 2026
at 10:00 in Shanghai."""
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from backend.extensions import db
from backend.visits.models import Visit, VisitResident, VisitRule
from tests.factories import (
    make_admin, make_building, make_community, make_grid, make_household, make_resident, make_worker,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 26)
ISSUE_RULES = [(["lives_alone", "aged_80_plus"], 7), (["lives_alone"], 14), (["left_behind_child"], 14),
               (["disabled"], 7), ([], 30)]


@dataclass
class Scene:
    community: object
    grid: object
    other_grid: object
    worker: object
    other_worker: object
    admin: object


@pytest.fixture
def scene(clock):
    community = make_community()
    grid, other_grid = make_grid(community, "第一网格"), make_grid(community, "第二网格")
    scene = Scene(community=community, grid=grid, other_grid=other_grid, worker=make_worker(grid),
                  other_worker=make_worker(other_grid), admin=make_admin(community))
    for tags, days in ISSUE_RULES:
        db.session.add(VisitRule(community_id=community.id, tags=sorted(tags), interval_days=days))
    db.session.flush()
    return scene


@pytest.fixture
def phone_of(make_client):
    return lambda user: make_client().login(user)


def household_with(grid, *residents, label=None, at=None):
    """A household of `grid` with residents given as (address_as, tags) pairs (its building at
    `at`, a (lat, lng) pair, if given)."""
    building = make_building(grid, label) if at is None else make_building(grid, label, lat=at[0], lng=at[1])
    household = make_household(building)
    people = [make_resident(household, tags=tags, address_as=name) for name, tags in residents]
    return household, people


def visited(household, on: date, *, seen=True, next_visit_on=None):
    """A visit recorded earlier (set up directly: the API takes at most 72 hours old)."""
    at = datetime.combine(on, time(10), tzinfo=SHANGHAI)
    visit = Visit(community_id=household.building.grid.community_id, grid_id=household.building.grid_id,
                  household_id=household.id, occurred_at=at, local_date=on, recorded_at=at, seen=seen,
                  next_visit_on=next_visit_on)
    for resident in household.residents:
        visit.residents.append(VisitResident(resident_id=resident.id, outcome="met" if seen else "not_home"))
    db.session.add(visit)
    db.session.flush()
    return visit


def registered_long_ago(*residents):
    for resident in residents:
        resident.created_at = datetime(2025, 1, 1, tzinfo=SHANGHAI)
    db.session.flush()
