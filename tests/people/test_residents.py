"""Registering, listing, reading and changing residents: who sees what, bad input, and the audit rows."""
from backend.audit.models import AuditEntry
from backend.people.models import ConsentRecord, Resident
from tests.factories import make_household, make_resident
from tests.people.conftest import audit_entries, count


def _new_resident(world, **changes) -> dict:
    body = {"household_id": world.household.id, "family_name": "赵", "given_name": "桂兰", "address_as": "赵阿姨",
            "gender": "female", "birth_year": 1950, "phone": "139 1234 5678", "tags": ["lives_alone", "disabled"],
            "languages": ["cantonese"], "prefers_volunteer_gender": "female",
            "emergency_contacts": [{"name": "赵强", "relation": "儿子", "phone": "13911112222"}],
            "consent": {"given_by": "resident", "giver_name": "赵桂兰"}}
    body.update(changes)
    return body


def test_worker_registers_resident_with_registry_consent_and_audited_sensitive_fields(client, world):
    response = client.login(world.users["worker"]).post("/api/v1/residents", _new_resident(world))
    assert response.status_code == 201
    body = response.get_json()
    assert body["phone"] == "13912345678"
    assert [tag["code"] for tag in body["tags"]] == ["lives_alone", "disabled"]
    assert body["household"]["address"] == world.household.address_text
    assert body["emergency_contacts"][0]["name"] == "赵强"
    consent = ConsentRecord.query.filter_by(resident_id=body["id"]).one()
    assert (consent.purpose, consent.given_by, consent.recorded_by_id) == ("registry", "resident", world.users["worker"].id)
    [entry] = audit_entries(body["id"])
    assert (entry.actor_id, entry.action, entry.reason) == (world.users["worker"].id, "create", f"worker of grid {world.grid.id}")
    assert entry.fields == ["address", "health_tags", "phone"]


def test_unknown_tag_and_language_codes_are_field_errors_and_nothing_is_written(client, world):
    before = count(Resident), count(ConsentRecord)
    response = client.login(world.users["worker"]).post(
        "/api/v1/residents", _new_resident(world, tags=["lives_alone", "vip"], languages=["klingon"]))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"tags", "languages"}
    assert "vip" in response.get_json()["errors"]["tags"][0]
    assert (count(Resident), count(ConsentRecord)) == before


def test_bad_registration_input_is_refused_without_writing(client, world):
    client.login(world.users["worker"])
    before = count(Resident), count(AuditEntry)
    bad_bodies = [
        _new_resident(world, phone="12345"),
        _new_resident(world, birth_year=1800),
        _new_resident(world, gender="robot"),
        _new_resident(world, nickname="阿兰"),
        {key: value for key, value in _new_resident(world).items() if key != "consent"},
        _new_resident(world, emergency_contacts=[{"name": "赵强", "relation": "儿子", "phone": "nope"}]),
    ]
    for body in bad_bodies:
        response = client.post("/api/v1/residents", body)
        assert response.status_code == 422, body
        assert response.get_json()["errors"]
    assert client.post("/api/v1/residents", data="{not json", content_type="application/json").status_code == 400
    assert (count(Resident), count(AuditEntry)) == before


def test_household_of_another_grid_is_an_unknown_household(client, world):
    response = client.login(world.users["other_worker"]).post("/api/v1/residents", _new_resident(world))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"household_id"}


def test_a_child_needs_a_guardians_consent(client, world):
    client.login(world.users["worker"])
    before = count(Resident)
    by_age = client.post("/api/v1/residents", _new_resident(world, birth_year=2015, tags=[]))
    by_tag = client.post("/api/v1/residents", _new_resident(world, tags=["left_behind_child"]))
    for response in (by_age, by_tag):
        assert response.status_code == 422
        assert response.get_json()["reason"] == "guardian_consent_required"
        assert "given_by" in response.get_json()["errors"]["consent"]
    assert count(Resident) == before
    accepted = client.post("/api/v1/residents", _new_resident(
        world, birth_year=2015, tags=["left_behind_child"], consent={"given_by": "guardian", "giver_name": "赵爷爷"}))
    assert accepted.status_code == 201 and accepted.get_json()["is_child"] is True
    assert audit_entries(accepted.get_json()["id"])[0].fields == ["address", "child_record", "phone"]


def test_worker_lists_only_their_grids_residents_without_address_or_phone(client, world):
    response = client.login(world.users["worker"]).get("/api/v1/residents")
    assert response.status_code == 200
    body = response.get_json()
    assert [item["id"] for item in body["items"]] == [world.resident.id]
    assert body["total"] == 1 and body["page"] == 1
    assert not {"phone", "household", "emergency_contacts"} & set(body["items"][0])
    admin = client.logout() and client.login(world.users["admin"]).get("/api/v1/residents").get_json()
    assert {item["id"] for item in admin["items"]} == {world.resident.id, world.other_resident.id}


