"""Signing up as a volunteer with the code sent to one's phone: pending until a worker records an
identity vetting. Codes reach the tests as they reach a phone: asked for through the API, sent by
the worker, read from the SMS (tests/volunteers/codes.py)."""
from sqlalchemy import func, select

from backend.accounts.models import User
from backend.extensions import db
from backend.notifications.models import VerificationCode
from backend.volunteers.models import Volunteer
from tests.factories import make_community, make_grid, make_user, make_worker
from tests.volunteers.codes import ask_for_code, code_received

PASSWORD = "a-good-long-secret"
PHONE = "13612345678"
NEVER_SENT = "000000"  # for requests the schema refuses before any code is looked at


def _signup(grid, code: str, **overrides) -> dict:
    body = {"phone": "136 1234 5678", "verification_code": code, "display_name": "张阿姨", "password": PASSWORD,
            "gender": "female", "grid_id": grid.id, "skills": ["companionship", "errands"],
            "languages": ["mandarin"], "home_lat": 30.271, "home_lng": 120.152, "travel_radius_km": 1.5}
    body.update(overrides)
    return body


def _code(client, phone: str = PHONE) -> str:
    """Ask for a code as the sign-up screen does and read it from the SMS the phone got."""
    answer = ask_for_code(client, phone)
    assert answer.status_code == 202, answer.get_json()
    return code_received(answer.get_json()["phone"])


def _other_than(code: str) -> str:
    return f"{(int(code) + 1) % 10 ** 6:06d}"


def _row_counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Volunteer)))


def test_registration_creates_a_pending_volunteer_who_can_then_sign_in(client):
    grid = make_grid(make_community())
    response = client.post("/api/v1/volunteers/register", _signup(grid, _code(client, "136 1234 5678")))
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
    volunteer_id = client.post("/api/v1/volunteers/register", _signup(grid, _code(client))).get_json()["id"]
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
    volunteer_id = client.post("/api/v1/volunteers/register", _signup(grid, _code(client))).get_json()["id"]
    staff = make_client().login(make_worker(grid))
    staff.post(f"/api/v1/volunteers/{volunteer_id}/vettings", {"kind": "child_safeguarding",
                                                               "expires_on": "2027-11-30"})
    assert staff.get(f"/api/v1/volunteers/{volunteer_id}").get_json()["status"] == "pending"


def test_registered_phone_is_refused_as_taken_and_nothing_is_written(client):
    community = make_community()
    make_user(community, "resident", phone="13612345678")
    code = _code(client)
    before = _row_counts()
    for sent in (code, _other_than(code)):
        response = client.post("/api/v1/volunteers/register", _signup(make_grid(community), sent))
        assert response.status_code == 409
        assert response.get_json()["reason"] == "phone_taken"
        assert set(response.get_json()["errors"]) == {"phone"}
    assert _row_counts() == before


def test_unknown_skill_language_and_grid_are_refused_with_field_errors_and_the_code_still_works(client):
    grid = make_grid(make_community())
    code = _code(client)
    before = _row_counts()
    response = client.post("/api/v1/volunteers/register", _signup(grid, code, skills=["juggling"],
                                                                  languages=["klingon"]))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"skills", "languages"}
    unknown_grid = client.post("/api/v1/volunteers/register", _signup(grid, code, grid_id=999999))
    assert unknown_grid.status_code == 422 and set(unknown_grid.get_json()["errors"]) == {"grid_id"}
    assert _row_counts() == before
    assert client.post("/api/v1/volunteers/register", _signup(grid, code)).status_code == 201


def test_a_wrong_code_is_refused_at_its_field_and_nothing_is_written(client):
    grid = make_grid(make_community())
    code = _code(client)
    before = _row_counts()
    response = client.post("/api/v1/volunteers/register", _signup(grid, _other_than(code)))
    assert response.status_code == 422
    body = response.get_json()
    assert body["reason"] == "verification_code_invalid"
    assert body["message"] == "验证码不对或已过期，请重新获取。"
    assert body["errors"] == {"verification_code": ["验证码不对或已过期，请重新获取。"]}
    assert _row_counts() == before
    assert db.session.scalar(select(VerificationCode.failed_attempts)) == 1  # counted, though refused
    assert client.post("/api/v1/volunteers/register", _signup(grid, code)).status_code == 201


def test_a_code_that_was_never_asked_for_or_sent_to_another_phone_is_refused(client):
    grid = make_grid(make_community())
    before = _row_counts()
    never_asked = client.post("/api/v1/volunteers/register", _signup(grid, "123456"))
    assert never_asked.get_json()["reason"] == "verification_code_invalid"
    other_phones_code = _code(client, "13612345679")
    response = client.post("/api/v1/volunteers/register", _signup(grid, other_phones_code))
    assert response.status_code == 422 and response.get_json()["reason"] == "verification_code_invalid"
    assert _row_counts() == before


