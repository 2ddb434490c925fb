"""Twin sends of one keyed write at the same moment, on real commits in a database of their own."""
import threading
from datetime import date, timedelta

import pytest
from flask import Blueprint
from sqlalchemy import func, select

from backend import create_app
from backend.extensions import db
from backend.volunteers.models import AvailabilityException
from tests.client import ApiClient
from tests.databases import own_database
from tests.factories import make_community, make_volunteer
from tests.races import at_once

KEY = "5d1c9e7a-0b2f-4e38-a6d4-9f0e1c2b3a4d"
PHONES = 4


class HeldWrite:
    """A write that stays in flight until the test lets it go: the slow network of a real phone,
    where the second send arrives while the first is still being handled."""

    def __init__(self):
        self.started, self.release = threading.Event(), threading.Event()
        self.blueprint = Blueprint("held_write", __name__)
        self.blueprint.add_url_rule("/api/v1/held-write", "held_write", self.handle, methods=["POST"])

    def handle(self):
        self.started.set()
        self.release.wait(timeout=10)
        db.session.commit()
        return {"id": 1}, 201


@pytest.fixture
def held():
    return HeldWrite()


@pytest.fixture
def race_app(tmp_path, held):
    with own_database(tmp_path, "idempotency") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        app.register_blueprint(held.blueprint)
        with app.app_context():
            db.create_all()
            volunteer_phone = make_volunteer(make_community()).phone
            db.session.commit()
        app.volunteer_phone = volunteer_phone
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _phone(app) -> ApiClient:
    return ApiClient(app.test_client()).login(app.volunteer_phone)


def test_a_second_send_while_the_first_is_running_is_told_it_is_in_flight(race_app, held):
    first_answer = []
    first_phone, second_phone = _phone(race_app), _phone(race_app)
    sender = threading.Thread(target=lambda: first_answer.append(
        first_phone.post("/api/v1/held-write", {"n": 1}, headers={"Idempotency-Key": KEY})))
    sender.start()
    assert held.started.wait(timeout=10)
    try:
        twin = second_phone.post("/api/v1/held-write", {"n": 1}, headers={"Idempotency-Key": KEY})
    finally:
        held.release.set()
        sender.join(timeout=30)
    assert twin.status_code == 409 and twin.get_json()["reason"] == "idempotency_in_flight"
    assert first_answer[0].status_code == 201
    later = second_phone.post("/api/v1/held-write", {"n": 1}, headers={"Idempotency-Key": KEY})
    assert later.status_code == 201 and later.headers["Idempotent-Replayed"] == "true"


def test_the_same_day_off_sent_with_one_key_from_several_phones_at_once_is_applied_once(race_app):
    day = (date.today() + timedelta(days=3)).isoformat()
    phones = [_phone(race_app) for _ in range(PHONES)]
    answers = at_once(phones, lambda phone, _: phone.post("/api/v1/volunteers/me/exceptions",
                                                          {"date": day, "available": False},
                                                          headers={"Idempotency-Key": KEY}), finish_timeout=30)
    applied = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a.headers]
    others = [(a.status_code, (a.get_json() or {}).get("reason")) for a in answers if a not in applied]
    assert len(applied) == 1, [a.status_code for a in answers]
    assert set(others) <= {(409, "idempotency_in_flight"), (201, None)}, others
    with race_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AvailabilityException)) == 1


def test_a_write_that_loses_a_race_at_commit_is_not_marked_applied(race_app):
    """The applied mark rides in the use case's transaction: a loser refused by the service's check,
    or (on PostgreSQL, where twins pass the check together) by the unique constraint at commit,
    has its mark rolled back with it, and the kept answer is the 409."""
    from backend.common.idempotency import IdempotencyRecord

    day = (date.today() + timedelta(days=4)).isoformat()
    phones = [_phone(race_app) for _ in range(PHONES)]
    answers = at_once(range(PHONES), lambda index, _: phones[index].post(
        "/api/v1/volunteers/me/exceptions", {"date": day, "available": False},
        headers={"Idempotency-Key": f"{KEY}-{index}"}), finish_timeout=30)
    assert sorted(answer.status_code for answer in answers) == [201] + [409] * (PHONES - 1)
    with race_app.app_context():
        records = db.session.scalars(select(IdempotencyRecord)).all()
        assert sorted((record.status_code, record.applied_at is not None) for record in records) == (
            [(201, True)] + [(409, False)] * (PHONES - 1))
