"""Fixtures for the time bank tests: the help requests' neighbourhood, and signed-in phones."""
import pytest

from tests.help_requests.helpers import build_scene


@pytest.fixture
def scene():
    return build_scene()


@pytest.fixture
def phone_of(make_client):
    """A new phone signed in as `user`."""
    return lambda user: make_client().login(user)
