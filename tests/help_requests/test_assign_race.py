"""Eight workers' phones assign eight different volunteers to one request at the same instant,
on real commits in a database of their own: exactly one wins, the rest get 409
task_already_taken, and nothing fails with "database is locked"."""
import pytest
from sqlalchemy import func, select

from backend import create_app
from backend.extensions import db
from backend.help_requests.models import HelpRequest, HelpRequestEvent
from tests.client import ApiClient
from tests.databases import own_database
from tests.factories import (
    make_building, make_community, make_grid, make_household, make_resident, make_volunteer, make_worker,
)
from tests.help_requests.helpers import make_request, volunteer_id
from tests.races import at_once

PHONES = 8
ROUNDS = 3


@pytest.fixture
def race_app(tmp_path):
    with own_database(tmp_path, "assign_race") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _at_once(app, workers_phones, request_id, volunteer_ids) -> list:
    def prepare(index):
        phone = ApiClient(app.test_client()).login(workers_phones[index])
        phone.csrf()
        return phone

    def assign(index, phone):
        response = phone.post(f"/api/v1/help-requests/{request_id}/assign", {"volunteer_id": volunteer_ids[index]})
        return response.status_code, response.get_json()["reason"] if response.status_code >= 400 else None

    return at_once(range(len(volunteer_ids)), assign, prepare=prepare, ready_timeout=20)


def test_eight_assignments_at_once_have_exactly_one_winner(race_app):
    with race_app.app_context():
        community = make_community()
        grid = make_grid(community)
        workers = [make_worker(grid, primary=index == 0).phone for index in range(PHONES)]
        resident = make_resident(make_household(make_building(grid)))
        volunteer_ids = [volunteer_id(make_volunteer(community, grid=grid)) for _ in range(PHONES)]
        request_ids = [make_request(resident, status="escalated").id for _ in range(ROUNDS)]
        db.session.commit()
    for request_id in request_ids:
        results = _at_once(race_app, workers, request_id, volunteer_ids)
        assert sorted(results, key=str) == sorted([(200, None)] + [(409, "task_already_taken")] * (PHONES - 1),
                                                  key=str), results
        with race_app.app_context():
            request = db.session.get(HelpRequest, request_id)
            winner = volunteer_ids[[result[0] for result in results].index(200)]
            assert (request.status, request.volunteer_id) == ("accepted", winner)
            assert db.session.scalar(select(func.count()).select_from(HelpRequestEvent).where(
                HelpRequestEvent.help_request_id == request_id, HelpRequestEvent.event == "assigned")) == 1
