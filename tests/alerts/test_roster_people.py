"""Who the roster screen offers to put on duty: the community's enabled workers and admins, by
name, a page at a time; nobody from another community, no volunteer, no disabled account."""
from backend.extensions import db
from tests.alerts.helpers import neighbourhood
from tests.factories import make_community, make_user, make_volunteer


def test_the_people_who_can_be_on_the_roster_are_the_communitys_enabled_workers_and_admins(client):
    place = neighbourhood()
    make_user(make_community("别的社区"), "worker", name="外社区网格员")
    make_volunteer(place.community)
    disabled = make_user(place.community, "worker", name="已停用网格员")
    disabled.is_enabled = False
    both = make_user(place.community, "worker", "admin", name="兼任管理员")
    db.session.flush()

    body = client.login(place.worker).get("/api/v1/roster/people").get_json()

    staff = [place.worker, place.second_worker, place.other_grid_worker, place.admin, place.night_worker, both]
    assert body["total"] == len(staff)
    assert sorted(person["id"] for person in body["items"]) == sorted(person.id for person in staff)
    roles = {person["id"]: person["roles"] for person in body["items"]}
    assert roles[both.id] == ["admin", "worker"] and roles[place.worker.id] == ["worker"]
    assert set(body["items"][0]) == {"id", "display_name", "roles"}  # no phone: names are enough to choose


def test_the_people_come_a_page_at_a_time(client):
    place = neighbourhood()
    first = client.login(place.admin).get("/api/v1/roster/people", query_string={"per_page": 2}).get_json()
    second = client.get("/api/v1/roster/people", query_string={"per_page": 2, "page": 2}).get_json()
    assert (first["total"], len(first["items"]), len(second["items"])) == (5, 2, 2)
    assert not {p["id"] for p in first["items"]} & {p["id"] for p in second["items"]}
    refused = client.get("/api/v1/roster/people", query_string={"per_page": 500})
    assert refused.status_code == 422 and "per_page" in refused.get_json()["errors"]


def test_someone_who_is_not_staff_cannot_list_them(client):
    place = neighbourhood()
    volunteer = make_volunteer(place.community)
    assert client.login(volunteer).get("/api/v1/roster/people").status_code == 403
