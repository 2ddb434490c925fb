"""Importing a grid's building list from CSV: all rows or none, and a known label is updated."""
import pytest

from backend.community.building_csv import CsvRejected, parse_building_csv
from backend.community.models import Building
from tests.community.helpers import community_of, count, fresh
from tests.factories import make_building, make_community, make_grid, make_worker

HEADER = "label,address,latitude,longitude\n"


@pytest.fixture
def grid():
    return make_grid(make_community())


def _import(client, grid, text):
    return client.post("/api/v1/buildings/import", {"grid_id": grid.id, "csv": text})


def test_worker_imports_a_grids_buildings(client, grid):
    client.login(make_worker(grid))
    response = _import(client, grid, HEADER + "幸福里 1 幢,幸福里 1 号,30.2701,120.1501\n"
                                              "幸福里 2 幢,幸福里 2 号,30.2702,120.1502\n"
                                              "\"幸福里 3 幢, 北\",,,\n")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"created": 3, "updated": 0, "gps_positions_kept": 0}
    first = Building.query.filter_by(grid_id=grid.id, label="幸福里 1 幢").one()
    assert (first.address, first.lat, first.lng, first.position_source) == ("幸福里 1 号", 30.2701, 120.1501, "csv")
    third = Building.query.filter_by(grid_id=grid.id, label="幸福里 3 幢, 北").one()
    assert (third.address, third.lat) == (None, None)


def test_a_file_saved_by_excel_with_a_bom_and_crlf_imports(client, grid):
    client.login(make_worker(grid))
    text = "\ufeffLabel, Address ,Latitude,Longitude\r\n幸福里 1 幢,幸福里 1 号,30.2701,120.1501\r\n"
    assert _import(client, grid, text).get_json()["created"] == 1
    assert Building.query.filter_by(grid_id=grid.id, label="幸福里 1 幢").count() == 1


def test_columns_may_come_in_any_order(client, grid):
    client.login(make_worker(grid))
    _import(client, grid, "latitude,longitude,label,address\n30.2701,120.1501,幸福里 1 幢,幸福里 1 号\n")
    building = Building.query.filter_by(grid_id=grid.id).one()
    assert (building.label, building.address, building.lat, building.lng) == ("幸福里 1 幢", "幸福里 1 号",
                                                                              30.2701, 120.1501)


def test_importing_a_known_label_updates_it_instead_of_duplicating(client, grid):
    existing = make_building(grid, "幸福里 1 幢", lat=30.0, lng=120.0)
    client.login(make_worker(grid))
    response = _import(client, grid, HEADER + "幸福里 1 幢,幸福里 1 号（新）,30.2701,120.1501\n"
                                              "幸福里 2 幢,,,\n")
    assert response.get_json() == {"created": 1, "updated": 1, "gps_positions_kept": 0}
    assert count(Building, Building.grid_id == grid.id) == 2
    stored = fresh(Building, existing.id)
    assert (stored.address, stored.lat, stored.position_source) == ("幸福里 1 号（新）", 30.2701, "csv")


def test_importing_the_same_file_twice_changes_nothing_more(client, grid):
    client.login(make_worker(grid))
    text = HEADER + "幸福里 1 幢,幸福里 1 号,30.2701,120.1501\n"
    _import(client, grid, text)
    assert _import(client, grid, text).get_json() == {"created": 0, "updated": 1, "gps_positions_kept": 0}
    assert count(Building, Building.grid_id == grid.id) == 1


def test_blank_cells_keep_what_is_stored_and_a_gps_fix_beats_the_list(client, grid):
    building = make_building(grid, "幸福里 1 幢")
    building.position_source = "gps"
    client.login(make_worker(grid))
    response = _import(client, grid, HEADER + "幸福里 1 幢,,30.0,120.0\n")
    assert response.get_json() == {"created": 0, "updated": 1, "gps_positions_kept": 1}
    stored = fresh(Building, building.id)
    assert (stored.address, stored.lat, stored.lng, stored.position_source) == (
        "杭州市上城区幸福里", 30.27, 120.15, "gps")


