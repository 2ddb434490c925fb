"""Task kinds: a plan takes any kind's held tasks beside help requests. Workers are assignees for
a kind that allows it, with BATCH_WORKER_CAPACITY for the day and no overlapping windows; a
volunteer's capacity is shared across kinds; the plan is still the best feasible assignment;
edits name a worker by `worker_id`; sending gives a worker their task ("assigned")."""
from datetime import datetime, timezone

import pytest

from backend.batch.tasks import KINDS, register
from tests.batch.doorstep_kind import DoorstepChecks
from tests.batch.helpers import ask_tomorrow, assignee_of, brute_force_best, item_for, make_plan
from tests.matching.helpers import volunteer_at


def _at(hour: int, minute: int = 0) -> datetime:
    """Tomorrow (27 November 2026) at hour:minute in Shanghai, as UTC."""
    return datetime(2026, 11, 27, hour - 8, minute, tzinfo=timezone.utc)


@pytest.fixture
def doorstep():
    kind = register(DoorstepChecks())
    yield kind
    KINDS.pop(kind.name)


def _doorstep_items(plan: dict) -> dict[int, dict]:
    return {item["task_id"]: item for item in plan["items"] if item["task_kind"] == "test_doorstep"}


def test_workers_take_the_tasks_of_a_kind_that_allows_them_within_their_capacity(app, monkeypatch, scene, doorstep, phone_of):
    monkeypatch.setitem(app.config, "BATCH_WORKER_CAPACITY", 2)
    worker = ("worker", scene.worker.id)
    ids = [doorstep.add(scene.grid.id, _at(9 + 2 * n), _at(10 + 2 * n), [worker + (0.9,)]) for n in range(3)]
    plan = make_plan(phone_of(scene.worker))
    items = _doorstep_items(plan)
    assert set(items) == set(ids) and plan["requests"] == 3
    given = [task_id for task_id, item in items.items() if item["worker_id"] == scene.worker.id]
    assert len(given) == 2 and plan["matched"] == 2  # capacity 2 of the three
    item = items[given[0]]
    assert item["assignee"] == "worker" and item["assignee_name"] == scene.worker.display_name
    assert item["volunteer_id"] is None and item["help_request_id"] is None and item["category_label"] == "上门看看"
    assert item["candidates"][0] == {"assignee": "worker", "volunteer_id": None, "worker_id": scene.worker.id,
                                     "name": scene.worker.display_name, "score": 0.9, "distance_km": None,
                                     "reasons": ""}


def test_a_worker_never_gets_two_tasks_at_once(scene, doorstep, phone_of):
    worker = ("worker", scene.worker.id)
    first = doorstep.add(scene.grid.id, _at(9), _at(11), [worker + (0.9,)])
    second = doorstep.add(scene.grid.id, _at(10), _at(12), [worker + (0.8,)])
    items = _doorstep_items(make_plan(phone_of(scene.worker)))
    assert items[first]["worker_id"] == scene.worker.id and items[second]["worker_id"] is None


def test_a_kind_that_does_not_allow_workers_never_plans_one(scene, doorstep, phone_of):
    doorstep.workers_allowed = False
    helper = volunteer_at(scene.community, scene.grid, 0.2)
    task = doorstep.add(scene.grid.id, _at(9), _at(10), [("worker", scene.worker.id, 0.99),
                                                        ("volunteer", helper.volunteer_id, 0.3)])
    item = _doorstep_items(make_plan(phone_of(scene.worker)))[task]
    assert item["assignee"] == "volunteer" and item["volunteer_id"] == helper.volunteer_id
    assert [c["assignee"] for c in item["candidates"]] == ["volunteer"]