def test_resident_list_filters_by_grid_tag_status_and_name(client, world):
    household = make_household(world.building)
    make_resident(household, family_name="陈", given_name="建国", address_as="陈爷爷", gender="male",
                  tags=("chronic_illness",), status="in_hospital")
    client.login(world.users["admin"])

    def ids(**query):
        response = client.get("/api/v1/residents", query_string=query)
        assert response.status_code == 200, response.get_json()
        return [item["address_as"] for item in response.get_json()["items"]]

    assert ids(grid_id=world.other_grid.id) == ["李大爷"]
    assert ids(tag="chronic_illness") == ["陈爷爷"]
    assert ids(status="in_hospital") == ["陈爷爷"]
    assert ids(name="建国") == ["陈爷爷"]
    assert ids(name="王奶") == ["王奶奶"]
    assert ids(name="陈建国") == ["陈爷爷"]
    assert ids(name="%") == []


def test_resident_list_refuses_unknown_tag_and_hides_other_grids(client, world):
    client.login(world.users["worker"])
    unknown = client.get("/api/v1/residents", query_string={"tag": "vip"})
    assert unknown.status_code == 422 and "tag" in unknown.get_json()["errors"]
    assert client.get("/api/v1/residents", query_string={"grid_id": world.other_grid.id}).status_code == 404
    assert client.get("/api/v1/residents", query_string={"per_page": 1000}).status_code == 422
    assert client.get("/api/v1/residents", query_string={"status": "asleep"}).status_code == 422


def test_listing_audits_each_row_showing_health_tags_or_a_child(client, world):
    household = make_household(world.building)
    sick = make_resident(household, given_name="病", tags=("disabled",))
    child = make_resident(household, given_name="小", birth_year=2016)
    client.login(world.users["worker"]).get("/api/v1/residents")
    assert [entry.fields for entry in audit_entries(sick.id)] == [["health_tags"]]
    assert [entry.fields for entry in audit_entries(child.id)] == [["child_record"]]
    assert audit_entries(world.resident.id) == []  # her tags are not health-related
    assert audit_entries(sick.id)[0].reason == f"worker of grid {world.grid.id}"


