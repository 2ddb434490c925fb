"""The catalogue through the API: admins keep it, the community browses it, other communities never see it."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.providers.models import Provider
from tests.factories import (
    make_admin, make_building, make_community, make_grid, make_household, make_proxy, make_resident,
    make_user, make_volunteer, make_worker,
)
from tests.providers.builders import link_staff, make_provider, valid_body

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The suite's clock starts at Thursday 2026-11-26 10:00 in Shanghai (02:00 UTC).


@pytest.fixture
def place():
    """A community with a resident (王奶奶) whose building is at 30.27, 120.15, and its admin."""
    community = make_community()
    grid = make_grid(community)
    building = make_building(grid, lat=30.27, lng=120.15)
    resident_user = make_user(community, "resident", name="王奶奶")
    resident = make_resident(make_household(building), user=resident_user)
    return {"community": community, "grid": grid, "building": building, "resident": resident,
            "resident_user": resident_user, "admin": make_admin(community), "worker": make_worker(grid)}


def _names(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["name"] for item in response.get_json()["items"]]


def _count_providers() -> int:
    return db.session.scalar(select(func.count()).select_from(Provider))


def test_admin_adds_a_provider_and_a_resident_sees_it_with_hours_and_a_phone_to_call(client, make_client, place):
    client.login(place["admin"])
    response = client.post("/api/v1/providers", valid_body(
        hours=[{"weekday": 3, "start": "09:00", "end": "17:00"}], building_id=place["building"].id))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["phone"] == "02155551234" and created["daily_capacity"] == 40
    assert created["categories"] == [{"code": "meal_delivery", "label": "送餐"}]
    assert created["building_label"] == place["building"].label and created["lat"] == 30.27

    resident = make_client().login(place["resident_user"])
    shown = resident.get(f"/api/v1/providers/{created['id']}").get_json()
    assert shown["hours"] == [{"weekday": 3, "start": "09:00", "end": "17:00"}]
    assert shown["open_now"] is True and shown["closes_at"] == "2026-11-26T09:00:00+00:00"
    assert shown["delivers"] is True and shown["price_notes"] == "午餐 12 元"
    assert shown["distance_km"] == 0.0 and shown["time_zone"] == "Asia/Shanghai"
    assert shown["daily_capacity"] is None  # the day's capacity is the staff's business


def test_only_admins_change_the_catalogue(make_client, place):
    provider = make_provider(place["community"])
    for user in (place["worker"], place["resident_user"], make_user(place["community"], "provider")):
        client = make_client().login(user)
        assert client.post("/api/v1/providers", valid_body()).status_code == 403
        response = client.patch(f"/api/v1/providers/{provider.id}", {"name": "改名"})
        assert response.status_code == 403 and response.get_json()["reason"] == "forbidden"
    assert db.session.get(Provider, provider.id).name == "幸福里老年食堂" and _count_providers() == 1


def test_another_communitys_providers_are_invisible(client, place):
    theirs = make_provider(make_community("别的社区"), name="别处的诊所")
    ours = make_provider(place["community"], name="社区诊所")
    client.login(place["admin"])
    assert _names(client.get("/api/v1/providers")) == ["社区诊所"]
    assert client.get(f"/api/v1/providers/{theirs.id}").status_code == 404
    response = client.patch(f"/api/v1/providers/{theirs.id}", {"name": "抢来的"})
    assert response.status_code == 404 and response.get_json()["reason"] == "not_found"
    assert db.session.get(Provider, theirs.id).name == "别处的诊所"
    assert client.get(f"/api/v1/providers/{ours.id}").status_code == 200


def test_a_deactivated_provider_leaves_the_catalogue_but_admins_still_find_it(client, make_client, place):
    provider = make_provider(place["community"])
    client.login(place["admin"])
    assert client.patch(f"/api/v1/providers/{provider.id}", {"active": False}).get_json()["active"] is False
    resident = make_client().login(place["resident_user"])
    assert _names(resident.get("/api/v1/providers")) == []
    assert resident.get(f"/api/v1/providers/{provider.id}").status_code == 404
    assert _names(resident.get("/api/v1/providers", query_string={"include_inactive": "true"})) == []
    assert _names(client.get("/api/v1/providers", query_string={"include_inactive": "true"})) == ["幸福里老年食堂"]
    assert client.get(f"/api/v1/providers/{provider.id}").status_code == 200


def test_filter_by_category(client, place):
    make_provider(place["community"], name="老年食堂", categories=("meal_delivery",))
    make_provider(place["community"], name="修理铺", kind="repair_shop", categories=("home_repair", "other"))
    client.login(place["resident_user"])
    assert _names(client.get("/api/v1/providers", query_string={"category": "home_repair"})) == ["修理铺"]
    assert _names(client.get("/api/v1/providers", query_string={"category": "companionship"})) == []
    categories = client.get("/api/v1/providers/categories").get_json()
    assert [(item["code"], item["label"], item["providers"]) for item in categories["items"]] == [
        ("meal_delivery", "送餐", 1), ("home_repair", "维修", 1), ("other", "其他", 1)]


def test_open_now_at_the_opening_and_closing_minutes(client, clock, place):
    make_provider(place["community"], name="白天的诊所", hours=((3, 9 * 60, 17 * 60),))
    make_provider(place["community"], name="夜宵店", hours=((3, 22 * 60, 1440), (4, 0, 2 * 60)))
    client.login(place["resident_user"])

    def open_now(local_hour, local_minute=0, day=26):
        clock.current = datetime(2026, 11, day, local_hour, local_minute, tzinfo=SHANGHAI).astimezone(UTC)
        return _names(client.get("/api/v1/providers", query_string={"open_now": "true"}))

    assert open_now(8, 59) == []
    assert open_now(9, 0) == ["白天的诊所"]
    assert open_now(16, 59) == ["白天的诊所"]
    assert open_now(17, 0) == []  # closed at the closing minute
    assert open_now(23, 59) == ["夜宵店"]
    assert open_now(0, 0, day=27) == ["夜宵店"]  # past midnight into Friday
    assert open_now(1, 59, day=27) == ["夜宵店"]
    assert open_now(2, 0, day=27) == []
    closed = client.get("/api/v1/providers", query_string={"open_now": "false"}).get_json()["items"]
    assert {item["name"]: item["opens_at"] for item in closed} == {
        "白天的诊所": "2026-12-03T01:00:00+00:00", "夜宵店": "2026-12-03T14:00:00+00:00"}


def test_nearest_first_from_the_residents_household(client, place):
    make_provider(place["community"], name="远的理发店", kind="barber", lat=30.29, lng=120.15)  # ~2.2 km
    make_provider(place["community"], name="近的食堂", lat=30.271, lng=120.15)  # ~0.1 km
    make_provider(place["community"], name="没有位置的药店", kind="pharmacy", lat=None, lng=None)
    make_provider(place["community"], name="中间的诊所", kind="clinic", lat=30.28, lng=120.15)  # ~1.1 km
    client.login(place["resident_user"])
    page = client.get("/api/v1/providers").get_json()
    assert [item["name"] for item in page["items"]] == ["近的食堂", "中间的诊所", "远的理发店", "没有位置的药店"]
    assert [item["distance_km"] for item in page["items"]] == [0.111, 1.112, 2.224, None]
    second = client.get("/api/v1/providers", query_string={"per_page": 2, "page": 2}).get_json()
    assert [item["name"] for item in second["items"]] == ["远的理发店", "没有位置的药店"] and second["total"] == 4
    near = client.get("/api/v1/providers", query_string={"near_lat": 30.29, "near_lng": 120.15}).get_json()
    assert [item["name"] for item in near["items"]][:2] == ["远的理发店", "中间的诊所"]


def test_a_proxy_measures_from_the_household_of_the_resident_they_act_for(make_client, place):
    make_provider(place["community"], name="远的理发店", kind="barber", lat=30.29, lng=120.15)
    make_provider(place["community"], name="近的食堂", lat=30.271, lng=120.15)
    proxy = make_proxy(place["resident"], "view_status")
    client = make_client().login(proxy)
    assert _names(client.get("/api/v1/providers")) == ["近的食堂", "远的理发店"]  # by name: no place known
    page = client.get("/api/v1/providers", query_string={"resident_id": place["resident"].id}).get_json()
    assert [item["name"] for item in page["items"]] == ["近的食堂", "远的理发店"]
    assert page["items"][0]["distance_km"] == 0.111
    stranger = make_resident(make_household(make_building(place["grid"])), family_name="李", address_as="李大爷")
    response = client.get("/api/v1/providers", query_string={"resident_id": stranger.id})
    assert response.status_code == 404


def test_volunteers_measure_from_their_home_and_see_no_capacity(client, place):
    make_provider(place["community"], name="近的食堂", lat=30.27, lng=120.151)
    client.login(make_volunteer(place["community"]))
    item = client.get("/api/v1/providers").get_json()["items"][0]
    assert item["distance_km"] == 0.0 and item["daily_capacity"] is None


def test_a_create_sent_twice_with_one_key_makes_one_provider(client, place):
    client.login(place["admin"])
    headers = {"Idempotency-Key": "add-canteen-1"}
    first = client.post("/api/v1/providers", valid_body(), headers=headers)
    again = client.post("/api/v1/providers", valid_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"] and again.headers["Idempotent-Replayed"] == "true"
    assert _count_providers() == 1
    other = client.post("/api/v1/providers", valid_body(name="别的店"), headers=headers)
    assert other.status_code == 422 and other.get_json()["reason"] == "idempotency_mismatch"
    assert _count_providers() == 1


@pytest.mark.parametrize("changes, field", [
    ({"hours": [{"weekday": 0, "start": "17:00", "end": "09:00"}]}, "hours"),
    ({"hours": [{"weekday": 0, "start": "09:00", "end": "09:00"}]}, "hours"),
    ({"hours": [{"weekday": 0, "start": "22:00", "end": "02:00"}]}, "hours"),
    ({"hours": [{"weekday": 7, "start": "09:00", "end": "10:00"}]}, "hours"),
    ({"hours": [{"weekday": 0, "start": "24:00", "end": "24:00"}]}, "hours"),
    ({"hours": [{"weekday": 0, "start": "9点", "end": "10:00"}]}, "hours"),
    ({"hours": [{"weekday": 1, "start": "09:00", "end": "12:00"},
                {"weekday": 1, "start": "11:00", "end": "13:00"}]}, "hours"),
    ({"categories": ["massage"]}, "categories"),
    ({"categories": []}, "categories"),
    ({"kind": "casino"}, "kind"),
    ({"phone": "12345abc"}, "phone"),
    ({"building_id": 2**31}, "building_id"),
    ({"building_id": 0}, "building_id"),
    ({"lat": 30.2}, "lat"),
    ({"lat": 91, "lng": 120}, "lat"),
    ({"daily_capacity": 0}, "daily_capacity"),
    ({"name": "   "}, "name"),
])
def test_bad_input_is_refused_with_the_field_named(client, place, changes, field):
    client.login(place["admin"])
    response = client.post("/api/v1/providers", valid_body(**changes))
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert set(body) == {"code", "status", "reason", "message", "errors"} and field in body["errors"], body
    assert _count_providers() == 0


def test_a_building_of_another_community_is_refused(client, place):
    elsewhere = make_building(make_grid(make_community("别的社区")))
    client.login(place["admin"])
    response = client.post("/api/v1/providers", valid_body(building_id=elsewhere.id))
    assert response.status_code == 422 and "building_id" in response.get_json()["errors"]


def test_hours_ending_before_they_start_say_how_to_enter_late_hours_in_english(client, place):
    place["admin"].language = "en"
    client.login(place["admin"])
    response = client.post("/api/v1/providers", valid_body(hours=[{"weekday": 0, "start": "22:00", "end": "02:00"}]))
    message = response.get_json()["errors"]["hours"]["0"]["end"][0]
    assert "past midnight" in message and "24:00" in message


def test_unknown_category_is_named_in_chinese(client, place):
    client.login(place["admin"])
    response = client.post("/api/v1/providers", valid_body(categories=["meal_delivery", "massage"]))
    assert response.get_json()["errors"]["categories"] == ["本社区没有这些求助类别：massage。"]


@pytest.mark.parametrize("query, field", [
    ({"resident_id": 2**31}, "resident_id"), ({"near_lat": 30.2}, "near_lat"),
    ({"near_lat": "north", "near_lng": 120}, "near_lat"), ({"open_now": "maybe"}, "open_now"),
    ({"per_page": 1000}, "per_page"), ({"kind": "casino"}, "kind"),
])
def test_bad_filters_are_refused(client, place, query, field):
    client.login(place["resident_user"])
    response = client.get("/api/v1/providers", query_string=query)
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()


def test_ids_past_the_integer_range_are_not_found(client, place):
    client.login(place["admin"])
    assert client.get(f"/api/v1/providers/{2**31}").status_code == 404
    assert client.patch(f"/api/v1/providers/{2**31}", {"name": "x"}).status_code == 404
    provider = make_provider(place["community"])
    response = client.post(f"/api/v1/providers/{provider.id}/staff", {"user_id": 2**31})
    assert response.status_code == 422 and "user_id" in response.get_json()["errors"]


def test_updates_replace_hours_and_categories_and_keep_the_rest(client, place):
    provider = make_provider(place["community"], categories=("meal_delivery", "errands"))
    client.login(place["admin"])
    response = client.patch(f"/api/v1/providers/{provider.id}", {
        "categories": ["errands", "other"], "hours": [{"weekday": 6, "start": "00:00", "end": "24:00"}],
        "building_id": place["building"].id, "lat": None, "lng": None})
    body = response.get_json()
    assert response.status_code == 200, body
    assert [c["code"] for c in body["categories"]] == ["errands", "other"]
    assert body["hours"] == [{"weekday": 6, "start": "00:00", "end": "24:00"}]
    assert body["name"] == "幸福里老年食堂" and body["lat"] == place["building"].lat
    assert body["open_now"] is False and body["opens_at"] == "2026-11-28T16:00:00+00:00"


def test_admins_link_provider_staff_one_provider_each(client, make_client, place):
    canteen, clinic = make_provider(place["community"]), make_provider(place["community"], name="诊所", kind="clinic")
    cook = make_user(place["community"], "provider", name="食堂阿姨")
    client.login(place["admin"])
    linked = client.post(f"/api/v1/providers/{canteen.id}/staff", {"user_id": cook.id})
    assert linked.status_code == 201 and linked.get_json()["display_name"] == "食堂阿姨"
    assert client.get(f"/api/v1/providers/{canteen.id}/staff").get_json()["total"] == 1
    taken = client.post(f"/api/v1/providers/{clinic.id}/staff", {"user_id": cook.id})
    assert taken.status_code == 409 and taken.get_json()["reason"] == "provider_staff_elsewhere"
    not_provider = client.post(f"/api/v1/providers/{clinic.id}/staff", {"user_id": place["worker"].id})
    assert not_provider.status_code == 422
    stranger = make_user(make_community("别的社区"), "provider")
    assert client.post(f"/api/v1/providers/{clinic.id}/staff", {"user_id": stranger.id}).status_code == 422

    own = make_client().login(cook).get("/api/v1/providers/mine")
    assert own.status_code == 200 and own.get_json()["id"] == canteen.id and own.get_json()["daily_capacity"] == 40
    assert client.delete(f"/api/v1/providers/{canteen.id}/staff/{cook.id}").status_code == 204
    assert make_client().login(cook).get("/api/v1/providers/mine").status_code == 404
    assert client.delete(f"/api/v1/providers/{canteen.id}/staff/{cook.id}").status_code == 404


def test_workers_see_the_daily_capacity(client, place):
    make_provider(place["community"], daily_capacity=40)
    link_staff(make_provider(place["community"], name="诊所"), make_user(place["community"], "provider"))
    client.login(place["worker"])
    assert [item["daily_capacity"] for item in client.get("/api/v1/providers").get_json()["items"]] == [40, 40]
