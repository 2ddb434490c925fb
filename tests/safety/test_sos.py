"""SOS (issue 8): one press tells the grid's workers (an alert), the family (proxies with
receive_alerts; emergency contacts by SMS) and the nearest volunteers (an SOS request in big, quick
waves) in the same transaction; repeated presses join the open event; "我没事了，误按了" tells
everyone told; a worker closes the event with a note; who may do what."""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from backend.alerts.models import Alert
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.matching.models import Offer
from backend.notifications.models import Delivery, Notification
from backend.people.models import EmergencyContact, Resident
from backend.safety.models import SosEvent
from tests.factories import make_proxy
from tests.help_requests.helpers import build_scene
from tests.matching.helpers import notified_user_ids
from tests.notifications.helpers import notifications_of_kind, run_worker

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONTACT_PHONE = "13912345678"


@dataclass(frozen=True)
class Who:
    id: int
    phone: str | None = None


@dataclass(frozen=True)
class Cast:
    resident: Who
    address_as: str
    resident_user: Who
    family: Who  # receive_alerts and request_help
    proxy: Who  # view_status and request_help (no receive_alerts)
    viewing_proxy: Who  # view_status only
    worker: Who
    other_worker: Who
    admin: Who
    volunteers: tuple[Who, ...]


@pytest.fixture
def scene(clock):
    built = build_scene()
    family = make_proxy(built.resident, "receive_alerts", "request_help")
    db.session.add(EmergencyContact(resident_id=built.resident.id, name="王小明", relation="儿子", phone=CONTACT_PHONE))
    db.session.commit()
    people = (built.volunteer, built.other_volunteer, built.third_volunteer)
    return Cast(resident=Who(built.resident.id), address_as=built.resident.address_as,
                resident_user=Who(built.resident_user.id, built.resident_user.phone),
                family=Who(family.id, family.phone), proxy=Who(built.proxy.id, built.proxy.phone),
                viewing_proxy=Who(built.viewing_proxy.id, built.viewing_proxy.phone),
                worker=Who(built.worker.id, built.worker.phone),
                other_worker=Who(built.other_worker.id, built.other_worker.phone),
                admin=Who(built.admin.id, built.admin.phone),
                volunteers=tuple(Who(user.id, user.phone) for user in people))


@pytest.fixture
def phone_of(make_client):
    return lambda who: make_client().login(who.phone)


def _press(scene, phone, **headers):
    response = phone.post(f"/api/v1/residents/{scene.resident.id}/sos", {}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _events() -> list[SosEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(SosEvent).order_by(SosEvent.id)))


def _sos_requests() -> list[HelpRequest]:
    return list(db.session.scalars(select(HelpRequest).where(HelpRequest.category == "sos").order_by(HelpRequest.id)))


def _offer_of(request_id: int, user_id: int) -> Offer:
    return db.session.scalar(select(Offer).join(Offer.volunteer).where(
        Offer.help_request_id == request_id, Offer.volunteer.has(user_id=user_id)))


