"""Due and overdue households (issue 7, Cadence): each household's date comes from its most
demanding active resident's rule after its last visit where someone was seen; new residents are
due within three days; workers see their own grids' households, overdue first by risk and days
overdue; a rule changed now changes the next list."""
from datetime import timedelta

from tests.visits.conftest import TODAY, household_with, registered_long_ago, visited


def _due(phone, **query):
    response = phone.get("/api/v1/visits/due", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_households_are_due_by_their_most_demanding_resident_and_sorted_by_risk(scene, phone_of):
    alone_old, (grandma,) = household_with(scene.grid, ("王奶奶", ("lives_alone", "aged_80_plus")))
    alone, (uncle,) = household_with(scene.grid, ("李大爷", ("lives_alone",)))
    pair, (aunt, child) = household_with(scene.grid, ("张阿姨", ("low_income",)), ("小明", ("left_behind_child",)))
    fine, (neighbour,) = household_with(scene.grid, ("赵叔叔", ("lives_alone",)))
    registered_long_ago(grandma, uncle, aunt, child, neighbour)
    visited(alone_old, TODAY - timedelta(days=10))  # every 7 days: 3 days overdue
    visited(alone, TODAY - timedelta(days=20))  # every 14: 6 days overdue
    visited(pair, TODAY - timedelta(days=16))  # the child's 14 days: 2 overdue (not the aunt's 30)
    visited(fine, TODAY - timedelta(days=10))  # every 14: due in 4 days
    body = _due(phone_of(scene.worker))
    assert [item["household_id"] for item in body["items"]] == [alone_old.id, alone.id, pair.id]
    first = body["items"][0]
    assert first == {"household_id": alone_old.id, "grid_id": scene.grid.id,
                     "building_label": alone_old.building.label, "door_number": alone_old.door_number,
                     "residents": [{"id": grandma.id, "address_as": "王奶奶"}],
                     "next_due_on": str(TODAY - timedelta(days=3)), "days_overdue": 3, "overdue": True,
                     "reason": "interval", "interval_days": 7, "last_visit_on": str(TODAY - timedelta(days=10)),
                     "delegation_id": None, "delegated_to": None}
    assert body["items"][2]["interval_days"] == 14 and body["items"][2]["days_overdue"] == 2
    soon = _due(phone_of(scene.worker), within_days=7)
    assert soon["items"][-1]["household_id"] == fine.id and soon["items"][-1]["overdue"] is False
    assert soon["items"][-1]["next_due_on"] == str(TODAY + timedelta(days=4))
    assert [item["household_id"] for item in _due(phone_of(scene.worker), overdue="true")["items"]] == [
        alone_old.id, alone.id, pair.id]


def test_a_new_resident_is_due_within_three_days_and_a_not_at_home_visit_does_not_count(scene, phone_of):
    fresh, _ = household_with(scene.grid, ("刘奶奶", ()))
    missed, (grandpa,) = household_with(scene.grid, ("陈爷爷", ("disabled",)))
    registered_long_ago(grandpa)
    visited(missed, TODAY - timedelta(days=9))
    visited(missed, TODAY - timedelta(days=2), seen=False)  # nobody home: still 2 days overdue
    body = _due(phone_of(scene.worker), within_days=3)
    by_id = {item["household_id"]: item for item in body["items"]}
    assert by_id[fresh.id]["reason"] == "new_resident" and by_id[fresh.id]["next_due_on"] == str(TODAY + timedelta(days=3))
    assert by_id[missed.id]["days_overdue"] == 2 and by_id[missed.id]["last_visit_on"] == str(TODAY - timedelta(days=9))


def test_paused_residents_do_not_make_a_household_due_but_its_others_do(scene, phone_of):
    away, (grandma, son) = household_with(scene.grid, ("王奶奶", ("lives_alone", "aged_80_plus")), ("王叔叔", ("low_income",)))
    gone, (uncle,) = household_with(scene.grid, ("李大爷", ("lives_alone",)))
    registered_long_ago(grandma, son, uncle)
    grandma.status, uncle.status = "in_hospital", "deceased"
    visited(away, TODAY - timedelta(days=10))
    visited(gone, TODAY - timedelta(days=30))
    body = _due(phone_of(scene.worker), within_days=30)
    assert [(item["household_id"], item["next_due_on"]) for item in body["items"]] == [
        (away.id, str(TODAY + timedelta(days=20)))]  # the son's 30 days; the deceased's household not at all
    assert body["items"][0]["residents"] == [{"id": son.id, "address_as": "王叔叔"}]


def test_a_worker_sees_only_their_grids_and_an_admin_the_community(scene, phone_of):
    mine, (a,) = household_with(scene.grid, ("王奶奶", ("lives_alone",)))
    theirs, (b,) = household_with(scene.other_grid, ("李大爷", ("lives_alone",)))
    registered_long_ago(a, b)
    visited(mine, TODAY - timedelta(days=15))
    visited(theirs, TODAY - timedelta(days=15))
    assert [item["household_id"] for item in _due(phone_of(scene.worker))["items"]] == [mine.id]
    assert [item["household_id"] for item in _due(phone_of(scene.other_worker))["items"]] == [theirs.id]
    assert {item["household_id"] for item in _due(phone_of(scene.admin))["items"]} == {mine.id, theirs.id}
    assert {item["household_id"] for item in _due(phone_of(scene.admin), grid_id=scene.other_grid.id)["items"]} == {
        theirs.id}
    refused = phone_of(scene.worker).get("/api/v1/visits/due", query_string={"grid_id": scene.other_grid.id})
    assert refused.status_code == 404


def test_a_rule_changed_now_applies_to_the_next_list(scene, phone_of):
    household, (uncle,) = household_with(scene.grid, ("李大爷", ("lives_alone",)))
    registered_long_ago(uncle)
    visited(household, TODAY - timedelta(days=10))
    worker, admin = phone_of(scene.worker), phone_of(scene.admin)
    assert _due(worker)["total"] == 0
    [rule] = [r for r in admin.get("/api/v1/visit-rules").get_json() if r["tags"] == ["lives_alone"]]
    assert admin.patch(f"/api/v1/visit-rules/{rule['id']}", {"interval_days": 10}).status_code == 200
    assert _due(worker)["items"][0]["next_due_on"] == str(TODAY)
    assert admin.delete(f"/api/v1/visit-rules/{rule['id']}").status_code == 204
    assert _due(worker)["total"] == 0  # the any-tag rule's 30 days now


def test_the_asked_for_next_visit_brings_a_household_forward(scene, phone_of):
    household, (uncle,) = household_with(scene.grid, ("李大爷", ("lives_alone",)))
    registered_long_ago(uncle)
    visited(household, TODAY - timedelta(days=3), next_visit_on=TODAY)
    [item] = _due(phone_of(scene.worker))["items"]
    assert (item["reason"], item["next_due_on"], item["overdue"]) == ("asked", str(TODAY), False)


def test_bad_queries_are_refused(scene, phone_of):
    phone = phone_of(scene.worker)
    for query in ({"within_days": -1}, {"within_days": 61}, {"within_days": "x"}, {"grid_id": 0},
                  {"overdue": "maybe"}, {"page": 0}):
        response = phone.get("/api/v1/visits/due", query_string=query)
        assert response.status_code == 422, (query, response.get_json())
