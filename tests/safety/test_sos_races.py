"""SOS presses that race, on real commits in a database of their own (tests/databases.py): the
resident and her relatives pressing at the same moment make one SOS — one alert, one request, the
family told once — and every press is answered (joined, never refused)."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from backend import create_app
from backend.alerts.models import Alert
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.notifications.models import Notification
from backend.safety.models import SosEvent, SosStep
from tests.client import ApiClient
from tests.conftest import FrozenClock
from tests.databases import own_database
from tests.factories import (
    make_building, make_community, make_grid, make_household, make_proxy, make_resident, make_user, make_volunteer,
    make_worker,
)
from tests.races import at_once

RELATIVES = 3


@pytest.fixture
def race_app(tmp_path):
    with own_database(tmp_path, "sos_races") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        app.extensions["linli_clock"] = FrozenClock(datetime(2026, 11, 26, 2, 0, tzinfo=UTC))
        with app.app_context():
            db.create_all()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_the_resident_and_her_relatives_pressing_at_once_make_one_sos(race_app):
    with race_app.app_context():
        community = make_community()
        grid = make_grid(community)
        make_worker(grid)
        account = make_user(community, "resident", name="王奶奶")
        resident = make_resident(make_household(make_building(grid)), user=account)
        relatives = [make_proxy(resident, "request_help", "receive_alerts") for _ in range(RELATIVES)]
        make_volunteer(community, grid=grid)
        db.session.commit()
        resident_id, phones = resident.id, [account.phone] + [relative.phone for relative in relatives]

    def prepare(phone):
        return ApiClient(race_app.test_client()).login(phone)

    def press(phone, client):
        answer = client.post(f"/api/v1/residents/{resident_id}/sos", {})
        return answer.status_code, answer.get_json()["id"]

    answers = at_once(phones, press, prepare=prepare)

    assert all(not isinstance(answer, Exception) for answer in answers), answers
    assert {status for status, _ in answers} == {200} and len({event_id for _, event_id in answers}) == 1
    with race_app.app_context():
        [event] = db.session.scalars(select(SosEvent)).all()
        assert event.presses == len(phones)
        actions = sorted(db.session.scalars(select(SosStep.action)))
        assert actions == ["joined"] * (len(phones) - 1) + ["pressed"]
        assert _count(Alert, Alert.kind == "sos") == 1
        assert _count(HelpRequest, HelpRequest.category == "sos") == 1
        assert _count(Notification, Notification.kind == "sos_family") == RELATIVES
