"""A worker issues a one-time device-link code (with its QR) for a resident of their grid."""
from xml.etree import ElementTree

from sqlalchemy import func, select

from backend.audit.models import AuditEntry
from backend.extensions import db
from backend.onboarding.models import LinkCode
from backend.onboarding.services import CODE_ALPHABET
from tests.factories import make_admin, make_building, make_grid, make_household, make_resident, make_user, make_worker

SVG = "{http://www.w3.org/2000/svg}"


def _codes_of(resident) -> int:
    return db.session.scalar(select(func.count()).select_from(LinkCode).where(LinkCode.resident_id == resident.id))


def test_worker_gets_an_eight_character_code_valid_for_24_hours(client, hood, clock, app):
    client.login(hood.worker)
    response = client.post(f"/api/v1/residents/{hood.resident.id}/link-codes")
    body = response.get_json()
    assert response.status_code == 201
    assert len(body["code"]) == 8 and set(body["code"]) <= set(CODE_ALPHABET)
    assert not set(body["code"]) & set("0O1IL")
    assert body["url"] == app.config["PUBLIC_BASE_URL"] + "/link/" + body["code"]
    assert body["expires_at"] == "2026-11-27T02:00:00+00:00"
    assert body["resident_id"] == hood.resident.id


def test_the_code_is_stored_only_as_a_hash(client, hood):
    code = client.login(hood.worker).post(f"/api/v1/residents/{hood.resident.id}/link-codes").get_json()["code"]
    stored = db.session.scalars(select(LinkCode.code_hash)).all()
    assert len(stored) == 1 and code not in stored[0] and len(stored[0]) == 64


def test_qr_code_is_a_standalone_svg_of_the_link(client, hood):
    body = client.login(hood.worker).post(f"/api/v1/residents/{hood.resident.id}/link-codes").get_json()
    root = ElementTree.fromstring(body["qr_svg"])
    assert root.tag == SVG + "svg"
    assert root.find(SVG + "path") is not None
    assert "href" not in body["qr_svg"] and "<image" not in body["qr_svg"]


def test_issuing_a_code_is_written_to_the_audit_log(client, hood):
    client.login(hood.worker).post(f"/api/v1/residents/{hood.resident.id}/link-codes")
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.actor_id, entry.resident_id, entry.community_id) == (hood.worker.id, hood.resident.id,
                                                                       hood.community.id)
    assert entry.action == "create" and entry.fields == ["link_code"]
    assert entry.reason == f"worker of grid {hood.grid.id}"


def test_admin_issues_codes_for_any_grid_of_the_community(client, hood):
    response = client.login(make_admin(hood.community)).post(f"/api/v1/residents/{hood.resident.id}/link-codes")
    assert response.status_code == 201
    assert db.session.scalars(select(AuditEntry.reason)).one() == f"admin of community {hood.community.id}"


def test_worker_of_another_grid_cannot_issue_a_code(client, hood):
    other_worker = make_worker(make_grid(hood.community))
    response = client.login(other_worker).post(f"/api/v1/residents/{hood.resident.id}/link-codes")
    assert response.status_code == 404
    assert response.get_json()["reason"] == "not_found"
    assert _codes_of(hood.resident) == 0


def test_unknown_resident_is_not_found(client, hood):
    response = client.login(hood.worker).post("/api/v1/residents/999999/link-codes")
    assert response.status_code == 404


def test_resident_who_moved_away_or_died_cannot_be_linked(client, hood):
    household = make_household(make_building(hood.grid))
    client.login(hood.worker)
    for status in ("moved_away", "deceased"):
        resident = make_resident(household, status=status)
        response = client.post(f"/api/v1/residents/{resident.id}/link-codes")
        assert response.status_code == 409
        assert response.get_json()["reason"] == "resident_not_active"
        assert _codes_of(resident) == 0


def test_resident_away_or_in_hospital_can_still_be_linked(client, hood):
    household = make_household(make_building(hood.grid))
    client.login(hood.worker)
    for status in ("away", "in_hospital"):
        resident = make_resident(household, status=status)
        assert client.post(f"/api/v1/residents/{resident.id}/link-codes").status_code == 201


def test_a_staff_account_is_never_handed_over_through_a_code(client, hood):
    colleague = make_user(hood.community, "worker", "resident")
    resident = make_resident(make_household(make_building(hood.grid)), user=colleague)
    response = client.login(hood.worker).post(f"/api/v1/residents/{resident.id}/link-codes")
    assert response.status_code == 409
    assert response.get_json()["reason"] == "account_not_linkable"
    assert _codes_of(resident) == 0


def test_reissuing_revokes_the_earlier_unused_code(client, hood, make_client):
    client.login(hood.worker)
    first = client.post(f"/api/v1/residents/{hood.resident.id}/link-codes").get_json()["code"]
    second = client.post(f"/api/v1/residents/{hood.resident.id}/link-codes").get_json()["code"]
    old = make_client().post("/api/v1/auth/link", {"code": first})
    assert old.status_code == 404
    assert old.get_json()["reason"] == "link_code_invalid"
    assert make_client().post("/api/v1/auth/link", {"code": second}).status_code == 200


def test_a_code_for_a_childs_account_is_audited_as_touching_a_childs_record(client, hood):
    child = make_resident(make_household(make_building(hood.grid)), birth_year=2016, address_as="小明")
    client.login(hood.worker).post(f"/api/v1/residents/{child.id}/link-codes")
    assert db.session.scalars(select(AuditEntry.fields)).one() == ["child_record", "link_code"]
