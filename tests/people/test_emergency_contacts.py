"""Emergency contacts: added, corrected and removed by staff or a proxy managing the profile."""
from backend.extensions import db
from backend.people.models import EmergencyContact
from tests.factories import make_resident
from tests.people.conftest import audit_entries, count

CONTACT = {"name": "王小明", "relation": "儿子", "phone": "13911112222"}


def _contacts_path(resident) -> str:
    return f"/api/v1/residents/{resident.id}/emergency-contacts"


def test_worker_adds_corrects_and_removes_a_contact(client, world):
    client.login(world.users["worker"])
    created = client.post(_contacts_path(world.resident), CONTACT)
    assert created.status_code == 201
    contact = created.get_json()
    assert contact["language"] == "zh-CN" and contact["resident_id"] == world.resident.id
    path = f"{_contacts_path(world.resident)}/{contact['id']}"
    corrected = client.patch(path, {"phone": "139-1111-3333", "language": "en"})
    assert corrected.status_code == 200 and corrected.get_json()["phone"] == "13911113333"
    assert client.delete(path).status_code == 204
    assert client.delete(path).status_code == 404
    assert count(EmergencyContact) == 0


def test_proxy_managing_the_profile_adds_a_contact_but_a_view_only_proxy_cannot(client, make_client, world):
    assert client.login(world.users["proxy"]).post(_contacts_path(world.resident), CONTACT).status_code == 201
    view_only = make_client().login(world.users["proxy_no_scope"]).post(_contacts_path(world.resident), CONTACT)
    assert view_only.status_code == 403 and view_only.get_json()["reason"] == "proxy_scope_missing"
    assert count(EmergencyContact) == 1


def test_contact_of_another_resident_is_not_found(client, world):
    client.login(world.users["admin"])
    other = client.post(_contacts_path(world.other_resident), CONTACT).get_json()
    response = client.patch(f"{_contacts_path(world.resident)}/{other['id']}", {"relation": "女儿"})
    assert response.status_code == 404
    assert db.session.get(EmergencyContact, other["id"]).relation == "儿子"


def test_bad_contact_input_writes_nothing(client, world):
    client.login(world.users["worker"])
    for body in ({**CONTACT, "phone": "010-1234"}, {**CONTACT, "language": "fr"}, {"name": "王小明"},
                 {**CONTACT, "email": "x@example.com"}, {**CONTACT, "name": "   "}):
        assert client.post(_contacts_path(world.resident), body).status_code == 422, body
    assert count(EmergencyContact) == 0


def test_an_eleventh_contact_is_refused(client, world):
    client.login(world.users["worker"])
    for _ in range(10):
        assert client.post(_contacts_path(world.resident), CONTACT).status_code == 201
    response = client.post(_contacts_path(world.resident), CONTACT)
    assert response.status_code == 422 and response.get_json()["reason"] == "too_many_contacts"
    assert count(EmergencyContact) == 10


def test_changes_to_a_childs_contacts_are_audited(client, world):
    child = make_resident(world.household, given_name="小明", birth_year=2016)
    client.login(world.users["worker"])
    contact = client.post(_contacts_path(child), CONTACT).get_json()
    client.patch(f"{_contacts_path(child)}/{contact['id']}", {"relation": "父亲"})
    client.delete(f"{_contacts_path(child)}/{contact['id']}")
    assert [(entry.action, entry.fields, entry.actor_id) for entry in audit_entries(child.id)] == [
        ("create", ["child_record"], world.users["worker"].id),
        ("update", ["child_record"], world.users["worker"].id),
        ("delete", ["child_record"], world.users["worker"].id),
    ]
    assert audit_entries(world.resident.id) == []  # an adult's contacts are not sensitive fields
