"""Passwords: argon2id at OWASP parameters in production, length and common-password rules."""
import pytest
from argon2 import extract_parameters

from backend import create_app
from backend.accounts.passwords import hash_secret
from config import ProductionConfig
from tests.factories import make_community, make_user


def test_production_hashes_with_argon2id_at_owasp_parameters():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", **{
        key: getattr(ProductionConfig, key) for key in ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM")}})
    with app.app_context():
        stored = hash_secret("a-long-enough-secret")
    parameters = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (2, 19 * 1024, 1)


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    monkeypatch.setenv("LINLI_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


@pytest.mark.parametrize("new_password, message", [
    ("short7", "密码至少 8 位。"),
    ("password", "这个密码太常见，容易被猜到，请换一个。"),
    ("woaini1314", "这个密码太常见，容易被猜到，请换一个。"),
    ("12345678", "这个密码太常见，容易被猜到，请换一个。"),
])
def test_weak_new_password_is_refused_with_a_reason(client, new_password, message):
    user = make_user(make_community(), "volunteer")
    client.login(user)
    response = client.post("/api/v1/me/password",
                           {"current_password": "linli-demo-2026", "new_password": new_password})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"new_password": [message]}
    client.logout()
    client.login(user)  # the old password still works: nothing changed


def test_wrong_current_password_changes_nothing(client):
    user = make_user(make_community(), "volunteer")
    client.login(user)
    response = client.post("/api/v1/me/password",
                           {"current_password": "not-it-at-all", "new_password": "autumn-leaves-fall-7"})
    assert response.status_code == 422
    assert "current_password" in response.get_json()["errors"]
    client.logout()
    client.login(user)
