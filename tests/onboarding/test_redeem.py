"""The resident's phone redeems a link code: it is linked, signed in, and asked for a PIN."""
import pytest
from sqlalchemy import func, select

from backend.accounts.models import DeviceLink, DeviceSession, User
from backend.extensions import db
from backend.onboarding.models import LinkCode
from backend.onboarding.services import claim_statement, hash_code
from backend.people.models import Resident
from tests.factories import make_user


def _issue(client, hood) -> str:
    client.login(hood.worker)
    return client.post(f"/api/v1/residents/{hood.resident.id}/link-codes").get_json()["code"]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_linked_phone_sets_a_pin_and_signs_in_with_it_later(client, make_client, hood):
    code = _issue(client, hood)
    phone = make_client()
    linked = phone.post("/api/v1/auth/link", {"code": code, "device_label": "王奶奶的红米"})
    body = linked.get_json()
    assert linked.status_code == 200
    assert body["roles"] == ["resident"] and body["display_name"] == "王奶奶"
    assert body["needs_pin"] is True
    assert phone.get("/api/v1/me/sessions").get_json()["items"][0]["signed_in_with"] == "link_code"

    assert phone.put("/api/v1/me/pin", {"pin": "135790"}).status_code == 204
    assert phone.logout().status_code == 204
    assert phone.get("/api/v1/me/sessions").status_code == 401
    again = phone.post("/api/v1/auth/pin-login", {"pin": "135790", "device_label": "王奶奶的红米"})
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]

    stranger = make_client().post("/api/v1/auth/pin-login", {"pin": "135790"})
    assert stranger.status_code == 403
    assert stranger.get_json()["reason"] == "pin_not_available"


def test_first_link_creates_the_residents_account_with_her_own_mobile(client, make_client, hood):
    code = _issue(client, hood)
    body = make_client().post("/api/v1/auth/link", {"code": code}).get_json()
    user = db.session.get(User, body["id"])
    assert db.session.get(Resident, hood.resident.id).user_id == user.id
    assert user.phone == hood.resident.phone == body["phone"]
    assert user.community_id == hood.community.id and user.password_hash is None


def test_mobile_already_used_by_another_account_is_not_copied(client, make_client, hood):
    make_user(hood.community, "volunteer", phone=hood.resident.phone)
    code = _issue(client, hood)
    body = make_client().post("/api/v1/auth/link", {"code": code}).get_json()
    assert body["phone"] is None and body["roles"] == ["resident"]


def test_a_resident_with_an_account_is_signed_into_that_account(client, make_client, hood):
    account = make_user(hood.community, "resident", name="王秀英")
    hood.resident.user_id = account.id
    db.session.flush()
    code = _issue(client, hood)
    users_before = _count(User)
    body = make_client().post("/api/v1/auth/link", {"code": code}).get_json()
    assert body["id"] == account.id and body["display_name"] == "王秀英"
    assert _count(User) == users_before


def test_code_is_case_insensitive_and_ignores_spaces_and_dashes(client, make_client, hood):
    code = _issue(client, hood)
    typed = f" {code[:4].lower()}-{code[4:6]} {code[6:].lower()} "
    assert make_client().post("/api/v1/auth/link", {"code": typed}).status_code == 200


def test_a_code_works_only_once(client, make_client, hood):
    code = _issue(client, hood)
    assert make_client().post("/api/v1/auth/link", {"code": code}).status_code == 200
    links_before = _count(DeviceLink)
    second = make_client().post("/api/v1/auth/link", {"code": code})
    assert second.status_code == 409
    assert second.get_json()["reason"] == "link_code_used"
    assert _count(DeviceLink) == links_before


def test_a_code_works_until_24_hours_after_it_was_issued(client, make_client, hood, clock):
    code = _issue(client, hood)
    clock.advance(hours=23, minutes=59)
    assert make_client().post("/api/v1/auth/link", {"code": code}).status_code == 200


def test_a_code_expires_after_24_hours(client, make_client, hood, clock):
    code = _issue(client, hood)
    clock.advance(hours=24)
    response = make_client().post("/api/v1/auth/link", {"code": code})
    assert response.status_code == 410
    assert response.get_json()["reason"] == "link_code_expired"
    assert _count(DeviceLink) == 0 and db.session.get(Resident, hood.resident.id).user_id is None


def test_unknown_and_replaced_codes_get_the_same_answer(client, make_client, hood):
    replaced = _issue(client, hood)
    _issue(client, hood)
    unknown = make_client().post("/api/v1/auth/link", {"code": "ZZZZ2222"})
    old = make_client().post("/api/v1/auth/link", {"code": replaced})
    assert unknown.status_code == old.status_code == 404
    assert unknown.get_json() == old.get_json()
    assert unknown.get_json()["reason"] == "link_code_invalid"


