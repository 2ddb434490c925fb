"""Idempotency-Key: a retried write answers as the first one did and changes nothing twice."""
import pytest
from sqlalchemy import func, select, update

from backend.common.idempotency import IdempotencyRecord
from backend.extensions import db
from backend.people.models import EmergencyContact, ProxyLink, Resident
from tests.factories import DEMO_PASSWORD, make_proxy
from tests.volunteers.codes import code_for
from tests.world import build_world

KEY = "0f8e4c52-7a1b-4c0e-9a3d-5b6f7e8d9c0a"


@pytest.fixture
def world():
    return build_world()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _keyed(key: str = KEY) -> dict:
    return {"headers": {"Idempotency-Key": key}}


def _new_resident(world, given_name: str = "桂兰") -> dict:
    return {"household_id": world.household.id, "family_name": "赵", "given_name": given_name, "address_as": "赵阿姨",
            "gender": "female", "birth_year": 1950, "phone": "13912345678", "tags": ["lives_alone"],
            "consent": {"given_by": "resident", "giver_name": "赵桂兰"}}


def _contacts_path(world) -> str:
    return f"/api/v1/residents/{world.resident.id}/emergency-contacts"


CONTACT = {"name": "赵强", "relation": "儿子", "phone": "13911112222"}


def _record() -> IdempotencyRecord:
    db.session.expire_all()
    return db.session.scalars(select(IdempotencyRecord)).one()


def test_a_replay_answers_the_first_status_and_body_and_registers_nobody_twice(client, world):
    client.login(world.users["worker"])
    first = client.post("/api/v1/residents", _new_resident(world), **_keyed())
    assert first.status_code == 201, first.get_json()
    residents = _count(Resident)
    again = client.post("/api/v1/residents", _new_resident(world), **_keyed())
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert _count(Resident) == residents


def test_the_record_is_marked_applied_with_the_change_and_keeps_no_personal_data(client, world):
    client.login(world.users["worker"])
    created = client.post("/api/v1/residents", _new_resident(world), **_keyed()).get_json()
    record = _record()
    assert record.applied_at is not None and record.status_code == 201
    assert record.user_id == world.users["worker"].id and record.key == KEY
    assert "13912345678" not in record.response_body and "赵" not in record.response_body
    assert str(created["id"]) in record.response_body


def test_the_same_key_with_another_body_is_refused_as_a_mismatch(client, world):
    client.login(world.users["worker"])
    client.post("/api/v1/residents", _new_resident(world), **_keyed())
    residents = _count(Resident)
    other = client.post("/api/v1/residents", _new_resident(world, given_name="秀兰"), **_keyed())
    assert other.status_code == 422
    assert other.get_json()["reason"] == "idempotency_mismatch" and other.get_json()["message"]
    elsewhere = client.post(_contacts_path(world), CONTACT, **_keyed())
    assert elsewhere.status_code == 422 and elsewhere.get_json()["reason"] == "idempotency_mismatch"
    assert _count(Resident) == residents and _count(EmergencyContact) == 0


def test_the_same_body_with_its_keys_in_another_order_is_the_same_request(client, world):
    client.login(world.users["worker"])
    client.post(_contacts_path(world), CONTACT, **_keyed())
    reordered = client.post(_contacts_path(world), dict(reversed(list(CONTACT.items()))), **_keyed())
    assert reordered.status_code == 201 and reordered.headers["Idempotent-Replayed"] == "true"
    assert _count(EmergencyContact) == 1


def test_the_same_key_from_another_user_runs_as_their_own_request(client, make_client, world):
    client.login(world.users["worker"]).post(_contacts_path(world), CONTACT, **_keyed())
    admin = make_client().login(world.users["admin"])
    theirs = admin.post(_contacts_path(world), {**CONTACT, "name": "赵勇"}, **_keyed())
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
    assert _count(EmergencyContact) == 2


def test_the_key_survives_signing_in_again_so_a_kept_write_is_sent_once(client, make_client, world):
    worker = world.users["worker"]
    client.login(worker).post(_contacts_path(world), CONTACT, **_keyed())
    client.logout()
    again = make_client().login(worker).post(_contacts_path(world), CONTACT, **_keyed())
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert _count(EmergencyContact) == 1


def test_a_key_in_double_quotes_is_the_same_key(client, world):
    client.login(world.users["worker"])
    client.post(_contacts_path(world), CONTACT, **_keyed(KEY))
    quoted = client.post(_contacts_path(world), CONTACT, **_keyed(f'"{KEY}"'))
    assert quoted.status_code == 201 and quoted.headers["Idempotent-Replayed"] == "true"
    assert _count(EmergencyContact) == 1


