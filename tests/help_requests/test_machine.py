"""The state machine's table, on its own: every event from every status, allowed or refused."""
import pytest

from backend.help_requests.models import STATUSES
from backend.help_requests.services.machine import TRANSITIONS, InvalidTransition, next_status

# DESIGN.md §4, written out again here so a change to the table shows up as a failing test.
EXPECTED = {
    "offered": ({"open"}, "offered"),
    "escalated": ({"offered"}, "escalated"),
    "accepted": ({"open", "offered", "escalated"}, "accepted"),
    "assigned": ({"open", "offered", "escalated"}, "accepted"),
    "withdrawn": ({"accepted"}, "open"),
    "reassigned": ({"accepted"}, "open"),
    "no_show": ({"accepted"}, "open"),
    "checked_in": ({"accepted"}, "in_progress"),
    "checked_out": ({"in_progress"}, "completed"),
    "confirmed": ({"completed"}, "confirmed"),
    "cancelled": ({"open", "offered", "escalated", "accepted"}, "cancelled"),
    "expired": ({"open", "offered", "escalated"}, "expired"),
}


def test_the_table_has_exactly_the_designed_events():
    assert set(TRANSITIONS) == set(EXPECTED) | {"created"}


@pytest.mark.parametrize("event", sorted(EXPECTED))
@pytest.mark.parametrize("status", STATUSES)
def test_every_event_from_every_status_is_allowed_or_refused_as_designed(status, event):
    sources, target = EXPECTED[event]
    if status in sources:
        assert next_status(status, event) == target
    else:
        with pytest.raises(InvalidTransition) as refused:
            next_status(status, event)
        assert refused.value.status == 409 and refused.value.reason == "invalid_transition"


def test_a_request_is_created_open_and_only_once():
    assert next_status(None, "created") == "open"
    with pytest.raises(InvalidTransition):
        next_status("open", "created")


def test_confirmed_cancelled_and_expired_are_final():
    for status in ("confirmed", "cancelled", "expired"):
        assert not [event for event, (sources, _) in TRANSITIONS.items() if status in sources]


def test_an_unknown_event_is_a_programming_error():
    with pytest.raises(ValueError):
        next_status("open", "teleported")
