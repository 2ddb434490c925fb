"""Visit records (issue 7): a worker records a household visit with each resident's outcome,
checklist and needs; a visit recorded offline arrives once with its occurred_at; someone seen moves
the household's next due date, nobody at home does not; in hospital, moved away and deceased change
the resident's status; every resident's record is in the audit log; bad input is a 422 that
changes nothing."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from backend.audit.models import AuditEntry
from backend.extensions import db
from backend.people.models import Resident
from backend.visits.models import Visit
from tests.visits.conftest import TODAY, household_with, registered_long_ago, visited


def _visit_body(household, *records, outcome="met", **extra):
    return {"household_id": household.id, "outcome": outcome,
            "residents": [{"resident_id": resident.id, "outcome": result, **more} for resident, result, more in records],
            **extra}


def _due_ids(phone, **query):
    return [item["household_id"] for item in phone.get("/api/v1/visits/due", query_string=query).get_json()["items"]]


def test_a_visit_is_recorded_and_the_household_s_next_date_moves(scene, phone_of, clock):
    household, (grandma, grandpa) = household_with(scene.grid, ("王奶奶", ("lives_alone", "aged_80_plus")),
                                                   ("王爷爷", ("disabled",)))
    registered_long_ago(grandma, grandpa)
    visited(household, TODAY - timedelta(days=9))
    worker = phone_of(scene.worker)
    assert _due_ids(worker) == [household.id]
    tapped = clock.current - timedelta(hours=2)  # in a basement without signal, sent two hours later
    body = _visit_body(household, (grandma, "met", {"checklist": {"health": "ok", "eating": "concern"},
                                                    "needs": "冰箱里菜不多"}),
                       (grandpa, "met", {"checklist": {"mood": "ok"}}),
                       occurred_at=tapped.isoformat(), notes="精神不错", next_visit_on=str(TODAY + timedelta(days=3)))
    response = worker.post("/api/v1/visits", body, headers={"Idempotency-Key": "visit-1"})
    assert response.status_code == 201, response.get_json()
    visit = response.get_json()
    assert datetime.fromisoformat(visit["occurred_at"]) == tapped  # when it happened, not when it arrived
    assert visit["local_date"] == str(TODAY) and visit["seen"] is True and visit["visitor_id"] == scene.worker.id
    assert visit["residents"][0] == {"resident_id": grandma.id, "address_as": "王奶奶", "outcome": "met",
                                     "checklist": {"health": "ok", "eating": "concern"}, "needs": "冰箱里菜不多",
                                     "concerns": []}
    assert visit["next_visit_on"] == str(TODAY + timedelta(days=3)) and visit["notes"] == "精神不错"
    # The replay (the outbox sending again after a lost answer) gets the same visit; one row.
    again = worker.post("/api/v1/visits", body, headers={"Idempotency-Key": "visit-1"})
    assert again.status_code == 201 and again.get_json()["id"] == visit["id"]
    assert db.session.scalar(select(func.count(Visit.id)).where(Visit.household_id == household.id)) == 2
    assert _due_ids(worker) == []
    soon = worker.get("/api/v1/visits/due", query_string={"within_days": 7}).get_json()["items"]
    assert [(item["household_id"], item["next_due_on"], item["reason"]) for item in soon] == [
        (household.id, str(TODAY + timedelta(days=3)), "asked")]
    history = worker.get(f"/api/v1/households/{household.id}/visits").get_json()
    assert [item["id"] for item in history["items"]][0] == visit["id"] and history["total"] == 2
    assert worker.get(f"/api/v1/visits/{visit['id']}").get_json()["residents"][1]["resident_id"] == grandpa.id
    audited = [entry for entry in db.session.scalars(select(AuditEntry)) if entry.fields == ["visit"]]
    assert {(entry.resident_id, entry.action) for entry in audited} >= {
        (grandma.id, "create"), (grandpa.id, "create"), (grandma.id, "read")}


def test_nobody_at_home_is_recorded_for_every_active_resident_and_does_not_count(scene, phone_of):
    household, (grandma, son) = household_with(scene.grid, ("王奶奶", ("lives_alone",)), ("王叔叔", ()))
    registered_long_ago(grandma, son)
    son.status = "away"
    visited(household, TODAY - timedelta(days=20))
    worker = phone_of(scene.worker)
    response = worker.post("/api/v1/visits", _visit_body(household, outcome="not_home"))
    assert response.status_code == 201, response.get_json()
    visit = response.get_json()
    assert visit["seen"] is False and [(r["resident_id"], r["outcome"]) for r in visit["residents"]] == [
        (grandma.id, "not_home")]
    assert _due_ids(worker) == [household.id]  # still 6 days overdue


@pytest.mark.parametrize("outcome, status", [("in_hospital", "in_hospital"), ("moved_away", "moved_away"),
                                             ("deceased", "deceased")])
def test_hospital_moved_and_deceased_change_the_resident_s_status(scene, phone_of, outcome, status):
    household, (grandma, grandpa) = household_with(scene.grid, ("王奶奶", ("lives_alone",)), ("王爷爷", ("disabled",)))
    registered_long_ago(grandma, grandpa)
    response = phone_of(scene.worker).post("/api/v1/visits", _visit_body(household, (grandma, "met", {}),
                                                                         (grandpa, outcome, {})))
    assert response.status_code == 201, response.get_json()
    db.session.expire_all()
    assert db.session.get(Resident, grandpa.id).status == status
    assert db.session.get(Resident, grandma.id).status == "active"
    assert [entry.fields for entry in db.session.scalars(select(AuditEntry).where(
        AuditEntry.resident_id == grandpa.id))].count(["status"]) == 1


@pytest.mark.parametrize("change, field", [
    (lambda body, other: body["residents"].append({"resident_id": other.id, "outcome": "met"}), "residents"),
    (lambda body, other: body["residents"].append(dict(body["residents"][0])), "residents"),
    (lambda body, other: body.update(outcome="not_home"), "residents"),
    (lambda body, other: body.update(residents=[]), "residents"),
    (lambda body, other: body.update(outcome="asleep"), "outcome"),
    (lambda body, other: body["residents"][0].update(outcome="fine"), "residents"),
    (lambda body, other: body["residents"][0].update(checklist={"gas": "bad"}), "residents"),
    (lambda body, other: body["residents"][0].update(checklist={"weather": "ok"}), "residents"),
    (lambda body, other: body.update(next_visit_on=str(TODAY)), "next_visit_on"),
    (lambda body, other: body.update(next_visit_on=str(TODAY + timedelta(days=400))), "next_visit_on"),
    (lambda body, other: body.update(occurred_at="2026-11-27T10:00:00+08:00"), "occurred_at"),
    (lambda body, other: body.update(occurred_at="2026-11-20T10:00:00+08:00"), "occurred_at"),
    (lambda body, other: body.update(occurred_at="2026-11-26T10:00:00"), "occurred_at"),
    (lambda body, other: body.update(notes="长" * 2001), "notes"),
    (lambda body, other: body.update(household_id=10 ** 30), "household_id"),
    (lambda body, other: body.update(extra=1), "extra"),
])
def test_bad_visits_are_refused_with_the_field_named_and_change_nothing(scene, phone_of, change, field):
    household, (grandma,) = household_with(scene.grid, ("王奶奶", ("lives_alone",)))
    _, (other,) = household_with(scene.grid, ("李大爷", ()))
    body = _visit_body(household, (grandma, "met", {}))
    change(body, other)
    response = phone_of(scene.worker).post("/api/v1/visits", body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()
    assert db.session.scalar(select(func.count(Visit.id))) == 0


def test_another_grid_s_household_and_visit_are_not_found(scene, phone_of):
    household, (uncle,) = household_with(scene.other_grid, ("李大爷", ("lives_alone",)))
    visit = visited(household, TODAY - timedelta(days=1))
    worker = phone_of(scene.worker)
    assert worker.post("/api/v1/visits", _visit_body(household, (uncle, "met", {}))).status_code == 404
    assert worker.get(f"/api/v1/visits/{visit.id}").status_code == 404
    assert worker.get(f"/api/v1/households/{household.id}/visits").status_code == 404
    assert worker.get("/api/v1/visits/999999").status_code == 404
