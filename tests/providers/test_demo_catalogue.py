"""The demo's services: 王奶奶 finds the canteen that delivers nearest, and its staff find their provider."""
from datetime import UTC, datetime

from sqlalchemy import select

from backend.accounts.models import User
from backend.demo import data
from backend.demo.seed import seed_demo
from backend.extensions import db


def test_the_demo_resident_sees_the_canteen_first_and_the_canteen_staff_their_provider(client, make_client, clock):
    assert seed_demo().created
    clock.current = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # Thursday 11:00 in Hangzhou: lunch time
    client.login(data.DEMO_RESIDENT["phone"], data.DEMO_PASSWORD)
    page = client.get("/api/v1/providers").get_json()
    assert page["total"] == 6
    canteen = page["items"][0]
    assert canteen["name"] == "幸福里老年食堂" and canteen["delivers"] is True and canteen["open_now"] is True
    assert 0.1 < canteen["distance_km"] < 0.2
    assert [item["distance_km"] for item in page["items"]] == sorted(item["distance_km"] for item in page["items"])
    meals = client.get("/api/v1/providers", query_string={"category": "meal_delivery"}).get_json()
    assert [item["name"] for item in meals["items"]] == ["幸福里老年食堂"]
    staff = make_client().login(_phone_of(data.PROVIDERS[0]), data.DEMO_PASSWORD)
    assert staff.get("/api/v1/providers/mine").get_json()["name"] == "幸福里老年食堂"


def _phone_of(display_name: str) -> str:
    return db.session.scalar(select(User.phone).where(User.display_name == display_name))


def test_the_demo_routes_meals_to_the_canteen_and_to_volunteers_alike(client, make_client, clock):
    assert seed_demo().created
    clock.current = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # Thursday 11:00 in Hangzhou: the canteen is open
    worker = make_client().login(data.WORKERS[0]["phone"], data.DEMO_PASSWORD)
    routing = worker.get("/api/v1/providers/routing").get_json()
    assert {"category": "meal_delivery", "route": "both"} in [
        {"category": item["category"], "route": item["route"]} for item in routing]
    client.login(data.DEMO_RESIDENT["phone"], data.DEMO_PASSWORD)
    asked = client.post("/api/v1/help-requests", {"category": "meal_delivery"})
    assert asked.status_code == 201, asked.get_json()
    staff = make_client().login(_phone_of(data.PROVIDERS[0]), data.DEMO_PASSWORD)
    assert [offer["help_request_id"] for offer in staff.get("/api/v1/offers").get_json()["items"]] == [
        asked.get_json()["id"]]  # the canteen is asked, with her volunteers' first wave
    for spec in data.DEMO_VOLUNTEERS:
        volunteer = make_client().login(spec["phone"], data.DEMO_PASSWORD)
        assert asked.get_json()["id"] in [offer["help_request_id"] for offer in volunteer.get("/api/v1/offers")
                                          .get_json()["items"]]
