"""Builders for the help request tests: a neighbourhood with one person per part, and requests
put straight into any state (with their timeline) so each test starts where it matters."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from backend.common.time import now
from backend.extensions import db
from backend.help_requests.models import HelpRequest, HelpRequestEvent
from backend.volunteers.models import Volunteer
from tests.factories import (
    make_admin, make_building, make_community, make_grid, make_household, make_proxy, make_resident, make_user,
    make_volunteer, make_worker,
)


@dataclass
class Scene:
    community: object
    grid: object
    other_grid: object
    household: object
    resident: object
    resident_user: object
    proxy: object  # view_status and request_help
    viewing_proxy: object  # view_status only
    worker: object
    other_worker: object
    admin: object
    volunteer: object  # a User; .volunteer_id is their Volunteer row
    other_volunteer: object
    third_volunteer: object


def volunteer_id(user) -> int:
    return db.session.scalar(select(Volunteer.id).where(Volunteer.user_id == user.id))


def build_scene() -> Scene:
    community = make_community()
    grid, other_grid = make_grid(community), make_grid(community)
    worker, other_worker = make_worker(grid), make_worker(other_grid)
    household = make_household(make_building(grid, label="幸福里3幢"))
    resident_user = make_user(community, "resident", name="王奶奶")
    resident = make_resident(household, user=resident_user)
    volunteers = [make_volunteer(community, grid=grid) for _ in range(3)]
    for user in volunteers:
        user.volunteer_id = volunteer_id(user)
    return Scene(community=community, grid=grid, other_grid=other_grid, household=household, resident=resident,
                 resident_user=resident_user, proxy=make_proxy(resident, "view_status", "request_help"),
                 viewing_proxy=make_proxy(resident, "view_status"), worker=worker, other_worker=other_worker,
                 admin=make_admin(community), volunteer=volunteers[0], other_volunteer=volunteers[1],
                 third_volunteer=volunteers[2])


def make_request(resident, *, status: str = "open", volunteer=None, category: str = "companionship",
                 created_by=None, checked_in_ago: timedelta | None = None, **fields) -> HelpRequest:
    """A request in `status` (assigned to `volunteer`, a User, from accepted on), its timeline
    holding the step that got it there."""
    household = resident.household
    moment = now()
    request = HelpRequest(
        community_id=household.building.grid.community_id, resident_id=resident.id, household_id=household.id,
        grid_id=household.building.grid_id, created_by_id=created_by.id if created_by else resident.user_id,
        on_behalf="resident", category=category, asap=True, urgency="normal", lat=household.building.lat,
        lng=household.building.lng, status=status, created_at=moment, updated_at=moment, **fields)
    request.resident = resident
    if volunteer is not None:
        request.volunteer_id, request.accepted_at = volunteer_id(volunteer), moment
    if status in ("in_progress", "completed", "confirmed"):
        request.checked_in_at = request.check_in_received_at = moment - (checked_in_ago or timedelta(hours=1))
    if status in ("completed", "confirmed"):
        request.checked_out_at = request.check_out_received_at = moment
        request.hours = 1.0
    request.events = [HelpRequestEvent(event="created", from_status=None, to_status="open",
                                       occurred_at=moment, recorded_at=moment, data={})]
    db.session.add(request)
    db.session.flush()
    return request


def events_of(request_id: int) -> list[str]:
    return list(db.session.scalars(select(HelpRequestEvent.event).where(HelpRequestEvent.help_request_id == request_id)
                                   .order_by(HelpRequestEvent.id)))


def status_of(request_id: int) -> str:
    return db.session.scalar(select(HelpRequest.status).where(HelpRequest.id == request_id))
