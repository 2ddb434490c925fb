"""Consent records per purpose: listed, recorded (by the guardian for a child) and withdrawn."""
from backend.people.models import ConsentRecord
from tests.factories import make_proxy, make_resident
from tests.people.conftest import audit_entries, count

REGISTRY = {"purpose": "registry", "given_by": "resident", "giver_name": "王秀英"}


def _path(resident) -> str:
    return f"/api/v1/residents/{resident.id}/consents"


def test_worker_records_and_withdraws_a_consent_and_the_resident_sees_both(client, make_client, world, clock):
    client.login(world.users["worker"])
    created = client.post(_path(world.resident), {**REGISTRY, "note": "入户登记时口头同意"})
    assert created.status_code == 201
    consent = created.get_json()
    assert consent["recorded_by_id"] == world.users["worker"].id and consent["withdrawn_at"] is None
    clock.advance(minutes=30)
    withdrawn = client.post(f"{_path(world.resident)}/{consent['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.get_json()["withdrawn_at"] == "2026-11-26T02:30:00+00:00"
    again = client.post(f"{_path(world.resident)}/{consent['id']}/withdraw")
    assert again.status_code == 409 and again.get_json()["reason"] == "consent_already_withdrawn"
    mine = make_client().login(world.users["resident"]).get(_path(world.resident))
    assert mine.status_code == 200 and mine.get_json()["total"] == 1
    active = make_client().login(world.users["resident"]).get(_path(world.resident),
                                                              query_string={"include_withdrawn": "false"})
    assert active.get_json()["total"] == 0


def test_the_same_active_consent_is_not_recorded_twice(client, world):
    client.login(world.users["worker"])
    assert client.post(_path(world.resident), REGISTRY).status_code == 201
    response = client.post(_path(world.resident), REGISTRY)
    assert response.status_code == 409 and response.get_json()["reason"] == "consent_already_given"
    assert count(ConsentRecord) == 1


def test_a_childs_consent_must_come_from_the_guardian(client, world):
    child = make_resident(world.household, given_name="小明", birth_year=2016)
    client.login(world.users["worker"])
    refused = client.post(_path(child), REGISTRY)
    assert refused.status_code == 422 and refused.get_json()["reason"] == "guardian_consent_required"
    assert count(ConsentRecord) == 0
    accepted = client.post(_path(child), {**REGISTRY, "given_by": "guardian", "giver_name": "王建军"})
    assert accepted.status_code == 201
    assert [(entry.action, entry.fields) for entry in audit_entries(child.id)] == [("create", ["child_record"])]


def test_bad_consent_input_writes_nothing(client, world):
    client.login(world.users["worker"])
    for body in ({**REGISTRY, "purpose": "marketing"}, {**REGISTRY, "given_by": "neighbour"},
                 {"purpose": "registry"}, {**REGISTRY, "giver_name": ""}):
        assert client.post(_path(world.resident), body).status_code == 422, body
    assert count(ConsentRecord) == 0


def test_withdrawing_proxy_access_ends_every_family_link(client, world):
    client.login(world.users["worker"])
    consent = client.post(_path(world.resident), {**REGISTRY, "purpose": "proxy_access"}).get_json()
    client.post(f"{_path(world.resident)}/{consent['id']}/withdraw")
    links = client.get(f"/api/v1/residents/{world.resident.id}/proxies").get_json()
    assert links["total"] == 0
    history = client.get(f"/api/v1/residents/{world.resident.id}/proxies",
                         query_string={"include_ended": "true"}).get_json()["items"]
    assert len(history) == 2 and all(link["ended_at"] and not link["active_scopes"] for link in history)
    assert all(row["withdrawn_by_id"] == world.users["worker"].id for row in history[0]["scope_history"])


def test_consent_of_another_resident_cannot_be_withdrawn_through_this_one(client, world):
    client.login(world.users["admin"])
    other = client.post(_path(world.other_resident), REGISTRY).get_json()
    assert client.post(f"{_path(world.resident)}/{other['id']}/withdraw").status_code == 404


def test_reading_a_childs_consents_is_audited(client, world):
    child = make_resident(world.household, given_name="小明", birth_year=2016)
    make_proxy(child, "view_status", is_guardian=True)
    client.login(world.users["worker"]).get(_path(child))
    [entry] = audit_entries(child.id)
    assert (entry.action, entry.fields, entry.reason) == ("read", ["child_record"], f"worker of grid {world.grid.id}")
