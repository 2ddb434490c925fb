"""Bad input anywhere gets the one error shape, a readable message, and changes nothing."""
from sqlalchemy import func, select

from backend.accounts.models import DeviceSession
from backend.extensions import db
from tests.factories import make_community, make_user

ERROR_KEYS = {"code", "status", "reason", "message", "errors"}


def _sessions() -> int:
    return db.session.scalar(select(func.count()).select_from(DeviceSession))


def test_malformed_json_is_a_400_with_a_readable_message(client):
    response = client.post("/api/v1/auth/login", data='{"phone": "138', content_type="application/json")
    body = response.get_json()
    assert response.status_code == 400
    assert set(body) == ERROR_KEYS
    assert body["reason"] == "malformed_json"
    assert "JSON" in body["message"]


def test_unknown_field_and_wrong_type_are_named_per_field(client):
    response = client.post("/api/v1/auth/login", {"phone": 13800000000, "password": "x", "admin": True})
    body = response.get_json()
    assert response.status_code == 422
    assert body["reason"] == "invalid_input"
    assert body["errors"]["admin"] == ["不认识的字段。"]
    assert body["errors"]["phone"] == ["应为文字。"]
    assert _sessions() == 0


def test_bad_phone_number_is_explained_in_chinese_by_default(client):
    response = client.post("/api/v1/auth/login", {"phone": "12345", "password": "whatever"})
    assert response.status_code == 422
    assert "11 位" in response.get_json()["errors"]["phone"][0]


def test_messages_follow_the_browser_language_when_signed_out(client):
    response = client.post("/api/v1/auth/login", {"phone": "12345", "password": "whatever"},
                           headers={"Accept-Language": "en-GB,en;q=0.9"})
    body = response.get_json()
    assert body["message"] == "Please check the marked fields."
    assert body["errors"]["phone"] == ["Enter an 11-digit mainland mobile number starting with 1."]


def test_a_json_array_instead_of_an_object_is_refused(client):
    response = client.post("/api/v1/auth/login", [1, 2, 3])
    assert response.status_code == 422
    assert response.get_json()["errors"]["_schema"] == ["格式不对，应为 JSON 对象。"]


def test_too_large_body_is_a_413_in_the_error_shape(client, app):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/api/v1/auth/login", data=big, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["reason"] == "payload_too_large"


def test_unknown_api_path_and_wrong_method_answer_in_the_error_shape(client):
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and set(missing.get_json()) == ERROR_KEYS
    wrong_method = client.get("/api/v1/auth/login")
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["reason"] == "method_not_allowed"
    assert "POST" in wrong_method.headers["Allow"]


def test_write_without_csrf_token_is_refused_before_anything_happens(client):
    community = make_community()
    make_user(community, "volunteer", phone="13800001111")
    response = client.http.post("/api/v1/auth/login", json={"phone": "13800001111", "password": "linli-demo-2026"})
    assert response.status_code == 403
    assert response.get_json()["reason"] == "csrf_missing"
    assert _sessions() == 0


def test_write_with_a_wrong_csrf_token_is_refused(client):
    client.csrf()
    response = client.http.post("/api/v1/auth/login", json={"phone": "13800001111", "password": "x"},
                                headers={"X-CSRF-Token": "forged"})
    assert response.status_code == 403
    assert response.get_json()["reason"] == "csrf_invalid"


def test_api_answers_are_never_cached(client):
    response = client.get("/api/v1/auth/csrf")
    assert response.headers["Cache-Control"] == "no-store"


def test_unknown_query_parameter_is_refused_not_silently_ignored(client):
    from tests.factories import make_grid, make_worker

    worker = make_worker(make_grid(make_community()))
    client.login(worker)
    response = client.get("/api/v1/residents", query_string={"grid": "2"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"grid": ["不认识的字段。"]}


def test_an_id_too_large_for_the_database_is_not_found_on_every_route(client, app):
    """An id past the integer columns' range (PostgreSQL refuses to compare with it) names
    nothing: 404 in the error shape for every route that takes one, never a 500."""
    from tests.factories import make_admin

    client.login(make_admin(make_community()))
    huge = str(2**31)
    paths = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or "<int:" not in rule.rule:
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<int:{argument}>", huge).replace(f"<{argument}>", "x")
        paths.add((path, tuple(sorted(rule.methods - {"HEAD", "OPTIONS"}))))
    assert len(paths) > 20
    for path, methods in sorted(paths):
        for method in methods:
            response = client.get(path) if method == "GET" else getattr(client, method.lower())(path, json={})
            assert response.status_code == 404, (method, path, response.status_code)
            assert set(response.get_json()) == ERROR_KEYS, (method, path)
