"""Planning tomorrow: the plan is the assignment engine's optimum on the core loop's scores (checked
against every feasible assignment of the stored candidates), shown beside first come, first served;
edits are refused for an ineligible volunteer, one the plan already fills, or one busy then; only
the grid's staff see a plan; bad input is a 4xx."""
import pytest

from backend.extensions import db
from backend.volunteers.models import Volunteer
from tests.batch.helpers import ask_tomorrow, brute_force_best, item_for, make_plan
from tests.matching.helpers import volunteer_at, volunteers_in_a_row


def _cap(user, load_cap):
    db.session.get(Volunteer, user.volunteer_id).load_cap = load_cap
    db.session.flush()


def test_the_plan_serves_more_than_first_come_first_served_when_the_first_takes_the_only_one(scene, phone_of):
    both = volunteer_at(scene.community, scene.grid, 0.1, skills=("companionship", "errands"))
    near = volunteer_at(scene.community, scene.grid, 0.6)
    phone = phone_of(scene.resident_user)
    first = ask_tomorrow(phone, "14:00", "16:00")
    second = ask_tomorrow(phone, "15:00", "17:00", category="errands")
    plan = make_plan(phone_of(scene.worker))
    assert plan["status"] == "draft" and plan["date"] == "2026-11-27" and plan["grid_ids"] == [scene.grid.id]
    assert plan["requests"] == 2 and plan["made_by"] == "worker"
    one, two = item_for(plan, first.id), item_for(plan, second.id)
    assert one["fcfs_volunteer_id"] == both.volunteer_id  # the best for the first, so the second gets nobody
    assert two["fcfs_volunteer_id"] is None
    assert (one["volunteer_id"], two["volunteer_id"]) == (near.volunteer_id, both.volunteer_id)
    assert plan["matched"] == plan["proposed_matched"] == 2 and plan["fcfs_matched"] == 1
    assert plan["fcfs_total_score"] == pytest.approx(one["candidates"][0]["score"])
    assert plan["total_score"] == pytest.approx(one["score"] + two["score"])
    assert one["reasons"].startswith("0.6 km") and one["reason_codes"][0] == "distance"
    assert [c["volunteer_id"] for c in one["candidates"]] == [both.volunteer_id, near.volunteer_id]
    assert one["address_as"] and one["building_label"] == "幸福里3幢" and "14:00" in one["when"]


def test_the_plan_is_the_best_feasible_assignment_of_the_ranking_s_scores(scene, phone_of):
    people = [volunteer_at(scene.community, scene.grid, km) for km in (0.1, 0.4, 0.9, 1.6)]
    for user, load_cap in zip(people, (1, 2, 1, 2)):
        _cap(user, load_cap)
    phone = phone_of(scene.resident_user)
    windows = [("09:00", "10:00"), ("09:30", "11:00"), ("10:00", "12:00"), ("14:00", "15:00"), ("14:30", "16:00"),
               ("09:00", "17:00")]
    requests = [ask_tomorrow(phone, start, end) for start, end in windows]
    plan = make_plan(phone_of(scene.worker))
    worker = phone_of(scene.worker)
    for request in requests:  # the stored candidates are the ranking's own, best first
        ranked = worker.get(f"/api/v1/help-requests/{request.id}/candidates").get_json()["candidates"]
        stored = item_for(plan, request.id)["candidates"]
        assert [(c["volunteer_id"], round(c["score"], 4)) for c in stored] == [
            (c["volunteer_id"], c["score"]) for c in ranked]
    capacity = {user.volunteer_id: load_cap for user, load_cap in zip(people, (1, 2, 1, 2))}
    best_total, _matched = brute_force_best(plan["items"], {("volunteer", vid): cap for vid, cap in capacity.items()})
    assert plan["proposed_total_score"] == pytest.approx(best_total, abs=1e-5)  # scores kept to six decimals
    assert plan["proposed_matched"] == 6  # six places for six requests, overlaps and all
    assert plan["fcfs_total_score"] <= plan["proposed_total_score"] + 1e-9
    given: dict[int, list] = {}
    for item in plan["items"]:
        if item["volunteer_id"] is not None:
            given.setdefault(item["volunteer_id"], []).append(item)
    for volunteer_id, items in given.items():
        assert len(items) <= capacity[volunteer_id]


def test_a_volunteer_s_open_tasks_leave_less_room_in_the_plan(scene, phone_of):
    from tests.help_requests.helpers import make_request

    busy = volunteer_at(scene.community, scene.grid, 0.1, load_cap=2)
    make_request(scene.resident, status="accepted", volunteer=busy)
    other = volunteer_at(scene.community, scene.grid, 0.8)
    phone = phone_of(scene.resident_user)
    morning, afternoon = ask_tomorrow(phone, "09:00", "10:00"), ask_tomorrow(phone, "14:00", "15:00")
    plan = make_plan(phone_of(scene.worker))
    chosen = {item_for(plan, morning.id)["volunteer_id"], item_for(plan, afternoon.id)["volunteer_id"]}
    assert chosen == {busy.volunteer_id, other.volunteer_id}  # capacity 2 − 1 open task: one of the two


