"""Per community and category, requests go to volunteers (the default), providers or both; which
providers are offered one (active, serving it, open then, capacity left, delivering or near)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.alerts.models import Alert
from backend.audit.models import AuditEntry
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.matching.models import Offer
from backend.notifications.models import Notification
from backend.providers.models import ProviderOffer, ProviderRoute
from backend.providers.routing import stage_route
from backend.volunteers.models import Volunteer
from tests.factories import make_user
from tests.help_requests.helpers import build_scene, status_of
from tests.matching.helpers import north_of_home, volunteer_at
from tests.notifications.helpers import run_worker
from tests.providers.builders import link_staff, make_provider

ALL_WEEK = tuple((day, 0, 1440) for day in range(7))


@pytest.fixture
def scene():
    scene = build_scene()
    for user in (scene.volunteer, scene.other_volunteer, scene.third_volunteer):
        db.session.get(Volunteer, user.volunteer_id).on_duty = False
    db.session.flush()
    return scene


def _route(scene, category, route):
    stage_route(scene.admin, category, route)


def _ask(phone, **body):
    response = phone.post("/api/v1/help-requests", {"category": "meal_delivery", **body})
    assert response.status_code == 201, response.get_json()
    return db.session.get(HelpRequest, response.get_json()["id"])


def _provider_offers(request_id, status=None):
    statement = select(ProviderOffer.provider_id).where(ProviderOffer.help_request_id == request_id)
    if status:
        statement = statement.where(ProviderOffer.status == status)
    return list(db.session.scalars(statement.order_by(ProviderOffer.id)))


def _volunteer_offers(request_id):
    return list(db.session.scalars(select(Offer.volunteer_id).where(Offer.help_request_id == request_id)))


def test_by_default_a_category_goes_to_volunteers_only(scene, make_client):
    canteen = make_provider(scene.community, delivers=True, hours=ALL_WEEK)
    volunteer = volunteer_at(scene.community, scene.grid, 0.3, skills=("meal_delivery",))
    request = _ask(make_client().login(scene.resident_user))
    assert _volunteer_offers(request.id) == [volunteer.volunteer_id]
    assert _provider_offers(request.id) == [] and canteen.id


def test_routed_to_providers_only_the_eligible_providers_are_offered_it_and_their_staff_told(scene, make_client):
    _route(scene, "meal_delivery", "providers")
    volunteer_at(scene.community, scene.grid, 0.3, skills=("meal_delivery",))  # eligible, but not asked
    far = north_of_home(5)
    canteen = make_provider(scene.community, name="幸福里老年食堂", delivers=True, hours=ALL_WEEK,
                            lat=far[0], lng=far[1])
    near_shop = make_provider(scene.community, name="近处小店", delivers=False, hours=ALL_WEEK,
                              lat=north_of_home(1)[0], lng=north_of_home(1)[1])
    make_provider(scene.community, name="远处小店", delivers=False, hours=ALL_WEEK, lat=far[0], lng=far[1])
    make_provider(scene.community, name="歇业", delivers=True, hours=ALL_WEEK, active=False)
    make_provider(scene.community, name="修理铺", delivers=True, hours=ALL_WEEK, categories=("home_repair",))
    make_provider(scene.community, name="周末店", delivers=True, hours=((5, 0, 1440), (6, 0, 1440)))
    staff = make_user(scene.community, "provider", name="食堂张姐")
    link_staff(canteen, staff)

    request = _ask(make_client().login(scene.resident_user))

    assert _provider_offers(request.id) == [near_shop.id, canteen.id]  # nearest first
    assert _volunteer_offers(request.id) == []
    assert db.session.get(HelpRequest, request.id).status == "offered"
    told = db.session.scalars(select(Notification).where(Notification.recipient_user_id == staff.id)).all()
    assert [note.kind for note in told] == ["help_request_offer_provider"]


def test_a_scheduled_request_goes_to_a_provider_open_in_its_window(scene, make_client, clock):
    _route(scene, "meal_delivery", "providers")
    lunch = make_provider(scene.community, name="午餐", delivers=True, hours=tuple((d, 630, 780) for d in range(7)))
    make_provider(scene.community, name="晚餐", delivers=True, hours=tuple((d, 1020, 1140) for d in range(7)))
    # Friday 11:00–12:00 in Shanghai (03:00–04:00 UTC): the lunch canteen opens at 10:30.
    start = clock() + timedelta(days=1, hours=1)
    request = _ask(make_client().login(scene.resident_user), asap=False, window_start=start.isoformat(),
                   window_end=(start + timedelta(hours=1)).isoformat())
    assert _provider_offers(request.id) == [lunch.id]


def test_routed_to_providers_with_none_eligible_the_workers_have_it(scene, make_client):
    _route(scene, "meal_delivery", "providers")
    make_provider(scene.community, delivers=True, hours=())  # never open
    request = _ask(make_client().login(scene.resident_user))
    assert db.session.get(HelpRequest, request.id).status == "open"
    alert = db.session.scalar(select(Alert).where(Alert.resident_id == scene.resident.id))
    assert alert.data == {"help_request_id": request.id, "reason_id": "no_candidates"}


def test_both_sends_providers_with_the_first_wave_and_a_volunteers_accept_withdraws_them(scene, make_client):
    _route(scene, "meal_delivery", "both")
    canteen = make_provider(scene.community, delivers=True, hours=ALL_WEEK)
    volunteer = volunteer_at(scene.community, scene.grid, 0.3, skills=("meal_delivery",))
    request = _ask(make_client().login(scene.resident_user))
    assert _volunteer_offers(request.id) == [volunteer.volunteer_id]
    assert _provider_offers(request.id, "offered") == [canteen.id]

    offer = db.session.scalar(select(Offer).where(Offer.help_request_id == request.id))
    response = make_client().login(volunteer).post(f"/api/v1/offers/{offer.id}/accept")
    assert response.status_code == 200, response.get_json()
    assert _provider_offers(request.id, "withdrawn") == [canteen.id]


def test_a_provider_declining_the_only_offer_escalates_a_providers_only_request(scene, make_client):
    _route(scene, "meal_delivery", "providers")
    canteen = make_provider(scene.community, delivers=True, hours=ALL_WEEK)
    staff = make_user(scene.community, "provider")
    link_staff(canteen, staff)
    request = _ask(make_client().login(scene.resident_user))
    offer = db.session.scalar(select(ProviderOffer).where(ProviderOffer.help_request_id == request.id))
    response = make_client().login(staff).post(f"/api/v1/offers/{offer.id}/decline", {"reason": "今天没人送"})
    assert response.status_code == 200 and response.get_json()["status"] == "declined"
    assert db.session.get(HelpRequest, request.id).status == "escalated"


def test_a_providers_only_request_nobody_accepts_is_escalated_when_the_interval_passes(app, scene, make_client,
                                                                                       clock):
    _route(scene, "meal_delivery", "providers")
    make_provider(scene.community, delivers=True, hours=ALL_WEEK)
    request_id = _ask(make_client().login(scene.resident_user), urgency="urgent").id
    clock.advance(minutes=4)
    run_worker(app)
    assert status_of(request_id) == "offered"
    clock.advance(minutes=1)
    run_worker(app)
    assert status_of(request_id) == "escalated"
    assert _provider_offers(request_id, "offered")  # offers stay open after escalation, as volunteers' do


def test_admin_routes_a_category_through_the_api_audited(scene, make_client):
    admin = make_client().login(scene.admin)
    listed = admin.get("/api/v1/providers/routing")
    assert listed.status_code == 200
    routes = {item["category"]: item["route"] for item in listed.get_json()}
    assert routes["meal_delivery"] == "volunteers" and "other" not in routes

    response = admin.put("/api/v1/providers/routing/meal_delivery", {"route": "providers"})
    assert response.status_code == 200 and response.get_json()["route"] == "providers"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.actor_id == scene.admin.id)
                              .order_by(AuditEntry.id.desc()))
    assert entry.fields == ["provider_route"] and "volunteers -> providers" in entry.reason

    assert admin.put("/api/v1/providers/routing/meal_delivery", {"route": "nobody"}).status_code == 422
    missing = admin.put("/api/v1/providers/routing/no_such_thing", {"route": "both"})
    assert missing.status_code == 404 and missing.get_json()["reason"] == "not_found"
    worker = make_client().login(scene.worker)
    assert worker.get("/api/v1/providers/routing").status_code == 200
    assert worker.put("/api/v1/providers/routing/meal_delivery", {"route": "both"}).status_code == 403
    assert {item["category"]: item["route"] for item in worker.get("/api/v1/providers/routing").get_json()}[
        "meal_delivery"] == "providers"

    assert admin.put("/api/v1/providers/routing/meal_delivery", {"route": "volunteers"}).status_code == 200
    assert db.session.get(ProviderRoute, (scene.community.id, "meal_delivery")) is None  # the default: no row


def test_routing_is_per_category_and_per_community(scene, make_client):
    _route(scene, "meal_delivery", "providers")
    canteen = make_provider(scene.community, delivers=True, hours=ALL_WEEK, categories=("meal_delivery", "errands"))
    volunteer = volunteer_at(scene.community, scene.grid, 0.3, skills=("meal_delivery", "errands"))
    phone = make_client().login(scene.resident_user)
    meal, errand = _ask(phone), _ask(phone, category="errands")
    assert (_provider_offers(meal.id), _volunteer_offers(meal.id)) == ([canteen.id], [])
    assert (_provider_offers(errand.id), _volunteer_offers(errand.id)) == ([], [volunteer.volunteer_id])

    elsewhere = build_scene()  # another community's meal deliveries still go to its volunteers
    make_provider(elsewhere.community, delivers=True, hours=ALL_WEEK)  # eligible, were it routed there
    their_volunteer = volunteer_at(elsewhere.community, elsewhere.grid, 0.3, skills=("meal_delivery",))
    for user in (elsewhere.volunteer, elsewhere.other_volunteer, elsewhere.third_volunteer):
        db.session.get(Volunteer, user.volunteer_id).on_duty = False
    db.session.flush()
    asked = _ask(make_client().login(elsewhere.resident_user))
    assert (_provider_offers(asked.id), _volunteer_offers(asked.id)) == ([], [their_volunteer.volunteer_id])
