"""Sending a plan: each proposed pair becomes an offer (the request offered, the volunteer told), a
request given nobody goes to the waves, one that changed meanwhile is skipped and reported; a
planned volunteer who declines, or does not answer in time, sends the request to the waves without
them; a plan is sent once, and an Idempotency-Key replay answers the same."""
from datetime import UTC, datetime

from sqlalchemy import select

from backend.extensions import db
from backend.matching.models import Offer
from backend.matching.services.dispatch import WAVE_TIMER
from tests.batch.helpers import ask_tomorrow, item_for, make_plan, timers_of
from tests.help_requests.helpers import events_of, status_of
from tests.matching.helpers import notified_user_ids, offered_ids, volunteer_at, volunteers_in_a_row, waves
from tests.notifications.helpers import run_worker


def _offers(request_id: int) -> list[tuple[int, int, str]]:
    return [(offer.volunteer_id, offer.wave, offer.status) for offer in db.session.scalars(
        select(Offer).where(Offer.help_request_id == request_id).order_by(Offer.wave, Offer.id))]


def test_sending_offers_each_request_to_its_planned_volunteer(scene, phone_of):
    people = [volunteer_at(scene.community, scene.grid, km, load_cap=1) for km in (0.1, 0.5)]
    phone = phone_of(scene.resident_user)
    requests = [ask_tomorrow(phone, "09:00", "10:00"), ask_tomorrow(phone, "14:00", "15:00")]
    worker = phone_of(scene.worker)
    plan = make_plan(worker)
    response = worker.post(f"/api/v1/batch-plans/{plan['id']}/send")
    assert response.status_code == 200, response.get_json()
    sent = response.get_json()
    assert sent["status"] == "sent" and sent["sent_at"]
    for request in requests:
        item = item_for(sent, request.id)
        assert item["outcome"] == "offered"
        assert _offers(request.id) == [(item["volunteer_id"], 0, "offered")]
        assert status_of(request.id) == "offered" and events_of(request.id) == ["created", "offered"]
        assert waves(request.id) == []
    assert sorted(notified_user_ids("help_request_offer")) == sorted(user.id for user in people)
    mine = phone_of(people[0]).get("/api/v1/offers").get_json()["items"]
    assert len(mine) == 1 and mine[0]["wave"] == 0 and "km" in mine[0]["reasons"]


def test_a_request_given_nobody_goes_to_the_waves_when_sent(scene, phone_of):
    people = volunteers_in_a_row(scene.community, scene.grid, 5)
    request = ask_tomorrow(phone_of(scene.resident_user))
    worker = phone_of(scene.worker)
    plan = make_plan(worker)
    item = plan["items"][0]
    assert worker.patch(f"/api/v1/batch-plans/{plan['id']}/items/{item['id']}",
                        {"volunteer_id": None}).status_code == 200
    sent = worker.post(f"/api/v1/batch-plans/{plan['id']}/send").get_json()
    assert item_for(sent, request.id)["outcome"] == "waves"
    assert status_of(request.id) == "offered"
    [first_wave] = waves(request.id)
    assert len(first_wave) == 3 and set(first_wave) <= {user.volunteer_id for user in people}


def test_a_request_cancelled_or_taken_meanwhile_is_skipped_and_reported(scene, phone_of):
    volunteers_in_a_row(scene.community, scene.grid, 3)
    phone = phone_of(scene.resident_user)
    cancelled, taken, kept = (ask_tomorrow(phone, "09:00", "10:00"), ask_tomorrow(phone, "11:00", "12:00"),
                              ask_tomorrow(phone, "14:00", "15:00"))
    worker = phone_of(scene.worker)
    plan = make_plan(worker)
    assert phone.post(f"/api/v1/help-requests/{cancelled.id}/cancel", {}).status_code == 200
    assert worker.post(f"/api/v1/help-requests/{taken.id}/assign",
                       {"volunteer_id": item_for(plan, taken.id)["volunteer_id"]}).status_code == 200
    sent = worker.post(f"/api/v1/batch-plans/{plan['id']}/send").get_json()
    assert (item_for(sent, cancelled.id)["outcome"], item_for(sent, cancelled.id)["outcome_reason"]) == (
        "skipped", "cancelled")
    assert (item_for(sent, taken.id)["outcome"], item_for(sent, taken.id)["outcome_reason"]) == (
        "skipped", "accepted")
    assert item_for(sent, kept.id)["outcome"] == "offered"
    assert _offers(cancelled.id) == [] and status_of(cancelled.id) == "cancelled"
    assert status_of(taken.id) == "accepted" and _offers(taken.id) == []


def test_a_planned_volunteer_who_declines_sends_the_request_to_the_waves_without_them(scene, phone_of):
    people = volunteers_in_a_row(scene.community, scene.grid, 5)
    request = ask_tomorrow(phone_of(scene.resident_user))
    worker = phone_of(scene.worker)
    plan = make_plan(worker)
    planned = item_for(plan, request.id)["volunteer_id"]
    worker.post(f"/api/v1/batch-plans/{plan['id']}/send")
    [user] = [user for user in people if user.volunteer_id == planned]
    offer_id = db.session.scalar(select(Offer.id).where(Offer.help_request_id == request.id))
    assert phone_of(user).post(f"/api/v1/offers/{offer_id}/decline", {"reason": "那天不在家"}).status_code == 200
    assert status_of(request.id) == "offered"
    [first_wave] = waves(request.id)
    assert len(first_wave) == 3 and planned not in first_wave
    assert offer_id and (planned, 0, "declined") in _offers(request.id)


