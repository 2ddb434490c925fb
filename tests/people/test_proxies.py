"""Family proxies: linking accounts with consented scopes, granting and withdrawing them, ending links."""
from backend.accounts.models import User
from backend.extensions import db
from backend.people.models import ConsentRecord, ProxyLink, ProxyScope
from tests.factories import make_proxy, make_resident, make_user
from tests.people.conftest import audit_entries, count

NEW_ACCOUNT = {"phone": "13655556666", "display_name": "王小红", "password": "a-strong-pass-2026", "relation": "孙女",
               "scopes": ["view_status", "receive_alerts"], "consented_by": "resident"}


def _path(resident) -> str:
    return f"/api/v1/residents/{resident.id}/proxies"


def _link_of(world, actor: str) -> ProxyLink:
    return db.session.query(ProxyLink).filter_by(resident_id=world.resident.id,
                                                 proxy_user_id=world.users[actor].id).one()


def test_worker_creates_a_family_account_that_can_sign_in_and_see_her_status(client, make_client, world):
    response = client.login(world.users["worker"]).post(_path(world.resident), NEW_ACCOUNT)
    assert response.status_code == 201
    link = response.get_json()
    assert link["proxy"]["phone"] == "13655556666"
    assert link["active_scopes"] == ["receive_alerts", "view_status"]
    assert {row["consented_by"] for row in link["scope_history"]} == {"resident"}
    assert link["created_by_id"] == world.users["worker"].id
    consent = ConsentRecord.query.filter_by(resident_id=world.resident.id, purpose="proxy_access").one()
    assert (consent.given_by, consent.giver_name) == ("resident", "王秀英")
    granddaughter = make_client().login("13655556666", password="a-strong-pass-2026")
    status = granddaughter.get(f"/api/v1/residents/{world.resident.id}")
    assert status.status_code == 200 and status.get_json()["status"] == "active"


def test_an_existing_account_is_linked_and_given_the_proxy_role(client, world):
    volunteer = world.users["volunteer"]
    body = {key: value for key, value in NEW_ACCOUNT.items() if key not in ("display_name", "password")}
    response = client.login(world.users["worker"]).post(_path(world.resident), {**body, "phone": volunteer.phone})
    assert response.status_code == 201
    assert volunteer.roles == {"volunteer", "proxy"}
    again = client.post(_path(world.resident), {**body, "phone": volunteer.phone})
    assert again.status_code == 409 and again.get_json()["reason"] == "proxy_already_linked"


def test_bad_proxy_input_creates_no_account_and_no_link(client, world):
    client.login(world.users["worker"])
    before = count(User), count(ProxyLink), count(ConsentRecord)
    bad = [
        {**NEW_ACCOUNT, "scopes": ["read_diary"]},
        {**NEW_ACCOUNT, "scopes": []},
        {**NEW_ACCOUNT, "phone": "5555"},
        {**NEW_ACCOUNT, "password": "12345678"},  # too common
        {key: value for key, value in NEW_ACCOUNT.items() if key != "password"},  # a new account needs one
        {**NEW_ACCOUNT, "consented_by": "neighbour"},
    ]
    for body in bad:
        response = client.post(_path(world.resident), body)
        assert response.status_code == 422, (body, response.get_json())
    existing = client.post(_path(world.resident), {**NEW_ACCOUNT, "phone": world.users["volunteer"].phone})
    assert existing.status_code == 422 and "password" in existing.get_json()["errors"]
    account_fields = ("display_name", "password")
    own_body = {key: value for key, value in NEW_ACCOUNT.items() if key not in account_fields}
    own = client.post(_path(world.resident), {**own_body, "phone": world.users["resident"].phone})
    assert own.status_code == 422 and set(own.get_json()["errors"]) == {"phone"}
    assert (count(User), count(ProxyLink), count(ConsentRecord)) == before


def test_a_childs_proxy_needs_a_guardian_and_the_guardians_consent(client, world):
    child = make_resident(world.household, given_name="小明", birth_year=2016)
    client.login(world.users["worker"])
    no_guardian = client.post(_path(child), {**NEW_ACCOUNT, "consented_by": "guardian"})
    assert no_guardian.status_code == 422 and "is_guardian" in no_guardian.get_json()["errors"]
    by_child = client.post(_path(child), {**NEW_ACCOUNT, "is_guardian": True})
    assert by_child.status_code == 422 and "consented_by" in by_child.get_json()["errors"]
    assert count(ProxyLink) == 2  # the world's two links only
    guardian = client.post(_path(child), {**NEW_ACCOUNT, "is_guardian": True, "consented_by": "guardian",
                                          "relation": "祖母"})
    assert guardian.status_code == 201 and guardian.get_json()["is_guardian"] is True
    consent = ConsentRecord.query.filter_by(resident_id=child.id, purpose="proxy_access").one()
    assert (consent.given_by, consent.giver_name) == ("guardian", "王小红")
    aunt = make_user(world.community, name="王阿姨")
    second = client.post(_path(child), {"phone": aunt.phone, "relation": "姨妈", "scopes": ["view_status"],
                                        "consented_by": "guardian"})
    assert second.status_code == 201  # a guardian is on record now
    assert [entry.fields for entry in audit_entries(child.id)] == [["child_record"], ["child_record"]]


