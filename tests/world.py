"""A small neighbourhood with one user per kind of actor, for access-control tests.

Grid A holds the resident, her household and building; its worker is `worker`. Grid B has
its own worker (`other_worker`), household and resident. `proxy` holds every scope for the
resident; `proxy_no_scope` is linked to her with `view_status` only.
"""
from dataclasses import dataclass, field

from backend.people.models import PROXY_SCOPES
from tests.factories import (
    make_admin, make_building, make_community, make_grid, make_household, make_proxy, make_resident,
    make_user, make_volunteer, make_worker,
)

ACTORS = ("anonymous", "resident", "proxy", "proxy_no_scope", "volunteer", "provider",
          "worker", "other_worker", "admin")


@dataclass
class World:
    community: object
    grid: object
    other_grid: object
    building: object
    household: object
    resident: object
    other_resident: object
    users: dict = field(default_factory=dict)  # actor name -> User (anonymous absent)
    volunteer_user: object = None

    def path_params(self) -> dict:
        """Values for URL parameters; a domain may add its own in its access matrix."""
        return {
            "community_id": self.community.id,
            "grid_id": self.grid.id,
            "building_id": self.building.id,
            "household_id": self.household.id,
            "resident_id": self.resident.id,
            "user_id": self.users["resident"].id,
            "volunteer_id": self.volunteer_user.volunteer_id,
        }


def build_world() -> World:
    from backend.extensions import db
    from backend.volunteers.models import Volunteer

    community = make_community()
    grid, other_grid = make_grid(community, "第一网格"), make_grid(community, "第二网格")
    worker, other_worker = make_worker(grid), make_worker(other_grid)
    building = make_building(grid)
    household = make_household(building)
    resident_user = make_user(community, "resident", name="王奶奶")
    resident = make_resident(household, tags=("lives_alone", "aged_80_plus"), user=resident_user)
    other_resident = make_resident(make_household(make_building(other_grid)), family_name="李",
                                   given_name="大爷", address_as="李大爷", gender="male")
    volunteer = make_volunteer(community, grid=grid)
    volunteer.volunteer_id = db.session.query(Volunteer.id).filter_by(user_id=volunteer.id).scalar()
    world = World(community=community, grid=grid, other_grid=other_grid, building=building,
                  household=household, resident=resident, other_resident=other_resident,
                  volunteer_user=volunteer)
    world.users = {
        "resident": resident_user,
        "proxy": make_proxy(resident, *PROXY_SCOPES, recorded_by=worker),
        "proxy_no_scope": make_proxy(resident, "view_status", recorded_by=worker),
        "volunteer": volunteer,
        "provider": make_user(community, "provider", name="老年食堂"),
        "worker": worker,
        "other_worker": other_worker,
        "admin": make_admin(community),
    }
    return world