def test_worker_reads_the_full_record_and_the_read_is_audited(client, world):
    response = client.login(world.users["worker"]).get(f"/api/v1/residents/{world.resident.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["phone"] == "13700000001" and body["household"]["phone"] == "057188881234"
    assert {tag["code"] for tag in body["tags"]} == {"lives_alone", "aged_80_plus"}
    [entry] = audit_entries(world.resident.id)
    assert (entry.actor_id, entry.action, entry.fields, entry.reason) == (
        world.users["worker"].id, "read", ["address", "phone"], f"worker of grid {world.grid.id}")


def test_admin_read_gives_the_admin_reason(client, world):
    client.login(world.users["admin"]).get(f"/api/v1/residents/{world.resident.id}")
    assert audit_entries(world.resident.id)[0].reason == f"admin of community {world.community.id}"


def test_worker_of_another_grid_cannot_see_resident(client, world):
    response = client.login(world.users["other_worker"]).get(f"/api/v1/residents/{world.resident.id}")
    assert response.status_code == 404
    assert set(response.get_json()) == {"code", "status", "reason", "message", "errors"}
    assert audit_entries(world.resident.id) == []


def test_resident_sees_her_own_record_without_risk_tags(client, world):
    response = client.login(world.users["resident"]).get(f"/api/v1/residents/{world.resident.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert "tags" not in body and body["phone"] == "13700000001"
    assert audit_entries(world.resident.id)[0].reason == "the resident themself"
    other = client.get(f"/api/v1/residents/{world.other_resident.id}")
    assert other.status_code == 404


def test_proxy_with_view_status_only_sees_a_reduced_view(client, world):
    response = client.login(world.users["proxy_no_scope"]).get(f"/api/v1/residents/{world.resident.id}")
    assert response.status_code == 200
    assert set(response.get_json()) == {"id", "address_as", "building_label", "status", "away_until"}
    assert audit_entries(world.resident.id) == []


def test_proxy_managing_the_profile_sees_address_and_phone_audited(client, world):
    response = client.login(world.users["proxy"]).get(f"/api/v1/residents/{world.resident.id}")
    assert response.status_code == 200 and "tags" not in response.get_json()
    [entry] = audit_entries(world.resident.id)
    assert entry.fields == ["address", "phone"]
    assert entry.reason == f"proxy of resident {world.resident.id} with manage_profile"


def test_proxy_cannot_see_a_resident_they_are_not_linked_to(client, world):
    response = client.login(world.users["proxy"]).get(f"/api/v1/residents/{world.other_resident.id}")
    assert response.status_code == 404


def test_volunteer_may_never_open_a_resident_record(client, world):
    response = client.login(world.users["volunteer"]).get(f"/api/v1/residents/{world.resident.id}")
    assert response.status_code == 403


def test_worker_changes_phone_and_health_tags_and_both_are_audited(client, world):
    response = client.login(world.users["worker"]).patch(
        f"/api/v1/residents/{world.resident.id}", {"phone": "13955556666", "tags": ["lives_alone", "chronic_illness"]})
    assert response.status_code == 200
    assert response.get_json()["phone"] == "13955556666"
    update, read = audit_entries(world.resident.id)
    assert (update.action, update.fields) == ("update", ["health_tags", "phone"])
    assert (read.action, read.fields) == ("read", ["address", "health_tags", "phone"])


def test_worker_moves_resident_to_another_household_of_their_grids_only(client, world):
    client.login(world.users["worker"])
    household = make_household(world.building)
    moved = client.patch(f"/api/v1/residents/{world.resident.id}", {"household_id": household.id})
    assert moved.status_code == 200 and moved.get_json()["household"]["id"] == household.id
    assert audit_entries(world.resident.id)[0].fields == ["address"]
    elsewhere = client.patch(f"/api/v1/residents/{world.resident.id}",
                             {"household_id": world.other_resident.household_id})
    assert elsewhere.status_code == 422 and "household_id" in elsewhere.get_json()["errors"]


def test_resident_changes_her_preferences_but_not_her_tags(client, world):
    client.login(world.users["resident"])
    response = client.patch(f"/api/v1/residents/{world.resident.id}",
                            {"prefers_volunteer_gender": "female", "languages": ["cantonese"]})
    assert response.status_code == 200
    assert [language["code"] for language in response.get_json()["languages"]] == ["cantonese"]
    refused = client.patch(f"/api/v1/residents/{world.resident.id}", {"tags": [], "birth_year": 1950})
    assert refused.status_code == 403
    assert refused.get_json()["reason"] == "field_not_editable"
    assert set(refused.get_json()["errors"]) == {"tags", "birth_year"}
    assert {tag.code for tag in world.resident.tags} == {"lives_alone", "aged_80_plus"}
    assert world.resident.birth_year == 1942


def test_proxy_without_manage_profile_cannot_change_the_record(client, world):
    response = client.login(world.users["proxy_no_scope"]).patch(
        f"/api/v1/residents/{world.resident.id}", {"preference_notes": "x"})
    assert response.status_code == 403 and response.get_json()["reason"] == "proxy_scope_missing"


def test_proxy_updates_phone_and_the_change_is_audited(client, world):
    response = client.login(world.users["proxy"]).patch(
        f"/api/v1/residents/{world.resident.id}", {"phone": "13955556666"})
    assert response.status_code == 200
    update = audit_entries(world.resident.id)[0]
    assert (update.actor_id, update.action, update.fields) == (world.users["proxy"].id, "update", ["phone"])


def test_bad_patch_input_changes_nothing(client, world):
    client.login(world.users["worker"])
    for body in ({"languages": ["klingon"]}, {"phone": "1"}, {"given_name": ""}, {"status": "deceased"},
                 {"tags": ["lives_alone", "lives_alone"]}):
        response = client.patch(f"/api/v1/residents/{world.resident.id}", body)
        assert response.status_code == 422, body
    assert world.resident.phone == "13700000001" and world.resident.status == "active"
    assert audit_entries(world.resident.id) == []


def test_status_changes_with_a_return_date_for_away(client, world, clock):
    client.login(world.users["worker"])
    path = f"/api/v1/residents/{world.resident.id}/status"
    away = client.post(path, {"status": "away", "away_until": "2026-12-20"})
    assert away.status_code == 200
    assert away.get_json() == {"id": world.resident.id, "address_as": "王奶奶", "building_label": world.building.label,
                               "status": "away", "away_until": "2026-12-20"}
    assert client.post(path, {"status": "away"}).status_code == 422
    assert client.post(path, {"status": "in_hospital", "away_until": "2026-12-20"}).status_code == 422
    assert client.post(path, {"status": "away", "away_until": "2026-11-01"}).status_code == 422
    assert world.resident.away_until.isoformat() == "2026-12-20"
    back = client.post(path, {"status": "active"})
    assert back.get_json()["status"] == "active" and back.get_json()["away_until"] is None


def test_a_childs_status_change_is_audited(client, world):
    child = make_resident(world.household, given_name="小明", birth_year=2016)
    response = client.login(world.users["worker"]).post(f"/api/v1/residents/{child.id}/status",
                                                        {"status": "moved_away"})
    assert response.status_code == 200
    assert [(entry.action, entry.fields) for entry in audit_entries(child.id)] == [
        ("update", ["child_record"]), ("read", ["child_record"])]