@pytest.mark.parametrize("key", ["k" * 256, "", '""', "   "])
def test_an_empty_or_overlong_key_is_refused_and_nothing_is_written(client, world, key):
    client.login(world.users["worker"])
    response = client.post(_contacts_path(world), CONTACT, **_keyed(key))
    assert response.status_code == 400
    body = response.get_json()
    assert body["reason"] == "idempotency_key_invalid" and "Idempotency-Key" in body["errors"]
    assert _count(EmergencyContact) == 0 and _count(IdempotencyRecord) == 0


def test_a_key_of_255_characters_is_accepted(client, world):
    client.login(world.users["worker"])
    assert client.post(_contacts_path(world), CONTACT, **_keyed("k" * 255)).status_code == 201
    assert _record().key == "k" * 255


def test_a_refused_write_is_answered_the_same_way_again_without_being_applied(client, world):
    client.login(world.users["worker"])
    refused = client.post(_contacts_path(world), {**CONTACT, "phone": "12345"}, **_keyed())
    assert refused.status_code == 422
    again = client.post(_contacts_path(world), {**CONTACT, "phone": "12345"}, **_keyed())
    assert (again.status_code, again.get_json()) == (422, refused.get_json())
    assert _record().applied_at is None and _count(EmergencyContact) == 0


def test_an_answer_without_a_view_of_its_object_is_replayed_as_its_identifiers(client, world):
    client.login(world.users["worker"])
    first = client.post(_contacts_path(world), CONTACT, **_keyed()).get_json()
    again = client.post(_contacts_path(world), CONTACT, **_keyed())
    assert again.status_code == 201
    assert again.get_json() == {"id": first["id"], "resident_id": world.resident.id}


def test_an_answer_about_a_parent_object_is_rebuilt_from_it(client, world):
    client.login(world.users["worker"])
    path = f"/api/v1/buildings/{world.building.id}/position"
    fix = {"latitude": 30.27412, "longitude": 120.15533, "accuracy_m": 6.5}
    first = client.put(path, fix, **_keyed())
    again = client.put(path, fix, **_keyed())
    assert (again.status_code, again.get_json()) == (200, first.get_json())


def test_own_preferences_are_replayed_in_the_shape_of_the_first_answer(client, world):
    client.login(world.users["volunteer"])
    first = client.patch("/api/v1/me/preferences", {"text_size": "extra_large"}, **_keyed())
    again = client.patch("/api/v1/me/preferences", {"text_size": "extra_large"}, **_keyed())
    assert first.status_code == 200
    assert (again.status_code, again.get_json()) == (200, first.get_json())


def test_a_replay_shows_the_object_as_it_is_now_not_as_it_was(client, make_client, world):
    worker = client.login(world.users["worker"])
    first = worker.post("/api/v1/residents", _new_resident(world), **_keyed()).get_json()
    make_client().login(world.users["admin"]).patch(f"/api/v1/residents/{first['id']}", {"address_as": "赵奶奶"})
    again = worker.post("/api/v1/residents", _new_resident(world), **_keyed()).get_json()
    assert (first["address_as"], again["address_as"]) == ("赵阿姨", "赵奶奶")


def test_a_proxy_whose_scope_was_withdrawn_replays_her_profile_change_without_seeing_the_profile(
        client, make_client, world):
    proxy = make_proxy(world.resident, "manage_profile")
    daughter = client.login(proxy)
    change = {"preference_notes": "下午三点后来"}
    first = daughter.patch(f"/api/v1/residents/{world.resident.id}", change, **_keyed())
    assert first.status_code == 200 and first.get_json()["phone"] == world.resident.phone
    link = db.session.scalars(select(ProxyLink).where(ProxyLink.proxy_user_id == proxy.id)).one()
    resident = make_client().login(world.users["resident"])
    withdrawn = resident.put(f"/api/v1/residents/{world.resident.id}/proxies/{link.id}/scopes", {"scopes": []})
    assert withdrawn.status_code == 200
    assert daughter.get(f"/api/v1/residents/{world.resident.id}").status_code == 403

    again = daughter.patch(f"/api/v1/residents/{world.resident.id}", change, **_keyed())
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == {"id": world.resident.id}
    for secret in (world.resident.phone, world.resident.family_name, world.household.address_text):
        assert secret not in again.get_data(as_text=True)


