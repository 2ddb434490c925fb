"""A volunteer keeps their own profile, weekly availability and dated exceptions."""
from datetime import date

from sqlalchemy import func, select

from backend.extensions import db
from backend.volunteers.models import AvailabilityException, AvailabilitySlot, Volunteer
from tests.factories import make_community, make_grid, make_volunteer


def _volunteer_client(client, **kwargs):
    community = make_community()
    user = make_volunteer(community, grid=make_grid(community), **kwargs)
    client.login(user)
    return client, db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))


def _slots_of(volunteer) -> list[tuple[int, int, int]]:
    return [tuple(row) for row in db.session.execute(
        select(AvailabilitySlot.weekday, AvailabilitySlot.start_minute, AvailabilitySlot.end_minute)
        .where(AvailabilitySlot.volunteer_id == volunteer.id)
        .order_by(AvailabilitySlot.weekday, AvailabilitySlot.start_minute))]


def test_volunteer_sees_own_profile_with_phone_and_vettings_without_worker_notes(client):
    client, volunteer = _volunteer_client(client)
    profile = client.get("/api/v1/volunteers/me").get_json()
    assert profile["phone"] == volunteer.user.phone
    assert profile["vettings"][0]["kind"] == "identity" and profile["vettings"][0]["is_valid"] is True
    assert "note" not in profile["vettings"][0] and "last_status_change" not in profile
    assert profile["availability"][0] == {"weekday": 0, "start": "00:00", "end": "24:00"}


def test_volunteer_changes_skills_languages_radius_and_position(client):
    client, volunteer = _volunteer_client(client)
    response = client.patch("/api/v1/volunteers/me", {
        "skills": ["meal_delivery", "errands"], "languages": ["cantonese"], "travel_radius_km": 0.5,
        "load_cap": 4, "home_lat": None, "home_lng": None, "about": " 会说粤语 ", "gender": "male"})
    assert response.status_code == 200
    profile = response.get_json()
    assert profile["skills"] == ["errands", "meal_delivery"]  # in the community list's order
    assert profile["languages"] == ["cantonese"]
    assert (profile["travel_radius_km"], profile["load_cap"], profile["about"]) == (0.5, 4, "会说粤语")
    assert profile["home_lat"] is None and profile["home_lng"] is None and profile["gender"] == "male"


def test_bad_profile_changes_are_refused_and_nothing_changes(client):
    client, volunteer = _volunteer_client(client)
    before = client.get("/api/v1/volunteers/me").get_json()
    cases = [
        ({"travel_radius_km": 0.05}, "travel_radius_km"),
        ({"travel_radius_km": 51}, "travel_radius_km"),
        ({"load_cap": 0}, "load_cap"),
        ({"load_cap": 11}, "load_cap"),
        ({"skills": ["juggling"], "travel_radius_km": 9}, "skills"),
        ({"languages": ["klingon"]}, "languages"),
        ({"home_lat": 30.2}, "home_lat"),
        ({"home_lat": 30.2, "home_lng": 181}, "home_lng"),
        ({"status": "active"}, "status"),
        ({"about": "长" * 501}, "about"),
    ]
    for change, field in cases:
        response = client.patch("/api/v1/volunteers/me", change)
        assert response.status_code == 422, (change, response.get_json())
        assert field in response.get_json()["errors"], (change, response.get_json())
    assert client.get("/api/v1/volunteers/me").get_json() == before


def test_availability_replaces_the_weekly_pattern_and_accepts_midnight_end(client):
    client, volunteer = _volunteer_client(client)
    response = client.put("/api/v1/volunteers/me/availability", {"slots": [
        {"weekday": 2, "start": "18:00", "end": "24:00"},
        {"weekday": 2, "start": "08:30", "end": "11:00"},
        {"weekday": 2, "start": "11:00", "end": "12:00"},  # touching is not overlapping
        {"weekday": 5, "start": "09:00", "end": "17:00"},
    ]})
    assert response.status_code == 200
    assert response.get_json()["availability"] == [
        {"weekday": 2, "start": "08:30", "end": "11:00"}, {"weekday": 2, "start": "11:00", "end": "12:00"},
        {"weekday": 2, "start": "18:00", "end": "24:00"}, {"weekday": 5, "start": "09:00", "end": "17:00"}]
    assert _slots_of(volunteer) == [(2, 510, 660), (2, 660, 720), (2, 1080, 1440), (5, 540, 1020)]


def test_empty_availability_clears_the_pattern(client):
    client, volunteer = _volunteer_client(client)
    assert client.put("/api/v1/volunteers/me/availability", {"slots": []}).status_code == 200
    assert _slots_of(volunteer) == []


def test_overlapping_availability_on_one_day_is_refused_and_the_old_pattern_stays(client):
    client, volunteer = _volunteer_client(client)
    before = _slots_of(volunteer)
    response = client.put("/api/v1/volunteers/me/availability", {"slots": [
        {"weekday": 1, "start": "09:00", "end": "12:00"},
        {"weekday": 1, "start": "11:30", "end": "14:00"},
        {"weekday": 2, "start": "11:30", "end": "14:00"},
    ]})
    assert response.status_code == 422
    assert response.get_json()["errors"]["slots"] == ["周二 09:00–12:00 与 11:30–14:00 时间重叠。"]
    assert _slots_of(volunteer) == before