def test_a_new_code_resets_a_forgotten_pin(client, make_client, hood):
    first_phone = make_client()
    first_phone.post("/api/v1/auth/link", {"code": _issue(client, hood)})
    first_phone.put("/api/v1/me/pin", {"pin": "135790"})
    first_phone.logout()

    second_phone = make_client()
    relinked = second_phone.post("/api/v1/auth/link", {"code": _issue(client, hood)})
    assert relinked.get_json()["needs_pin"] is True
    assert first_phone.post("/api/v1/auth/pin-login", {"pin": "135790"}).status_code == 403
    assert second_phone.put("/api/v1/me/pin", {"pin": "246801"}).status_code == 204
    assert first_phone.post("/api/v1/auth/pin-login", {"pin": "246801"}).status_code == 200


def test_a_resident_who_died_after_the_code_was_issued_cannot_be_linked(client, make_client, hood):
    code = _issue(client, hood)
    hood.resident.status = "deceased"
    db.session.flush()
    response = make_client().post("/api/v1/auth/link", {"code": code})
    assert response.status_code == 409
    assert response.get_json()["reason"] == "resident_not_active"
    assert db.session.scalar(select(LinkCode.used_at)) is None


def test_a_disabled_account_cannot_be_linked(client, make_client, hood):
    account = make_user(hood.community, "resident")
    hood.resident.user_id = account.id
    db.session.flush()
    code = _issue(client, hood)
    account.is_enabled = False
    db.session.flush()
    response = make_client().post("/api/v1/auth/link", {"code": code})
    assert response.status_code == 409
    assert response.get_json()["reason"] == "account_not_linkable"
    assert _count(DeviceSession) == 1  # the worker's own


@pytest.mark.parametrize("body", [
    {},
    {"code": 12345678},
    {"code": ""},
    {"code": "A" * 41},
    {"code": "ABCD2345", "device_label": "x" * 101},
    {"code": "ABCD2345", "resident_id": 1},
])
def test_bad_input_is_refused_and_changes_nothing(client, make_client, hood, body):
    _issue(client, hood)
    response = make_client().post("/api/v1/auth/link", body)
    assert response.status_code == 422
    assert response.get_json()["errors"]
    assert _count(DeviceLink) == 0 and db.session.scalar(select(LinkCode.used_at)) is None


def test_malformed_json_is_refused(make_client):
    response = make_client().post("/api/v1/auth/link", data="{code", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["reason"] == "malformed_json"


def test_redeeming_needs_the_csrf_token(client, hood, app):
    code = _issue(client, hood)
    response = app.test_client().post("/api/v1/auth/link", json={"code": code})
    assert response.status_code == 403
    assert response.get_json()["reason"] == "csrf_missing"


def test_guessing_codes_is_stopped_after_ten_failures(client, make_client, hood):
    code = _issue(client, hood)
    guesser = make_client()
    for attempt in range(10):
        assert guesser.post("/api/v1/auth/link", {"code": f"ZZZZ22{attempt:02d}"}).status_code == 404
    response = guesser.post("/api/v1/auth/link", {"code": code})
    assert response.status_code == 429
    assert response.get_json()["reason"] == "too_many_attempts"
    assert db.session.scalar(select(LinkCode.used_at)) is None


def test_pin_guessing_is_stopped_after_five_wrong_pins(client, make_client, hood):
    phone = make_client()
    phone.post("/api/v1/auth/link", {"code": _issue(client, hood)})
    phone.put("/api/v1/me/pin", {"pin": "135790"})
    phone.logout()
    for wrong in range(5):
        response = phone.post("/api/v1/auth/pin-login", {"pin": f"00000{wrong}"})
        assert response.status_code == 401 and response.get_json()["reason"] == "wrong_pin"
    response = phone.post("/api/v1/auth/pin-login", {"pin": "135790"})
    assert response.status_code == 429
    assert response.get_json()["reason"] == "too_many_attempts"


def test_the_claiming_update_matches_only_a_live_code(client, make_client, hood, clock):
    def claims(code) -> int:
        return db.session.execute(claim_statement(hash_code(code), clock())).rowcount

    revoked, used = _issue(client, hood), _issue(client, hood)
    make_client().post("/api/v1/auth/link", {"code": used})
    assert [claims(revoked), claims(used)] == [0, 0]
    expired = _issue(client, hood)
    clock.advance(hours=24)
    assert claims(expired) == 0
    assert claims(_issue(client, hood)) == 1