def _forget_answer(key: str, *, applied: bool = True) -> None:
    """Leave the record as a process that died after the commit (or before it) would have."""
    values = {"status_code": None, "response_body": None}
    if not applied:
        values["applied_at"] = None
    db.session.execute(update(IdempotencyRecord).where(IdempotencyRecord.key == key).values(**values))
    db.session.commit()


def test_a_change_whose_answer_was_lost_in_a_crash_is_not_applied_again(client, world, clock):
    client.login(world.users["worker"])
    assert client.post(_contacts_path(world), CONTACT, **_keyed()).status_code == 201
    _forget_answer(KEY)  # committed and marked applied, then the process died before keeping the answer
    soon = client.post(_contacts_path(world), CONTACT, **_keyed())
    assert soon.status_code == 409 and soon.get_json()["reason"] == "idempotency_in_flight"
    clock.advance(seconds=61)
    later = client.post(_contacts_path(world), CONTACT, **_keyed())
    assert later.status_code == 204 and later.headers["Idempotent-Replayed"] == "true"
    assert _count(EmergencyContact) == 1


def test_a_claim_abandoned_before_its_change_committed_is_taken_over_after_a_minute(client, world, clock):
    client.login(world.users["worker"])
    client.post(_contacts_path(world), CONTACT, **_keyed())
    db.session.execute(EmergencyContact.__table__.delete())  # the change never committed…
    _forget_answer(KEY, applied=False)  # …and the claim was left behind
    assert client.post(_contacts_path(world), CONTACT, **_keyed()).status_code == 409
    clock.advance(seconds=61)
    retried = client.post(_contacts_path(world), CONTACT, **_keyed())
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert _count(EmergencyContact) == 1
    assert client.post(_contacts_path(world), CONTACT, **_keyed()).headers["Idempotent-Replayed"] == "true"


def test_a_key_is_kept_for_seven_days_and_may_be_used_again_after(client, world, clock):
    client.login(world.users["proxy"])  # a family member stays signed in for weeks; staff would not
    client.post(_contacts_path(world), CONTACT, **_keyed())
    clock.advance(days=6, hours=23)
    assert client.post(_contacts_path(world), {**CONTACT, "name": "赵勇"}, **_keyed()).status_code == 422
    clock.advance(hours=1, seconds=1)
    reused = client.post(_contacts_path(world), {**CONTACT, "name": "赵勇"}, **_keyed())
    assert reused.status_code == 201 and "Idempotent-Replayed" not in reused.headers
    assert _count(EmergencyContact) == 2 and _count(IdempotencyRecord) == 1


def test_the_purge_command_deletes_records_older_than_seven_days(app, client, make_client, world, clock):
    client.login(world.users["worker"]).post(_contacts_path(world), CONTACT, **_keyed())
    clock.advance(days=3)
    make_client().login(world.users["admin"]).post(_contacts_path(world), CONTACT, **_keyed())
    clock.advance(days=4, seconds=1)
    result = app.test_cli_runner().invoke(args=["purge-idempotency"])
    assert result.exit_code == 0 and "Deleted 1 " in result.output
    db.session.expire_all()
    assert [record.user_id for record in db.session.scalars(select(IdempotencyRecord))] == [world.users["admin"].id]


def test_writes_without_a_signed_in_user_run_every_time(client, world):
    register = {"phone": "13612345678", "verification_code": code_for("13612345678"), "display_name": "张阿姨",
                "password": "a-good-long-secret", "gender": "female", "grid_id": world.grid.id,
                "skills": ["companionship"]}
    assert client.post("/api/v1/volunteers/register", register, **_keyed()).status_code == 201
    again = client.post("/api/v1/volunteers/register", register, **_keyed())
    assert again.status_code == 409 and again.get_json()["reason"] == "phone_taken"
    assert _count(IdempotencyRecord) == 0


def test_signing_in_is_never_replayed_even_for_a_signed_in_caller(client, world):
    worker = world.users["worker"]
    client.login(worker)
    for _ in range(2):
        response = client.post("/api/v1/auth/login", {"phone": worker.phone, "password": DEMO_PASSWORD}, **_keyed())
        assert response.status_code == 200 and "Idempotent-Replayed" not in response.headers
    assert _count(IdempotencyRecord) == 0


def test_writes_without_a_key_are_not_recorded(client, world):
    client.login(world.users["worker"])
    client.post(_contacts_path(world), CONTACT)
    client.post(_contacts_path(world), CONTACT)
    assert _count(EmergencyContact) == 2 and _count(IdempotencyRecord) == 0
