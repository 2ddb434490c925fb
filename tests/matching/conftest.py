"""Fixtures for the matching tests: the help requests' neighbourhood (its three volunteers moved far
away, so each test places its own) and phones signed in as anyone in it."""
import pytest

from backend.extensions import db
from backend.volunteers.models import Volunteer
from tests.help_requests.helpers import build_scene


@pytest.fixture
def scene():
    scene = build_scene()
    for user in (scene.volunteer, scene.other_volunteer, scene.third_volunteer):
        row = db.session.get(Volunteer, user.volunteer_id)
        row.on_duty = False  # the scene's own volunteers take no part unless a test says so
    db.session.flush()
    return scene


@pytest.fixture
def phone_of(make_client):
    return lambda user: make_client().login(user)