def test_volunteers_and_workers_mixed_the_plan_is_the_best_feasible_assignment(app, monkeypatch, scene, doorstep, phone_of):
    monkeypatch.setitem(app.config, "BATCH_WORKER_CAPACITY", 1)
    people = [volunteer_at(scene.community, scene.grid, km, load_cap=1) for km in (0.1, 0.5)]
    phone = phone_of(scene.resident_user)
    asked = [ask_tomorrow(phone, "09:00", "10:00"), ask_tomorrow(phone, "09:30", "11:00")]
    a, b = (("volunteer", user.volunteer_id) for user in people)
    w, other = ("worker", scene.worker.id), ("worker", scene.other_worker.id)
    doorstep.add(scene.grid.id, _at(9), _at(10), [w + (0.7,), a + (0.8,)])
    doorstep.add(scene.grid.id, _at(13), _at(14), [w + (0.6,), b + (0.65,), other + (0.2,)])
    doorstep.add(scene.grid.id, _at(15), _at(16), [w + (0.5,), other + (0.4,)])
    plan = make_plan(phone_of(scene.worker))
    capacity = {a: 1, b: 1, w: 1, other: 1}
    best_total, best_matched = brute_force_best(plan["items"], capacity)
    assert plan["proposed_total_score"] == pytest.approx(best_total, abs=1e-5)
    assert plan["proposed_matched"] == best_matched
    assert plan["fcfs_total_score"] <= plan["proposed_total_score"] + 1e-9
    taken: dict = {}
    for item in plan["items"]:
        if assignee_of(item) is not None:
            taken.setdefault(assignee_of(item), []).append(item)
    assert all(len(items) <= capacity[key] for key, items in taken.items())  # each volunteer's one place is shared
    assert {item_for(plan, request.id)["volunteer_id"] for request in asked} <= {a[1], b[1], None}


def test_what_a_worker_already_holds_that_day_counts_and_blocks_its_time(app, monkeypatch, scene, doorstep, phone_of):
    monkeypatch.setitem(app.config, "BATCH_WORKER_CAPACITY", 2)
    worker = ("worker", scene.worker.id)
    doorstep.held_in_hand[worker] = [(_at(9), _at(10))]
    clash = doorstep.add(scene.grid.id, _at(9, 30), _at(10, 30), [worker + (0.9,)])
    free = doorstep.add(scene.grid.id, _at(14), _at(15), [worker + (0.8,)])
    later = doorstep.add(scene.grid.id, _at(16), _at(17), [worker + (0.7,)])
    items = _doorstep_items(make_plan(phone_of(scene.worker)))
    assert items[clash]["worker_id"] is None
    assert [items[free]["worker_id"], items[later]["worker_id"]].count(scene.worker.id) == 1  # 2 − 1 held


def test_a_worker_is_chosen_by_hand_with_worker_id_and_refused_in_plain_words(app, monkeypatch, scene, doorstep, phone_of):
    monkeypatch.setitem(app.config, "BATCH_WORKER_CAPACITY", 1)
    helper = volunteer_at(scene.community, scene.grid, 0.2)
    worker, other = ("worker", scene.worker.id), ("worker", scene.other_worker.id)
    morning = doorstep.add(scene.grid.id, _at(9), _at(10), [("volunteer", helper.volunteer_id, 0.9), worker + (0.5,)])
    noon = doorstep.add(scene.grid.id, _at(12), _at(13), [worker + (0.8,)])
    request = ask_tomorrow(phone_of(scene.resident_user), "15:00", "16:00")
    phone = phone_of(scene.worker)
    plan = make_plan(phone)
    items = _doorstep_items(plan)
    assert items[morning]["volunteer_id"] == helper.volunteer_id and items[noon]["worker_id"] == scene.worker.id
    path = f"/api/v1/batch-plans/{plan['id']}/items/{items[morning]['id']}"
    full = phone.patch(path, {"worker_id": scene.worker.id})
    assert full.status_code == 409 and full.get_json()["reason"] == "worker_at_capacity"
    assert phone.patch(path, {"worker_id": other[1]}).get_json()["reason"] == "worker_not_eligible"
    assert phone.patch(f"/api/v1/batch-plans/{plan['id']}/items/{items[noon]['id']}",
                       {"volunteer_id": None}).status_code == 200
    changed = phone.patch(path, {"worker_id": scene.worker.id})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["assignee"] == "worker" and changed.get_json()["volunteer_id"] is None
    help_item = item_for(plan, request.id)
    refused = phone.patch(f"/api/v1/batch-plans/{plan['id']}/items/{help_item['id']}", {"worker_id": scene.worker.id})
    assert refused.status_code == 409 and refused.get_json()["reason"] == "worker_not_eligible"  # help requests: volunteers only
    assert "工作人员" in refused.get_json()["message"]