def test_bad_availability_ranges_are_refused_and_the_old_pattern_stays(client):
    client, volunteer = _volunteer_client(client)
    before = _slots_of(volunteer)
    bad_slots = [
        {"weekday": 1, "start": "12:00", "end": "09:00"},
        {"weekday": 1, "start": "09:00", "end": "09:00"},
        {"weekday": 7, "start": "09:00", "end": "10:00"},
        {"weekday": 1, "start": "24:00", "end": "24:00"},
        {"weekday": 1, "start": "9:00", "end": "10:00"},
        {"weekday": 1, "start": "09:00", "end": "24:30"},
        {"weekday": 1, "start": 540, "end": "10:00"},
        {"weekday": 1, "start": "09:00"},
    ]
    for slot in bad_slots:
        response = client.put("/api/v1/volunteers/me/availability", {"slots": [slot]})
        assert response.status_code == 422, (slot, response.get_json())
        assert "slots" in response.get_json()["errors"]
    assert client.put("/api/v1/volunteers/me/availability", [{"weekday": 1}]).status_code == 422
    assert _slots_of(volunteer) == before


def test_exceptions_are_added_listed_as_upcoming_and_deleted(client, clock):
    client, volunteer = _volunteer_client(client)
    away = client.post("/api/v1/volunteers/me/exceptions",
                       {"date": "2026-12-24", "available": False, "note": "回老家"})
    assert away.status_code == 201
    partly = client.post("/api/v1/volunteers/me/exceptions",
                         {"date": "2026-11-26", "available": True, "start": "14:00", "end": "24:00"})
    assert partly.status_code == 201
    assert partly.get_json() == {"id": partly.get_json()["id"], "date": "2026-11-26", "available": True,
                                 "start": "14:00", "end": "24:00", "note": None}
    assert [item["date"] for item in client.get("/api/v1/volunteers/me").get_json()["exceptions"]] == [
        "2026-11-26", "2026-12-24"]

    clock.advance(days=1)
    assert [item["date"] for item in client.get("/api/v1/volunteers/me").get_json()["exceptions"]] == ["2026-12-24"]

    exception_id = away.get_json()["id"]
    assert client.delete(f"/api/v1/volunteers/me/exceptions/{exception_id}").status_code == 204
    assert client.delete(f"/api/v1/volunteers/me/exceptions/{exception_id}").status_code == 404


def test_a_second_exception_for_the_same_date_is_refused(client):
    client, volunteer = _volunteer_client(client)
    client.post("/api/v1/volunteers/me/exceptions", {"date": "2026-12-24", "available": False})
    again = client.post("/api/v1/volunteers/me/exceptions",
                        {"date": "2026-12-24", "available": True, "start": "09:00", "end": "10:00"})
    assert again.status_code == 409 and again.get_json()["reason"] == "exception_already_set"


def test_bad_exceptions_are_refused_and_nothing_is_written(client):
    client, volunteer = _volunteer_client(client)
    cases = [
        ({"date": "2026-11-25", "available": False}, "date"),  # yesterday in Shanghai
        ({"date": "2028-01-01", "available": False}, "date"),  # more than a year ahead
        ({"date": "2026-13-01", "available": False}, "date"),
        ({"date": "2026-12-01", "available": True}, "start"),
        ({"date": "2026-12-01", "available": True, "start": "10:00", "end": "09:00"}, "end"),
        ({"date": "2026-12-01", "available": False, "start": "10:00"}, "start"),
        ({"date": "2026-12-01"}, "available"),
        ({"date": "2026-12-01", "available": False, "note": "长" * 201}, "note"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/volunteers/me/exceptions", body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["errors"], (body, response.get_json())
    assert db.session.scalar(select(func.count()).select_from(AvailabilityException)) == 0


def test_volunteer_cannot_delete_another_volunteers_exception(client):
    community = make_community()
    other = db.session.scalar(select(Volunteer).where(Volunteer.user_id == make_volunteer(community).id))
    exception = AvailabilityException(volunteer_id=other.id, on_date=date(2026, 12, 24), available=False)
    db.session.add(exception)
    db.session.flush()
    client, _ = _volunteer_client(client)
    response = client.delete(f"/api/v1/volunteers/me/exceptions/{exception.id}")
    assert response.status_code == 404
    assert db.session.get(AvailabilityException, exception.id) is not None


def test_off_duty_is_always_allowed(client):
    client, volunteer = _volunteer_client(client, status="suspended")
    response = client.put("/api/v1/volunteers/me/on-duty", {"on_duty": False})
    assert response.status_code == 200 and response.get_json()["on_duty"] is False
    assert client.put("/api/v1/volunteers/me/on-duty", {"on_duty": "maybe"}).status_code == 422


def test_a_volunteer_account_without_a_profile_gets_not_found(client):
    from tests.factories import make_user

    client.login(make_user(make_community(), "volunteer"))
    response = client.get("/api/v1/volunteers/me")
    assert response.status_code == 404 and response.get_json()["reason"] == "not_found"
