"""Device sessions: timeouts by role, background polling, remote sign-out, password change."""
from tests.factories import make_community, make_user

ME = "/api/v1/me/sessions"


def _signed_in(client, *roles):
    user = make_user(make_community(), *roles)
    client.login(user)
    return user


def test_worker_is_signed_out_after_two_idle_hours(client, clock):
    _signed_in(client, "worker")
    clock.advance(hours=1, minutes=59)
    assert client.get(ME).status_code == 200
    clock.advance(hours=2, minutes=1)
    response = client.get(ME)
    assert response.status_code == 401
    assert response.get_json()["reason"] == "session_expired"


def test_active_admin_is_still_signed_out_after_twelve_hours(client, clock):
    _signed_in(client, "admin")
    for _ in range(13):
        clock.advance(hours=1)
        response = client.get(ME)
    assert response.status_code == 401
    assert response.get_json()["reason"] == "session_expired"


def test_background_polling_does_not_keep_a_worker_signed_in(client, clock):
    _signed_in(client, "worker")
    for _ in range(3):
        clock.advance(minutes=30)
        assert client.get(ME, headers={"X-Linli-Background": "1"}).status_code == 200
    clock.advance(minutes=35)  # 125 minutes since the last thing the worker did
    assert client.get(ME).status_code == 401


def test_resident_stays_signed_in_on_their_phone_for_ninety_days(client, clock):
    _signed_in(client, "resident")
    clock.advance(days=89)
    assert client.get(ME).status_code == 200
    clock.advance(days=89)
    assert client.get(ME).status_code == 200
    clock.advance(days=91)
    assert client.get(ME).status_code == 401


def test_signing_out_another_device_ends_it_at_once(client, make_client):
    user = _signed_in(client, "volunteer")
    other_phone = make_client().login(user)
    sessions = client.get(ME).get_json()["items"]
    other = next(item for item in sessions if not item["is_this_device"])
    assert client.delete(f"{ME}/{other['id']}").status_code == 204
    assert other_phone.get(ME).status_code == 401
    assert client.get(ME).get_json()["total"] == 1


def test_password_change_signs_out_every_other_device(client, make_client):
    user = _signed_in(client, "volunteer")
    other_phone = make_client().login(user)
    response = client.post("/api/v1/me/password",
                           {"current_password": "linli-demo-2026", "new_password": "autumn-leaves-fall-7"})
    assert response.status_code == 204
    assert other_phone.get(ME).status_code == 401
    assert client.get(ME).status_code == 200
    assert make_client().post("/api/v1/auth/login", {"phone": user.phone, "password": "linli-demo-2026"}).status_code == 401
    make_client().login(user, "autumn-leaves-fall-7")


def test_session_cookie_is_httponly_and_lax(client):
    user = make_user(make_community(), "volunteer")
    response = client.post("/api/v1/auth/login", {"phone": user.phone, "password": "linli-demo-2026"})
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("linli_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_disabled_account_cannot_sign_in_and_its_sessions_stop(client, make_client):
    from backend.extensions import db

    user = _signed_in(client, "volunteer")
    user.is_enabled = False
    db.session.commit()
    assert client.get(ME).status_code == 401
    assert make_client().post("/api/v1/auth/login", {"phone": user.phone, "password": "linli-demo-2026"}).status_code == 401
