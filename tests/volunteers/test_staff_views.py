"""Workers and admins oversee the community's volunteers: list, filters, vetting, status."""
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from backend.extensions import db
from backend.volunteers.models import Vetting, Volunteer, VolunteerStatusChange
from tests.factories import make_admin, make_community, make_grid, make_volunteer, make_worker


def _volunteer(user) -> Volunteer:
    return db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.get_json()
    return {item["id"] for item in response.get_json()["items"]}


def test_workers_of_any_grid_see_the_communitys_volunteers_with_phones(client):
    community = make_community()
    grid, other_grid = make_grid(community), make_grid(community)
    in_grid = _volunteer(make_volunteer(community, grid=grid))
    elsewhere = _volunteer(make_volunteer(community, grid=other_grid))
    _volunteer(make_volunteer(make_community("别的社区")))
    client.login(make_worker(grid))
    page = client.get("/api/v1/volunteers").get_json()
    assert page["total"] == 2 and {item["id"] for item in page["items"]} == {in_grid.id, elsewhere.id}
    assert {item["phone"] for item in page["items"]} == {in_grid.user.phone, elsewhere.user.phone}
    assert client.get(f"/api/v1/volunteers/{elsewhere.id}").status_code == 200


def test_volunteer_of_another_community_is_not_found_for_staff(client):
    community = make_community()
    stranger = _volunteer(make_volunteer(make_community("别的社区")))
    client.login(make_admin(community))
    assert client.get(f"/api/v1/volunteers/{stranger.id}").status_code == 404
    response = client.patch(f"/api/v1/volunteers/{stranger.id}", {"load_cap": 5})
    assert response.status_code == 404 and response.get_json()["reason"] == "not_found"
    assert client.post(f"/api/v1/volunteers/{stranger.id}/vettings",
                       {"kind": "identity", "expires_on": "2027-01-01"}).status_code == 404
    assert db.session.get(Volunteer, stranger.id).load_cap == 2


def test_filters_by_skill_status_duty_and_grid(client):
    community = make_community()
    grid, other_grid = make_grid(community), make_grid(community)
    cook = _volunteer(make_volunteer(community, skills=("meal_delivery",), grid=grid))
    fixer = _volunteer(make_volunteer(community, skills=("home_repair", "errands"), grid=other_grid))
    newcomer = _volunteer(make_volunteer(community, status="pending", vetted_until=None, grid=grid))
    fixer.on_duty = False
    db.session.flush()
    client.login(make_worker(grid))
    assert _ids(client.get("/api/v1/volunteers", query_string={"skill": "home_repair"})) == {fixer.id}
    assert _ids(client.get("/api/v1/volunteers", query_string={"status": "pending"})) == {newcomer.id}
    assert _ids(client.get("/api/v1/volunteers", query_string={"on_duty": "false"})) == {fixer.id}
    assert _ids(client.get("/api/v1/volunteers", query_string={"grid_id": grid.id})) == {cook.id, newcomer.id}
    assert _ids(client.get("/api/v1/volunteers", query_string={
        "grid_id": grid.id, "status": "active", "on_duty": "true"})) == {cook.id}


def test_list_is_paginated(client):
    community = make_community()
    grid = make_grid(community)
    for _ in range(3):
        make_volunteer(community, grid=grid)
    client.login(make_worker(grid))
    page = client.get("/api/v1/volunteers", query_string={"page": 2, "per_page": 2}).get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (3, 2, 2, 1)


def test_expired_and_revoked_vettings_do_not_count_as_valid(client):
    community = make_community()
    grid = make_grid(community)
    valid = _volunteer(make_volunteer(community, vetted_until=date(2027, 1, 1)))
    expired = _volunteer(make_volunteer(community, vetted_until=date(2026, 11, 25)))
    revoked = _volunteer(make_volunteer(community, vetted_until=date(2027, 1, 1)))
    revoked.vettings[0].revoked_at = datetime(2026, 11, 1, tzinfo=UTC)
    never = _volunteer(make_volunteer(community, vetted_until=None))
    db.session.flush()
    client.login(make_worker(grid))
    assert _ids(client.get("/api/v1/volunteers", query_string={"vetting": "identity"})) == {valid.id}
    assert _ids(client.get("/api/v1/volunteers", query_string={"vetting": "child_safeguarding"})) == set()
    items = {item["id"]: item for item in client.get("/api/v1/volunteers").get_json()["items"]}
    assert items[valid.id]["valid_vettings"] == ["identity"]
    assert items[expired.id]["valid_vettings"] == items[revoked.id]["valid_vettings"] == items[never.id][
        "valid_vettings"] == []


def test_a_vetting_counts_through_its_expiry_date_in_the_communitys_time_zone(client, clock):
    community = make_community()
    grid = make_grid(community)
    volunteer = _volunteer(make_volunteer(community, vetted_until=date(2026, 11, 26)))
    clock.current = datetime(2026, 11, 26, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai: last valid minute
    client.login(make_worker(grid))
    assert _ids(client.get("/api/v1/volunteers", query_string={"vetting": "identity"})) == {volunteer.id}
    clock.current = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)  # midnight in Shanghai, still the 26th in UTC
    assert _ids(client.get("/api/v1/volunteers", query_string={"vetting": "identity"})) == set()
    assert client.get(f"/api/v1/volunteers/{volunteer.id}").get_json()["vettings"][0]["is_valid"] is False