def test_resident_withdraws_a_scope_from_her_proxy_and_history_is_kept(client, world):
    link = _link_of(world, "proxy")
    rows_before = count(ProxyScope)
    response = client.login(world.users["resident"]).put(
        f"{_path(world.resident)}/{link.id}/scopes", {"scopes": ["view_status", "request_help"]})
    assert response.status_code == 200
    assert response.get_json()["active_scopes"] == ["request_help", "view_status"]
    assert count(ProxyScope) == rows_before
    withdrawn = [row for row in response.get_json()["scope_history"] if row["withdrawn_at"]]
    assert {row["scope"] for row in withdrawn} == {"receive_alerts", "view_visit_summaries", "manage_profile"}
    assert {row["withdrawn_by_id"] for row in withdrawn} == {world.users["resident"].id}


def test_resident_cannot_grant_a_scope_herself(client, world):
    link = _link_of(world, "proxy_no_scope")
    response = client.login(world.users["resident"]).put(
        f"{_path(world.resident)}/{link.id}/scopes", {"scopes": ["view_status", "manage_profile"]})
    assert response.status_code == 403 and response.get_json()["reason"] == "scope_grant_needs_staff"
    assert link.active_scopes == ["view_status"]


def test_worker_grants_a_scope_on_the_residents_word_and_a_regrant_adds_a_row(client, world):
    link = _link_of(world, "proxy_no_scope")
    client.login(world.users["worker"])
    path = f"{_path(world.resident)}/{link.id}/scopes"
    assert client.put(path, {"scopes": ["view_status", "manage_profile"]}).status_code == 422  # who consented?
    granted = client.put(path, {"scopes": ["view_status", "manage_profile"], "consented_by": "resident"})
    assert granted.status_code == 200 and granted.get_json()["active_scopes"] == ["manage_profile", "view_status"]
    client.put(path, {"scopes": ["view_status"]})
    regranted = client.put(path, {"scopes": ["view_status", "manage_profile"], "consented_by": "resident"})
    history = [row["scope"] for row in regranted.get_json()["scope_history"]]
    assert history.count("manage_profile") == 2


def test_the_resident_cannot_touch_another_residents_proxies(client, world):
    other_link = make_proxy(world.other_resident, "view_status")
    link_id = db.session.query(ProxyLink.id).filter_by(proxy_user_id=other_link.id).scalar()
    response = client.login(world.users["resident"]).put(f"{_path(world.other_resident)}/{link_id}/scopes",
                                                         {"scopes": []})
    assert response.status_code == 404
    mixed = client.put(f"{_path(world.resident)}/{link_id}/scopes", {"scopes": []})
    assert mixed.status_code == 404


def test_ending_a_link_withdraws_every_scope_and_the_proxy_loses_access(client, make_client, world):
    link = _link_of(world, "proxy")
    client.login(world.users["worker"])
    ended = client.post(f"{_path(world.resident)}/{link.id}/end")
    assert ended.status_code == 200
    assert ended.get_json()["ended_at"] and ended.get_json()["active_scopes"] == []
    again = client.post(f"{_path(world.resident)}/{link.id}/end")
    assert again.status_code == 409 and again.get_json()["reason"] == "proxy_link_ended"
    listed = client.get(_path(world.resident)).get_json()
    assert [item["proxy"]["id"] for item in listed["items"]] == [world.users["proxy_no_scope"].id]
    former = make_client().login(world.users["proxy"]).get(f"/api/v1/residents/{world.resident.id}")
    assert former.status_code == 404


def test_bad_scope_input_changes_nothing(client, world):
    link = _link_of(world, "proxy")
    client.login(world.users["worker"])
    path = f"{_path(world.resident)}/{link.id}/scopes"
    for body in ({"scopes": ["fly"]}, {"scopes": "view_status"}, {}, {"scopes": ["view_status", "view_status"]}):
        assert client.put(path, body).status_code == 422, body
    assert link.active_scopes == sorted(["view_status", "request_help", "receive_alerts", "view_visit_summaries",
                                         "manage_profile"])
