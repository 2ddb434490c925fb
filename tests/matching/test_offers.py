"""A volunteer's offers: what they show (never the address, phone or full name), accepting (first
wins, the same volunteer again gets the same answer, later ones 409 task_already_taken and their
offer withdrawn, the resident's side told who is coming) and declining (all declined: the next
wave goes out at once)."""
from sqlalchemy import select

from backend.common.time import now
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.matching.services.dispatch import stage_close_offers, stage_dispatch
from backend.notifications.models import Notification
from backend.notifications.services.outbox import rendered
from tests.help_requests.helpers import status_of
from tests.matching.helpers import (
    ask, notified_user_ids, offer_of, offered_ids, pending_wave_timers, strings_in, volunteers_in_a_row, waves,
)

OFFERS = "/api/v1/offers"


def _asked_and_dispatched(scene, phone_of, count=3, body=None):
    people = volunteers_in_a_row(scene.community, scene.grid, count)
    request = ask(phone_of(scene.resident_user), body)
    stage_dispatch(request, now())
    db.session.commit()
    return people, request


def test_an_offer_shows_category_time_building_distance_and_reasons_but_never_who_or_where(scene, phone_of):
    people, request = _asked_and_dispatched(scene, phone_of)
    response = phone_of(people[0]).get(OFFERS)
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1 and body["page"] == 1
    [offer] = body["items"]
    assert offer["help_request_id"] == request.id
    assert (offer["category"], offer["category_label"], offer["asap"]) == ("companionship", "陪伴聊天", True)
    assert offer["building_label"] == "幸福里3幢" and offer["address_as"] == "王奶奶"
    assert offer["distance_km"] == 0.1 and offer["reasons"].startswith("0.1 km")
    resident, household = scene.resident, scene.household
    secrets = [resident.full_name, resident.phone, household.phone, household.address_text, household.door_number]
    for answer in (body, phone_of(people[0]).post(f"{OFFERS}/{offer['id']}/decline", {}).get_json()):
        for text in strings_in(answer):
            assert not any(secret in text for secret in secrets), text
    lock_screen = db.session.scalars(select(Notification).where(Notification.kind == "help_request_offer")).all()
    for notification in lock_screen:
        assert notification.data == {"help_request_id": request.id}
        assert notification.params == {"category": "陪伴聊天", "when": "尽快", "category_en": "Companionship",
                                       "when_en": "as soon as possible"}
        assert rendered(notification, "en") == ("New request: Companionship",
                                                "Companionship, as soon as possible. Open Linli to see if you can go.")
        assert rendered(notification, "zh-CN")[0] == "新的求助：陪伴聊天"
        assert not any(secret in text for text in strings_in(notification.params) for secret in secrets)


def test_a_volunteer_sees_only_their_own_open_offers(scene, phone_of):
    people, _request = _asked_and_dispatched(scene, phone_of, count=4)
    assert phone_of(people[3]).get(OFFERS).get_json()["items"] == []


def test_the_first_accept_wins_and_the_next_is_told_it_is_taken(scene, phone_of):
    people, request = _asked_and_dispatched(scene, phone_of)
    winner, loser = people[0], people[1]
    winner_offer, loser_offer = offer_of(request.id, winner).id, offer_of(request.id, loser).id
    first = phone_of(winner).post(f"{OFFERS}/{winner_offer}/accept")
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["status"] == "accepted"
    again = phone_of(winner).post(f"{OFFERS}/{winner_offer}/accept")
    assert (again.status_code, again.get_json()) == (200, first.get_json())
    late = phone_of(loser).post(f"{OFFERS}/{loser_offer}/accept")
    assert late.status_code == 409 and late.get_json()["reason"] == "task_already_taken"
    assert late.get_json()["message"] == "已被其他志愿者接单。"
    row = db.session.get(HelpRequest, request.id)
    assert (row.status, row.volunteer_id) == ("accepted", winner.volunteer_id)
    assert offered_ids(request.id, "withdrawn") == [loser.volunteer_id, people[2].volunteer_id]
    assert not pending_wave_timers(request.id)
    assert phone_of(people[2]).get(OFFERS).get_json()["items"] == []
    assert notified_user_ids("help_request_volunteer_coming") == [scene.resident_user.id, scene.proxy.id,
                                                                   scene.viewing_proxy.id]


