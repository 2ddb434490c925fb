"""Builders for the matching tests: a neighbourhood with volunteers at chosen distances, a request
asked through the API, and queries for offers, notifications and timers."""
import math

from sqlalchemy import select

from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.matching.models import Dispatch, Offer
from backend.notifications.models import Notification, Timer
from backend.volunteers.models import Vetting, Volunteer
from tests.help_requests.helpers import volunteer_id

HOME = (30.27, 120.15)  # the test building


def north_of_home(km: float) -> tuple[float, float]:
    return HOME[0] + km / 111.195, HOME[1]


def volunteer_at(community, grid, km: float, **options):
    """A volunteer (User, with .volunteer_id) whose home is `km` north of the building."""
    from tests.factories import make_volunteer

    user = make_volunteer(community, grid=grid, **{key: value for key, value in options.items()
                                                   if key in ("status", "gender", "skills", "vetted_until")})
    row = db.session.get(Volunteer, volunteer_id(user))
    row.home_lat, row.home_lng = north_of_home(km)
    row.travel_radius_km = options.get("radius", 3.0)
    row.load_cap = options.get("load_cap", 2)
    if options.get("child_safe"):
        row.vettings.append(Vetting(kind="child_safeguarding", expires_on=row.vettings[0].expires_on))
    db.session.flush()
    user.volunteer_id = row.id
    return user


def volunteers_in_a_row(community, grid, count: int, start_km: float = 0.1, step_km: float = 0.1, **options):
    """`count` volunteers, the first nearest: their ranking order is their order here."""
    return [volunteer_at(community, grid, start_km + index * step_km, **options) for index in range(count)]


def ask(phone, body=None) -> HelpRequest:
    response = phone.post("/api/v1/help-requests", {"category": "companionship", **(body or {})})
    assert response.status_code == 201, response.get_json()
    return db.session.get(HelpRequest, response.get_json()["id"])


def offered_ids(request_id: int, status: str | None = None) -> list[int]:
    statement = select(Offer.volunteer_id).where(Offer.help_request_id == request_id)
    if status:
        statement = statement.where(Offer.status == status)
    return list(db.session.scalars(statement.order_by(Offer.wave, Offer.id)))


def offer_of(request_id: int, user) -> Offer:
    return db.session.scalar(select(Offer).where(Offer.help_request_id == request_id,
                                                 Offer.volunteer_id == user.volunteer_id))


def waves(request_id: int) -> list[list[int]]:
    return [row.offered_volunteer_ids for row in db.session.scalars(
        select(Dispatch).where(Dispatch.help_request_id == request_id).order_by(Dispatch.wave))]


def notified_user_ids(kind: str) -> list[int]:
    return list(db.session.scalars(select(Notification.recipient_user_id).where(Notification.kind == kind)
                                   .order_by(Notification.id)))


def pending_wave_timers(request_id: int) -> list[Timer]:
    return list(db.session.scalars(select(Timer).where(
        Timer.owner_type == "help_request", Timer.owner_id == request_id, Timer.status == "pending")))


def strings_in(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
    elif value is not None and not (isinstance(value, float) and math.isnan(value)):
        yield str(value)
