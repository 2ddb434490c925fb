"""Ids in bodies and query strings (backend/common/ids.py): a number no row can have is refused with
422 before any query runs, never a 500 (PostgreSQL refuses to compare an integer column with it)."""
import pytest

from backend.common.ids import MAX_ID, in_id_range
from tests.factories import (
    make_admin, make_building, make_community, make_grid, make_household, make_resident,
)


def _id_fields(spec, schema, path):
    """(where, field schema) of every integer field named id or *_id in a request schema."""
    if "$ref" in schema:
        yield from _id_fields(spec, spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], path)
        return
    for name, field in schema.get("properties", {}).items():
        if field.get("type") == "array":
            field = field.get("items", {})
        if "$ref" in field or field.get("type") == "object":
            yield from _id_fields(spec, field, f"{path}.{name}")
        elif field.get("type") == "integer" and (name == "id" or name.endswith(("_id", "_ids"))):
            yield f"{path}.{name}", field


def test_every_id_a_request_takes_is_limited_to_what_a_row_can_have(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    checked, unlimited = 0, []
    for route, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # the path's own: its ids are the URL converter's
                continue
            fields = [(f"{method} {route} ?{parameter['name']}", parameter["schema"])
                      for parameter in operation.get("parameters", ())
                      if parameter.get("in") == "query" and parameter["schema"].get("type") == "integer"
                      and parameter["name"].endswith("_id")]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                fields += list(_id_fields(spec, body, f"{method} {route} body"))
            for where, field in fields:
                checked += 1
                if (field.get("minimum"), field.get("maximum")) != (1, MAX_ID):
                    unlimited.append(where)
    assert checked >= 20
    assert unlimited == []


@pytest.fixture
def place():
    community = make_community()
    grid = make_grid(community)
    return community, grid, make_resident(make_household(make_building(grid)))


@pytest.mark.parametrize("huge", [MAX_ID + 1, 2**40])
def test_an_id_too_large_in_a_body_or_a_query_is_refused_not_a_server_error(client, place, huge):
    community, grid, resident = place
    client.login(make_admin(community))
    answers = {
        "block": client.post(f"/api/v1/residents/{resident.id}/blocked-volunteers",
                             {"volunteer_id": huge, "reason": "不合适"}),
        "move": client.patch(f"/api/v1/residents/{resident.id}", {"household_id": huge}),
        "volunteers": client.get("/api/v1/volunteers", query_string={"grid_id": huge}),
        "residents": client.get("/api/v1/residents", query_string={"grid_id": huge}),
        "households": client.get("/api/v1/households", query_string={"building_id": huge}),
    }
    for what, answer in answers.items():
        assert answer.status_code == 422, (what, answer.status_code, answer.get_json())
        body = answer.get_json()
        assert body["reason"] == "invalid_input" and body["errors"], what
    assert client.post(f"/api/v1/residents/{resident.id}/blocked-volunteers",
                       {"volunteer_id": 0, "reason": "不合适"}).status_code == 422


def test_in_id_range():
    assert [in_id_range(value) for value in (0, 1, MAX_ID, MAX_ID + 1, -5)] == [False, True, True, False, False]