def test_unknown_filter_values_are_refused(client):
    community = make_community()
    grid = make_grid(community)
    other_grid = make_grid(make_community("别的社区"))
    client.login(make_worker(grid))
    for query, field in [({"skill": "juggling"}, "skill"), ({"grid_id": other_grid.id}, "grid_id"),
                         ({"vetting": "police"}, "vetting"), ({"status": "retired"}, "status"),
                         ({"per_page": 101}, "per_page"), ({"on_duty": "perhaps"}, "on_duty")]:
        response = client.get("/api/v1/volunteers", query_string=query)
        assert response.status_code == 422, (query, response.get_json())
        assert field in response.get_json()["errors"], (query, response.get_json())


def test_staff_suspend_with_a_reason_which_takes_the_volunteer_off_duty(client):
    community = make_community()
    grid = make_grid(community)
    worker = make_worker(grid)
    volunteer = _volunteer(make_volunteer(community, grid=grid))
    client.login(worker)
    response = client.patch(f"/api/v1/volunteers/{volunteer.id}", {"status": "suspended", "reason": "多次爽约"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["on_duty"]) == ("suspended", False)
    assert body["last_status_change"]["reason"] == "多次爽约"
    assert body["last_status_change"]["changed_by_id"] == worker.id

    reinstated = client.patch(f"/api/v1/volunteers/{volunteer.id}", {"status": "active", "reason": "已沟通"})
    assert reinstated.status_code == 200 and reinstated.get_json()["status"] == "active"


def test_status_change_without_reason_or_to_pending_is_refused_and_nothing_changes(client):
    community = make_community()
    grid = make_grid(community)
    volunteer = _volunteer(make_volunteer(community, grid=grid))
    client.login(make_worker(grid))
    for body, field in [({"status": "suspended"}, "reason"), ({"status": "suspended", "reason": " "}, "reason"),
                        ({"status": "pending", "reason": "重新审核"}, "status"), ({"load_cap": 11}, "load_cap"),
                        ({"travel_radius_km": 3}, "travel_radius_km")]:
        response = client.patch(f"/api/v1/volunteers/{volunteer.id}", body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["errors"]
    db.session.expire_all()
    assert db.session.get(Volunteer, volunteer.id).status == "active"
    assert db.session.scalar(select(func.count()).select_from(VolunteerStatusChange)) == 0


def test_activating_a_volunteer_without_valid_identity_vetting_is_refused(client):
    community = make_community()
    pending = _volunteer(make_volunteer(community, status="pending", vetted_until=date(2026, 1, 1)))
    client.login(make_admin(community))
    response = client.patch(f"/api/v1/volunteers/{pending.id}", {"status": "active", "reason": "看着靠谱"})
    assert response.status_code == 409 and response.get_json()["reason"] == "volunteer_not_vetted"
    db.session.expire_all()
    assert db.session.get(Volunteer, pending.id).status == "pending"


def test_staff_change_the_load_cap(client):
    community = make_community()
    grid = make_grid(community)
    volunteer = _volunteer(make_volunteer(community, grid=grid))
    client.login(make_worker(grid))
    response = client.patch(f"/api/v1/volunteers/{volunteer.id}", {"load_cap": 1})
    assert response.status_code == 200 and response.get_json()["load_cap"] == 1


def test_vetting_must_expire_in_the_future_and_nothing_is_written(client):
    community = make_community()
    grid = make_grid(community)
    volunteer = _volunteer(make_volunteer(community, status="pending", vetted_until=None))
    client.login(make_worker(grid))
    for body, field in [({"kind": "identity", "expires_on": "2026-11-26"}, "expires_on"),
                        ({"kind": "identity", "expires_on": "yesterday"}, "expires_on"),
                        ({"kind": "police_record", "expires_on": "2027-11-26"}, "kind"),
                        ({"expires_on": "2027-11-26"}, "kind")]:
        response = client.post(f"/api/v1/volunteers/{volunteer.id}/vettings", body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["errors"]
    assert db.session.scalar(select(func.count()).select_from(Vetting)) == 0
    db.session.expire_all()
    assert db.session.get(Volunteer, volunteer.id).status == "pending"


def test_revoked_vetting_stops_counting_and_records_who_and_why(client):
    community = make_community()
    grid = make_grid(community)
    worker = make_worker(grid)
    volunteer = _volunteer(make_volunteer(community, grid=grid))
    vetting_id = volunteer.vettings[0].id
    client.login(worker)
    path = f"/api/v1/volunteers/{volunteer.id}/vettings/{vetting_id}/revoke"
    assert client.post(path, {}).status_code == 422
    response = client.post(path, {"reason": "证件系伪造"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["is_valid"], body["revoked_by_id"], body["revoke_reason"]) == (False, worker.id, "证件系伪造")
    assert _ids(client.get("/api/v1/volunteers", query_string={"vetting": "identity"})) == set()
    again = client.post(path, {"reason": "再次撤销"})
    assert again.status_code == 409 and again.get_json()["reason"] == "vetting_already_revoked"


def test_vetting_of_another_volunteer_is_not_found(client):
    community = make_community()
    grid = make_grid(community)
    one = _volunteer(make_volunteer(community))
    other = _volunteer(make_volunteer(community))
    client.login(make_worker(grid))
    response = client.post(f"/api/v1/volunteers/{one.id}/vettings/{other.vettings[0].id}/revoke",
                           {"reason": "手误"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Vetting, other.vettings[0].id).revoked_at is None