def test_an_accept_with_an_idempotency_key_replays_the_same_answer(scene, phone_of):
    people, request = _asked_and_dispatched(scene, phone_of)
    phone = phone_of(people[0])
    offer_id = offer_of(request.id, people[0]).id
    headers = {"Idempotency-Key": "accept-1"}
    first = phone.post(f"{OFFERS}/{offer_id}/accept", headers=headers)
    second = phone.post(f"{OFFERS}/{offer_id}/accept", headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.get_json() == first.get_json()
    assert len(notified_user_ids("help_request_volunteer_coming")) == 3  # told once


def test_accepting_an_offer_of_a_cancelled_request_is_refused_and_the_offer_ends(scene, phone_of):
    people, request = _asked_and_dispatched(scene, phone_of)
    assert phone_of(scene.resident_user).post(f"/api/v1/help-requests/{request.id}/cancel", {}).status_code == 200
    response = phone_of(people[0]).post(f"{OFFERS}/{offer_of(request.id, people[0]).id}/accept")
    assert response.status_code == 409 and response.get_json()["reason"] == "invalid_transition"
    assert offer_of(request.id, people[0]).status == "expired"


def test_another_volunteers_offer_is_not_found(scene, phone_of):
    people, request = _asked_and_dispatched(scene, phone_of)
    offer_id = offer_of(request.id, people[0]).id
    for action in ("accept", "decline"):
        response = phone_of(people[1]).post(f"{OFFERS}/{offer_id}/{action}", {})
        assert response.status_code == 404 and response.get_json()["reason"] == "not_found"
    assert phone_of(people[1]).post(f"{OFFERS}/999999/accept").status_code == 404
    assert status_of(request.id) == "offered"


def test_when_everyone_offered_declines_the_next_wave_goes_out_at_once(scene, phone_of):
    people, request = _asked_and_dispatched(scene, phone_of, count=5)
    for user in people[:2]:
        response = phone_of(user).post(f"{OFFERS}/{offer_of(request.id, user).id}/decline", {"reason": "不在家"})
        assert response.status_code == 200 and response.get_json()["status"] == "declined"
    assert len(waves(request.id)) == 1
    phone_of(people[2]).post(f"{OFFERS}/{offer_of(request.id, people[2]).id}/decline", {})
    assert waves(request.id)[1] == [people[3].volunteer_id, people[4].volunteer_id]
    assert offer_of(request.id, people[0]).decline_reason == "不在家"
    [timer] = pending_wave_timers(request.id)
    assert timer.payload == {"waves_sent": 2}
    again = phone_of(people[0]).post(f"{OFFERS}/{offer_of(request.id, people[0]).id}/decline", {})
    assert again.status_code == 200 and len(waves(request.id)) == 2
    accept = phone_of(people[0]).post(f"{OFFERS}/{offer_of(request.id, people[0]).id}/accept")
    assert accept.status_code == 409 and accept.get_json()["reason"] == "offer_closed"


def test_a_bad_decline_reason_is_refused_and_changes_nothing(scene, phone_of):
    people, request = _asked_and_dispatched(scene, phone_of)
    response = phone_of(people[0]).post(f"{OFFERS}/{offer_of(request.id, people[0]).id}/decline",
                                        {"reason": "长" * 201})
    assert response.status_code == 422 and "reason" in response.get_json()["errors"]
    assert offer_of(request.id, people[0]).status == "offered"


def test_closing_the_offers_of_a_request_that_ended_cancels_its_wave_timer(scene, phone_of):
    people, request = _asked_and_dispatched(scene, phone_of)
    assert stage_close_offers(request.id) == 3
    db.session.commit()
    assert offered_ids(request.id, "expired") == [user.volunteer_id for user in people]
    assert not pending_wave_timers(request.id)


def test_when_everyone_declines_and_nobody_is_left_the_request_is_escalated_at_once(scene, phone_of):
    people, request = _asked_and_dispatched(scene, phone_of, count=2)
    for user in people:
        assert phone_of(user).post(f"{OFFERS}/{offer_of(request.id, user).id}/decline", {}).status_code == 200
    assert status_of(request.id) == "escalated"
    assert not pending_wave_timers(request.id)
    assert scene.worker.id in notified_user_ids("alert_raised")


def test_an_offer_goes_by_text_message_to_a_volunteer_who_chose_it(scene, phone_of):
    from backend.notifications.models import Delivery, NotificationPreference

    people = volunteers_in_a_row(scene.community, scene.grid, 2)
    db.session.add(NotificationPreference(user_id=people[0].id, sms_opt_in=True, quiet_start_minute=0,
                                          quiet_end_minute=0))
    db.session.flush()
    request = ask(phone_of(scene.resident_user))
    stage_dispatch(request, now())
    db.session.commit()
    by_user = {row.recipient_user_id: [delivery.channel for delivery in db.session.scalars(
        select(Delivery).where(Delivery.notification_id == row.id))]
        for row in db.session.scalars(select(Notification).where(Notification.kind == "help_request_offer"))}
    assert by_user == {people[0].id: ["sms"], people[1].id: []}
