"""Signing up as a volunteer: pending until a worker records an identity vetting."""
from sqlalchemy import func, select

from backend.accounts.models import User
from backend.extensions import db
from backend.volunteers.models import Volunteer
from tests.factories import make_community, make_grid, make_user, make_worker

PASSWORD = "a-good-long-secret"


def _signup(grid, **overrides) -> dict:
    body = {"phone": "136 1234 5678", "display_name": "张阿姨", "password": PASSWORD, "gender": "female",
            "grid_id": grid.id, "skills": ["companionship", "errands"], "languages": ["mandarin"],
            "home_lat": 30.271, "home_lng": 120.152, "travel_radius_km": 1.5}
    body.update(overrides)
    return body


def _row_counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Volunteer)))


def test_registration_creates_a_pending_volunteer_who_can_then_sign_in(client):
    grid = make_grid(make_community())
    response = client.post("/api/v1/volunteers/register", _signup(grid))
    assert response.status_code == 201
    profile = response.get_json()
    assert profile["status"] == "pending" and profile["on_duty"] is False
    assert profile["phone"] == "13612345678"
    assert profile["home_grid_id"] == grid.id
    assert profile["skills"] == ["companionship", "errands"] and profile["languages"] == ["mandarin"]
    assert profile["travel_radius_km"] == 1.5 and profile["valid_vettings"] == []

    client.login("13612345678", PASSWORD)
    assert client.get("/api/v1/volunteers/me").get_json()["id"] == profile["id"]


def test_pending_volunteer_cannot_go_on_duty_until_vetted_then_can(client, make_client):
    grid = make_grid(make_community())
    worker = make_worker(grid)
    volunteer_id = client.post("/api/v1/volunteers/register", _signup(grid)).get_json()["id"]
    client.login("13612345678", PASSWORD)

    refused = client.put("/api/v1/volunteers/me/on-duty", {"on_duty": True})
    assert refused.status_code == 409 and refused.get_json()["reason"] == "volunteer_not_active"

    staff = make_client().login(worker)
    vetting = staff.post(f"/api/v1/volunteers/{volunteer_id}/vettings",
                         {"kind": "identity", "expires_on": "2027-11-30", "note": "身份证已核对"})
    assert vetting.status_code == 201 and vetting.get_json()["is_valid"] is True
    seen_by_staff = staff.get(f"/api/v1/volunteers/{volunteer_id}").get_json()
    assert seen_by_staff["status"] == "active"
    assert seen_by_staff["last_status_change"]["from_status"] == "pending"
    assert seen_by_staff["last_status_change"]["changed_by_id"] == worker.id

    on_duty = client.put("/api/v1/volunteers/me/on-duty", {"on_duty": True})
    assert on_duty.status_code == 200 and on_duty.get_json()["on_duty"] is True
    assert on_duty.get_json()["valid_vettings"] == ["identity"]


def test_child_safeguarding_vetting_alone_does_not_activate(client, make_client):
    grid = make_grid(make_community())
    volunteer_id = client.post("/api/v1/volunteers/register", _signup(grid)).get_json()["id"]
    staff = make_client().login(make_worker(grid))
    staff.post(f"/api/v1/volunteers/{volunteer_id}/vettings", {"kind": "child_safeguarding",
                                                               "expires_on": "2027-11-30"})
    assert staff.get(f"/api/v1/volunteers/{volunteer_id}").get_json()["status"] == "pending"


def test_registered_phone_is_refused_as_taken_and_nothing_is_written(client):
    community = make_community()
    make_user(community, "resident", phone="13612345678")
    before = _row_counts()
    response = client.post("/api/v1/volunteers/register", _signup(make_grid(community)))
    assert response.status_code == 409
    assert response.get_json()["reason"] == "phone_taken"
    assert _row_counts() == before


def test_unknown_skill_language_and_grid_are_refused_with_field_errors(client):
    grid = make_grid(make_community())
    before = _row_counts()
    response = client.post("/api/v1/volunteers/register", _signup(grid, skills=["juggling"], languages=["klingon"]))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"skills", "languages"}
    unknown_grid = client.post("/api/v1/volunteers/register", _signup(grid, grid_id=999999))
    assert unknown_grid.status_code == 422 and set(unknown_grid.get_json()["errors"]) == {"grid_id"}
    assert _row_counts() == before


def test_bad_fields_are_refused_and_nothing_is_written(client):
    grid = make_grid(make_community())
    before = _row_counts()
    cases = [
        ({"phone": "12345"}, "phone"),
        ({"password": "123456789"}, "password"),  # too common
        ({"password": "short"}, "password"),
        ({"gender": "robot"}, "gender"),
        ({"grid_id": "1"}, "grid_id"),
        ({"home_lat": 91}, "home_lat"),
        ({"home_lng": None}, "home_lng"),
        ({"travel_radius_km": 0.05}, "travel_radius_km"),
        ({"display_name": "  "}, "display_name"),
        ({"favourite_colour": "red"}, "favourite_colour"),
    ]
    for change, field in cases:
        response = client.post("/api/v1/volunteers/register", _signup(grid, **change))
        assert response.status_code == 422, (change, response.get_json())
        assert field in response.get_json()["errors"], (change, response.get_json())
    assert _row_counts() == before


def test_position_needs_both_coordinates(client):
    grid = make_grid(make_community())
    body = _signup(grid)
    del body["home_lng"]
    response = client.post("/api/v1/volunteers/register", body)
    assert response.status_code == 422 and "home_lat" in response.get_json()["errors"]


def test_registration_is_rate_limited_per_address(client):
    grid = make_grid(make_community())
    for n in range(10):
        client.post("/api/v1/volunteers/register", _signup(grid, phone=f"1361234{n:04d}"))
    response = client.post("/api/v1/volunteers/register", _signup(grid, phone="13699999999"))
    assert response.status_code == 429
    assert response.get_json()["reason"] == "too_many_attempts" and "Retry-After" in response.headers
    assert db.session.scalar(select(User.id).where(User.phone == "13699999999")) is None


def test_registration_message_follows_the_browser_language(client):
    grid = make_grid(make_community())
    response = client.post("/api/v1/volunteers/register", _signup(grid, skills=["juggling"]),
                           headers={"Accept-Language": "en"})
    assert response.get_json()["errors"]["skills"] == ["Unknown codes: juggling."]