def test_one_bad_row_rejects_the_whole_file_with_per_row_errors(client, grid):
    make_building(grid, "幸福里 1 幢", lat=30.0, lng=120.0)
    client.login(make_worker(grid))
    response = _import(client, grid, HEADER + "幸福里 1 幢,新地址,30.2701,120.1501\n"
                                              "幸福里 2 幢,幸福里 2 号,95,120.1502\n"
                                              "幸福里 3 幢,幸福里 3 号,30.27,east\n"
                                              ",幸福里 4 号,,\n"
                                              "幸福里 5 幢,幸福里 5 号,30.27\n"
                                              "幸福里 6 幢,,30.27,\n"
                                              "幸福里 2 幢,重复,,\n")
    assert response.status_code == 422
    body = response.get_json()
    assert body["reason"] == "building_import_rejected"
    assert body["errors"] == {
        "row 3": ["纬度应在 -90 到 90 之间。"],
        "row 4": ["经度应为数字。"],
        "row 5": ["楼栋名称不能为空。"],
        "row 6": ["应有 4 列，这一行有 3 列。"],
        "row 7": ["纬度和经度要么都填，要么都不填。"],
    }
    assert count(Building) == 1
    stored = fresh(Building, Building.query.one().id)
    assert (stored.address, stored.lat) == ("杭州市上城区幸福里", 30.0)


def test_a_label_twice_in_one_file_is_an_error(client, grid):
    client.login(make_worker(grid))
    response = _import(client, grid, HEADER + "幸福里 1 幢,,,\n幸福里 2 幢,,,\n幸福里 1 幢,,,\n")
    assert response.get_json()["errors"] == {"row 4": ["与第 2 行的楼栋名称重复。"]}
    assert count(Building) == 0


@pytest.mark.parametrize("text, key", [
    ("幸福里 1 幢,幸福里 1 号,30.27,120.15\n", "row 1"),
    ("label,address,lat,lng\n幸福里 1 幢,,,\n", "row 1"),
    ("label,address,latitude,longitude,floors\n幸福里 1 幢,,,,6\n", "row 1"),
    (HEADER, "csv"),
    ("\n\n", "csv"),
    ("label,address,latitude,longitude\n\"幸福里 1 幢,,,\n", "csv"),
])
def test_a_file_without_the_header_or_without_rows_is_refused(client, grid, text, key):
    client.login(make_worker(grid))
    response = _import(client, grid, text)
    assert response.status_code == 422 and key in response.get_json()["errors"]
    assert count(Building) == 0


def test_too_many_rows_are_refused(client, grid, monkeypatch):
    monkeypatch.setattr("backend.community.services.buildings.MAX_IMPORT_ROWS", 3)
    client.login(make_worker(grid))
    response = _import(client, grid, HEADER + "".join(f"幸福里 {n} 幢,,,\n" for n in range(4)))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"csv": ["一次最多导入 3 栋楼，请把文件分成几份。"]}
    assert count(Building) == 0


def test_row_errors_are_in_english_for_an_english_speaker(client, grid):
    worker = make_worker(grid)
    worker.language = "en"
    client.login(worker)
    response = _import(client, grid, HEADER + "A,,91,120\n")
    assert response.get_json()["errors"] == {"row 2": ["Latitude must be between -90 and 90."]}


def test_worker_of_another_grid_cannot_import_into_it(client, grid):
    client.login(make_worker(make_grid(community_of(grid))))
    response = _import(client, grid, HEADER + "幸福里 1 幢,,,\n")
    assert response.status_code == 422 and "grid_id" in response.get_json()["errors"]
    assert count(Building) == 0


def test_a_missing_csv_field_is_refused(client, grid):
    client.login(make_worker(grid))
    response = client.post("/api/v1/buildings/import", {"grid_id": grid.id})
    assert response.status_code == 422 and "csv" in response.get_json()["errors"]


def test_parser_lists_only_the_first_hundred_bad_rows_and_counts_the_rest():
    text = HEADER + "".join(f"楼 {n},,999,0\n" for n in range(105))
    with pytest.raises(CsvRejected) as rejected:
        parse_building_csv(text, max_rows=5000)
    assert len([key for key in rejected.value.errors if key.startswith("row ")]) == 100
    assert rejected.value.errors["csv"] == ["另有 5 行有误，未逐一列出。"]


def test_parser_rejects_infinite_and_nan_coordinates():
    with pytest.raises(CsvRejected) as rejected:
        parse_building_csv(HEADER + "A,,nan,120\nB,,30,inf\n", max_rows=10)
    assert rejected.value.errors == {"row 2": ["纬度应为数字。"], "row 3": ["经度应为数字。"]}


def test_a_file_larger_than_the_body_limit_is_refused(client, grid):
    client.login(make_worker(grid))
    response = _import(client, grid, HEADER + "幸福里,很长的地址,30,120\n" * 60000)
    assert response.status_code == 413 and response.get_json()["reason"] == "payload_too_large"
    assert count(Building) == 0


def test_malformed_json_is_refused(client, grid):
    client.login(make_worker(grid))
    response = client.post("/api/v1/buildings/import", data='{"grid_id": 1, "csv": "label',
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json()["reason"] == "malformed_json"
    assert count(Building) == 0