def test_one_press_tells_workers_family_contacts_and_volunteers_in_the_same_transaction(scene, phone_of):
    answer = _press(scene, phone_of(scene.resident_user))
    [event] = _events()
    assert (answer["id"], answer["status"], answer["presses"]) == (event.id, "open", 1)
    # Everything is in the outbox the moment the press is answered (no worker has run): it was
    # written with the event, and nothing has been delivered yet.
    [alert] = db.session.scalars(select(Alert).where(Alert.kind == "sos")).all()
    assert alert.data == {"sos_event_id": event.id} and event.alert_id == alert.id
    assert notified_user_ids("alert_raised") == [scene.worker.id]
    family = notifications_of_kind("sos_family")
    assert [n.recipient_user_id for n in family if n.recipient_user_id] == [scene.family.id]
    assert [n.contact_phone for n in family if n.contact_phone] == [CONTACT_PHONE]
    assert family[0].params == {"address_as": scene.address_as}
    assert family[0].data == {"sos_event_id": event.id, "resident_id": scene.resident.id}
    [request] = _sos_requests()
    assert (request.status, request.urgency, request.asap, request.id) == ("offered", "urgent", True,
                                                                          event.help_request_id)
    volunteer_ids = {who.id for who in scene.volunteers}
    assert set(notified_user_ids("help_request_offer_urgent")) == volunteer_ids  # a first wave of up to 8
    written = db.session.scalars(select(Notification.id).where(Notification.kind.in_(
        ("alert_raised", "sos_family", "help_request_offer_urgent")))).all()
    statuses = set(db.session.scalars(select(Delivery.status).where(Delivery.notification_id.in_(written))))
    assert len(written) == 1 + 2 + 3 and statuses == {"pending"}
    assert answer["told"] == {"grid_workers": 1, "family": 1, "emergency_contacts": 1, "volunteers": 3}
    assert answer["acknowledged"] is None and answer["coming"] is None
    assert answer["grid_worker_phone"] == scene.worker.phone
    assert [step["action"] for step in answer["timeline"]] == ["pressed"]
    # The resident's screen shows kinds of people, never the numbers it reached.
    assert CONTACT_PHONE not in str(answer) and scene.family.phone not in str(answer)


def test_repeated_presses_join_the_open_event_and_tell_nobody_twice(scene, phone_of):
    first = _press(scene, phone_of(scene.resident_user), **{"Idempotency-Key": "sos-1"})
    second = _press(scene, phone_of(scene.resident_user), **{"Idempotency-Key": "sos-2"})
    by_proxy = _press(scene, phone_of(scene.proxy))
    assert first["id"] == second["id"] == by_proxy["id"]
    assert by_proxy["presses"] == 3
    assert [step["action"] for step in by_proxy["timeline"]] == ["pressed", "joined", "joined"]
    assert len(_events()) == 1 and len(_sos_requests()) == 1
    assert len(db.session.scalars(select(Alert).where(Alert.kind == "sos")).all()) == 1
    assert len(notifications_of_kind("sos_family")) == 2  # the proxy and the contact, once


def test_the_same_idempotency_key_presses_once(scene, phone_of):
    phone = phone_of(scene.resident_user)
    path = f"/api/v1/residents/{scene.resident.id}/sos"
    first = phone.post(path, {}, headers={"Idempotency-Key": "sos-same"})
    again = phone.post(path, {}, headers={"Idempotency-Key": "sos-same"})
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    [event] = _events()
    assert event.presses == 1 and len(event.steps) == 1


def test_an_offline_press_keeps_its_occurred_at(scene, phone_of, clock):
    pressed = clock.current - timedelta(minutes=3)
    answer = phone_of(scene.resident_user).post(f"/api/v1/residents/{scene.resident.id}/sos",
                                                {"occurred_at": pressed.isoformat()}).get_json()
    assert datetime.fromisoformat(answer["occurred_at"]) == pressed
    assert datetime.fromisoformat(answer["received_at"]) == clock.current
    future = phone_of(scene.resident_user).post(f"/api/v1/residents/{scene.resident.id}/sos",
                                                {"occurred_at": (clock.current + timedelta(hours=1)).isoformat()})
    assert future.status_code == 422 and "occurred_at" in future.get_json()["errors"]


