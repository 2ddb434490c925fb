"""A worker sees the resident's devices and signs a lost phone out; its cookie stops working at once."""
from sqlalchemy import func, select

from backend.audit.models import AuditEntry
from backend.extensions import db
from tests.factories import make_building, make_grid, make_household, make_resident, make_user, make_worker


def _linked_phone(client, make_client, hood, label="王奶奶的红米"):
    client.login(hood.worker)
    code = client.post(f"/api/v1/residents/{hood.resident.id}/link-codes").get_json()["code"]
    phone = make_client()
    assert phone.post("/api/v1/auth/link", {"code": code, "device_label": label}).status_code == 200
    return phone


def _devices(client, hood):
    return client.get(f"/api/v1/residents/{hood.resident.id}/devices")


def _audit_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_worker_sees_the_residents_session_and_linked_phone(client, make_client, hood, clock):
    _linked_phone(client, make_client, hood)
    clock.advance(minutes=5)
    response = _devices(client, hood)
    body = response.get_json()
    assert response.status_code == 200 and body["total"] == 2
    kinds = {item["kind"]: item for item in body["items"]}
    assert kinds["session"]["label"] == kinds["linked_phone"]["label"] == "王奶奶的红米"
    assert kinds["session"]["signed_in_with"] == "link_code"
    assert kinds["linked_phone"]["signed_in_with"] is None
    assert kinds["linked_phone"]["created_at"] == "2026-11-26T02:00:00+00:00"
    assert kinds["linked_phone"]["last_seen_at"] == "2026-11-26T02:00:00+00:00"


def test_device_list_is_paged(client, make_client, hood):
    _linked_phone(client, make_client, hood)
    response = client.get(f"/api/v1/residents/{hood.resident.id}/devices", query_string={"per_page": 1, "page": 2})
    body = response.get_json()
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (2, 2, 1, 1)


def test_resident_without_an_account_has_no_devices(client, hood):
    client.login(hood.worker)
    assert _devices(client, hood).get_json() == {"items": [], "total": 0, "page": 1, "per_page": 20}


def test_listing_devices_reveals_nothing_sensitive_and_is_not_audited(client, make_client, hood):
    _linked_phone(client, make_client, hood)
    before = _audit_rows()
    body = _devices(client, hood).get_json()
    assert set(body["items"][0]) == {"kind", "id", "label", "signed_in_with", "created_at", "last_seen_at"}
    assert _audit_rows() == before


def test_signing_out_the_lost_phone_stops_its_cookie_at_once(client, make_client, hood):
    phone = _linked_phone(client, make_client, hood)
    phone.put("/api/v1/me/pin", {"pin": "135790"})
    session = next(item for item in _devices(client, hood).get_json()["items"] if item["kind"] == "session")
    response = client.post(f"/api/v1/residents/{hood.resident.id}/devices/sign-out", {"session_id": session["id"]})
    assert response.status_code == 200
    assert response.get_json() == {"ended_sessions": 1, "revoked_links": 1}
    refused = phone.get("/api/v1/me/sessions")
    assert refused.status_code == 401 and refused.get_json()["reason"] == "not_signed_in"
    # Whoever found the phone cannot sign in again with the PIN either.
    assert phone.post("/api/v1/auth/pin-login", {"pin": "135790"}).status_code == 403
    assert _devices(client, hood).get_json()["total"] == 0


def test_signing_out_everywhere_ends_every_session_and_link(client, make_client, hood):
    first = _linked_phone(client, make_client, hood, "旧手机")
    second = _linked_phone(client, make_client, hood, "新手机")
    response = client.post(f"/api/v1/residents/{hood.resident.id}/devices/sign-out", {})
    assert response.get_json() == {"ended_sessions": 2, "revoked_links": 2}
    assert first.get("/api/v1/me/sessions").status_code == second.get("/api/v1/me/sessions").status_code == 401
    assert client.get("/api/v1/me/sessions").status_code == 200  # the worker stays signed in


def test_signing_out_one_phone_leaves_the_other_signed_in(client, make_client, hood):
    lost = _linked_phone(client, make_client, hood, "旧手机")
    kept = _linked_phone(client, make_client, hood, "新手机")
    link = next(item for item in _devices(client, hood).get_json()["items"]
                if item["kind"] == "linked_phone" and item["label"] == "旧手机")
    response = client.post(f"/api/v1/residents/{hood.resident.id}/devices/sign-out", {"device_link_id": link["id"]})
    assert response.get_json() == {"ended_sessions": 1, "revoked_links": 1}
    assert lost.get("/api/v1/me/sessions").status_code == 401
    assert kept.get("/api/v1/me/sessions").status_code == 200


def test_signing_out_is_written_to_the_audit_log(client, make_client, hood):
    _linked_phone(client, make_client, hood)
    client.post(f"/api/v1/residents/{hood.resident.id}/devices/sign-out", {})
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.actor_id, entry.resident_id, entry.action, entry.fields) == (
        hood.worker.id, hood.resident.id, "update", ["devices"])
    assert entry.reason == f"worker of grid {hood.grid.id}"


def test_another_users_session_cannot_be_signed_out_through_this_resident(client, make_client, hood):
    _linked_phone(client, make_client, hood)
    other_phone = make_client().login(make_user(hood.community, "volunteer"))
    others = other_phone.get("/api/v1/me/sessions").get_json()["items"][0]["id"]
    response = client.post(f"/api/v1/residents/{hood.resident.id}/devices/sign-out", {"session_id": others})
    assert response.status_code == 404
    assert other_phone.get("/api/v1/me/sessions").status_code == 200


def test_worker_of_another_grid_can_neither_see_nor_sign_out_devices(client, make_client, hood):
    phone = _linked_phone(client, make_client, hood)
    outsider = make_client().login(make_worker(make_grid(hood.community)))
    assert _devices(outsider, hood).status_code == 404
    response = outsider.post(f"/api/v1/residents/{hood.resident.id}/devices/sign-out", {})
    assert response.status_code == 404 and response.get_json()["reason"] == "not_found"
    assert phone.get("/api/v1/me/sessions").status_code == 200


def test_a_staff_members_devices_are_not_managed_through_a_resident_record(client, hood):
    colleague = make_user(hood.community, "worker", "resident")
    resident = make_resident(make_household(make_building(hood.grid)), user=colleague)
    client.login(hood.worker)
    response = client.post(f"/api/v1/residents/{resident.id}/devices/sign-out", {})
    assert response.status_code == 409 and response.get_json()["reason"] == "account_not_linkable"


def test_bad_sign_out_bodies_are_refused_and_sign_nothing_out(client, make_client, hood):
    phone = _linked_phone(client, make_client, hood)
    before = _audit_rows()
    for body in ({"session_id": "one"}, {"session_id": 0}, {"session_id": 1, "device_link_id": 1},
                 {"everyone": True}):
        response = client.post(f"/api/v1/residents/{hood.resident.id}/devices/sign-out", body)
        assert response.status_code == 422, body
        assert response.get_json()["errors"]
    assert phone.get("/api/v1/me/sessions").status_code == 200
    assert _audit_rows() == before
