"""Every API route × every kind of actor → the expected status, generated from app.url_map.

Each domain lists its routes in tests/<domain>/access_matrix.py as `MATRIX`, a dict from
"METHOD /rule" to an `Expect`. A route with no row fails here, so a new endpoint cannot ship
without a decision about who may call it. Refusals must carry the error shape and nothing else,
and any answer that shows the resident's address or phone must have written the audit log.
"""
import importlib
import pkgutil

import pytest
from sqlalchemy import func, select

import tests
from backend.audit.models import AuditEntry
from backend.extensions import db
from backend import create_app
from tests.access import Expect
from tests.world import ACTORS, build_world

ERROR_KEYS = {"code", "status", "reason", "message", "errors"}
UNAUDITED_ROUTES = {"GET /api/v1/openapi.json"}  # public document, no actor


def _collect_matrix() -> dict[str, Expect]:
    matrix: dict[str, Expect] = {}
    for module_info in pkgutil.walk_packages(tests.__path__, "tests."):
        if module_info.name.endswith(".access_matrix"):
            module = importlib.import_module(module_info.name)
            duplicated = matrix.keys() & module.MATRIX.keys()
            assert not duplicated, f"routes listed twice: {duplicated}"
            matrix.update(module.MATRIX)
    return matrix


def _api_routes() -> set[str]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.add(f"{method} {rule.rule}")
    return routes - UNAUDITED_ROUTES


MATRIX = _collect_matrix()
ROUTES = sorted(_api_routes())


def test_every_api_route_has_an_expected_row():
    missing = [route for route in ROUTES if route not in MATRIX]
    assert not missing, "routes without an access-matrix row:\n" + "\n".join(missing)


def test_matrix_names_no_route_that_does_not_exist():
    stale = [route for route in MATRIX if route not in ROUTES]
    assert not stale, f"matrix rows for routes that no longer exist: {stale}"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", ROUTES)
def test_actor_gets_expected_status(route, actor, make_client):
    expect = MATRIX.get(route)
    if expect is None:
        pytest.fail(f"no access-matrix row for {route}")
    world = build_world()
    client = make_client()
    if actor != "anonymous":
        client.login(world.users[actor])
    audited_before = _audit_rows()
    method, rule = route.split(" ", 1)
    path = expect.path(rule, world)
    body = expect.body(world) if expect.body else None
    if method == "GET":
        response = client.get(path, query_string=expect.query(world) if expect.query else None)
    else:
        response = client._write(method, path, body)
    wanted = expect.status_for(actor)
    assert response.status_code == wanted, (route, actor, response.get_json())
    if wanted in (401, 403, 404):
        assert set(response.get_json()) == ERROR_KEYS, response.get_json()
    shown = _sensitive_values_shown(response, world)
    if shown:
        assert _audit_rows() > audited_before, \
            f"{route} showed {actor} the resident's {shown} without writing the audit log"


def _audit_rows() -> int:
    # Any resident's rows: a new resident registered into the household shares its address.
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _sensitive_values_shown(response, world) -> list[str]:
    """Which of the world resident's address and phones appear anywhere in a JSON answer."""
    if response.status_code >= 300 or not response.is_json or not response.data:
        return []
    sensitive = {"address": world.household.address_text, "household phone": world.household.phone,
                 "own phone": world.resident.phone}
    texts = list(_strings(response.get_json()))
    return [name for name, value in sensitive.items() if value and any(value in text for text in texts)]
