"""Requests that race each other lose nothing and do nothing twice, on real commits.

These run on a database of their own (tests/databases.py), with one thread per phone and a
barrier so that both requests are in flight together.
"""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from backend import create_app
from backend.accounts.models import User
from backend.extensions import db
from backend.volunteers.models import AvailabilityException
from tests.client import ApiClient
from tests.databases import own_database
from tests.factories import make_community, make_grid, make_volunteer
from tests.races import at_once
from tests.volunteers.codes import code_for

PHONES = 4


@pytest.fixture
def race_app(tmp_path):
    with own_database(tmp_path, "concurrency") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _at_once(app, requests) -> list:
    """Send each request from its own phone, all released together; statuses in order."""
    def prepare(request):
        phone = ApiClient(app.test_client())
        request.prepare(phone)
        return phone

    return at_once(requests, lambda request, phone: request.send(phone).status_code, prepare=prepare,
                   finish_timeout=30)


class Registration:
    def __init__(self, grid_id, code):
        self.grid_id, self.code = grid_id, code

    def prepare(self, phone):
        phone.csrf()

    def send(self, phone):
        return phone.post("/api/v1/volunteers/register", {
            "phone": "13612345678", "verification_code": self.code, "display_name": "张阿姨",
            "password": "a-good-long-secret", "gender": "female", "grid_id": self.grid_id,
            "skills": ["companionship"]})


class DayOff:
    def __init__(self, volunteer_phone, day):
        self.volunteer_phone, self.day = volunteer_phone, day

    def prepare(self, phone):
        phone.login(self.volunteer_phone)

    def send(self, phone):
        return phone.post("/api/v1/volunteers/me/exceptions", {"date": self.day, "available": False})


def test_the_same_volunteer_registering_from_several_phones_at_once_is_registered_once(race_app):
    with race_app.app_context():
        grid_id = make_grid(make_community()).id
        db.session.commit()
        code = code_for("13612345678")
    statuses = _at_once(race_app, [Registration(grid_id, code) for _ in range(PHONES)])
    assert sorted(statuses) == [201] + [409] * (PHONES - 1), statuses
    with race_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.phone == "13612345678")) == 1


def test_the_same_day_off_sent_from_several_phones_at_once_is_stored_once(race_app):
    with race_app.app_context():
        volunteer_phone = make_volunteer(make_community()).phone
        db.session.commit()
    day = (date.today() + timedelta(days=3)).isoformat()
    statuses = _at_once(race_app, [DayOff(volunteer_phone, day) for _ in range(PHONES)])
    assert sorted(statuses) == [201] + [409] * (PHONES - 1), statuses
    with race_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AvailabilityException)) == 1