def test_a_planned_volunteer_who_does_not_answer_in_time_leaves_it_to_the_waves(app, clock, scene, phone_of):
    people = volunteers_in_a_row(scene.community, scene.grid, 5)
    request_id = ask_tomorrow(phone_of(scene.resident_user)).id
    worker = phone_of(scene.worker)
    plan = make_plan(worker)
    worker.post(f"/api/v1/batch-plans/{plan['id']}/send")
    planned = item_for(plan, request_id)["volunteer_id"]
    [timer] = timers_of("help_request", request_id, WAVE_TIMER)
    # Sent at 02:00 UTC: twelve hours to answer (the window, 06:00 UTC tomorrow, less six hours is later).
    assert timer.due_at == datetime(2026, 11, 26, 14, 0, tzinfo=UTC) and timer.payload == {"waves_sent": 0}
    clock.current = timer.due_at
    run_worker(app)
    [first_wave] = waves(request_id)
    assert planned not in first_wave and len(first_wave) == 3
    assert set(offered_ids(request_id, "offered")) == set(first_wave) | {planned}  # theirs stays open
    assert {user.volunteer_id for user in people} >= set(first_wave)


def test_a_plan_is_sent_once_and_a_replay_answers_the_same(scene, phone_of):
    volunteers_in_a_row(scene.community, scene.grid, 3)
    request = ask_tomorrow(phone_of(scene.resident_user))
    worker = phone_of(scene.worker)
    plan = make_plan(worker)
    path = f"/api/v1/batch-plans/{plan['id']}/send"
    first = worker.post(path, headers={"Idempotency-Key": "send-plan-1"})
    replay = worker.post(path, headers={"Idempotency-Key": "send-plan-1"})
    assert first.status_code == replay.status_code == 200
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json()["status"] == "sent" and replay.get_json()["id"] == plan["id"]
    again = worker.post(path)
    assert again.status_code == 409 and again.get_json()["reason"] == "plan_not_draft"
    assert len(_offers(request.id)) == 1
    item = plan["items"][0]
    edit = worker.patch(f"/api/v1/batch-plans/{plan['id']}/items/{item['id']}", {"volunteer_id": None})
    assert edit.status_code == 409 and edit.get_json()["reason"] == "plan_not_draft"


def test_a_discarded_plan_cannot_be_sent_and_its_requests_stay_held(scene, phone_of):
    volunteers_in_a_row(scene.community, scene.grid, 3)
    request = ask_tomorrow(phone_of(scene.resident_user))
    worker = phone_of(scene.worker)
    plan = make_plan(worker)
    assert worker.post(f"/api/v1/batch-plans/{plan['id']}/discard").get_json()["status"] == "discarded"
    assert worker.post(f"/api/v1/batch-plans/{plan['id']}/send").status_code == 409
    assert status_of(request.id) == "open" and timers_of("help_request", request.id, WAVE_TIMER)
    assert make_plan(worker)["requests"] == 1


def test_a_later_plan_does_not_count_on_a_volunteer_holding_a_planned_offer(scene, phone_of):
    near = volunteer_at(scene.community, scene.grid, 0.1, load_cap=1)
    farther = volunteer_at(scene.community, scene.grid, 0.8, load_cap=1)
    phone, worker = phone_of(scene.resident_user), phone_of(scene.worker)
    first = ask_tomorrow(phone, "09:00", "10:00")
    plan = make_plan(worker)
    assert item_for(plan, first.id)["volunteer_id"] == near.volunteer_id
    worker.post(f"/api/v1/batch-plans/{plan['id']}/send")
    later = ask_tomorrow(phone, "14:00", "15:00")
    again = make_plan(worker)
    assert again["requests"] == 1 and item_for(again, later.id)["volunteer_id"] == farther.volunteer_id
    item = item_for(again, later.id)
    response = worker.patch(f"/api/v1/batch-plans/{again['id']}/items/{item['id']}", {"volunteer_id": near.volunteer_id})
    assert response.status_code == 409 and response.get_json()["reason"] == "volunteer_at_capacity"


def test_a_later_plan_does_not_give_a_planned_volunteer_a_second_task_at_that_time(scene, phone_of):
    near = volunteer_at(scene.community, scene.grid, 0.1, load_cap=3)
    farther = volunteer_at(scene.community, scene.grid, 0.8, load_cap=3)
    phone, worker = phone_of(scene.resident_user), phone_of(scene.worker)
    ask_tomorrow(phone, "09:00", "11:00")
    plan = make_plan(worker)
    worker.post(f"/api/v1/batch-plans/{plan['id']}/send")
    clashing, free = ask_tomorrow(phone, "10:00", "10:30"), ask_tomorrow(phone, "14:00", "15:00")
    again = make_plan(worker)
    assert item_for(again, clashing.id)["volunteer_id"] == farther.volunteer_id
    assert item_for(again, free.id)["volunteer_id"] == near.volunteer_id
    item = item_for(again, clashing.id)
    response = worker.patch(f"/api/v1/batch-plans/{again['id']}/items/{item['id']}", {"volunteer_id": near.volunteer_id})
    assert response.status_code == 409 and response.get_json()["reason"] == "volunteer_busy_then"
