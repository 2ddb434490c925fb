"""Fixtures for the help request tests: the neighbourhood, and a phone signed in as anyone in it."""
import pytest

from tests.help_requests.helpers import build_scene


@pytest.fixture
def scene():
    return build_scene()


@pytest.fixture
def phone_of(make_client):
    """A new phone signed in as `user`."""
    return lambda user: make_client().login(user)
