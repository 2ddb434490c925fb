"""Buildings of a grid: adding, finding, correcting, and a worker's GPS fix at the door."""
from datetime import UTC, datetime

import pytest

from backend.community.models import Building
from tests.community.helpers import community_of, count, fresh
from tests.factories import make_admin, make_building, make_community, make_grid, make_user, make_worker


@pytest.fixture
def grid():
    return make_grid(make_community())


def test_worker_adds_a_building_with_a_typed_in_position(client, grid):
    worker = make_worker(grid)
    client.login(worker)
    response = client.post("/api/v1/buildings", {"grid_id": grid.id, "label": "幸福里 3 幢",
                                                 "address": "幸福里 3 号", "latitude": 30.2741, "longitude": 120.1551})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["label"], body["latitude"], body["longitude"], body["position_source"]) == (
        "幸福里 3 幢", 30.2741, 120.1551, "manual")
    assert body["position_set_by_id"] == worker.id


def test_a_building_without_coordinates_has_no_position(client, grid):
    client.login(make_worker(grid))
    body = client.post("/api/v1/buildings", {"grid_id": grid.id, "label": "幸福里 4 幢"}).get_json()
    assert body["latitude"] is None and body["position_source"] is None


def test_worker_of_another_grid_cannot_add_a_building_to_this_one(client, grid):
    client.login(make_worker(make_grid(community_of(grid))))
    response = client.post("/api/v1/buildings", {"grid_id": grid.id, "label": "幸福里 3 幢"})
    assert response.status_code == 422 and "grid_id" in response.get_json()["errors"]
    assert count(Building) == 0


@pytest.mark.parametrize("body, fields", [
    ({"label": "幸福里 3 幢", "latitude": 91, "longitude": 120}, {"latitude"}),
    ({"label": "幸福里 3 幢", "latitude": 30, "longitude": -181}, {"longitude"}),
    ({"label": "幸福里 3 幢", "latitude": 30}, {"latitude", "longitude"}),
    ({"label": "幸福里 3 幢", "latitude": "north", "longitude": 120}, {"latitude"}),
    ({"label": ""}, {"label"}),
    ({"label": "楼" * 61}, {"label"}),
    ({"label": "幸福里 3 幢", "floors": 6}, {"floors"}),
])
def test_bad_buildings_are_refused_and_nothing_is_added(client, grid, body, fields):
    client.login(make_worker(grid))
    response = client.post("/api/v1/buildings", {"grid_id": grid.id, **body})
    assert response.status_code == 422
    assert fields <= response.get_json()["errors"].keys()
    assert count(Building) == 0


def test_latitude_out_of_range_says_so_in_chinese(client, grid):
    client.login(make_worker(grid))
    response = client.post("/api/v1/buildings", {"grid_id": grid.id, "label": "幸福里 3 幢",
                                                 "latitude": 95, "longitude": 120})
    assert response.get_json()["errors"]["latitude"] == ["应在 -90 到 90 之间。"]


def test_a_label_is_unique_within_its_grid(client, grid):
    make_building(grid, "幸福里 3 幢")
    client.login(make_worker(grid))
    response = client.post("/api/v1/buildings", {"grid_id": grid.id, "label": "幸福里 3 幢"})
    assert response.status_code == 409 and response.get_json()["reason"] == "building_label_taken"
    assert count(Building) == 1


def test_worker_lists_and_searches_buildings_of_their_grids_only(client, grid):
    make_building(grid, "幸福里 3 幢")
    make_building(grid, "阳光花园 1 幢")
    other = make_grid(community_of(grid))
    make_building(other, "幸福里 9 幢")
    client.login(make_worker(grid))
    everything = client.get("/api/v1/buildings").get_json()
    assert [item["label"] for item in everything["items"]] == ["幸福里 3 幢", "阳光花园 1 幢"]
    by_label = client.get("/api/v1/buildings", query_string={"q": "阳光"}).get_json()
    assert [item["label"] for item in by_label["items"]] == ["阳光花园 1 幢"]
    by_address = client.get("/api/v1/buildings", query_string={"q": "上城区"}).get_json()
    assert by_address["total"] == 2
    assert client.get("/api/v1/buildings", query_string={"q": "%"}).get_json()["total"] == 0


def test_admin_filters_buildings_by_grid(client, grid):
    make_building(grid, "幸福里 3 幢")
    other = make_grid(community_of(grid))
    make_building(other, "幸福里 9 幢")
    client.login(make_admin(community_of(grid)))
    assert client.get("/api/v1/buildings").get_json()["total"] == 2
    only = client.get("/api/v1/buildings", query_string={"grid_id": other.id}).get_json()
    assert [item["label"] for item in only["items"]] == ["幸福里 9 幢"]


def test_filtering_by_someone_elses_grid_is_not_found(client, grid):
    other = make_grid(community_of(grid))
    client.login(make_worker(grid))
    assert client.get("/api/v1/buildings", query_string={"grid_id": other.id}).status_code == 404