def _two_overlapping(scene, phone_of, load_cap=2):
    people = [volunteer_at(scene.community, scene.grid, km, load_cap=load_cap) for km in (0.1, 0.5)]
    phone = phone_of(scene.resident_user)
    requests = [ask_tomorrow(phone, "14:00", "16:00"), ask_tomorrow(phone, "15:00", "17:00")]
    return people, requests


def test_changing_to_a_volunteer_busy_at_that_time_in_the_plan_is_refused(scene, phone_of):
    _people, requests = _two_overlapping(scene, phone_of)
    worker = phone_of(scene.worker)
    plan = make_plan(worker)
    first, second = item_for(plan, requests[0].id), item_for(plan, requests[1].id)
    response = worker.patch(f"/api/v1/batch-plans/{plan['id']}/items/{second['id']}",
                            {"volunteer_id": first["volunteer_id"]})
    assert response.status_code == 409 and response.get_json()["reason"] == "volunteer_busy_then"
    assert "同一时间" in response.get_json()["message"]


def test_changing_to_a_volunteer_the_plan_already_fills_is_refused(scene, phone_of):
    people = [volunteer_at(scene.community, scene.grid, km, load_cap=1) for km in (0.1, 0.5)]
    phone = phone_of(scene.resident_user)
    morning, afternoon = ask_tomorrow(phone, "09:00", "10:00"), ask_tomorrow(phone, "14:00", "15:00")
    worker = phone_of(scene.worker)
    plan = make_plan(worker)
    one, two = item_for(plan, morning.id), item_for(plan, afternoon.id)
    assert {one["volunteer_id"], two["volunteer_id"]} == {user.volunteer_id for user in people}
    response = worker.patch(f"/api/v1/batch-plans/{plan['id']}/items/{two['id']}",
                            {"volunteer_id": one["volunteer_id"]})
    assert response.status_code == 409 and response.get_json()["reason"] == "volunteer_at_capacity"


def test_changing_to_an_ineligible_volunteer_is_refused(scene, phone_of):
    volunteer_at(scene.community, scene.grid, 0.1)
    far = volunteer_at(scene.community, scene.grid, 12.0)  # beyond their 3 km
    errands_only = volunteer_at(scene.community, scene.grid, 0.2, skills=("errands",))
    request = ask_tomorrow(phone_of(scene.resident_user))
    worker = phone_of(scene.worker)
    plan = make_plan(worker)
    item = item_for(plan, request.id)
    for user in (far, errands_only):
        response = worker.patch(f"/api/v1/batch-plans/{plan['id']}/items/{item['id']}",
                                {"volunteer_id": user.volunteer_id})
        assert response.status_code == 409 and response.get_json()["reason"] == "volunteer_not_eligible"
    response = worker.patch(f"/api/v1/batch-plans/{plan['id']}/items/{item['id']}", {"volunteer_id": 987654})
    assert response.status_code == 409
    assert worker.get(f"/api/v1/batch-plans/{plan['id']}").get_json()["items"][0]["volunteer_id"] == item[
        "volunteer_id"]


def test_a_worker_changes_a_proposal_to_nobody_and_to_another_candidate(scene, phone_of):
    people, requests = _two_overlapping(scene, phone_of)
    worker = phone_of(scene.worker)
    plan = make_plan(worker)
    item = item_for(plan, requests[0].id)
    path = f"/api/v1/batch-plans/{plan['id']}/items/{item['id']}"
    response = worker.patch(path, {"volunteer_id": None})
    assert response.status_code == 200
    body = response.get_json()
    assert body["volunteer_id"] is None and body["score"] is None and body["edited_by_id"] == scene.worker.id
    after = worker.get(f"/api/v1/batch-plans/{plan['id']}").get_json()
    assert after["matched"] == 1 and after["proposed_matched"] == 2
    assert after["total_score"] < after["proposed_total_score"]
    back = worker.patch(path, {"volunteer_id": item["volunteer_id"]}).get_json()
    assert back["volunteer_id"] == item["volunteer_id"] and back["score"] == pytest.approx(item["score"])
    assert worker.get(path).get_json()["volunteer_name"] == item["volunteer_name"]


def test_a_new_plan_discards_the_earlier_draft_of_the_same_grids(scene, phone_of):
    volunteers_in_a_row(scene.community, scene.grid, 2)
    ask_tomorrow(phone_of(scene.resident_user))
    worker = phone_of(scene.worker)
    first, second = make_plan(worker), make_plan(worker)
    assert worker.get(f"/api/v1/batch-plans/{first['id']}").get_json()["status"] == "discarded"
    listed = worker.get("/api/v1/batch-plans?date=2026-11-27").get_json()
    assert [plan["id"] for plan in listed["items"]] == [second["id"], first["id"]] and listed["total"] == 2
    assert listed["items"][0]["items"] is None