def test_the_screen_shows_who_took_it_on_and_who_is_coming_and_how_far(app, scene, phone_of, clock):
    resident = phone_of(scene.resident_user)
    event = _press(scene, resident)
    taken = phone_of(scene.worker).post(f"/api/v1/alerts/{event['alert_id']}/ack")
    assert taken.status_code == 200, taken.get_json()
    seen = resident.get(f"/api/v1/sos/{event['id']}").get_json()
    assert seen["acknowledged"]["name"] == taken.get_json()["owner"]["display_name"]
    offer = _offer_of(event["help_request_id"], scene.volunteers[1].id)
    accepted = phone_of(scene.volunteers[1]).post(f"/api/v1/offers/{offer.id}/accept")
    assert accepted.status_code == 200, accepted.get_json()
    coming = resident.get(f"/api/v1/sos/{event['id']}").get_json()["coming"]
    walk = math.ceil(offer.distance_km * app.config["VISIT_DETOUR_FACTOR"] / app.config["VISIT_WALKING_KMH"] * 60)
    assert coming["name"] == "志愿者" and coming["arrived"] is False
    assert coming["eta_minutes"] == max(1, walk)
    assert scene.resident_user.id in notified_user_ids("help_request_volunteer_coming")
    clock.current += timedelta(minutes=30)  # long past the walk: never "0 minutes"
    assert resident.get(f"/api/v1/sos/{event['id']}").get_json()["coming"]["eta_minutes"] == 1


def test_i_am_all_right_tells_everyone_told_and_the_volunteer_need_not_come(scene, phone_of):
    resident = phone_of(scene.resident_user)
    event = _press(scene, resident)
    offer = _offer_of(event["help_request_id"], scene.volunteers[0].id)
    assert phone_of(scene.volunteers[0]).post(f"/api/v1/offers/{offer.id}/accept").status_code == 200
    cancelled = resident.post(f"/api/v1/sos/{event['id']}/cancel", {})
    assert cancelled.status_code == 200, cancelled.get_json()
    body = cancelled.get_json()
    assert body["status"] == "cancelled" and body["cancelled_at"] is not None
    assert [step["action"] for step in body["timeline"]] == ["pressed", "cancelled"]
    told = notifications_of_kind("sos_cancelled")
    users = {n.recipient_user_id for n in told if n.recipient_user_id}
    assert users == {scene.worker.id, scene.family.id, *(who.id for who in scene.volunteers)}
    assert [n.contact_phone for n in told if n.contact_phone] == [CONTACT_PHONE]
    db.session.expire_all()
    assert db.session.get(HelpRequest, event["help_request_id"]).status == "cancelled"
    assert db.session.scalars(select(Offer.status).where(Offer.help_request_id == event["help_request_id"],
                                                         Offer.status == "offered")).all() == []
    # The alert stays for a worker to take and close: a false alarm is still checked.
    assert db.session.get(Alert, event["alert_id"]).status == "open"
    again = resident.post(f"/api/v1/sos/{event['id']}/cancel", {})
    assert again.status_code == 200 and len(notifications_of_kind("sos_cancelled")) == len(told)
    # A real emergency after "误按了" is a new SOS, told to everyone afresh.
    fresh = _press(scene, resident)
    assert fresh["id"] != event["id"] and fresh["status"] == "open" and len(_events()) == 2


def test_a_worker_closes_the_sos_with_a_note_and_its_alert_ends(scene, phone_of):
    event = _press(scene, phone_of(scene.resident_user))
    worker = phone_of(scene.worker)
    path = f"/api/v1/sos/{event['id']}/close"
    for body in ({}, {"note": ""}, {"note": "   "}):
        refused = worker.post(path, body)
        assert refused.status_code == 422 and "note" in refused.get_json()["errors"], body
    assert phone_of(scene.resident_user).post(path, {"note": "x"}).status_code == 403
    assert phone_of(scene.other_worker).post(path, {"note": "x"}).status_code == 404
    closed = worker.post(path, {"note": "已上门，老人无恙"})
    assert closed.status_code == 200, closed.get_json()
    body = closed.get_json()
    assert body["status"] == "closed" and body["close_note"] == "已上门，老人无恙"
    assert body["timeline"][-1]["action"] == "closed"
    db.session.expire_all()
    alert = db.session.get(Alert, event["alert_id"])
    assert (alert.status, alert.resolution_note) == ("resolved", "已上门，老人无恙")
    assert db.session.get(HelpRequest, event["help_request_id"]).status == "cancelled"  # nobody had taken it
    assert worker.post(path, {"note": "again"}).get_json()["reason"] == "sos_closed"
    seen = phone_of(scene.resident_user).get(f"/api/v1/sos/{event['id']}").get_json()
    assert seen["status"] == "closed" and seen["close_note"] is None  # the worker's note is for staff
    gone = phone_of(scene.resident_user).get(f"/api/v1/residents/{scene.resident.id}/sos")
    assert gone.status_code == 404 and gone.get_json()["reason"] == "sos_not_found"


