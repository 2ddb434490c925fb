"""Asking for help, the lists, a request with its timeline, and cancelling."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.help_requests.models import HelpRequest, HelpRequestEvent
from backend.people.models import ProxyScope
from tests.factories import make_building, make_community, make_household, make_resident, make_user
from tests.help_requests.helpers import events_of, make_request, status_of

URL = "/api/v1/help-requests"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_resident_asks_for_themself_in_one_request(scene, phone_of):
    response = phone_of(scene.resident_user).post(URL, {"category": "errands", "description": "买菜", "urgency": "urgent"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "open" and body["on_behalf"] == "resident" and body["asap"] is True
    assert body["resident"] == {"id": scene.resident.id, "address_as": "王奶奶", "building_label": "幸福里3幢"}
    assert (body["lat"], body["lng"]) == (30.27, 120.15)  # the building's, as the household has none
    assert [step["event"] for step in body["timeline"]] == ["created"]
    assert body["timeline"][0]["actor"]["id"] == scene.resident_user.id
    assert body["grid_id"] == scene.grid.id


def test_a_proxy_and_a_worker_ask_on_the_residents_behalf_and_it_is_recorded(scene, phone_of):
    for user, on_behalf in ((scene.proxy, "proxy"), (scene.worker, "worker"), (scene.admin, "worker")):
        response = phone_of(user).post(URL, {"resident_id": scene.resident.id, "category": "welfare_check"})
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["on_behalf"] == on_behalf
        assert response.get_json()["created_by"]["id"] == user.id


def test_a_window_with_preferences_and_a_position_is_kept(scene, phone_of):
    response = phone_of(scene.resident_user).post(URL, {
        "category": "other", "window_start": "2026-11-27T14:00:00+08:00", "window_end": "2026-11-27T16:00:00+08:00",
        "preferred_gender": "female", "preferred_language": "cantonese", "lat": 30.2701, "lng": 120.1502})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["asap"] is False
    assert body["window_start"] == "2026-11-27T06:00:00+00:00" and body["window_end"] == "2026-11-27T08:00:00+00:00"
    assert (body["preferred_gender"], body["preferred_language"]) == ("female", "cantonese")
    assert (body["lat"], body["lng"]) == (30.2701, 120.1502)


BAD_BODIES = [
    ({}, "category"),
    ({"category": "dragon_slaying"}, "category"),
    ({"category": ""}, "category"),
    ({"category": "errands", "description": "长" * 501}, "description"),
    ({"category": "errands", "urgency": "very"}, "urgency"),
    ({"category": "errands", "asap": True, "window_start": "2026-11-27T06:00:00+00:00",
      "window_end": "2026-11-27T08:00:00+00:00"}, "window_start"),
    ({"category": "errands", "asap": False}, "window_start"),
    ({"category": "errands", "window_start": "2026-11-27T06:00:00+00:00"}, "window_end"),
    ({"category": "errands", "window_start": "2026-11-27T08:00:00+00:00",
      "window_end": "2026-11-27T06:00:00+00:00"}, "window_end"),
    ({"category": "errands", "window_start": "2026-11-20T06:00:00+00:00",
      "window_end": "2026-11-20T08:00:00+00:00"}, "window_end"),
    ({"category": "errands", "window_start": "2027-11-20T06:00:00+00:00",
      "window_end": "2027-11-20T08:00:00+00:00"}, "window_start"),
    ({"category": "errands", "window_start": "2026-11-27T06:00:00", "window_end": "2026-11-27T08:00:00"},
     "window_start"),
    ({"category": "errands", "lat": 30.27}, "lat"),
    ({"category": "errands", "lat": 91, "lng": 120}, "lat"),
    ({"category": "errands", "preferred_gender": "robot"}, "preferred_gender"),
    ({"category": "errands", "preferred_language": "klingon"}, "preferred_language"),
    ({"category": "errands", "colour": "red"}, "colour"),
    ({"category": 7}, "category"),
]


@pytest.mark.parametrize("body, field", BAD_BODIES)
def test_bad_input_is_refused_with_the_field_named_and_nothing_is_stored(scene, phone_of, body, field):
    response = phone_of(scene.resident_user).post(URL, body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()
    assert _count(HelpRequest) == 0 and _count(HelpRequestEvent) == 0


def test_a_body_that_is_not_json_is_a_400_not_a_500(scene, phone_of):
    phone = phone_of(scene.resident_user)
    response = phone.http.post(URL, data="{nope", content_type="application/json",
                               headers={"X-CSRF-Token": phone.csrf()})
    assert response.status_code == 400 and response.get_json()["reason"] == "malformed_json"
    assert _count(HelpRequest) == 0


def test_a_write_without_the_csrf_token_is_refused(scene, phone_of):
    response = phone_of(scene.resident_user).http.post(URL, json={"category": "errands"})
    assert response.status_code == 403 and response.get_json()["reason"] == "csrf_missing"


@pytest.mark.parametrize("status", ["away", "in_hospital", "moved_away", "deceased"])
def test_a_resident_who_is_not_active_cannot_ask(scene, phone_of, status):
    scene.resident.status = status
    response = phone_of(scene.worker).post(URL, {"resident_id": scene.resident.id, "category": "errands"})
    assert response.status_code == 409
    assert response.get_json()["reason"] == "resident_not_active" and "王奶奶" in response.get_json()["message"]
    assert _count(HelpRequest) == 0


def test_a_resident_cannot_ask_for_someone_else_nor_a_worker_outside_their_grid(scene, phone_of):
    stranger = make_resident(make_household(make_building(scene.other_grid)), address_as="李大爷")
    assert phone_of(scene.resident_user).post(URL, {"resident_id": stranger.id, "category": "errands"}).status_code == 404
    assert phone_of(scene.worker).post(URL, {"resident_id": stranger.id, "category": "errands"}).status_code == 404
    refused = phone_of(scene.viewing_proxy).post(URL, {"resident_id": scene.resident.id, "category": "errands"})
    assert refused.status_code == 403 and refused.get_json()["reason"] == "proxy_scope_missing"
    assert _count(HelpRequest) == 0


def test_a_worker_must_say_for_whom(scene, phone_of):
    response = phone_of(scene.worker).post(URL, {"category": "errands"})
    assert response.status_code == 422 and "resident_id" in response.get_json()["errors"]


def test_an_idempotency_key_makes_a_retried_ask_one_request(scene, phone_of):
    phone = phone_of(scene.resident_user)
    first = phone.post(URL, {"category": "errands"}, headers={"Idempotency-Key": "ask-1"})
    again = phone.post(URL, {"category": "errands"}, headers={"Idempotency-Key": "ask-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json()["id"] == first.get_json()["id"]
    assert _count(HelpRequest) == 1
    clash = phone.post(URL, {"category": "meal_delivery"}, headers={"Idempotency-Key": "ask-1"})
    assert clash.status_code == 422 and clash.get_json()["reason"] == "idempotency_mismatch"


# Lists

def _ids(response) -> set[int]:
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    return {item["id"] for item in body["items"]}


def test_each_caller_lists_only_their_own_requests(scene, phone_of):
    mine = make_request(scene.resident, volunteer=scene.volunteer, status="accepted")
    other_resident = make_resident(make_household(make_building(scene.other_grid)), address_as="李大爷")
    theirs = make_request(other_resident)
    assert _ids(phone_of(scene.resident_user).get(URL)) == {mine.id}
    assert _ids(phone_of(scene.proxy).get(URL)) == {mine.id}
    assert _ids(phone_of(scene.viewing_proxy).get(URL)) == {mine.id}
    assert _ids(phone_of(scene.volunteer).get(URL)) == {mine.id}
    assert _ids(phone_of(scene.other_volunteer).get(URL)) == set()
    assert _ids(phone_of(scene.worker).get(URL)) == {mine.id}
    assert _ids(phone_of(scene.other_worker).get(URL)) == {theirs.id}
    assert _ids(phone_of(scene.admin).get(URL)) == {mine.id, theirs.id}
    outsider = make_user(make_community("别的社区"), "admin")
    assert _ids(phone_of(outsider).get(URL)) == set()


def test_a_worker_filters_their_grid_by_status(scene, phone_of):
    open_one = make_request(scene.resident)
    make_request(scene.resident, status="cancelled")
    worker = phone_of(scene.worker)
    assert _ids(worker.get(URL, query_string={"status": "open"})) == {open_one.id}
    assert _ids(worker.get(URL, query_string={"grid_id": scene.grid.id, "status": "open"})) == {open_one.id}
    assert _ids(worker.get(URL, query_string={"grid_id": scene.other_grid.id})) == set()
    assert worker.get(URL, query_string={"status": "lost"}).status_code == 422
    assert worker.get(URL, query_string={"grid": 1}).status_code == 422
    assert worker.get(URL, query_string={"per_page": 1000}).status_code == 422


def test_a_worker_lists_what_needs_them_oldest_first(scene, phone_of):
    from backend.common.time import now
    from backend.matching.services.dispatch import WAVE_TIMER, owner
    from backend.notifications import timers

    nobody_for_it = make_request(scene.resident)
    escalated = make_request(scene.resident, status="escalated")
    nobody_for_it.created_at = now() - timedelta(minutes=30)
    escalated.created_at = now() - timedelta(minutes=20)
    waiting_for_its_wave = make_request(scene.resident)  # scheduled: its first wave goes out later
    timers.schedule(WAVE_TIMER, now() + timedelta(days=2), owner(waiting_for_its_wave.id))
    make_request(scene.resident, status="offered")
    make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    db.session.commit()
    worker = phone_of(scene.worker)
    body = worker.get(URL, query_string={"needs_worker": "true", "order": "oldest"}).get_json()
    assert [item["id"] for item in body["items"]] == [nobody_for_it.id, escalated.id]
    newest_first = worker.get(URL, query_string={"needs_worker": "true"}).get_json()["items"]
    assert [item["id"] for item in newest_first] == [escalated.id, nobody_for_it.id]
    assert _ids(worker.get(URL, query_string={"needs_worker": "true", "status": "open"})) == {nobody_for_it.id}
    assert len(_ids(worker.get(URL))) == 5  # without the filter: all of them
    refused = worker.get(URL, query_string={"order": "sideways"})
    assert refused.status_code == 422 and "order" in refused.get_json()["errors"]
    assert worker.get(URL, query_string={"needs_worker": "perhaps"}).status_code == 422


def test_the_list_is_paged(scene, phone_of):
    for _ in range(3):
        make_request(scene.resident)
    body = phone_of(scene.worker).get(URL, query_string={"per_page": 2, "page": 2}).get_json()
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (3, 2, 2, 1)


def test_a_proxy_whose_scopes_were_withdrawn_no_longer_sees_the_requests(scene, phone_of):
    make_request(scene.resident)
    for link_scope in db.session.scalars(select(ProxyScope)):
        link_scope.withdrawn_at = link_scope.granted_at
    assert _ids(phone_of(scene.proxy).get(URL)) == set()


def test_a_provider_may_not_list(scene, phone_of):
    provider = make_user(scene.community, "provider")
    assert phone_of(provider).get(URL).status_code == 403


# One request

def test_the_detail_has_the_whole_timeline(scene, phone_of, clock):
    resident = phone_of(scene.resident_user)
    request_id = resident.post(URL, {"category": "errands"}).get_json()["id"]
    worker = phone_of(scene.worker)
    clock.advance(minutes=1)
    worker.post(f"{URL}/{request_id}/assign", {"volunteer_id": scene.volunteer.volunteer_id})
    clock.advance(minutes=1)
    resident.post(f"{URL}/{request_id}/cancel", {"reason": "女儿回来了"})
    body = worker.get(f"{URL}/{request_id}").get_json()
    timeline = [(step["event"], step["from_status"], step["to_status"]) for step in body["timeline"]]
    assert timeline == [("created", None, "open"), ("assigned", "open", "accepted"), ("cancelled", "accepted", "cancelled")]
    assert body["timeline"][2]["reason"] == "女儿回来了"
    assert body["timeline"][1]["data"] == {"volunteer_id": scene.volunteer.volunteer_id}


def test_an_unknown_request_is_404(scene, phone_of):
    response = phone_of(scene.worker).get(f"{URL}/999999")
    assert response.status_code == 404 and response.get_json()["reason"] == "not_found"


# Cancelling

@pytest.mark.parametrize("status", ["open", "offered", "escalated"])
def test_cancelling_before_acceptance_is_free_at_any_time(scene, phone_of, clock, status):
    request = make_request(scene.resident, status=status)
    clock.advance(hours=5)
    response = phone_of(scene.resident_user).post(f"{URL}/{request.id}/cancel", {})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert events_of(request.id)[-1] == "cancelled"


def test_an_accepted_request_cancels_freely_for_ten_minutes_then_only_with_a_reason(scene, phone_of, clock):
    quick = make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    late = make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    resident = phone_of(scene.resident_user)
    clock.advance(minutes=10)
    assert resident.post(f"{URL}/{quick.id}/cancel", {}).status_code == 200
    clock.advance(seconds=1)
    refused = resident.post(f"{URL}/{late.id}/cancel", {})
    assert refused.status_code == 422 and refused.get_json()["reason"] == "reason_required"
    assert "reason" in refused.get_json()["errors"]
    assert status_of(late.id) == "accepted" and events_of(late.id) == ["created"]
    assert resident.post(f"{URL}/{late.id}/cancel", {"reason": "   "}).status_code == 422
    done = resident.post(f"{URL}/{late.id}/cancel", {"reason": "已经不需要了"})
    assert done.status_code == 200 and done.get_json()["timeline"][-1]["reason"] == "已经不需要了"


def test_a_cancel_reason_too_long_is_refused(scene, phone_of):
    request = make_request(scene.resident)
    response = phone_of(scene.resident_user).post(f"{URL}/{request.id}/cancel", {"reason": "长" * 501})
    assert response.status_code == 422 and status_of(request.id) == "open"


def test_the_free_period_counts_from_asking(scene, phone_of, clock):
    request = make_request(scene.resident)
    clock.advance(minutes=9)
    request.accepted_at = clock.current - timedelta(minutes=1)
    request.status, request.volunteer_id = "accepted", scene.volunteer.volunteer_id
    assert phone_of(scene.resident_user).post(f"{URL}/{request.id}/cancel", {}).status_code == 200
