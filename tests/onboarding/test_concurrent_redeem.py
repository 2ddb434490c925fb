"""Two phones redeeming one code at the same moment: exactly one is linked.

A real race needs two database connections and real commits, so these tests run on a
database of their own (a SQLite file, or a PostgreSQL database created for the test) instead
of inside the per-test transaction.
"""
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from backend import create_app
from backend.accounts.models import DeviceLink
from backend.extensions import db
from backend.onboarding.services import claim_statement, hash_code, issue_link_code
from tests.client import ApiClient
from tests.databases import own_database
from tests.factories import make_building, make_community, make_grid, make_household, make_resident, make_worker
from tests.races import at_once


@pytest.fixture
def race_app(tmp_path):
    with own_database(tmp_path, "race") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def issued_code(race_app):
    """A committed neighbourhood with one live code; the race app's engine is disposed afterwards."""
    with race_app.app_context():
        db.create_all()
        grid = make_grid(make_community())
        worker = make_worker(grid)
        resident = make_resident(make_household(make_building(grid)))
        db.session.commit()
        code = issue_link_code(worker, resident.id).code
        db.session.remove()
    yield code
    with race_app.app_context():
        db.session.remove()
        db.engine.dispose()


def _linked_phones(race_app) -> int:
    with race_app.app_context():
        count = db.session.scalar(select(func.count()).select_from(DeviceLink))
        db.session.remove()
        return count


def _phone(race_app) -> ApiClient:
    phone = ApiClient(race_app.test_client())
    phone.csrf()
    return phone


def _redeem_in_thread(race_app, code, results) -> threading.Thread:
    def redeem():
        try:
            results.append(_phone(race_app).post("/api/v1/auth/link", {"code": code}))
        except Exception as error:  # reported by the test, not lost in the thread
            results.append(error)

    thread = threading.Thread(target=redeem)
    thread.start()
    return thread


def test_two_phones_redeeming_at_once_link_exactly_one(race_app, issued_code):
    results = at_once(range(2), lambda _, phone: phone.post("/api/v1/auth/link", {"code": issued_code}),
                      prepare=lambda _: _phone(race_app), finish_timeout=30)
    statuses = sorted(getattr(result, "status_code", result) for result in results)
    assert statuses == [200, 409], results
    loser = next(result for result in results if result.status_code == 409)
    assert loser.get_json()["reason"] == "link_code_used"
    assert _linked_phones(race_app) == 1


def test_a_phone_redeeming_while_another_claim_is_uncommitted_waits_and_loses(race_app, issued_code):
    with race_app.app_context():
        engine = db.engine
    holder = engine.connect()
    transaction = holder.begin()
    try:
        claimed = holder.execute(claim_statement(hash_code(issued_code), datetime.now(UTC))).rowcount
        assert claimed == 1
        results = []
        thread = _redeem_in_thread(race_app, issued_code, results)
        time.sleep(0.3)
        assert thread.is_alive(), "the second redeem did not wait for the first claim"
        transaction.commit()
        thread.join(timeout=30)
    finally:
        holder.close()
    assert len(results) == 1 and results[0].status_code == 409, results
    assert results[0].get_json()["reason"] == "link_code_used"
    assert _linked_phones(race_app) == 0