def test_a_closed_sos_leaves_a_volunteer_on_the_way_to_finish(scene, phone_of):
    event = _press(scene, phone_of(scene.resident_user))
    offer = _offer_of(event["help_request_id"], scene.volunteers[2].id)
    assert phone_of(scene.volunteers[2]).post(f"/api/v1/offers/{offer.id}/accept").status_code == 200
    assert phone_of(scene.worker).post(f"/api/v1/sos/{event['id']}/close", {"note": "志愿者已到"}).status_code == 200
    db.session.expire_all()
    assert db.session.get(HelpRequest, event["help_request_id"]).status == "accepted"


def test_proxies_press_and_call_off_within_their_scopes(scene, phone_of):
    path = f"/api/v1/residents/{scene.resident.id}/sos"
    viewing = phone_of(scene.viewing_proxy)
    refused = viewing.post(path, {})
    assert refused.status_code == 403 and refused.get_json()["reason"] == "proxy_scope_missing"
    assert _events() == []
    event = _press(scene, phone_of(scene.proxy))
    assert [step["actor"] for step in event["timeline"]] == ["家属"]
    [request] = _sos_requests()
    assert request.on_behalf == "proxy"
    assert viewing.get(f"/api/v1/sos/{event['id']}").status_code == 200  # view_status follows it
    assert viewing.post(f"/api/v1/sos/{event['id']}/cancel", {}).status_code == 403
    assert phone_of(scene.family).post(f"/api/v1/sos/{event['id']}/cancel", {}).status_code == 200
    assert scene.family.id not in notified_user_ids("sos_cancelled")  # who called it off is not told


def test_staff_list_their_grids_sos_open_first(scene, phone_of):
    resident = phone_of(scene.resident_user)
    first = _press(scene, resident)
    resident.post(f"/api/v1/sos/{first['id']}/cancel", {})
    second = _press(scene, resident)
    listed = phone_of(scene.worker).get("/api/v1/sos").get_json()
    assert [item["id"] for item in listed["items"]] == [second["id"], first["id"]] and listed["total"] == 2
    assert [item["status"] for item in listed["items"]] == ["open", "cancelled"]
    only = phone_of(scene.admin).get("/api/v1/sos?status=cancelled").get_json()
    assert [item["id"] for item in only["items"]] == [first["id"]]
    assert phone_of(scene.other_worker).get("/api/v1/sos").get_json()["total"] == 0
    assert phone_of(scene.other_worker).get(f"/api/v1/sos/{first['id']}").status_code == 404
    bad = phone_of(scene.worker).get("/api/v1/sos?status=lost")
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]


def test_sos_waves_are_bigger_and_quicker_than_urgent_requests(app, scene, phone_of, clock, monkeypatch):
    for name, value in (("SOS_WAVE_SIZES", (1, 2)), ("SOS_WAVE_MINUTES", 2), ("MATCHING_URGENT_MINUTES", 5)):
        monkeypatch.setitem(app.config, name, value)
    event = _press(scene, phone_of(scene.resident_user))
    offered = lambda: len(db.session.scalars(select(Offer).where(  # noqa: E731
        Offer.help_request_id == event["help_request_id"])).all())
    assert offered() == 1
    clock.current += timedelta(minutes=1, seconds=59)
    run_worker(app)
    db.session.expire_all()
    assert offered() == 1
    clock.current += timedelta(seconds=1)
    run_worker(app)
    db.session.expire_all()
    assert offered() == 3  # the second wave two minutes later, not five