def test_a_worker_busy_then_in_the_plan_is_refused(scene, doorstep, phone_of):
    worker = ("worker", scene.worker.id)
    first = doorstep.add(scene.grid.id, _at(9), _at(11), [worker + (0.9,)])
    second = doorstep.add(scene.grid.id, _at(10), _at(12), [worker + (0.8,), ("worker", scene.other_worker.id, 0.1)])
    phone = phone_of(scene.worker)
    plan = make_plan(phone)
    items = _doorstep_items(plan)
    assert items[first]["worker_id"] == scene.worker.id
    response = phone.patch(f"/api/v1/batch-plans/{plan['id']}/items/{items[second]['id']}", {"worker_id": scene.worker.id})
    assert response.status_code == 409 and response.get_json()["reason"] == "worker_busy_then"


@pytest.mark.parametrize("body", [{"volunteer_id": 3, "worker_id": 4}, {"worker_id": None}, {"worker_id": "4"},
                                  {"worker_id": 0}, {"worker_id": 10 ** 30}])
def test_a_bad_assignee_body_is_refused(scene, doorstep, phone_of, body):
    task = doorstep.add(scene.grid.id, _at(9), _at(10), [("worker", scene.worker.id, 0.9)])
    phone = phone_of(scene.worker)
    plan = make_plan(phone)
    item = _doorstep_items(plan)[task]
    response = phone.patch(f"/api/v1/batch-plans/{plan['id']}/items/{item['id']}", body)
    assert response.status_code == 422, response.get_json()
    assert set(response.get_json()["errors"]) & {"volunteer_id", "worker_id"}
    assert phone.get(f"/api/v1/batch-plans/{plan['id']}/items/{item['id']}").get_json()["worker_id"] == scene.worker.id


def test_sending_gives_workers_their_tasks_and_the_rest_their_waves(app, monkeypatch, scene, doorstep, phone_of):
    monkeypatch.setitem(app.config, "BATCH_WORKER_CAPACITY", 1)
    helper = volunteer_at(scene.community, scene.grid, 0.2)
    worker = ("worker", scene.worker.id)
    mine = doorstep.add(scene.grid.id, _at(9), _at(10), [worker + (0.9,)])
    theirs = doorstep.add(scene.grid.id, _at(11), _at(12), [("volunteer", helper.volunteer_id, 0.9)])
    nobody = doorstep.add(scene.grid.id, _at(13), _at(14), [worker + (0.2,)])
    gone = doorstep.add(scene.grid.id, _at(15), _at(16), [("worker", scene.other_worker.id, 0.5)])
    phone = phone_of(scene.worker)
    plan = make_plan(phone)
    doorstep.closed.add(gone)
    sent = phone.post(f"/api/v1/batch-plans/{plan['id']}/send")
    assert sent.status_code == 200, sent.get_json()
    outcomes = {item["task_id"]: (item["outcome"], item["outcome_reason"]) for item in _doorstep_items(sent.get_json()).values()}
    assert outcomes == {mine: ("assigned", None), theirs: ("offered", None), nobody: ("waves", None),
                        gone: ("skipped", "closed")}
    assert sorted(doorstep.sent) == sorted([(mine, worker, "assigned"), (theirs, ("volunteer", helper.volunteer_id), "offered"),
                                            (nobody, None, "waves"), (gone, None, "skipped")])
