"""`flask worker` as people run it: through the Flask CLI, as a real process, killed with SIGKILL in
the middle of a batch and restarted (nothing lost), and two processes over one backlog (nothing
sent twice). The real processes run on a database of their own (tests/databases.py): SQLite, or
PostgreSQL in CI's PostgreSQL pass, where the claims use FOR UPDATE SKIP LOCKED."""
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backend import create_app
from backend.extensions import db
from backend.notifications.models import Delivery, NotificationPreference, SmsMessage, WorkerHeartbeat
from backend.notifications.services.outbox import Contact, notify
from tests.databases import own_database
from tests.factories import make_community, make_user
from tests.notifications.helpers import deliveries_of
from tests.notifications.sms_providers import HANGING_PHONE

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60  # a generous bound for a process to get there; the tests do not measure time


def test_flask_worker_once_through_the_cli_delivers_what_is_due_and_exits(app, ordinary_kind):
    volunteer = make_user(make_community(), "volunteer")
    db.session.add(NotificationPreference(user_id=volunteer.id, sms_opt_in=True))
    offers = [notify("test_offer", user=volunteer, params={"category": category}) for category in ("送餐", "维修")]
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "stopped: 2 deliveries sent, 0 timers fired." in result.output
    assert [d.status for offer in offers for d in deliveries_of(offer.id)] == ["delivered", "delivered"]


def test_a_worker_with_an_sms_provider_that_cannot_be_loaded_refuses_to_start(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_PROVIDER", "linli_sms_nowhere:Provider")
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 1
    assert "SMS_PROVIDER='linli_sms_nowhere:Provider' cannot be used" in result.output


@pytest.fixture
def own_app(tmp_path):
    """An app on a new database of its own, where worker processes commit for real."""
    with own_database(tmp_path, "worker") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
        app.config["OWN_DATABASE_URL"] = url
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _queue_codes(app, phones) -> None:
    """One committed SMS (a verification code) to each phone, due now."""
    with app.app_context():
        for phone in phones:
            notify("verification_code", contact=Contact(name="", phone=phone), params={"code": "135790"})
        db.session.commit()


def _worker(app, *args, provider="log", **settings) -> subprocess.Popen:
    env = {**os.environ, "LINLI_ENV": "development", "DATABASE_URL": app.config["OWN_DATABASE_URL"],
           "SMS_PROVIDER": provider, "WORKER_IDLE_SECONDS": "0.05",
           **{name: str(value) for name, value in settings.items()}}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(app, condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        with app.app_context():
            done = condition()
            db.session.remove()
        if done:
            return
        time.sleep(0.02)
    pytest.fail(f"gave up waiting for {what}")


def _messages_per_phone(app) -> Counter:
    with app.app_context():
        return Counter(db.session.scalars(select(SmsMessage.phone)))


def _statuses(app) -> Counter:
    with app.app_context():
        return Counter(db.session.scalars(select(Delivery.status)))


def test_a_real_worker_process_with_once_delivers_and_exits(own_app):
    phones = [f"1370000{n:04d}" for n in range(5)]
    _queue_codes(own_app, phones)

    worker = _worker(own_app, "--once")
    out, err = worker.communicate(timeout=WAIT_SECONDS)

    assert worker.returncode == 0, err
    assert "stopped: 5 deliveries sent" in out
    assert _messages_per_phone(own_app) == Counter(phones)
    assert _statuses(own_app) == Counter({"delivered": 5})
    with own_app.app_context():
        beat = db.session.scalar(select(WorkerHeartbeat))
        assert beat.stopped_at is not None


def test_a_worker_killed_mid_batch_loses_nothing_after_a_restart(own_app):
    phones = [f"1370000{n:04d}" for n in range(3)] + [HANGING_PHONE] + [f"1370001{n:04d}" for n in range(16)]
    _queue_codes(own_app, phones)
    settings = {"provider": "tests.notifications.sms_providers:HangOnceProvider", "WORKER_BATCH_SIZE": 10,
                "WORKER_LEASE_SECONDS": 2}

    first = _worker(own_app, **settings)
    _wait_for(own_app, lambda: db.session.scalar(select(SmsMessage.id).where(SmsMessage.phone == HANGING_PHONE)),
              "the worker to send to the phone where it hangs")
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=WAIT_SECONDS)
    # Killed in the middle of its first batch: three delivered, the hanging one sent but not
    # recorded, six more claimed and not started, the second batch never claimed.
    assert _statuses(own_app) == Counter({"delivered": 3, "sending": 7, "pending": 10})

    second = _worker(own_app, **settings)
    _wait_for(own_app, lambda: db.session.scalar(select(func.count()).select_from(Delivery)
                                                 .where(Delivery.status != "delivered")) == 0,
              "the restarted worker to deliver everything")
    second.send_signal(signal.SIGTERM)
    out, err = second.communicate(timeout=WAIT_SECONDS)

    assert second.returncode == 0, err
    assert "stopped: 17 deliveries sent" in out
    expected = Counter(phones)
    expected[HANGING_PHONE] += 1  # sent, then killed before it was recorded: sent again (at least once)
    assert _messages_per_phone(own_app) == expected


def test_two_workers_over_one_backlog_send_each_message_exactly_once(own_app):
    phones = [f"137{n:08d}" for n in range(300)]
    _queue_codes(own_app, phones)
    settings = {"provider": "tests.notifications.sms_providers:SlowLogProvider", "WORKER_BATCH_SIZE": 10}

    workers = [_worker(own_app, "--once", **settings) for _ in range(2)]
    results = [worker.communicate(timeout=WAIT_SECONDS * 2) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], [err for _, err in results]
    sent = [int(out.split("stopped: ")[1].split(" deliveries")[0]) for out, _ in results]
    assert sum(sent) == 300, sent
    with own_app.app_context():
        per_delivery = Counter(db.session.scalars(select(SmsMessage.delivery_id)))
    assert len(per_delivery) == 300 and set(per_delivery.values()) == {1}
    assert _statuses(own_app) == Counter({"delivered": 300})
