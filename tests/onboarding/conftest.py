"""A grid with its worker and one resident without an account, the usual start of onboarding."""
from dataclasses import dataclass

import pytest

from backend.community.models import Community, Grid
from backend.people.models import Resident
from tests.factories import make_building, make_community, make_grid, make_household, make_resident, make_worker


@dataclass
class Neighbourhood:
    community: Community
    grid: Grid
    worker: object
    resident: Resident


@pytest.fixture
def hood() -> Neighbourhood:
    community = make_community()
    grid = make_grid(community)
    resident = make_resident(make_household(make_building(grid)))
    return Neighbourhood(community=community, grid=grid, worker=make_worker(grid), resident=resident)
