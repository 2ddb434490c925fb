"""Every step of a request through the API: allowed and refused from every status, assigning
(first wins, the same volunteer again is a no-op), withdrawing, reassigning, no-shows, check-in
and check-out with occurred_at and hours, and confirming with a call-back after a poor rating."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.help_requests.models import STATUSES, CallbackTask, HelpRequest, HelpRequestEvent
from backend.help_requests.services.assigning import reliability_counts, stage_transition
from backend.notifications.models import Notification
from backend.volunteers.models import Volunteer
from tests.factories import make_community, make_volunteer
from tests.help_requests.helpers import events_of, make_request, status_of, volunteer_id
from tests.matching.helpers import notified_user_ids

URL = "/api/v1/help-requests"

# action → (who acts, body, the statuses it is allowed from): DESIGN.md §4 written out.
ACTIONS = {
    "cancel": ("resident_user", lambda scene: {}, {"open", "offered", "escalated", "accepted"}),
    "withdraw": ("volunteer", lambda scene: {"reason": "临时有事"}, {"accepted"}),
    "assign": ("worker", lambda scene: {"volunteer_id": scene.other_volunteer.volunteer_id},
               {"open", "offered", "escalated"}),
    "reassign": ("worker", lambda scene: {"volunteer_id": scene.other_volunteer.volunteer_id}, {"accepted"}),
    "check-in": ("volunteer", lambda scene: {}, {"accepted"}),
    "check-out": ("volunteer", lambda scene: {}, {"in_progress"}),
    "confirm": ("resident_user", lambda scene: {"rating": 4}, {"completed"}),
    "no-show": ("proxy", lambda scene: {}, {"accepted"}),
}
# Withdrawing and a no-show open the request again, and it goes out at once to the scene's other
# on-duty volunteers (the matching slice): offered.
NEXT = {"cancel": "cancelled", "withdraw": "offered", "assign": "accepted", "reassign": "accepted",
        "check-in": "in_progress", "check-out": "completed", "confirm": "confirmed", "no-show": "offered"}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("status", STATUSES)
def test_every_action_from_every_status_is_allowed_or_refused_as_designed(scene, phone_of, status, action):
    who, body, allowed_from = ACTIONS[action]
    request = make_request(scene.resident, status=status, volunteer=scene.volunteer)
    response = phone_of(getattr(scene, who)).post(f"{URL}/{request.id}/{action}", body(scene))
    if status in allowed_from:
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["status"] == NEXT[action] == status_of(request.id)
        assert len(events_of(request.id)) > 1
    else:
        assert response.status_code == 409, response.get_json()
        assert response.get_json()["reason"] in ("invalid_transition", "task_already_taken")
        assert response.get_json()["message"]
        assert status_of(request.id) == status and events_of(request.id) == ["created"]


@pytest.mark.parametrize("event, start, end", [
    ("offered", "open", "offered"), ("escalated", "offered", "escalated"), ("expired", "escalated", "expired")])
def test_the_system_transitions_are_staged_with_their_step(scene, event, start, end):
    request = make_request(scene.resident, status=start)
    stage_transition(request.id, event, reason="wave_3_closed" if event == "escalated" else None)
    db.session.commit()
    assert status_of(request.id) == end
    step = db.session.scalars(select(HelpRequestEvent).where(HelpRequestEvent.help_request_id == request.id)
                              .order_by(HelpRequestEvent.id.desc())).first()
    assert (step.event, step.from_status, step.to_status, step.actor_id) == (event, start, end, None)


# Assigning

def test_a_worker_assigns_and_the_same_volunteer_again_changes_nothing(scene, phone_of):
    request = make_request(scene.resident, status="escalated")
    worker = phone_of(scene.worker)
    first = worker.post(f"{URL}/{request.id}/assign", {"volunteer_id": scene.volunteer.volunteer_id})
    assert first.status_code == 200 and first.get_json()["volunteer"]["id"] == scene.volunteer.volunteer_id
    again = worker.post(f"{URL}/{request.id}/assign", {"volunteer_id": scene.volunteer.volunteer_id})
    assert again.status_code == 200 and again.get_json()["accepted_at"] == first.get_json()["accepted_at"]
    assert events_of(request.id) == ["created", "assigned"]
    taken = worker.post(f"{URL}/{request.id}/assign", {"volunteer_id": scene.other_volunteer.volunteer_id})
    assert taken.status_code == 409 and taken.get_json()["reason"] == "task_already_taken"
    assert db.session.get(HelpRequest, request.id).volunteer_id == scene.volunteer.volunteer_id
    # the volunteer learns they have a task, the resident's side who is coming: once each
    assert notified_user_ids("help_request_assigned") == [scene.volunteer.id]
    assert notified_user_ids("help_request_volunteer_coming") == [scene.resident_user.id, scene.proxy.id, scene.viewing_proxy.id]
    [assigned] = db.session.scalars(select(Notification).where(Notification.kind == "help_request_assigned"))
    assert assigned.params == {"category": "陪伴聊天", "when": "尽快", "category_en": "Companionship",
                               "when_en": "as soon as possible"}  # what a lock screen may show, no more
    [shown] = phone_of(scene.volunteer).get("/api/v1/notifications").get_json()["items"]
    assert (shown["title"], shown["url"]) == ("您有一项新任务：陪伴聊天", f"/help-requests/{request.id}")



@pytest.mark.parametrize("status", ["pending", "suspended"])
def test_only_an_active_volunteer_can_be_assigned(scene, phone_of, status):
    request = make_request(scene.resident)
    db.session.get(Volunteer, scene.other_volunteer.volunteer_id).status = status
    response = phone_of(scene.worker).post(f"{URL}/{request.id}/assign",
                                           {"volunteer_id": scene.other_volunteer.volunteer_id})
    assert response.status_code == 409 and response.get_json()["reason"] == "volunteer_not_active"
    assert status_of(request.id) == "open"


@pytest.mark.parametrize("body", [{}, {"volunteer_id": "x"}, {"volunteer_id": 999999}, {"volunteer_id": None}])
def test_assigning_nobody_or_an_unknown_volunteer_is_refused(scene, phone_of, body):
    request = make_request(scene.resident)
    response = phone_of(scene.worker).post(f"{URL}/{request.id}/assign", body)
    assert response.status_code == 422, response.get_json()
    assert status_of(request.id) == "open" and events_of(request.id) == ["created"]


def test_a_volunteer_of_another_community_cannot_be_assigned(scene, phone_of):
    stranger = make_volunteer(make_community("别的社区"))
    request = make_request(scene.resident)
    response = phone_of(scene.worker).post(f"{URL}/{request.id}/assign", {"volunteer_id": volunteer_id(stranger)})
    assert response.status_code == 422 and "volunteer_id" in response.get_json()["errors"]


def test_reassigning_takes_it_from_one_volunteer_and_gives_it_to_another(scene, phone_of):
    request = make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    response = phone_of(scene.worker).post(f"{URL}/{request.id}/reassign", {
        "volunteer_id": scene.other_volunteer.volunteer_id, "reason": "原志愿者生病"})
    assert response.status_code == 200, response.get_json()
    steps = response.get_json()["timeline"][-2:]
    assert [(s["event"], s["from_status"], s["to_status"]) for s in steps] == [
        ("reassigned", "accepted", "open"), ("assigned", "open", "accepted")]
    assert steps[0]["data"] == {"volunteer_id": scene.volunteer.volunteer_id}
    assert [step["volunteer"] for step in steps] == [  # named, for the worker's timeline
        {"id": scene.volunteer.volunteer_id, "display_name": scene.volunteer.display_name},
        {"id": scene.other_volunteer.volunteer_id, "display_name": scene.other_volunteer.display_name}]
    assert response.get_json()["volunteer_id"] == scene.other_volunteer.volunteer_id
    assert reliability_counts(scene.volunteer.volunteer_id) == {"withdrawn": 0, "no_show": 0}
    # the first volunteer's phone no longer acts on it
    refused = phone_of(scene.volunteer).post(f"{URL}/{request.id}/check-in", {})
    assert refused.status_code == 403 and refused.get_json()["reason"] == "not_assigned_volunteer"
    # each is told: the new one has a task, the first need not go, the resident's side who comes
    assert notified_user_ids("help_request_assigned") == [scene.other_volunteer.id]
    assert notified_user_ids("help_request_reassigned_away") == [scene.volunteer.id]
    assert notified_user_ids("help_request_volunteer_coming") == [scene.resident_user.id, scene.proxy.id, scene.viewing_proxy.id]


def test_reassigning_to_an_inactive_volunteer_changes_nothing(scene, phone_of):
    request = make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    db.session.get(Volunteer, scene.other_volunteer.volunteer_id).status = "suspended"
    response = phone_of(scene.worker).post(f"{URL}/{request.id}/reassign",
                                           {"volunteer_id": scene.other_volunteer.volunteer_id})
    assert response.status_code == 409 and events_of(request.id) == ["created"]
    assert db.session.get(HelpRequest, request.id).volunteer_id == scene.volunteer.volunteer_id


# Withdrawing and no-shows

def test_a_withdrawal_needs_a_reason_opens_the_request_again_and_counts(scene, phone_of):
    request = make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    volunteer = phone_of(scene.volunteer)
    for body in ({}, {"reason": ""}, {"reason": "长" * 501}):
        assert volunteer.post(f"{URL}/{request.id}/withdraw", body).status_code == 422
    assert status_of(request.id) == "accepted"
    response = volunteer.post(f"{URL}/{request.id}/withdraw", {"reason": "腿疼"})
    assert response.status_code == 200
    assert db.session.get(HelpRequest, request.id).volunteer_id is None
    assert reliability_counts(scene.volunteer.volunteer_id) == {"withdrawn": 1, "no_show": 0}
    assert response.get_json()["full"] is False  # no longer theirs: the brief view


def test_another_volunteer_cannot_withdraw_or_check_in(scene, phone_of):
    request = make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    other = phone_of(scene.other_volunteer)
    assert other.post(f"{URL}/{request.id}/withdraw", {"reason": "x"}).status_code == 404
    assert other.post(f"{URL}/{request.id}/check-in", {}).status_code == 404
    assert status_of(request.id) == "accepted"


def test_a_no_show_opens_the_request_again_and_counts_against_the_volunteer(scene, phone_of):
    request = make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    response = phone_of(scene.worker).post(f"{URL}/{request.id}/no-show", {"reason": "等了一小时"})
    assert response.status_code == 200 and response.get_json()["status"] == "offered"  # open, then out again
    no_show, offered = response.get_json()["timeline"][-2:]
    assert (no_show["event"], no_show["to_status"], offered["event"]) == ("no_show", "open", "offered")
    assert no_show["data"] == {"volunteer_id": scene.volunteer.volunteer_id}
    assert scene.volunteer.volunteer_id not in offered["data"]["volunteer_ids"]  # asked again, without them
    assert reliability_counts(scene.volunteer.volunteer_id) == {"withdrawn": 0, "no_show": 1}


# Check-in and check-out

def _in_progress(scene, phone_of, clock, **check_in):
    request = make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    phone = phone_of(scene.volunteer)
    response = phone.post(f"{URL}/{request.id}/check-in", check_in)
    assert response.status_code == 200, response.get_json()
    return request, phone, response.get_json()


def test_check_in_near_the_building_is_not_flagged_far_away_is_flagged_not_refused(scene, phone_of, clock):
    _, _, near = _in_progress(scene, phone_of, clock, lat=30.2705, lng=120.1505)
    assert near["check_in_far"] is False and near["status"] == "in_progress"
    _, _, far = _in_progress(scene, phone_of, clock, lat=30.28, lng=120.15)  # about 1.1 km north
    assert far["check_in_far"] is True and far["status"] == "in_progress"


def test_the_far_distance_is_configurable(scene, phone_of, clock, app):
    app.config["HELP_REQUEST_CHECK_IN_FAR_METRES"] = 2000
    try:
        _, _, body = _in_progress(scene, phone_of, clock, lat=30.28, lng=120.15)
    finally:
        del app.config["HELP_REQUEST_CHECK_IN_FAR_METRES"]
    assert body["check_in_far"] is False


def test_an_offline_check_in_counts_from_when_it_happened(scene, phone_of, clock):
    request = make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    request.accepted_at = clock.current - timedelta(hours=3)
    phone = phone_of(scene.volunteer)
    tapped = clock.current - timedelta(hours=2)
    response = phone.post(f"{URL}/{request.id}/check-in", {"occurred_at": tapped.isoformat()})
    assert response.status_code == 200
    body = response.get_json()
    assert body["checked_in_at"] == tapped.isoformat() and body["check_in_received_at"] == clock.current.isoformat()
    assert body["timeline"][-1]["occurred_at"] == tapped.isoformat()
    out = phone.post(f"{URL}/{request.id}/check-out", {}).get_json()
    assert out["hours"] == 2.0 and out["status"] == "completed"


@pytest.mark.parametrize("when, field_error", [
    (timedelta(minutes=10), "future"), (timedelta(hours=-73), "too old"), (timedelta(hours=-2), "before acceptance")])
def test_implausible_check_in_times_are_refused_and_change_nothing(scene, phone_of, clock, when, field_error):
    request = make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    request.accepted_at = clock.current - timedelta(hours=1)
    response = phone_of(scene.volunteer).post(f"{URL}/{request.id}/check-in",
                                              {"occurred_at": (clock.current + when).isoformat()})
    assert response.status_code == 422, field_error
    assert "occurred_at" in response.get_json()["errors"]
    assert status_of(request.id) == "accepted" and events_of(request.id) == ["created"]


def test_a_check_out_before_the_check_in_is_refused(scene, phone_of, clock):
    request, phone, checked_in = _in_progress(scene, phone_of, clock)
    early = (clock.current - timedelta(minutes=30)).isoformat()
    response = phone.post(f"{URL}/{request.id}/check-out", {"occurred_at": early})
    assert response.status_code == 422 and status_of(request.id) == "in_progress"


@pytest.mark.parametrize("body", [{"lat": 30.27}, {"lat": 100, "lng": 120}, {"occurred_at": "yesterday"},
                                  {"occurred_at": "2026-11-26T09:00:00"}, {"lat": "north", "lng": 1},
                                  {"mood": "happy"}])
def test_bad_check_in_bodies_are_refused(scene, phone_of, body):
    request = make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    response = phone_of(scene.volunteer).post(f"{URL}/{request.id}/check-in", body)
    assert response.status_code == 422, response.get_json()
    assert status_of(request.id) == "accepted"


def test_hours_are_capped_per_category(scene, phone_of, clock, app):
    long_visit = make_request(scene.resident, status="in_progress", volunteer=scene.volunteer,
                              checked_in_ago=timedelta(hours=6))
    phone = phone_of(scene.volunteer)
    assert phone.post(f"{URL}/{long_visit.id}/check-out", {}).get_json()["hours"] == 4.0
    app.config["HELP_REQUEST_HOURS_CAPS"] = {"errands": 1.5}
    try:
        errand = make_request(scene.resident, status="in_progress", volunteer=scene.volunteer, category="errands",
                              checked_in_ago=timedelta(hours=2))
        assert phone.post(f"{URL}/{errand.id}/check-out", {}).get_json()["hours"] == 1.5
    finally:
        del app.config["HELP_REQUEST_HOURS_CAPS"]
    short = make_request(scene.resident, status="in_progress", volunteer=scene.volunteer,
                         checked_in_ago=timedelta(minutes=45))
    assert phone.post(f"{URL}/{short.id}/check-out", {}).get_json()["hours"] == 0.75


# Confirming

def test_a_good_rating_confirms_without_a_call_back(scene, phone_of):
    request = make_request(scene.resident, status="completed", volunteer=scene.volunteer)
    response = phone_of(scene.resident_user).post(f"{URL}/{request.id}/confirm", {"rating": 5, "comment": "很好"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["rating"], body["comment"]) == ("confirmed", 5, "很好")
    assert _count(CallbackTask) == 0


def test_a_poor_rating_opens_a_call_back_for_the_grid_and_tells_its_workers(scene, phone_of):
    request = make_request(scene.resident, status="completed", volunteer=scene.volunteer)
    response = phone_of(scene.proxy).post(f"{URL}/{request.id}/confirm", {"rating": 2})
    assert response.status_code == 200
    task = db.session.scalars(select(CallbackTask)).one()
    assert (task.help_request_id, task.grid_id, task.status) == (request.id, scene.grid.id, "open")
    notes = db.session.scalars(select(Notification).where(Notification.kind == "help_request_callback")).all()
    assert [note.recipient_user_id for note in notes] == [scene.worker.id]
    assert notes[0].data == {"help_request_id": request.id, "callback_task_id": task.id}
    assert "王奶奶" in notes[0].params["subject"]


@pytest.mark.parametrize("body", [{}, {"rating": 0}, {"rating": 6}, {"rating": "5"}, {"rating": 3.5},
                                  {"rating": 3, "comment": "长" * 501}, {"rating": 3, "stars": 3}])
def test_bad_ratings_are_refused_and_change_nothing(scene, phone_of, body):
    request = make_request(scene.resident, status="completed", volunteer=scene.volunteer)
    response = phone_of(scene.resident_user).post(f"{URL}/{request.id}/confirm", body)
    assert response.status_code == 422, response.get_json()
    assert status_of(request.id) == "completed" and _count(CallbackTask) == 0


def test_a_proxy_with_view_status_only_cannot_act(scene, phone_of):
    request = make_request(scene.resident, status="completed", volunteer=scene.volunteer)
    response = phone_of(scene.viewing_proxy).post(f"{URL}/{request.id}/confirm", {"rating": 5})
    assert response.status_code == 403 and response.get_json()["reason"] == "proxy_scope_missing"
    assert status_of(request.id) == "completed"


def test_the_whole_journey_leaves_a_complete_timeline(scene, phone_of, clock):
    resident = phone_of(scene.resident_user)
    request_id = resident.post(URL, {"category": "companionship"}).get_json()["id"]
    worker, volunteer = phone_of(scene.worker), phone_of(scene.volunteer)
    assert worker.post(f"{URL}/{request_id}/assign", {"volunteer_id": scene.volunteer.volunteer_id}).status_code == 200
    assert volunteer.post(f"{URL}/{request_id}/withdraw", {"reason": "临时有事"}).status_code == 200
    assert worker.post(f"{URL}/{request_id}/assign", {"volunteer_id": scene.other_volunteer.volunteer_id}).status_code == 200
    assert resident.post(f"{URL}/{request_id}/no-show", {}).status_code == 200
    assert worker.post(f"{URL}/{request_id}/assign", {"volunteer_id": scene.volunteer.volunteer_id}).status_code == 200
    clock.advance(minutes=20)
    assert volunteer.post(f"{URL}/{request_id}/check-in", {}).status_code == 200
    clock.advance(minutes=90)
    assert volunteer.post(f"{URL}/{request_id}/check-out", {}).get_json()["hours"] == 1.5
    assert resident.post(f"{URL}/{request_id}/confirm", {"rating": 5}).status_code == 200
    timeline = worker.get(f"{URL}/{request_id}").get_json()["timeline"]
    assert [(s["event"], s["to_status"]) for s in timeline] == [
        ("created", "open"), ("offered", "offered"), ("assigned", "accepted"),
        ("withdrawn", "open"), ("offered", "offered"), ("assigned", "accepted"),
        ("no_show", "open"), ("offered", "offered"), ("assigned", "accepted"), ("checked_in", "in_progress"),
        ("checked_out", "completed"), ("confirmed", "confirmed")]
    assert all(a["to_status"] == b["from_status"] for a, b in zip(timeline, timeline[1:]))


def test_ids_no_row_can_have_are_refused_not_a_server_error(scene, phone_of):
    request = make_request(scene.resident)
    worker = phone_of(scene.worker)
    huge = 10**20
    assert worker.post(f"{URL}/{request.id}/assign", {"volunteer_id": huge}).status_code == 422
    assert worker.post(URL, {"resident_id": huge, "category": "errands"}).status_code == 422
    assert worker.get(URL, query_string={"resident_id": huge}).status_code == 422
    for action in ACTIONS:
        assert worker.post(f"{URL}/{huge}/{action}", {}).status_code in (403, 404, 422)
    assert worker.get(f"{URL}/{huge}").status_code == 404
    assert status_of(request.id) == "open"


def test_a_check_in_sent_twice_with_its_idempotency_key_is_one_check_in(scene, phone_of):
    request = make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    phone = phone_of(scene.volunteer)
    first = phone.post(f"{URL}/{request.id}/check-in", {}, headers={"Idempotency-Key": "check-in-1"})
    again = phone.post(f"{URL}/{request.id}/check-in", {}, headers={"Idempotency-Key": "check-in-1"})
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json()["status"] == "in_progress"
    assert events_of(request.id) == ["created", "checked_in"]


BAD_FIELDS = {"cancel": {"reason": 5}, "withdraw": {"reason": ["x"]}, "assign": {"volunteer_id": "one"},
              "reassign": {"volunteer_id": -3}, "check-in": {"lat": "x", "lng": "y"},
              "check-out": {"occurred_at": 12}, "confirm": {"rating": True}, "no-show": {"reason": {"a": 1}}}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_write_refuses_bad_bodies_and_changes_nothing(scene, phone_of, action):
    who, _, allowed_from = ACTIONS[action]
    status = sorted(allowed_from)[0]
    request = make_request(scene.resident, status=status, volunteer=scene.volunteer)
    phone = phone_of(getattr(scene, who))
    for body in ({"unexpected": 1}, BAD_FIELDS[action]):
        response = phone.post(f"{URL}/{request.id}/{action}", body)
        assert response.status_code == 422, (body, response.get_json())
        assert set(response.get_json()) == {"code", "status", "reason", "message", "errors"}
    not_json = phone.http.post(f"{URL}/{request.id}/{action}", data="{", content_type="application/json",
                               headers={"X-CSRF-Token": phone.csrf()})
    assert not_json.status_code == 400
    assert status_of(request.id) == status and events_of(request.id) == ["created"]
