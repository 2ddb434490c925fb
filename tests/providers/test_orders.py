"""A provider's staff answer its offers through the offers API: privacy before acceptance, the
address and phone after it (audited), first accept wins, the day's capacity, marking it done,
and the resident confirming and rating it as for a volunteer."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.audit.models import AuditEntry
from backend.extensions import db
from backend.help_requests.models import CallbackTask, HelpRequest
from backend.notifications.models import Notification
from backend.providers.models import ProviderOffer
from backend.providers.routing import stage_route
from backend.timebank.models import TimebankTransfer
from backend.volunteers.models import Volunteer
from tests.factories import make_household, make_resident, make_user
from tests.help_requests.helpers import build_scene, events_of
from tests.providers.builders import link_staff, make_provider

ALL_WEEK = tuple((day, 0, 1440) for day in range(7))


@pytest.fixture
def scene():
    scene = build_scene()
    for user in (scene.volunteer, scene.other_volunteer, scene.third_volunteer):
        db.session.get(Volunteer, user.volunteer_id).on_duty = False
    stage_route(scene.admin, "meal_delivery", "providers")
    scene.canteen = make_provider(scene.community, delivers=True, hours=ALL_WEEK, daily_capacity=1)
    scene.staff = make_user(scene.community, "provider", name="食堂张姐")
    scene.other_staff = make_user(scene.community, "provider", name="食堂李师傅")
    link_staff(scene.canteen, scene.staff)
    link_staff(scene.canteen, scene.other_staff)
    db.session.flush()
    return scene


def _ask(phone, **body) -> int:
    response = phone.post("/api/v1/help-requests", {"category": "meal_delivery", **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _offer_id(request_id: int, provider_id: int) -> int:
    return db.session.scalar(select(ProviderOffer.id).where(ProviderOffer.help_request_id == request_id,
                                                            ProviderOffer.provider_id == provider_id))


def _another_resident(scene):
    user = make_user(scene.community, "resident", name="李爷爷")
    make_resident(make_household(scene.household.building), user=user)
    return user


def test_staff_see_no_address_before_accepting_and_what_a_delivery_needs_after(scene, make_client):
    request_id = _ask(make_client().login(scene.resident_user), description="一份软饭，少盐")
    staff = make_client().login(scene.staff)
    [listed] = staff.get("/api/v1/offers").get_json()["items"]
    assert listed["help_request_id"] == request_id and listed["provider_name"] == "幸福里老年食堂"
    assert listed["building_label"] == "幸福里3幢" and listed["category"] == "meal_delivery"
    text = str(listed)
    assert scene.resident.full_name not in text and scene.household.door_number not in text
    assert listed.get("contact") is None and listed.get("description") is None
    audits_before = db.session.scalar(select(func.count()).select_from(AuditEntry))

    accepted = staff.post(f"/api/v1/offers/{listed['id']}/accept")
    assert accepted.status_code == 200, accepted.get_json()
    body = accepted.get_json()
    assert body["status"] == "accepted" and body["request_status"] == "accepted"
    assert scene.household.door_number in body["contact"]["address"] and body["description"] == "一份软饭，少盐"
    reveal = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits_before + 1
    assert (reveal.actor_id, reveal.resident_id, reveal.action) == (scene.staff.id, scene.resident.id, "read")
    assert "address" in reveal.fields

    [taken] = make_client().login(scene.other_staff).get("/api/v1/offers?state=taken").get_json()["items"]
    assert taken["help_request_id"] == request_id and taken["contact"]["address"] == body["contact"]["address"]
    assert staff.get("/api/v1/offers").get_json()["items"] == []

    request = db.session.get(HelpRequest, request_id)
    assert (request.status, request.provider_id, request.volunteer_id) == ("accepted", scene.canteen.id, None)
    shown = make_client().login(scene.resident_user).get(f"/api/v1/help-requests/{request_id}").get_json()
    assert shown["provider"] == {"id": scene.canteen.id, "name": "幸福里老年食堂", "phone": "02155551234"}
    told = db.session.scalar(select(Notification).where(Notification.recipient_user_id == scene.resident_user.id,
                                                        Notification.kind == "help_request_provider_coming"))
    assert told.params["provider_name"] == "幸福里老年食堂"


def test_first_accept_wins_the_same_provider_again_is_the_same_answer(scene, make_client):
    other = make_provider(scene.community, name="第二食堂", delivers=True, hours=ALL_WEEK)
    their_staff = make_user(scene.community, "provider")
    link_staff(other, their_staff)
    request_id = _ask(make_client().login(scene.resident_user))
    ours, theirs = _offer_id(request_id, scene.canteen.id), _offer_id(request_id, other.id)

    first = make_client().login(scene.staff).post(f"/api/v1/offers/{ours}/accept")
    again = make_client().login(scene.other_staff).post(f"/api/v1/offers/{ours}/accept")
    assert first.status_code == again.status_code == 200
    assert again.get_json()["status"] == "accepted"
    late = make_client().login(their_staff).post(f"/api/v1/offers/{theirs}/accept")
    assert late.status_code == 409 and late.get_json()["reason"] == "task_already_taken"
    assert db.session.get(ProviderOffer, theirs).status == "withdrawn"
    assert events_of(request_id).count("accepted") == 1


def test_staff_of_another_provider_or_a_volunteer_cannot_see_the_offer(scene, make_client):
    request_id = _ask(make_client().login(scene.resident_user))
    offer_id = _offer_id(request_id, scene.canteen.id)
    outsider = make_user(scene.community, "provider")
    link_staff(make_provider(scene.community, name="别家", categories=("home_repair",)), outsider)
    phone = make_client().login(outsider)  # another provider's staff
    assert phone.get(f"/api/v1/offers/{offer_id}").status_code == 404
    assert phone.post(f"/api/v1/offers/{offer_id}/accept").status_code == 404
    unlinked = make_client().login(make_user(scene.community, "provider"))  # works for no provider yet
    refused = unlinked.post(f"/api/v1/offers/{offer_id}/accept")
    assert refused.status_code == 403 and refused.get_json()["reason"] == "not_provider_staff"
    assert unlinked.get("/api/v1/offers").status_code == 403
    assert make_client().login(scene.resident_user).post(f"/api/v1/offers/{offer_id}/complete").status_code == 403
    assert db.session.get(HelpRequest, request_id).status == "offered"


def test_a_provider_at_capacity_gets_no_more_offers_that_day_but_does_the_next(scene, make_client, clock):
    first = _ask(make_client().login(scene.resident_user))
    staff = make_client().login(scene.staff)
    assert staff.post(f"/api/v1/offers/{_offer_id(first, scene.canteen.id)}/accept").status_code == 200

    neighbour = make_client().login(_another_resident(scene))
    today = _ask(neighbour)
    assert _offer_id(today, scene.canteen.id) is None  # full today (capacity 1)
    start = clock() + timedelta(days=1)
    tomorrow = _ask(neighbour, asap=False, window_start=start.isoformat(),
                    window_end=(start + timedelta(hours=1)).isoformat())
    assert _offer_id(tomorrow, scene.canteen.id) is not None


def test_accepting_beyond_the_days_capacity_is_refused(scene, make_client):
    first = _ask(make_client().login(scene.resident_user))
    second = _ask(make_client().login(_another_resident(scene)))  # offered too: nothing taken yet
    staff = make_client().login(scene.staff)
    assert staff.post(f"/api/v1/offers/{_offer_id(first, scene.canteen.id)}/accept").status_code == 200
    full = staff.post(f"/api/v1/offers/{_offer_id(second, scene.canteen.id)}/accept")
    assert full.status_code == 409 and full.get_json()["reason"] == "provider_at_capacity"
    assert db.session.get(HelpRequest, second).status == "offered"


def test_done_then_the_resident_confirms_and_a_poor_rating_asks_for_a_call_back(scene, make_client):
    request_id = _ask(make_client().login(scene.resident_user))
    offer_id = _offer_id(request_id, scene.canteen.id)
    staff = make_client().login(scene.staff)
    early = staff.post(f"/api/v1/offers/{offer_id}/complete")
    assert early.status_code == 409 and early.get_json()["reason"] == "offer_closed"
    assert staff.post(f"/api/v1/offers/{offer_id}/accept").status_code == 200
    done = staff.post(f"/api/v1/offers/{offer_id}/complete")
    assert done.status_code == 200 and done.get_json()["request_status"] == "completed"
    assert done.get_json()["contact"] is None
    assert make_client().login(scene.other_staff).post(f"/api/v1/offers/{offer_id}/complete").status_code == 200
    [finished] = staff.get("/api/v1/offers?state=done").get_json()["items"]
    assert finished["id"] == offer_id

    confirmed = make_client().login(scene.resident_user).post(
        f"/api/v1/help-requests/{request_id}/confirm", {"rating": 2, "comment": "饭凉了"})
    assert confirmed.status_code == 200, confirmed.get_json()
    request = db.session.get(HelpRequest, request_id)
    assert (request.status, request.rating, request.hours) == ("confirmed", 2, None)
    assert events_of(request_id)[-3:] == ["checked_in", "checked_out", "confirmed"]
    assert db.session.scalar(select(CallbackTask).where(CallbackTask.help_request_id == request_id)) is not None
    assert db.session.scalar(select(func.count()).select_from(TimebankTransfer)) == 0  # no hours for a provider


def test_cancelling_a_taken_order_tells_the_staff_and_frees_the_days_place(scene, make_client):
    resident = make_client().login(scene.resident_user)
    request_id = _ask(resident)
    staff = make_client().login(scene.staff)
    assert staff.post(f"/api/v1/offers/{_offer_id(request_id, scene.canteen.id)}/accept").status_code == 200
    cancelled = resident.post(f"/api/v1/help-requests/{request_id}/cancel", {"reason": "女儿送来了"})
    assert cancelled.status_code == 200, cancelled.get_json()
    for user in (scene.staff, scene.other_staff):
        assert db.session.scalar(select(Notification).where(Notification.recipient_user_id == user.id,
                                                            Notification.kind == "help_request_cancelled"))
    assert staff.get("/api/v1/offers?state=taken").get_json()["items"] == []
    again = _ask(make_client().login(_another_resident(scene)))
    assert _offer_id(again, scene.canteen.id) is not None  # capacity 1, and the cancelled one no longer counts


def test_a_no_show_opens_it_again_without_the_provider(scene, make_client):
    other = make_provider(scene.community, name="第二食堂", delivers=True, hours=ALL_WEEK)
    resident = make_client().login(scene.resident_user)
    request_id = _ask(resident)
    offer_id = _offer_id(request_id, scene.canteen.id)
    assert make_client().login(scene.staff).post(f"/api/v1/offers/{offer_id}/accept").status_code == 200
    reported = resident.post(f"/api/v1/help-requests/{request_id}/no-show", {"reason": "饭没送到"})
    assert reported.status_code == 200, reported.get_json()
    request = db.session.get(HelpRequest, request_id)
    assert (request.status, request.provider_id) == ("offered", None)
    assert db.session.get(ProviderOffer, offer_id).status == "accepted"  # not offered again
    assert db.session.get(ProviderOffer, _offer_id(request_id, other.id)).status == "offered"
