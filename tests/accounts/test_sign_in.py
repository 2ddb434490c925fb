"""Signing in and out with a phone number and password."""
from tests.factories import make_community, make_user


def test_login_with_spaced_phone_signs_in_and_me_knows_the_user(client):
    community = make_community()
    make_user(community, "volunteer", phone="13800001111", name="李志愿")
    response = client.post("/api/v1/auth/login", {"phone": "138 0000 1111", "password": "linli-demo-2026"})
    assert response.status_code == 200
    assert response.get_json()["roles"] == ["volunteer"]
    sessions = client.get("/api/v1/me/sessions").get_json()
    assert sessions["total"] == 1 and sessions["items"][0]["is_this_device"] is True


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    community = make_community()
    make_user(community, "volunteer", phone="13800001111")
    wrong_password = client.post("/api/v1/auth/login", {"phone": "13800001111", "password": "nope-nope"})
    unknown_phone = client.post("/api/v1/auth/login", {"phone": "13800009999", "password": "nope-nope"})
    assert wrong_password.status_code == unknown_phone.status_code == 401
    assert wrong_password.get_json()["reason"] == unknown_phone.get_json()["reason"] == "wrong_credentials"
    assert wrong_password.get_json()["message"] == unknown_phone.get_json()["message"]


def test_logout_makes_the_old_cookie_useless(client):
    community = make_community()
    make_user(community, "volunteer", phone="13800001111")
    client.login("13800001111")
    cookie = client.http.get_cookie("linli_session").value
    assert client.logout().status_code == 204
    client.http.set_cookie("linli_session", cookie)
    response = client.get("/api/v1/me/sessions")
    assert response.status_code == 401
    assert response.get_json()["reason"] == "not_signed_in"
