"""The ledger under real concurrency, on real commits in a database of its own (SQLite, or
PostgreSQL with TEST_DATABASE_URL): phones giving and spending from the same accounts at the same
instant never overdraw one, never pay a task twice, never deadlock, and the balances always equal
the sums of the movements."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend import create_app
from backend.extensions import db
from backend.timebank.models import TimebankAccount
from tests.client import ApiClient
from tests.databases import own_database
from tests.help_requests.helpers import build_scene, make_request
from tests.races import at_once
from tests.timebank.helpers import (
    assert_ledger_holds, earn, link_family, member_minutes, transfers, volunteer_minutes,
)

TB = "/api/v1/timebank"
URL = "/api/v1/help-requests"
PHONES = 8


@pytest.fixture
def race_app(tmp_path):
    with own_database(tmp_path, "timebank_race") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _phones(app, users):
    def prepare(index):
        phone = ApiClient(app.test_client()).login(users[index])
        phone.csrf()
        return phone
    return prepare


def _outcome(response):
    body = response.get_json() or {}
    return response.status_code, body.get("reason") if response.status_code >= 400 else None


def _scene_with_family(app, hours: float):
    with app.app_context():
        scene = build_scene()
        link_family(scene.volunteer, scene.resident)
        earn(scene.volunteer, hours)
        db.session.commit()
        return scene


def test_eight_gifts_at_once_from_an_account_holding_five_hours_give_exactly_five(race_app):
    scene = _scene_with_family(race_app, 5)

    def give(index, phone):
        return _outcome(phone.post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 1}))

    results = at_once(range(PHONES), give, prepare=_phones(race_app, [scene.volunteer] * PHONES), ready_timeout=30)
    assert sorted(results, key=str) == sorted([(201, None)] * 5 + [(409, "timebank_not_enough_hours")] * 3, key=str), results
    with race_app.app_context():
        assert (volunteer_minutes(scene.volunteer), member_minutes(scene.resident)) == (0, 300)
        assert len(transfers(kind="gift")) == 5
        assert_ledger_holds()


def test_the_yearly_cap_holds_when_gifts_race(race_app):
    race_app.config["TIMEBANK_GIFT_YEARLY_CAP_HOURS"] = 3
    scene = _scene_with_family(race_app, 10)

    def give(index, phone):
        return _outcome(phone.post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 1}))

    results = at_once(range(PHONES), give, prepare=_phones(race_app, [scene.volunteer] * PHONES), ready_timeout=30)
    assert sorted(results, key=str) == sorted([(201, None)] * 3 + [(422, "timebank_gift_cap")] * 5, key=str), results
    with race_app.app_context():
        assert (volunteer_minutes(scene.volunteer), member_minutes(scene.resident)) == (7 * 60, 3 * 60)
        assert_ledger_holds()


def test_gifts_and_spending_between_the_same_two_accounts_at_once_in_both_directions(race_app):
    """The volunteer gives to their mother while her time-bank tasks, done by that same
    volunteer, are confirmed: transfers in both directions between two accounts at once."""
    tasks = PHONES // 2
    with race_app.app_context():
        scene = build_scene()
        link_family(scene.volunteer, scene.resident)
        link_family(scene.other_volunteer, scene.resident)
        earn(scene.volunteer, tasks)
        earn(scene.other_volunteer, tasks)
        db.session.commit()
    funding = ApiClient(race_app.test_client()).login(scene.other_volunteer)
    assert funding.post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": tasks}).status_code == 201
    with race_app.app_context():
        request_ids = []
        for _ in range(tasks):
            request = make_request(db.session.merge(scene.resident), status="completed", volunteer=scene.volunteer,
                                   checked_in_ago=timedelta(hours=1), timebank_service=True)
            request_ids.append(request.id)
        db.session.commit()
    users = [scene.resident_user] * tasks + [scene.volunteer] * tasks

    def act(index, phone):
        if index < tasks:
            return _outcome(phone.post(f"{URL}/{request_ids[index]}/confirm", {"rating": 5}))
        return _outcome(phone.post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 1}))

    results = at_once(range(2 * tasks), act, prepare=_phones(race_app, users), ready_timeout=30)
    assert results == [(200, None)] * tasks + [(201, None)] * tasks, results
    with race_app.app_context():
        assert (volunteer_minutes(scene.volunteer), member_minutes(scene.resident)) == (tasks * 60, tasks * 60)
        for request_id in request_ids:
            assert [(t.kind, t.minutes) for t in transfers(help_request_id=request_id)] == [("spend", 60)]
        assert_ledger_holds()


def test_confirming_one_task_from_eight_phones_at_once_pays_it_once(race_app):
    with race_app.app_context():
        scene = build_scene()
        request_id = make_request(scene.resident, status="completed", volunteer=scene.volunteer).id
        db.session.commit()
    users = [scene.resident_user, scene.proxy, scene.worker, scene.admin] * 2

    def confirm(index, phone):
        # workers and admins confirm with the note of their call to the resident
        return _outcome(phone.post(f"{URL}/{request_id}/confirm", {"rating": 4, "comment": "电话里说很满意"}))

    results = at_once(range(PHONES), confirm, prepare=_phones(race_app, users), ready_timeout=30)
    assert sorted(results, key=str) == sorted([(200, None)] + [(409, "invalid_transition")] * 7, key=str), results
    with race_app.app_context():
        assert [(t.kind, t.minutes) for t in transfers(help_request_id=request_id)] == [("verified", 60)]
        assert volunteer_minutes(scene.volunteer) == 60
        assert_ledger_holds()


def test_first_gifts_from_several_relatives_at_once_open_one_account(race_app):
    with race_app.app_context():
        scene = build_scene()
        givers = [scene.volunteer, scene.other_volunteer, scene.third_volunteer]
        for user in givers:
            link_family(user, scene.resident)
            earn(user, 2)
        db.session.commit()

    def give(index, phone):
        return _outcome(phone.post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 2}))

    results = at_once(range(len(givers)), give, prepare=_phones(race_app, givers), ready_timeout=30)
    assert results == [(201, None)] * len(givers), results
    with race_app.app_context():
        accounts = db.session.scalars(select(TimebankAccount).where(TimebankAccount.resident_id == scene.resident.id)).all()
        assert [account.balance_minutes for account in accounts] == [len(givers) * 120]
        assert_ledger_holds()
