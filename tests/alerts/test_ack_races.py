"""Acknowledgements that race, on real commits in a database of their own (tests/databases.py):
several workers pressing "我来处理" at once leave exactly one owner, and an acknowledgement racing
the escalation the worker process fires neither deadlocks nor lets escalation carry on."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from backend import create_app
from backend.alerts.models import Alert, AlertStep, RosterShift
from backend.alerts.services.alerts import raise_alert
from backend.extensions import db
from backend.notifications.models import Notification, Timer
from backend.notifications.worker import Worker
from tests.alerts.helpers import TEST_ALERT, ensure_test_kind
from tests.client import ApiClient
from tests.conftest import FrozenClock
from tests.databases import own_database
from tests.races import at_once
from tests.factories import make_building, make_community, make_grid, make_household, make_resident, make_user, make_worker

WORKERS = 4
THURSDAY = 3


@pytest.fixture
def race_app(tmp_path):
    ensure_test_kind()
    with own_database(tmp_path, "alert_races") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        app.extensions["linli_clock"] = FrozenClock(datetime(2026, 11, 26, 2, 0, tzinfo=UTC))  # Thursday 10:00
        with app.app_context():
            db.create_all()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _at_once(jobs) -> list:
    """Run each job in its own thread, all released together; their results (or errors) in order."""
    return at_once(jobs, lambda job, prepared: job.go(prepared), prepare=lambda job: job.prepare())


class Acknowledgement:
    """A phone signed in as `phone`, pressing 我来处理 on the alert."""

    def __init__(self, app, phone, alert_id):
        self.app, self.phone, self.alert_id = app, phone, alert_id

    def prepare(self):
        return ApiClient(self.app.test_client()).login(self.phone)

    def go(self, client):
        return client.post(f"/api/v1/alerts/{self.alert_id}/ack").status_code


class WorkerProcess:
    """The worker process firing what is due (`flask worker --once`)."""

    def __init__(self, app):
        self.app = app

    def prepare(self):
        return Worker(self.app)

    def go(self, worker):
        with self.app.app_context():
            return worker.run(once=True).timers


def _grid_with_workers(count: int):
    community = make_community()
    grid = make_grid(community)
    workers = [make_worker(grid, primary=index == 0) for index in range(count)]
    resident = make_resident(make_household(make_building(grid)))
    return community, workers, resident


def test_workers_pressing_at_once_leave_exactly_one_owner(race_app):
    with race_app.app_context():
        _community, workers, resident = _grid_with_workers(WORKERS)
        alert_id = raise_alert(TEST_ALERT, resident_id=resident.id).id
        db.session.commit()
        phones = [worker.phone for worker in workers]

    statuses = _at_once([Acknowledgement(race_app, phone, alert_id) for phone in phones])

    assert sorted(statuses) == [200] + [409] * (WORKERS - 1), statuses
    with race_app.app_context():
        alert = db.session.get(Alert, alert_id)
        winner = phones[statuses.index(200)]
        assert alert.status == "acknowledged" and alert.owner.phone == winner
        actions = db.session.scalars(select(AlertStep.action).where(AlertStep.alert_id == alert_id)).all()
        assert sorted(actions) == ["acknowledged", "raised"]
        taken = db.session.scalars(select(Notification).where(Notification.kind == "alert_taken")).all()
        assert sorted(n.recipient_user_id for n in taken) == sorted(w.id for w in workers if w.id != alert.owner_id)
        assert db.session.scalars(select(Timer.status).where(Timer.owner_id == alert_id)).all() == ["cancelled"]


def test_an_acknowledgement_racing_the_escalation_wins_and_escalation_stops(race_app):
    with race_app.app_context():
        community, [worker], resident = _grid_with_workers(1)
        night = make_user(community, "worker", name="夜班周")
        db.session.add(RosterShift(community_id=community.id, weekday=THURSDAY, start_minute=0, end_minute=1440,
                                   user_id=night.id))
        alert_id = raise_alert(TEST_ALERT, resident_id=resident.id).id
        db.session.commit()
        worker_phone, night_id = worker.phone, night.id
    race_app.extensions["linli_clock"].advance(minutes=10)  # the escalation is due

    ack_status, fired = _at_once([Acknowledgement(race_app, worker_phone, alert_id), WorkerProcess(race_app)])

    assert ack_status == 200 and not isinstance(fired, Exception), (ack_status, fired)
    race_app.extensions["linli_clock"].advance(hours=2)
    with race_app.app_context():
        Worker(race_app).run(once=True)  # nothing further may escalate
        alert = db.session.get(Alert, alert_id)
        assert (alert.status, alert.owner_id, alert.next_escalation_at) == ("acknowledged", worker.id, None)
        actions = db.session.scalars(select(AlertStep.action).where(AlertStep.alert_id == alert_id)
                                     .order_by(AlertStep.id)).all()
        # Whichever went first, the acknowledgement is last and nothing escalates after it.
        assert actions in (["raised", "acknowledged"], ["raised", "escalated", "acknowledged"]), actions
        assert db.session.scalars(select(Timer).where(Timer.owner_id == alert_id, Timer.status == "pending")).all() == []
        taken = db.session.scalars(select(Notification.recipient_user_id)
                                   .where(Notification.kind == "alert_taken")).all()
        assert taken == ([night_id] if "escalated" in actions else [])
        reminders = db.session.scalars(select(Notification).where(Notification.kind == "alert_reminder")).all()
        assert reminders == []
        assert race_app.extensions["linli_clock"]() - alert.acknowledged_at == timedelta(hours=2)