def test_an_expired_code_is_refused_and_a_new_one_works(client, clock):
    grid = make_grid(make_community())
    code = _code(client)
    clock.advance(minutes=5)
    expired = client.post("/api/v1/volunteers/register", _signup(grid, code))
    assert (expired.status_code, expired.get_json()["reason"]) == (422, "verification_code_invalid")
    fresh = _code(client)
    assert client.post("/api/v1/volunteers/register", _signup(grid, fresh)).status_code == 201


def test_five_wrong_codes_end_the_code_even_the_right_one_is_refused_after(client):
    grid = make_grid(make_community())
    code = _code(client)
    for _ in range(5):
        client.post("/api/v1/volunteers/register", _signup(grid, _other_than(code)))
    response = client.post("/api/v1/volunteers/register", _signup(grid, code))
    assert (response.status_code, response.get_json()["reason"]) == (422, "verification_code_invalid")
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0


def test_the_same_code_registers_once_and_a_retry_hears_the_phone_is_taken(client):
    grid = make_grid(make_community())
    body = _signup(grid, _code(client))
    assert client.post("/api/v1/volunteers/register", body).status_code == 201
    retry = client.post("/api/v1/volunteers/register", body)
    assert (retry.status_code, retry.get_json()["reason"]) == (409, "phone_taken")
    assert db.session.scalar(select(func.count()).select_from(User).where(User.phone == PHONE)) == 1
    assert db.session.scalar(select(VerificationCode.used_at)) is not None


def test_a_code_typed_with_spaces_or_full_width_digits_is_accepted(client):
    grid = make_grid(make_community())
    code = _code(client)
    typed = " ".join([code[:3], code[3:]]).translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    assert client.post("/api/v1/volunteers/register", _signup(grid, typed)).status_code == 201


def test_bad_fields_are_refused_before_any_code_is_looked_at_and_nothing_is_written(client):
    grid = make_grid(make_community())
    before = _row_counts()
    cases = [
        ({"phone": "12345"}, "phone"),
        ({"gender": "robot"}, "gender"),
        ({"grid_id": "1"}, "grid_id"),
        ({"home_lat": 91}, "home_lat"),
        ({"home_lng": None}, "home_lng"),
        ({"travel_radius_km": 0.05}, "travel_radius_km"),
        ({"display_name": "  "}, "display_name"),
        ({"favourite_colour": "red"}, "favourite_colour"),
        ({"verification_code": "12345"}, "verification_code"),
        ({"verification_code": 123456}, "verification_code"),
    ]
    for change, field in cases:
        response = client.post("/api/v1/volunteers/register", _signup(grid, NEVER_SENT, **change))
        assert response.status_code == 422, (change, response.get_json())
        assert field in response.get_json()["errors"], (change, response.get_json())
    assert _row_counts() == before


def test_a_short_or_too_common_password_is_refused_at_its_field_and_the_code_still_works(client):
    grid = make_grid(make_community())
    code = _code(client)
    before = _row_counts()
    for password in ("short", "123456789"):
        response = client.post("/api/v1/volunteers/register", _signup(grid, code, password=password))
        assert response.status_code == 422 and set(response.get_json()["errors"]) == {"password"}
    assert _row_counts() == before
    assert client.post("/api/v1/volunteers/register", _signup(grid, code)).status_code == 201


def test_a_missing_code_is_asked_for(client):
    body = _signup(make_grid(make_community()), NEVER_SENT)
    del body["verification_code"]
    response = client.post("/api/v1/volunteers/register", body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"verification_code": ["必填项。"]}


def test_position_needs_both_coordinates(client):
    grid = make_grid(make_community())
    body = _signup(grid, NEVER_SENT)
    del body["home_lng"]
    response = client.post("/api/v1/volunteers/register", body)
    assert response.status_code == 422 and "home_lat" in response.get_json()["errors"]


def test_registration_is_rate_limited_per_address(client):
    grid = make_grid(make_community())
    for n in range(10):
        client.post("/api/v1/volunteers/register", _signup(grid, NEVER_SENT, phone=f"1361234{n:04d}"))
    response = client.post("/api/v1/volunteers/register", _signup(grid, _code(client, "13699999999"),
                                                                  phone="13699999999"))
    assert response.status_code == 429
    assert response.get_json()["reason"] == "too_many_attempts" and "Retry-After" in response.headers
    assert db.session.scalar(select(User.id).where(User.phone == "13699999999")) is None


def test_registration_message_follows_the_browser_language(client):
    grid = make_grid(make_community())
    code = _code(client)
    response = client.post("/api/v1/volunteers/register", _signup(grid, code, skills=["juggling"]),
                           headers={"Accept-Language": "en"})
    assert response.get_json()["errors"]["skills"] == ["Unknown codes: juggling."]
    wrong = client.post("/api/v1/volunteers/register", _signup(grid, _other_than(code)),
                        headers={"Accept-Language": "en"})
    assert wrong.get_json()["errors"] == {"verification_code": ["The code is wrong or has expired. "
                                                                "Please ask for a new one."]}
