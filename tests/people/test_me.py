"""Who am I: roles, one's own resident record, the residents one acts for, and whom to call."""
from backend.extensions import db
from backend.people.models import ProxyLink
from tests.factories import make_proxy, make_resident, make_user, make_worker
from tests.people.conftest import audit_entries


def test_resident_sees_her_record_her_grid_workers_phone_and_the_service_phone(client, world):
    make_worker(world.grid, primary=False)
    response = client.login(world.users["resident"]).get("/api/v1/me")
    assert response.status_code == 200
    me = response.get_json()
    assert me["roles"] == ["resident"] and me["text_size"] == "standard"
    assert me["resident"] == {"id": world.resident.id, "address_as": "王奶奶", "building_label": world.building.label,
                              "status": "active", "away_until": None,
                              "grid_worker_phone": world.users["worker"].phone}
    assert me["community_phone"] == "057188880000"
    assert me["proxy_for"] == []
    assert audit_entries(world.resident.id) == []


def test_proxy_sees_linked_residents_with_active_scopes(client, world):
    me = client.login(world.users["proxy"]).get("/api/v1/me").get_json()
    assert me["resident"] is None
    [entry] = me["proxy_for"]
    assert entry["resident_id"] == world.resident.id and entry["relation"] == "女儿"
    assert "manage_profile" in entry["scopes"] and entry["status"] == "active"
    assert entry["grid_worker_phone"] == world.users["worker"].phone


def test_proxy_without_view_status_does_not_see_the_status(client, world):
    link = db.session.query(ProxyLink).filter_by(proxy_user_id=world.users["proxy_no_scope"].id).one()
    for row in link.scopes:
        row.scope = "receive_alerts"
    db.session.flush()
    [entry] = client.login(world.users["proxy_no_scope"]).get("/api/v1/me").get_json()["proxy_for"]
    assert entry["scopes"] == ["receive_alerts"] and entry["status"] is None


def test_a_user_with_no_resident_record_gets_no_phones_of_workers(client, world):
    me = client.login(world.users["volunteer"]).get("/api/v1/me").get_json()
    assert me["resident"] is None and me["proxy_for"] == []
    assert me["community_phone"] == "057188880000"


def test_a_guardians_look_at_the_child_is_audited(client, world):
    child_user = make_user(world.community, "resident", name="小明")
    child = make_resident(world.household, given_name="小明", birth_year=2014, user=child_user)
    guardian = make_proxy(child, "view_status", is_guardian=True)
    client.login(guardian).get("/api/v1/me")
    [entry] = audit_entries(child.id)
    assert (entry.actor_id, entry.fields, entry.reason) == (guardian.id, ["child_record"], f"proxy of resident {child.id}")


def test_anonymous_is_asked_to_sign_in(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.get_json()["reason"] == "not_signed_in"


def test_me_names_the_communitys_time_zone_for_showing_times(client, world):
    world.community.timezone = "Asia/Urumqi"
    db.session.flush()
    assert client.login(world.users["resident"]).get("/api/v1/me").get_json()["time_zone"] == "Asia/Urumqi"


def test_a_user_of_no_community_gets_the_default_time_zone(client):
    user = make_user(None, "volunteer")
    assert client.login(user).get("/api/v1/me").get_json()["time_zone"] == "Asia/Shanghai"
