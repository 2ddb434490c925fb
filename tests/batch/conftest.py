"""Fixtures for the batch plan tests: holding turned on (the suite's default is plain waves), the
help requests' neighbourhood with its own volunteers off duty, and phones signed in as anyone."""
import pytest

from backend.extensions import db
from backend.volunteers.models import Volunteer
from tests.help_requests.helpers import build_scene


@pytest.fixture(autouse=True)
def holding(app):
    app.config["BATCH_HOLD"] = True
    yield
    app.config["BATCH_HOLD"] = False


@pytest.fixture
def scene(clock):
    scene = build_scene()
    for user in (scene.volunteer, scene.other_volunteer, scene.third_volunteer):
        db.session.get(Volunteer, user.volunteer_id).on_duty = False
    db.session.flush()
    return scene


@pytest.fixture
def phone_of(make_client):
    return lambda user: make_client().login(user)
