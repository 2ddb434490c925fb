"""Households: registering them, finding them, and the audit of every read and change of the
address and phone they share with their residents."""
import pytest

from backend.audit.models import AuditEntry
from backend.community.models import Household
from backend.extensions import db
from tests.community.helpers import count, fresh
from tests.factories import (
    make_admin, make_building, make_community, make_grid, make_household, make_resident, make_user, make_worker,
)


@pytest.fixture
def community():
    return make_community()


@pytest.fixture
def grid(community):
    return make_grid(community)


def _entries():
    db.session.expire_all()
    return db.session.query(AuditEntry).order_by(AuditEntry.id).all()


def test_worker_registers_a_household_whose_address_defaults_from_the_building(client, grid):
    building = make_building(grid, "幸福里 3 幢")
    client.login(make_worker(grid))
    response = client.post("/api/v1/households", {"building_id": building.id, "door_number": "2 单元 301",
                                                  "phone": "0571 8888 1234"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["address_text"], body["phone"], body["resident_ids"]) == (
        "杭州市上城区幸福里 2 单元 301", "057188881234", [])
    assert (body["latitude"], body["position_source"]) == (30.27, "building")
    assert _entries() == []  # nobody lives there yet, so nobody's data was read


def test_a_door_is_registered_once_per_building(client, grid):
    building = make_building(grid)
    make_household(building, "301")
    client.login(make_worker(grid))
    response = client.post("/api/v1/households", {"building_id": building.id, "door_number": "301"})
    assert response.status_code == 409 and response.get_json()["reason"] == "door_number_taken"
    assert count(Household) == 1


@pytest.mark.parametrize("body, field", [
    ({"door_number": "301", "phone": "not a phone"}, "phone"),
    ({"door_number": ""}, "door_number"),
    ({"door_number": "3" * 21}, "door_number"),
    ({"door_number": "301", "address_text": "址" * 201}, "address_text"),
    ({"door_number": "301", "residents": []}, "residents"),
    ({}, "door_number"),
])
def test_bad_households_are_refused_and_nothing_is_added(client, grid, body, field):
    building = make_building(grid)
    client.login(make_worker(grid))
    response = client.post("/api/v1/households", {"building_id": building.id, **body})
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert count(Household) == 0


def test_worker_of_another_grid_cannot_register_a_household_in_it(client, community, grid):
    building = make_building(grid)
    client.login(make_worker(make_grid(community)))
    response = client.post("/api/v1/households", {"building_id": building.id, "door_number": "301"})
    assert response.status_code == 422 and "building_id" in response.get_json()["errors"]
    assert count(Household) == 0


def test_the_list_shows_where_households_are_but_not_their_address_or_phone(client, community, grid):
    first, second = make_building(grid, "幸福里 1 幢"), make_building(grid, "幸福里 2 幢")
    household = make_household(first, "101")
    make_resident(household)
    make_household(second, "201")
    make_household(make_building(make_grid(community)), "999")
    client.login(make_worker(grid))
    body = client.get("/api/v1/households").get_json()
    assert [(item["building_label"], item["door_number"], item["resident_count"]) for item in body["items"]] == [
        ("幸福里 1 幢", "101", 1), ("幸福里 2 幢", "201", 0)]
    assert "address_text" not in body["items"][0] and "phone" not in body["items"][0]
    by_building = client.get("/api/v1/households", query_string={"building_id": second.id}).get_json()
    assert [item["door_number"] for item in by_building["items"]] == ["201"]
    assert _entries() == []


def test_listing_by_someone_elses_grid_or_building_is_not_found(client, community, grid):
    other = make_grid(community)
    client.login(make_worker(grid))
    assert client.get("/api/v1/households", query_string={"grid_id": other.id}).status_code == 404
    assert client.get("/api/v1/households",
                      query_string={"building_id": make_building(other).id}).status_code == 404


def test_reading_a_household_is_audited_for_each_resident(client, grid):
    household = make_household(make_building(grid))
    grandmother = make_resident(household)
    grandson = make_resident(household, birth_year=2015, given_name="小明", address_as="小明", gender="male")
    worker = make_worker(grid)
    client.login(worker)
    body = client.get(f"/api/v1/households/{household.id}").get_json()
    assert (body["address_text"], body["phone"]) == (household.address_text, "057188881234")
    assert body["resident_ids"] == [grandmother.id, grandson.id]
    entries = _entries()
    assert [(entry.resident_id, entry.action, entry.fields, entry.actor_id, entry.reason) for entry in entries] == [
        (grandmother.id, "read", ["address", "phone"], worker.id, f"worker of grid {grid.id}"),
        (grandson.id, "read", ["address", "phone"], worker.id, f"worker of grid {grid.id}"),
    ]
    assert entries[0].community_id == grid.community_id


def test_an_admins_read_is_audited_as_the_admins(client, community, grid):
    household = make_household(make_building(grid))
    make_resident(household)
    client.login(make_admin(community))
    client.get(f"/api/v1/households/{household.id}")
    assert [entry.reason for entry in _entries()] == [f"admin of community {community.id}"]


def test_worker_of_another_grid_cannot_see_the_household_and_nothing_is_audited(client, community, grid):
    household = make_household(make_building(grid))
    make_resident(household)
    client.login(make_worker(make_grid(community)))
    assert client.get(f"/api/v1/households/{household.id}").status_code == 404
    assert client.patch(f"/api/v1/households/{household.id}", {"phone": "13900000000"}).status_code == 404
    assert fresh(Household, household.id).phone == "057188881234"
    assert _entries() == []


def test_volunteer_may_not_read_a_household(client, community, grid):
    household = make_household(make_building(grid))
    client.login(make_user(community, "volunteer"))
    assert client.get(f"/api/v1/households/{household.id}").status_code == 403


def test_changing_the_phone_is_audited_as_an_update_and_the_shown_address_as_a_read(client, grid):
    household = make_household(make_building(grid))
    resident = make_resident(household)
    client.login(make_worker(grid))
    response = client.patch(f"/api/v1/households/{household.id}", {"phone": "138-0000-1234"})
    assert response.status_code == 200 and response.get_json()["phone"] == "13800001234"
    assert [(entry.resident_id, entry.action, entry.fields) for entry in _entries()] == [
        (resident.id, "update", ["phone"]), (resident.id, "read", ["address"])]


def test_changing_the_door_number_and_address_is_one_address_update(client, grid):
    household = make_household(make_building(grid), "301")
    make_resident(household)
    client.login(make_worker(grid))
    client.patch(f"/api/v1/households/{household.id}", {"door_number": "302", "address_text": "幸福里 3 幢 302"})
    assert [(entry.action, entry.fields) for entry in _entries()] == [("update", ["address"]), ("read", ["phone"])]
    stored = fresh(Household, household.id)
    assert (stored.door_number, stored.address_text) == ("302", "幸福里 3 幢 302")


def test_moving_to_a_taken_door_is_a_conflict_and_nothing_is_written(client, grid):
    building = make_building(grid)
    make_household(building, "301")
    household = make_household(building, "302")
    make_resident(household)
    client.login(make_worker(grid))
    response = client.patch(f"/api/v1/households/{household.id}", {"door_number": "301", "phone": "13800001234"})
    assert response.status_code == 409
    assert (fresh(Household, household.id).door_number, fresh(Household, household.id).phone) == (
        "302", "057188881234")
    assert _entries() == []


@pytest.mark.parametrize("body, field", [
    ({"phone": "12"}, "phone"), ({"address_text": ""}, "address_text"), ({"building_id": 1}, "building_id"),
    ({"door_number": None}, "door_number"),
])
def test_bad_household_changes_are_refused_and_nothing_is_written(client, grid, body, field):
    household = make_household(make_building(grid), "301")
    make_resident(household)
    client.login(make_worker(grid))
    response = client.patch(f"/api/v1/households/{household.id}", body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    stored = fresh(Household, household.id)
    assert (stored.door_number, stored.phone) == ("301", "057188881234")
    assert _entries() == []


def test_worker_at_the_door_records_the_households_gps_position_and_it_is_audited(client, grid, clock):
    household = make_household(make_building(grid))
    resident = make_resident(household)
    worker = make_worker(grid)
    client.login(worker)
    response = client.put(f"/api/v1/households/{household.id}/position",
                          {"latitude": 30.27415, "longitude": 120.15528, "accuracy_m": 12})
    assert response.status_code == 200, response.get_json()
    assert "address_text" not in response.get_json()
    stored = fresh(Household, household.id)
    assert (stored.lat, stored.lng, stored.position_source, stored.position_set_by_id, stored.position_set_at) == (
        30.27415, 120.15528, "gps", worker.id, clock.current)
    assert [(entry.resident_id, entry.action, entry.fields) for entry in _entries()] == [
        (resident.id, "update", ["position"])]
    detail = client.get(f"/api/v1/households/{household.id}").get_json()
    assert (detail["latitude"], detail["position_source"]) == (30.27415, "gps")


def test_an_imprecise_household_fix_is_refused_and_nothing_is_written(client, grid):
    household = make_household(make_building(grid))
    make_resident(household)
    client.login(make_worker(grid))
    response = client.put(f"/api/v1/households/{household.id}/position",
                          {"latitude": 30.27415, "longitude": 120.15528, "accuracy_m": 1500})
    assert response.status_code == 422 and response.get_json()["reason"] == "position_too_imprecise"
    assert fresh(Household, household.id).lat is None
    assert _entries() == []
