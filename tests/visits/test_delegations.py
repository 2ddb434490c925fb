"""Delegated visits (issue 7): a worker hands a household's visit to a vetted volunteer, who is
told; the household stays due until the volunteer's record is in, and then it counts like a
worker's; only an eligible volunteer (active, vetted through the date, child-safeguarding vetted
for a child's household, not blocked) may be chosen; a record arrives once."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.matching.models import VolunteerBlock
from backend.visits.models import Visit, VisitDelegation
from backend.volunteers.models import Vetting, Volunteer
from tests.factories import make_volunteer
from tests.matching.helpers import notified_user_ids
from tests.visits.conftest import TODAY, household_with, registered_long_ago, visited


def _volunteer_id(user) -> int:
    return db.session.scalar(select(Volunteer.id).where(Volunteer.user_id == user.id))


def _overdue_household(scene, *people):
    household, residents = household_with(scene.grid, *(people or (("王奶奶", ("lives_alone", "aged_80_plus")),)))
    registered_long_ago(*residents)
    visited(household, TODAY - timedelta(days=10))
    return household, residents


def _delegate(phone, household, volunteer, expect=201, **extra):
    body = {"household_id": household.id, "volunteer_id": _volunteer_id(volunteer),
            "due_on": str(TODAY + timedelta(days=1)), "note": "陪王奶奶聊聊天，看看冰箱", **extra}
    response = phone.post("/api/v1/visit-delegations", body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_a_delegated_visit_counts_once_the_volunteer_has_recorded_it(scene, phone_of):
    household, (grandma,) = _overdue_household(scene)
    helper = make_volunteer(scene.community, grid=scene.grid)
    worker = phone_of(scene.worker)
    delegation = _delegate(worker, household, helper)
    assert delegation["status"] == "open" and delegation["volunteer_id"] == _volunteer_id(helper)
    assert notified_user_ids("visit_delegated") == [helper.id]
    [due] = worker.get("/api/v1/visits/due").get_json()["items"]  # still due: nothing recorded yet
    assert (due["household_id"], due["delegation_id"], due["delegated_to"]) == (
        household.id, delegation["id"], helper.display_name)

    volunteer = phone_of(helper)
    mine = volunteer.get("/api/v1/visit-delegations").get_json()["items"]
    assert [item["id"] for item in mine] == [delegation["id"]]
    assert mine[0]["address"] == household.address_text and mine[0]["door_number"] == household.door_number
    body = {"outcome": "met", "residents": [{"resident_id": grandma.id, "outcome": "met",
                                             "checklist": {"mood": "ok"}}], "summary": "王奶奶今天很开心"}
    recorded = volunteer.post(f"/api/v1/visit-delegations/{delegation['id']}/record", body,
                              headers={"Idempotency-Key": "delegated-1"})
    assert recorded.status_code == 200, recorded.get_json()
    done = recorded.get_json()
    assert done["status"] == "completed" and done["visit_id"] is not None
    assert done["address"] is None and done["door_number"] is None  # the volunteer's no more
    again = volunteer.post(f"/api/v1/visit-delegations/{delegation['id']}/record", body,
                           headers={"Idempotency-Key": "delegated-1"})
    assert again.status_code == 200 and again.get_json()["visit_id"] == done["visit_id"]
    assert db.session.scalar(select(Visit.visitor_id).where(Visit.id == done["visit_id"])) == helper.id
    assert len(db.session.scalars(select(Visit).where(Visit.household_id == household.id)).all()) == 2
    assert worker.get("/api/v1/visits/due").get_json()["items"] == []  # it counts now
    refused = volunteer.post(f"/api/v1/visit-delegations/{delegation['id']}/record", body)
    assert refused.status_code == 409 and refused.get_json()["reason"] == "delegation_closed"
    assert worker.get(f"/api/v1/visits/{done['visit_id']}").get_json()["residents"][0]["checklist"] == {"mood": "ok"}


def test_a_cancelled_delegation_cannot_be_recorded_and_the_household_stays_due(scene, phone_of):
    household, (grandma,) = _overdue_household(scene)
    helper = make_volunteer(scene.community, grid=scene.grid)
    worker = phone_of(scene.worker)
    delegation = _delegate(worker, household, helper)
    cancelled = worker.post(f"/api/v1/visit-delegations/{delegation['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    response = phone_of(helper).post(f"/api/v1/visit-delegations/{delegation['id']}/record",
                                     {"outcome": "met", "residents": [{"resident_id": grandma.id, "outcome": "met"}]})
    assert response.status_code == 409 and response.get_json()["reason"] == "delegation_closed"
    assert [item["delegation_id"] for item in worker.get("/api/v1/visits/due").get_json()["items"]] == [None]
    assert worker.post(f"/api/v1/visit-delegations/{delegation['id']}/cancel").status_code == 409


def test_one_open_delegation_per_household(scene, phone_of):
    household, _ = _overdue_household(scene)
    first, second = make_volunteer(scene.community), make_volunteer(scene.community)
    worker = phone_of(scene.worker)
    _delegate(worker, household, first)
    response = _delegate(worker, household, second, expect=409)
    assert response["reason"] == "visit_already_delegated"


@pytest.mark.parametrize("problem", ["pending", "expired", "revoked", "blocked", "child"])
def test_only_an_eligible_volunteer_may_be_chosen(scene, phone_of, problem):
    people = (("小明", ("left_behind_child",)),) if problem == "child" else ()
    household, residents = _overdue_household(scene, *people)
    helper = make_volunteer(scene.community, status="pending" if problem == "pending" else "active",
                            vetted_until=TODAY if problem == "expired" else date(2030, 1, 1))
    volunteer_id = _volunteer_id(helper)
    if problem == "revoked":
        db.session.scalar(select(Vetting).where(Vetting.volunteer_id == volunteer_id)).revoked_at = db.func.now()
    if problem == "blocked":
        db.session.add(VolunteerBlock(resident_id=residents[0].id, volunteer_id=volunteer_id))
    db.session.flush()
    response = _delegate(phone_of(scene.worker), household, helper, expect=409)  # due tomorrow: today's vetting ends
    assert response["reason"] == "volunteer_cannot_visit"
    assert db.session.scalars(select(VisitDelegation)).all() == []
    assert notified_user_ids("visit_delegated") == []


def test_a_child_safeguarding_vetted_volunteer_may_visit_a_child(scene, phone_of):
    household, _ = _overdue_household(scene, ("小明", ("left_behind_child",)))
    helper = make_volunteer(scene.community)
    db.session.add(Vetting(volunteer_id=_volunteer_id(helper), kind="child_safeguarding", expires_on=date(2030, 1, 1)))
    db.session.flush()
    assert _delegate(phone_of(scene.worker), household, helper)["status"] == "open"


def test_other_volunteers_and_other_grids_do_not_see_it(scene, phone_of):
    household, (grandma,) = _overdue_household(scene)
    helper, stranger = make_volunteer(scene.community), make_volunteer(scene.community)
    delegation = _delegate(phone_of(scene.worker), household, helper)
    for phone in (phone_of(stranger), phone_of(scene.other_worker)):
        assert phone.get(f"/api/v1/visit-delegations/{delegation['id']}").status_code == 404
    assert phone_of(stranger).get("/api/v1/visit-delegations").get_json()["items"] == []
    body = {"outcome": "met", "residents": [{"resident_id": grandma.id, "outcome": "met"}]}
    assert phone_of(stranger).post(f"/api/v1/visit-delegations/{delegation['id']}/record", body).status_code == 404
    assert phone_of(scene.other_worker).post(f"/api/v1/visit-delegations/{delegation['id']}/cancel").status_code == 404


@pytest.mark.parametrize("change, field", [
    ({"due_on": str(TODAY - timedelta(days=1))}, "due_on"),
    ({"due_on": str(TODAY + timedelta(days=61))}, "due_on"),
    ({"note": "长" * 501}, "note"),
    ({"volunteer_id": 0}, "volunteer_id"),
    ({"household_id": "x"}, "household_id"),
])
def test_bad_delegations_are_refused_with_the_field_named(scene, phone_of, change, field):
    household, _ = _overdue_household(scene)
    helper = make_volunteer(scene.community)
    response = _delegate(phone_of(scene.worker), household, helper, expect=422, **change)
    assert field in response["errors"]
    assert db.session.scalars(select(VisitDelegation)).all() == []
