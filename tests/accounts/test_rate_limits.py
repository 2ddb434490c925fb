"""Brute force: five failures per phone number in 15 minutes, loose per address, no lockout."""
import uuid

import pytest
import redis

from backend import create_app
from backend.extensions import db
from tests.client import ApiClient
from tests.factories import make_community, make_user


def _fail(client, phone, times):
    for _ in range(times):
        response = client.post("/api/v1/auth/login", {"phone": phone, "password": "wrong-password"})
        assert response.status_code == 401


def test_sixth_attempt_on_one_phone_is_refused_even_with_the_right_password(client):
    user = make_user(make_community(), "volunteer")
    _fail(client, user.phone, 5)
    response = client.post("/api/v1/auth/login", {"phone": user.phone, "password": "linli-demo-2026"})
    body = response.get_json()
    assert response.status_code == 429
    assert body["reason"] == "too_many_attempts"
    assert body["message"] == "尝试次数太多，请 15 分钟后再试。"
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60


def test_successful_sign_ins_do_not_count_towards_the_limit(client, make_client):
    user = make_user(make_community(), "volunteer")
    for _ in range(8):
        make_client().login(user)


def test_failures_on_one_phone_do_not_lock_out_another(client):
    community = make_community()
    target, neighbour = make_user(community, "volunteer"), make_user(community, "volunteer")
    _fail(client, target.phone, 5)
    client.login(neighbour)


def test_the_per_phone_limit_holds_whatever_way_the_number_is_written(client):
    user = make_user(make_community(), "volunteer")
    spaced = f"{user.phone[:3]} {user.phone[3:7]} {user.phone[7:]}"
    _fail(client, user.phone, 3)
    _fail(client, "+86" + user.phone, 1)
    _fail(client, spaced, 1)
    response = client.post("/api/v1/auth/login", {"phone": user.phone, "password": "linli-demo-2026"})
    assert response.status_code == 429


@pytest.fixture
def redis_app(tmp_path):
    """An app counting limits in Redis, as when RATELIMIT_STORAGE_URI is set (own SQLite file)."""
    prefix = f"linli-test-{uuid.uuid4().hex}"
    redis_app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'redis-app.db'}",
                            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
                            "RATELIMIT_KEY_PREFIX": prefix})
    yield redis_app
    connection = redis.Redis(host="127.0.0.1", port=6379)
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)


def test_limits_are_shared_through_redis_when_configured(redis_app):
    with redis_app.app_context():
        db.create_all()
        user = make_user(make_community(), "volunteer")
        phone = user.phone
        db.session.commit()
        try:
            first_process, second_process = ApiClient(redis_app.test_client()), ApiClient(redis_app.test_client())
            _fail(first_process, phone, 3)
            _fail(second_process, phone, 2)
            response = first_process.post("/api/v1/auth/login", {"phone": phone, "password": "linli-demo-2026"})
            assert response.status_code == 429
            stored = redis.Redis(host="127.0.0.1", port=6379).keys(f"*{redis_app.config['RATELIMIT_KEY_PREFIX']}*")
            assert stored, "the limiter kept nothing in Redis"
        finally:
            db.session.remove()
            db.engine.dispose()