def test_only_the_grid_s_staff_see_and_change_a_plan(scene, phone_of, make_client):
    volunteers_in_a_row(scene.community, scene.grid, 2)
    ask_tomorrow(phone_of(scene.resident_user))
    plan = make_plan(phone_of(scene.worker))
    item_path = f"/api/v1/batch-plans/{plan['id']}/items/{plan['items'][0]['id']}"
    stranger = phone_of(scene.other_worker)
    assert stranger.get(f"/api/v1/batch-plans/{plan['id']}").status_code == 404
    assert stranger.get(item_path).status_code == 404
    assert stranger.patch(item_path, {"volunteer_id": None}).status_code == 404
    assert stranger.post(f"/api/v1/batch-plans/{plan['id']}/send").status_code == 404
    assert stranger.get("/api/v1/batch-plans").get_json()["total"] == 0
    response = phone_of(scene.worker).post("/api/v1/batch-plans", {"date": "2026-11-27",
                                                                    "grid_ids": [scene.other_grid.id]})
    assert response.status_code == 404
    assert phone_of(scene.admin).get(f"/api/v1/batch-plans/{plan['id']}").status_code == 200
    for user in (scene.resident_user, scene.volunteer, scene.proxy):
        assert phone_of(user).post("/api/v1/batch-plans", {"date": "2026-11-27"}).status_code == 403
        assert phone_of(user).get(f"/api/v1/batch-plans/{plan['id']}").status_code == 403
    assert make_client().get(f"/api/v1/batch-plans/{plan['id']}").status_code == 401
    other_plan = make_plan(stranger)  # their own grid: planned, nothing held there
    assert other_plan["requests"] == 0 and other_plan["grid_ids"] == [scene.other_grid.id]
    assert phone_of(scene.worker).get(f"/api/v1/batch-plans/{other_plan['id']}").status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"date": "tomorrow"}, "date"),
    ({"date": "2026-11-26"}, "date"),  # today
    ({"date": "2026-11-25"}, "date"),
    ({"date": "2027-06-01"}, "date"),  # more than 60 days ahead
    ({"date": "2026-13-01"}, "date"),
    ({}, "date"),
    ({"date": "2026-11-27", "grid_ids": "1"}, "grid_ids"),
    ({"date": "2026-11-27", "grid_ids": []}, "grid_ids"),
    ({"date": "2026-11-27", "grid_ids": [0]}, "grid_ids"),
    ({"date": "2026-11-27", "grid_ids": ["1"]}, "grid_ids"),
    ({"date": "2026-11-27", "grid_ids": [10 ** 30]}, "grid_ids"),
    ({"date": "2026-11-27", "extra": 1}, "extra"),
])
def test_a_bad_plan_body_is_refused_with_the_field_named(scene, phone_of, body, field):
    response = phone_of(scene.worker).post("/api/v1/batch-plans", body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]


@pytest.mark.parametrize("body", [{}, {"volunteer_id": "3"}, {"volunteer_id": 0}, {"volunteer_id": 10 ** 30},
                                  {"volunteer_id": 1.5}, {"volunteer_id": True}])
def test_a_bad_item_body_is_refused(scene, phone_of, body):
    volunteers_in_a_row(scene.community, scene.grid, 1)
    ask_tomorrow(phone_of(scene.resident_user))
    worker = phone_of(scene.worker)
    plan = make_plan(worker)
    response = worker.patch(f"/api/v1/batch-plans/{plan['id']}/items/{plan['items'][0]['id']}", body)
    assert response.status_code == 422 and "volunteer_id" in response.get_json()["errors"]


def test_unknown_plans_and_items_are_not_found(scene, phone_of):
    volunteers_in_a_row(scene.community, scene.grid, 1)
    ask_tomorrow(phone_of(scene.resident_user))
    worker = phone_of(scene.worker)
    plan, other = make_plan(worker), make_plan(worker)
    for path in (f"/api/v1/batch-plans/{plan['id'] + 100}", f"/api/v1/batch-plans/{10 ** 30}",
                 f"/api/v1/batch-plans/{plan['id']}/items/{other['items'][0]['id']}",
                 f"/api/v1/batch-plans/{plan['id']}/items/{10 ** 30}"):
        response = worker.get(path)
        assert response.status_code == 404 and response.get_json()["reason"] == "not_found"
    assert worker.post(f"/api/v1/batch-plans/{10 ** 30}/send").status_code == 404


def test_the_plan_weighs_every_eligible_candidate_not_only_each_request_s_best(app, scene, phone_of):
    people = [volunteer_at(scene.community, scene.grid, km, load_cap=1) for km in (0.1, 0.3, 0.5)]
    phone = phone_of(scene.resident_user)
    requests = [ask_tomorrow(phone, "09:00", "10:00") for _ in range(3)]  # one building: the same best for all
    worker = phone_of(scene.worker)
    app.config["BATCH_CANDIDATES"] = 1
    try:
        capped = make_plan(worker)
    finally:
        app.config["BATCH_CANDIDATES"] = 0
    assert capped["matched"] == 1
    plan = make_plan(worker)
    assert plan["matched"] == 3
    assert sorted(item_for(plan, request.id)["volunteer_id"] for request in requests) == sorted(
        user.volunteer_id for user in people)
