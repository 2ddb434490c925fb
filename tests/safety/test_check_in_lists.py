"""Today's list of daily check-ins for the grid's staff: every enrolled resident of their grids and
where their day stands — missed first (the chain furthest on first), then still to come, checked
in (by tap or phone call), and not chased; counts per state that add up; other grids never shown."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from backend.extensions import db
from tests.factories import make_building, make_household, make_resident
from tests.help_requests.helpers import build_scene
from tests.notifications.helpers import run_worker

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONSENT = {"given_by": "resident", "giver_name": "本人"}


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 26, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def scene(clock):
    clock.current = _at(8)
    built = build_scene()
    building = built.household.building
    others = {name: make_resident(make_household(building), family_name=name[0], given_name="某",
                                  address_as=name) for name in ("李奶奶", "赵爷爷", "孙奶奶", "周爷爷")}
    stranger = make_resident(make_household(make_building(built.other_grid)), family_name="钱", given_name="某",
                             address_as="钱奶奶")
    db.session.commit()
    return built, others, stranger


def _enrol(worker, resident_id, deadline):
    response = worker.post(f"/api/v1/residents/{resident_id}/check-in-enrolment",
                           {"deadline": deadline, "consent": CONSENT, "grace_minutes": 30, "second_grace_minutes": 30})
    assert response.status_code == 201, response.get_json()


def test_missed_come_first_by_how_far_the_chain_went_and_the_counts_add_up(app, scene, make_client, clock):
    built, others, stranger = scene
    worker = make_client().login(built.worker.phone)
    other_worker = make_client().login(built.other_worker.phone)
    _enrol(worker, built.resident.id, "09:00")  # missed at 09:00 → welfare check 09:30 → workers 10:00
    _enrol(worker, others["李奶奶"].id, "10:00")  # missed at 10:00: reminded
    _enrol(worker, others["赵爷爷"].id, "12:00")  # still to come
    _enrol(worker, others["孙奶奶"].id, "09:00")  # checks in by phone
    _enrol(worker, others["周爷爷"].id, "09:00")  # in hospital: not chased
    _enrol(other_worker, stranger.id, "09:00")  # another grid's
    clock.current = _at(8, 45)
    phoned = worker.post(f"/api/v1/residents/{others['孙奶奶'].id}/check-in",
                         {"occurred_at": _at(8, 40).isoformat()})
    assert phoned.status_code == 200
    zhou = others["周爷爷"].id
    assert worker.post(f"/api/v1/residents/{zhou}/status", {"status": "in_hospital"}).status_code == 200
    worker_phone, admin_phone = built.worker.phone, built.admin.phone

    clock.current = _at(10, 5)
    run_worker(app)
    worker = make_client().login(worker_phone)
    answer = worker.get("/api/v1/check-ins/today")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["today"] == "2026-11-26"
    assert [(e["address_as"], e["state"], e["chain_stage"]) for e in body["items"]] == [
        (built.resident.address_as, "missed", "workers_alerted"),
        ("李奶奶", "missed", "reminded"),
        ("赵爷爷", "waiting", None),
        ("孙奶奶", "checked_in", None),
        ("周爷爷", "paused", None),
    ]
    assert body["counts"] == {"missed": 2, "waiting": 1, "checked_in": 1, "paused": 1}
    assert sum(body["counts"].values()) == body["total"] == 5
    phoned_entry = body["items"][3]
    assert phoned_entry["via"] == "phone_call" and phoned_entry["checked_in_at"].startswith("2026-11-26T00:40")
    assert {e["building_label"] for e in body["items"]} == {"幸福里3幢"}

    only_missed = worker.get("/api/v1/check-ins/today?state=missed").get_json()
    assert [e["state"] for e in only_missed["items"]] == ["missed", "missed"]
    assert only_missed["total"] == 2 and only_missed["counts"] == body["counts"]
    admin = make_client().login(admin_phone).get("/api/v1/check-ins/today").get_json()
    assert admin["total"] == 6 and "钱奶奶" in [e["address_as"] for e in admin["items"]]

    # A late tap moves her to checked in; the rest stay where they were.
    resident = make_client().login(built.resident_user.phone)
    assert resident.post("/api/v1/me/check-in", {}).status_code == 200
    after = worker.get("/api/v1/check-ins/today").get_json()
    assert after["counts"] == {"missed": 1, "waiting": 1, "checked_in": 2, "paused": 1}
    assert [e["address_as"] for e in after["items"]][:1] == ["李奶奶"]


def test_a_grid_that_is_not_mine_is_not_found_and_bad_queries_are_refused(scene, make_client):
    built, _others, _stranger = scene
    worker = make_client().login(built.worker.phone)
    other = worker.get(f"/api/v1/check-ins/today?grid_id={built.other_grid.id}")
    assert other.status_code == 404 and other.get_json()["message"]
    mine = worker.get(f"/api/v1/check-ins/today?grid_id={built.grid.id}")
    assert mine.status_code == 200 and mine.get_json()["total"] == 0
    for query in ("state=lost", "per_page=0", "per_page=101", "grid=1", "grid_id=abc"):
        refused = worker.get(f"/api/v1/check-ins/today?{query}")
        assert refused.status_code == 422, query
        assert refused.get_json()["message"], query


def test_enrolled_after_today_s_deadline_has_missed_nothing_today(app, scene, make_client, clock):
    built, others, _stranger = scene
    clock.current = _at(15)
    worker_phone, li = built.worker.phone, others["李奶奶"].id  # the worker process ends the session
    worker = make_client().login(worker_phone)
    _enrol(worker, li, "10:00")  # first deadline: tomorrow 10:00
    [entry] = worker.get("/api/v1/check-ins/today").get_json()["items"]
    assert (entry["state"], entry["chain_stage"]) == ("waiting", None)
    clock.current = datetime(2026, 11, 27, 10, 5, tzinfo=SHANGHAI)
    run_worker(app)
    worker = make_client().login(worker_phone)
    [entry] = worker.get("/api/v1/check-ins/today").get_json()["items"]
    assert (entry["state"], entry["chain_stage"]) == ("missed", "reminded")
