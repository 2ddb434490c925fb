"""Timers are rows: scheduled in the caller's transaction, fired once by the worker (the handler
in the transaction that marks them fired), never when cancelled, again after a dead worker's lease."""
from datetime import timedelta

import pytest

from backend.accounts.models import User
from backend.extensions import db
from backend.notifications import timers
from backend.notifications.models import Timer
from backend.notifications.services.outbox import notify
from tests.factories import make_community, make_user
from tests.notifications.helpers import count, notifications_of_kind, run_worker


@pytest.fixture
def reminder_handler():
    """A test handler: tells the owner (a user) "test_push"; raises when the payload says so."""
    fired = []

    @timers.timer_handler("test_remind")
    def remind(timer):
        fired.append(timer.id)
        notify("test_push", user=db.session.get(User, timer.owner_id))
        if timer.payload.get("fail"):
            raise RuntimeError("the handler broke")

    yield fired
    timers.unregister_handler("test_remind")


def test_a_timer_fires_once_when_due_with_its_handlers_effects(app, clock, reminder_handler):
    user = make_user(make_community(), "volunteer")
    timer = timers.schedule("test_remind", clock() + timedelta(minutes=10), owner=("user", user.id))
    db.session.commit()

    clock.advance(minutes=9, seconds=59)
    run_worker(app)
    assert reminder_handler == [] and db.session.get(Timer, timer.id).status == "pending"

    clock.advance(seconds=1)
    run_worker(app)
    run_worker(app)
    assert reminder_handler == [timer.id]
    fired = db.session.get(Timer, timer.id)
    assert (fired.status, fired.fired_at) == ("fired", clock())
    assert [n.recipient_user_id for n in notifications_of_kind("test_push")] == [user.id]


def test_a_cancelled_timer_never_fires(app, clock, reminder_handler):
    user = make_user(make_community(), "volunteer")
    timers.schedule("test_remind", clock() + timedelta(minutes=10), owner=("user", user.id))
    timers.schedule("test_remind", clock() + timedelta(minutes=20), owner=("user", user.id))
    db.session.commit()

    assert timers.cancel(("user", user.id), "test_remind") == 2
    db.session.commit()
    clock.advance(hours=1)
    run_worker(app)

    assert reminder_handler == []
    assert {t.status for t in db.session.query(Timer)} == {"cancelled"}


def test_a_timer_scheduled_in_a_rolled_back_transaction_does_not_exist(app, clock, reminder_handler):
    user = make_user(make_community(), "volunteer")
    db.session.commit()
    timers.schedule("test_remind", clock(), owner=("user", user.id))
    db.session.rollback()
    assert count(Timer) == 0


def test_a_failing_handler_leaves_no_effect_and_is_tried_again_later(app, clock, reminder_handler):
    user = make_user(make_community(), "volunteer")
    timer = timers.schedule("test_remind", clock(), owner=("user", user.id), payload={"fail": True})
    db.session.commit()

    run_worker(app)

    failed = db.session.get(Timer, timer.id)
    assert (failed.status, failed.attempts, failed.last_error) == ("pending", 1, "RuntimeError: the handler broke")
    assert notifications_of_kind("test_push") == []  # its notification went with the rollback
    run_worker(app)
    assert reminder_handler == [timer.id]  # not again before its backoff

    mended = db.session.get(Timer, timer.id)
    mended.payload = {"fail": False}
    db.session.commit()
    clock.current = mended.lease_until
    run_worker(app)
    assert db.session.get(Timer, timer.id).status == "fired"
    assert len(notifications_of_kind("test_push")) == 1


def test_a_timer_claimed_by_a_worker_that_died_fires_after_its_lease(app, clock, reminder_handler):
    user = make_user(make_community(), "volunteer")
    timer = timers.schedule("test_remind", clock(), owner=("user", user.id))
    db.session.commit()
    lease = timedelta(seconds=app.config["WORKER_LEASE_SECONDS"])
    assert timers.claim_due_timers(10, lease) == [timer.id]  # ... and the worker dies

    run_worker(app)
    assert reminder_handler == []
    clock.advance(seconds=lease.total_seconds())
    run_worker(app)
    assert reminder_handler == [timer.id]


def test_a_timer_whose_handler_is_unknown_waits_with_the_reason(app, clock, reminder_handler):
    user = make_user(make_community(), "volunteer")
    timer = timers.schedule("test_remind", clock(), owner=("user", user.id))
    timer.handler = "test_removed_since"
    db.session.commit()
    run_worker(app)
    waiting = db.session.get(Timer, timer.id)
    assert waiting.status == "pending"
    assert waiting.last_error == "LookupError: no timer handler named 'test_removed_since' is registered"


def test_scheduling_needs_a_registered_handler(clock):
    with pytest.raises(ValueError, match="no timer handler named 'nobody'"):
        timers.schedule("nobody", clock(), owner=("user", 1))
