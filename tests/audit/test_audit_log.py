"""The audit log as admins read it: newest first, filtered by resident, actor and time; nobody else reads it."""
import pytest
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from backend.audit.models import AuditEntry
from backend.extensions import db
from tests.factories import make_admin, make_community
from tests.world import build_world


def _read_record(make_client, user, resident):
    response = make_client().login(user).get(f"/api/v1/residents/{resident.id}")
    assert response.status_code == 200


def test_admin_lists_who_read_whose_data_and_why(client, make_client, clock):
    world = build_world()
    _read_record(make_client, world.users["worker"], world.resident)
    clock.advance(minutes=5)
    _read_record(make_client, world.users["admin"], world.other_resident)
    response = client.login(world.users["admin"]).get("/api/v1/audit")
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 2
    newest, oldest = body["items"]
    assert newest["resident_id"] == world.other_resident.id
    assert oldest == {
        "id": oldest["id"], "at": "2026-11-26T02:00:00+00:00",
        "actor": {"id": world.users["worker"].id, "display_name": "网格员"},
        "resident_id": world.resident.id, "action": "read", "fields": ["address", "phone"],
        "reason": f"worker of grid {world.grid.id}", "endpoint": "people.ResidentItem",
    }


def test_audit_log_filters_by_resident_actor_and_time(client, make_client, clock):
    world = build_world()
    _read_record(make_client, world.users["worker"], world.resident)
    clock.advance(hours=1)
    _read_record(make_client, world.users["other_worker"], world.other_resident)
    client.login(world.users["admin"])

    def residents(**query):
        response = client.get("/api/v1/audit", query_string=query)
        assert response.status_code == 200, response.get_json()
        return [item["resident_id"] for item in response.get_json()["items"]]

    assert residents(resident_id=world.resident.id) == [world.resident.id]
    assert residents(actor_id=world.users["other_worker"].id) == [world.other_resident.id]
    assert residents(since="2026-11-26T10:30:00+08:00") == [world.other_resident.id]
    assert residents(until="2026-11-26T02:30:00Z") == [world.resident.id]
    assert residents(since="2026-11-26T04:00:00Z") == []


def test_bad_filters_are_field_errors(client):
    world = build_world()
    client.login(world.users["admin"])
    for query in ({"since": "2026-11-26T10:00:00"}, {"until": "yesterday"}, {"resident_id": "abc"},
                  {"per_page": 0}):
        response = client.get("/api/v1/audit", query_string=query)
        assert response.status_code == 422, query
        assert response.get_json()["errors"]


def test_an_admin_sees_only_their_own_communitys_log(client, make_client):
    world = build_world()
    _read_record(make_client, world.users["worker"], world.resident)
    stranger = make_admin(make_community("别的社区"))
    response = client.login(stranger).get("/api/v1/audit")
    assert response.status_code == 200 and response.get_json()["total"] == 0


def test_workers_cannot_read_the_audit_log(client):
    world = build_world()
    response = client.login(world.users["worker"]).get("/api/v1/audit")
    assert response.status_code == 403
    assert set(response.get_json()) == {"code", "status", "reason", "message", "errors"}


def test_audit_entries_cannot_be_changed_afterwards(client, make_client):
    world = build_world()
    _read_record(make_client, world.users["worker"], world.resident)
    entry = db.session.query(AuditEntry).filter_by(resident_id=world.resident.id).one()
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(update(AuditEntry).where(AuditEntry.id == entry.id).values(reason="nothing happened"))
