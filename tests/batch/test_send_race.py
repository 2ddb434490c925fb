"""Sends racing on real commits, in a database of their own (SQLite, or PostgreSQL with
TEST_DATABASE_URL): the same plan sent from eight phones at once is sent once — one answer 200,
the others 409 plan_not_draft, one offer per request, nothing 5xx."""
import pytest
from sqlalchemy import func, select

from backend import create_app
from backend.extensions import db
from backend.matching.models import Offer
from backend.notifications.models import Notification
from tests.client import ApiClient
from tests.databases import own_database
from tests.factories import make_building, make_community, make_grid, make_household, make_resident, make_user, \
    make_worker
from tests.matching.helpers import volunteers_in_a_row
from tests.races import at_once

PHONES = 8


@pytest.fixture
def race_app(tmp_path, clock):
    with own_database(tmp_path, "batch") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "BATCH_HOLD": True})
        app.extensions["linli_clock"] = clock
        with app.app_context():
            db.create_all()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_plan_sent_from_eight_phones_at_once_is_sent_once(race_app):
    with race_app.app_context():
        community = make_community()
        grid = make_grid(community)
        worker = make_worker(grid)
        resident_user = make_user(community, "resident")
        make_resident(make_household(make_building(grid)), user=resident_user)
        volunteers_in_a_row(community, grid, 6)
        db.session.commit()
        worker_phone, resident_phone = worker.phone, resident_user.phone
    resident = ApiClient(race_app.test_client()).login(resident_phone)
    for start in ("09", "11", "14"):
        response = resident.post("/api/v1/help-requests", {
            "category": "companionship", "asap": False, "window_start": f"2026-11-27T{start}:00:00+08:00",
            "window_end": f"2026-11-27T{start}:45:00+08:00"})
        assert response.status_code == 201
    phones = [ApiClient(race_app.test_client()).login(worker_phone) for _ in range(PHONES)]
    plan = phones[0].post("/api/v1/batch-plans", {"date": "2026-11-27"}).get_json()
    assert plan["requests"] == 3 and plan["matched"] == 3

    def send(index, _):
        response = phones[index].post(f"/api/v1/batch-plans/{plan['id']}/send")
        return response.status_code, response.get_json()

    results = at_once(range(PHONES), send, ready_timeout=30, finish_timeout=120)
    statuses = sorted(result[0] for result in results)
    assert statuses == [200] + [409] * (PHONES - 1), results
    assert all(body["reason"] == "plan_not_draft" for status, body in results if status == 409)
    with race_app.app_context():
        per_request = db.session.execute(select(Offer.help_request_id, func.count()).group_by(
            Offer.help_request_id)).all()
        assert sorted(count for _request, count in per_request) == [1, 1, 1]
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "help_request_offer")) == 3