def test_worker_of_another_grid_cannot_see_or_change_the_building(client, grid):
    building = make_building(grid, "幸福里 3 幢")
    client.login(make_worker(make_grid(community_of(grid))))
    assert client.get(f"/api/v1/buildings/{building.id}").status_code == 404
    assert client.patch(f"/api/v1/buildings/{building.id}", {"label": "改"}).status_code == 404
    assert client.put(f"/api/v1/buildings/{building.id}/position",
                      {"latitude": 30.1, "longitude": 120.1}).status_code == 404
    stored = fresh(Building, building.id)
    assert (stored.label, stored.lat) == ("幸福里 3 幢", 30.27)


def test_volunteer_may_not_list_buildings(client, grid):
    client.login(make_user(community_of(grid), "volunteer"))
    assert client.get("/api/v1/buildings").status_code == 403


def test_worker_corrects_a_building_and_can_clear_its_position(client, grid):
    building = make_building(grid, "幸福里 3 幢")
    client.login(make_worker(grid))
    response = client.patch(f"/api/v1/buildings/{building.id}", {"label": "幸福里 3 幢（北）", "address": None})
    assert response.status_code == 200
    assert (response.get_json()["label"], response.get_json()["address"]) == ("幸福里 3 幢（北）", None)
    cleared = client.patch(f"/api/v1/buildings/{building.id}", {"latitude": None, "longitude": None}).get_json()
    assert (cleared["latitude"], cleared["position_source"]) == (None, None)


@pytest.mark.parametrize("body", [{"latitude": 30.1}, {"latitude": None, "longitude": 120.1}, {"label": None},
                                  {"grid_id": 1}])
def test_bad_building_changes_are_refused_and_nothing_changes(client, grid, body):
    building = make_building(grid, "幸福里 3 幢")
    client.login(make_worker(grid))
    assert client.patch(f"/api/v1/buildings/{building.id}", body).status_code == 422
    stored = fresh(Building, building.id)
    assert (stored.label, stored.lat, stored.lng) == ("幸福里 3 幢", 30.27, 120.15)


def test_worker_at_the_door_records_the_buildings_gps_position(client, grid, clock):
    building = make_building(grid, "幸福里 3 幢")
    worker = make_worker(grid)
    client.login(worker)
    response = client.put(f"/api/v1/buildings/{building.id}/position",
                          {"latitude": 30.27412, "longitude": 120.15533, "accuracy_m": 6.5})
    assert response.status_code == 200, response.get_json()
    stored = fresh(Building, building.id)
    assert (stored.lat, stored.lng, stored.position_source) == (30.27412, 120.15533, "gps")
    assert (stored.position_set_by_id, stored.position_set_at, stored.position_accuracy_m) == (
        worker.id, clock.current, 6.5)


def test_a_fix_taken_offline_keeps_the_time_it_was_taken(client, grid):
    building = make_building(grid)
    client.login(make_worker(grid))
    client.put(f"/api/v1/buildings/{building.id}/position",
               {"latitude": 30.2741, "longitude": 120.1551, "occurred_at": "2026-11-26T08:30:00+08:00"})
    assert fresh(Building, building.id).position_set_at == datetime(2026, 11, 26, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize("body, field, reason", [
    ({"latitude": 30.2741, "longitude": 120.1551, "accuracy_m": 350}, "accuracy_m", "position_too_imprecise"),
    ({"latitude": 30.2741, "longitude": 120.1551, "occurred_at": "2026-11-26T11:00:00+08:00"}, "occurred_at",
     "invalid_input"),
    ({"latitude": 30.2741, "longitude": 120.1551, "occurred_at": "2026-11-22T10:00:00+08:00"}, "occurred_at",
     "invalid_input"),
    ({"latitude": 30.2741, "longitude": 120.1551, "occurred_at": "2026-11-26T09:00:00"}, "occurred_at",
     "invalid_input"),
    ({"latitude": -90.5, "longitude": 120.1551}, "latitude", "invalid_input"),
    ({"latitude": 30.2741}, "longitude", "invalid_input"),
    ({"latitude": 30.2741, "longitude": 120.1551, "source": "gps"}, "source", "invalid_input"),
])
def test_bad_gps_fixes_are_refused_and_the_position_stays(client, grid, body, field, reason):
    building = make_building(grid, lat=30.27, lng=120.15)
    client.login(make_worker(grid))
    response = client.put(f"/api/v1/buildings/{building.id}/position", body)
    assert response.status_code == 422
    assert response.get_json()["reason"] == reason and field in response.get_json()["errors"]
    stored = fresh(Building, building.id)
    assert (stored.lat, stored.lng, stored.position_source) == (30.27, 120.15, "manual")


def test_an_empty_search_box_lists_everything(client, grid):
    make_building(grid)
    client.login(make_worker(grid))
    assert client.get("/api/v1/buildings", query_string={"q": "  "}).get_json()["total"] == 1