def test_the_nearest_volunteers_are_asked_first(app, scene, phone_of, clock, monkeypatch):
    """Where a community's weights would put a farther, less busy volunteer first, SOS_WEIGHTS asks
    the nearest."""
    from backend.matching.services.candidates import ranking_for
    from backend.volunteers.models import Volunteer
    from tests.help_requests.helpers import make_request

    monkeypatch.setitem(app.config, "MATCHING_WEIGHTS", {"default": {"distance": 0.05}})
    monkeypatch.setitem(app.config, "SOS_WAVE_SIZES", (2, 1))
    volunteers = [db.session.scalar(select(Volunteer).where(Volunteer.user_id == who.id)) for who in scene.volunteers]
    far, near = volunteers[0], volunteers[1:]
    far.home_lat = 30.285  # ~1.7 km north of the others, still within reach
    resident = db.session.get(Resident, scene.resident.id)
    busy = make_request(resident, category="welfare_check")
    for volunteer in near:  # asked lately: fairness prefers the far one
        db.session.add(Offer(help_request_id=busy.id, volunteer_id=volunteer.id, wave=1, status="declined",
                             created_at=clock.current))
    db.session.commit()
    plain = make_request(resident, category="welfare_check")
    db.session.commit()
    assert ranking_for(plain, clock.current).ranked[0].volunteer_id == far.id
    event = _press(scene, phone_of(scene.resident_user))
    first_wave = set(db.session.scalars(select(Offer.volunteer_id).where(
        Offer.help_request_id == event["help_request_id"])))
    assert first_wave == {volunteer.id for volunteer in near}


def test_with_no_volunteer_to_ask_the_workers_hear_it_and_closing_ends_that_alert_too(scene, phone_of):
    from backend.volunteers.models import Volunteer

    for volunteer in db.session.scalars(select(Volunteer)):
        volunteer.on_duty = False
    db.session.commit()
    event = _press(scene, phone_of(scene.resident_user))
    assert event["told"]["volunteers"] == 0
    [unmatched] = db.session.scalars(select(Alert).where(Alert.kind == "help_request_unmatched")).all()
    assert unmatched.data["help_request_id"] == event["help_request_id"]
    closed = phone_of(scene.worker).post(f"/api/v1/sos/{event['id']}/close", {"note": "已电话联系，家人已到"})
    assert closed.status_code == 200, closed.get_json()
    db.session.expire_all()
    assert db.session.get(Alert, unmatched.id).status == "closed"
    assert {alert.status for alert in db.session.scalars(select(Alert))} == {"resolved", "closed"}


@pytest.mark.parametrize("status", ["in_hospital", "away"])
def test_a_resident_not_at_home_is_still_heard_but_no_neighbour_is_sent(scene, phone_of, status):
    db.session.get(Resident, scene.resident.id).status = status
    db.session.commit()
    event = _press(scene, phone_of(scene.resident_user))
    assert event["help_request_id"] is None and event["told"]["volunteers"] == 0
    assert notified_user_ids("alert_raised") == [scene.worker.id]
    assert len(notifications_of_kind("sos_family")) == 2


def test_the_status_screen_comes_back_after_a_reload(scene, phone_of):
    resident = phone_of(scene.resident_user)
    path = f"/api/v1/residents/{scene.resident.id}/sos"
    none = resident.get(path)
    assert none.status_code == 404 and none.get_json()["reason"] == "sos_not_found"
    event = _press(scene, resident)
    assert resident.get(path).get_json()["id"] == event["id"]
    assert phone_of(scene.worker).get(path).get_json()["id"] == event["id"]
