"""The caller's community, its settings and its configurable lists (risk tags, skills, languages)."""
import pytest

from backend.community.models import Community, Term
from backend.community.services.lists import MAX_TERMS_PER_LIST
from backend.extensions import db
from tests.community.helpers import count, fresh
from tests.factories import make_admin, make_community, make_grid, make_user, make_worker, term


def test_any_member_sees_their_community_with_its_lists(client):
    community = make_community("幸福里社区")
    client.login(make_user(community, "volunteer"))
    body = client.get("/api/v1/communities/current").get_json()
    assert body["name"] == "幸福里社区" and body["timezone"] == "Asia/Shanghai"
    assert body["centre"] == {"latitude": 30.27, "longitude": 120.15}
    assert body["phone"] == "057188880000"
    disabled = next(tag for tag in body["risk_tags"] if tag["code"] == "disabled")
    assert disabled == {"id": disabled["id"], "code": "disabled", "label_zh": "失能", "label_en": "Disabled",
                        "is_health_related": True}
    assert [skill["code"] for skill in body["skills"]][:2] == ["companionship", "errands"]
    assert {language["code"] for language in body["languages"]} == {"mandarin", "cantonese"}


def test_members_see_only_their_own_community(client):
    make_community("别的社区")
    mine = make_community("我的社区")
    client.login(make_user(mine, "resident"))
    assert client.get("/api/v1/communities/current").get_json()["name"] == "我的社区"


def test_admin_changes_name_time_zone_centre_and_phone(client):
    community = make_community()
    client.login(make_admin(community))
    response = client.patch("/api/v1/communities/current", {
        "name": "  幸福里社区 ", "timezone": "Asia/Urumqi", "centre": {"latitude": 43.8, "longitude": 87.6},
        "phone": "0991-1234 5678"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["name"] == "幸福里社区"
    stored = fresh(Community, community.id)
    assert (stored.timezone, stored.centre_lat, stored.centre_lng, stored.phone) == (
        "Asia/Urumqi", 43.8, 87.6, "099112345678")


def test_admin_can_clear_the_centre(client):
    community = make_community()
    client.login(make_admin(community))
    assert client.patch("/api/v1/communities/current", {"centre": None}).get_json()["centre"] is None


@pytest.mark.parametrize("body, field", [
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"timezone": "../../etc/passwd"}, "timezone"),
    ({"centre": {"latitude": 91, "longitude": 120}}, "centre"),
    ({"centre": {"latitude": 30}}, "centre"),
    ({"name": ""}, "name"),
    ({"phone": "call me"}, "phone"),
    ({"name": "新名字", "colour": "red"}, "colour"),
])
def test_bad_community_settings_are_refused_and_nothing_changes(client, body, field):
    community = make_community("原来的名字")
    client.login(make_admin(community))
    response = client.patch("/api/v1/communities/current", body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    stored = fresh(Community, community.id)
    assert (stored.name, stored.timezone, stored.centre_lat) == ("原来的名字", "Asia/Shanghai", 30.27)


def test_time_zone_error_is_in_english_for_an_english_speaker(client):
    community = make_community()
    admin = make_admin(community)
    admin.language = "en"
    client.login(admin)
    response = client.patch("/api/v1/communities/current", {"timezone": "Shanghai"})
    assert response.get_json()["errors"]["timezone"] == ["Unknown time zone; e.g. Asia/Shanghai."]


def test_worker_cannot_change_the_community(client):
    community = make_community("原来的名字")
    client.login(make_worker(make_grid(community)))
    assert client.patch("/api/v1/communities/current", {"name": "改名"}).status_code == 403
    assert fresh(Community, community.id).name == "原来的名字"


def test_terms_list_one_vocabulary_page_by_page(client):
    community = make_community()
    client.login(make_user(community, "volunteer"))
    first = client.get("/api/v1/terms", query_string={"vocabulary": "risk_tag", "per_page": 5}).get_json()
    second = client.get("/api/v1/terms", query_string={"vocabulary": "risk_tag", "per_page": 5, "page": 2}).get_json()
    assert first["total"] == second["total"] == 7
    assert len(first["items"]) == 5 and len(second["items"]) == 2
    assert {item["vocabulary"] for item in first["items"] + second["items"]} == {"risk_tag"}


def test_unknown_vocabulary_is_refused(client):
    community = make_community()
    client.login(make_user(community, "volunteer"))
    response = client.get("/api/v1/terms", query_string={"vocabulary": "hobby"})
    assert response.status_code == 422 and "vocabulary" in response.get_json()["errors"]


def test_admin_adds_a_health_related_risk_tag_and_members_see_it(client, make_client):
    community = make_community()
    client.login(make_admin(community))
    response = client.post("/api/v1/terms", {"vocabulary": "risk_tag", "code": "hearing_loss",
                                             "label_zh": "听力障碍", "label_en": "Hearing loss",
                                             "is_health_related": True})
    assert response.status_code == 201
    member = make_client().login(make_user(community, "resident"))
    tags = member.get("/api/v1/communities/current").get_json()["risk_tags"]
    assert {"code": "hearing_loss", "is_health_related": True}.items() <= tags[-1].items()


def test_the_same_code_twice_in_one_list_is_a_conflict(client):
    community = make_community()
    client.login(make_admin(community))
    response = client.post("/api/v1/terms", {"vocabulary": "skill", "code": "errands",
                                             "label_zh": "跑腿", "label_en": "Errands"})
    assert response.status_code == 409
    assert response.get_json()["reason"] == "term_code_taken" and "code" in response.get_json()["errors"]
    assert count(Term, Term.community_id == community.id, Term.code == "errands") == 1


def test_the_same_code_in_another_list_or_community_is_fine(client):
    other = make_community("别的社区")
    client.login(make_admin(make_community()))
    assert client.post("/api/v1/terms", {"vocabulary": "language", "code": "errands",
                                         "label_zh": "跑腿话", "label_en": "Errandish"}).status_code == 201
    assert term(other, "skill", "errands") is not None


@pytest.mark.parametrize("body, field", [
    ({"vocabulary": "skill", "code": "Hair Cut", "label_zh": "理发", "label_en": "Haircut"}, "code"),
    ({"vocabulary": "skill", "code": "h", "label_zh": "理发", "label_en": "Haircut"}, "code"),
    ({"vocabulary": "skill", "code": "1haircut", "label_zh": "理发", "label_en": "Haircut"}, "code"),
    ({"vocabulary": "hobby", "code": "haircut", "label_zh": "理发", "label_en": "Haircut"}, "vocabulary"),
    ({"vocabulary": "skill", "code": "haircut", "label_zh": "", "label_en": "Haircut"}, "label_zh"),
    ({"vocabulary": "skill", "code": "haircut", "label_zh": "理发"}, "label_en"),
    ({"vocabulary": "skill", "code": "haircut", "label_zh": "理发", "label_en": "Haircut",
      "is_health_related": True}, "is_health_related"),
])
def test_bad_new_entries_are_refused_and_nothing_is_added(client, body, field):
    community = make_community()
    client.login(make_admin(community))
    before = count(Term)
    response = client.post("/api/v1/terms", body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert count(Term) == before


def test_a_full_list_takes_no_more_entries(client):
    community = make_community()
    client.login(make_admin(community))
    for number in range(MAX_TERMS_PER_LIST - 2):
        db.session.add(Term(community_id=community.id, vocabulary="language", code=f"dialect_{number}",
                            label_zh="方言", label_en="Dialect"))
    db.session.flush()
    response = client.post("/api/v1/terms", {"vocabulary": "language", "code": "one_too_many",
                                             "label_zh": "方言", "label_en": "Dialect"})
    assert response.status_code == 409 and response.get_json()["reason"] == "term_list_full"


def test_admin_relabels_an_entry_but_its_code_stays(client):
    community = make_community()
    errands = term(community, "skill", "errands")
    client.login(make_admin(community))
    response = client.patch(f"/api/v1/terms/{errands.id}", {"label_zh": "代购 / 跑腿"})
    assert response.status_code == 200 and response.get_json()["code"] == "errands"
    assert fresh(Term, errands.id).label_zh == "代购 / 跑腿"
    refused = client.patch(f"/api/v1/terms/{errands.id}", {"code": "shopping"})
    assert refused.status_code == 422 and "code" in refused.get_json()["errors"]
    assert fresh(Term, errands.id).code == "errands"


def test_admin_cannot_relabel_another_communitys_entry(client):
    other = make_community("别的社区")
    client.login(make_admin(make_community()))
    theirs = term(other, "skill", "errands")
    assert client.patch(f"/api/v1/terms/{theirs.id}", {"label_zh": "改"}).status_code == 404
    assert fresh(Term, theirs.id).label_zh == "代购跑腿"


def test_anyone_signing_up_sees_the_areas_skills_and_languages_but_no_workers(client):
    community = make_community("幸福里社区")
    first, second = make_grid(community, "第一网格"), make_grid(community, "第二网格")
    make_worker(first)
    response = client.get("/api/v1/communities/current/sign-up-choices")
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "幸福里社区"
    assert body["areas"] == [{"id": first.id, "name": "第一网格"}, {"id": second.id, "name": "第二网格"}]
    assert body["skills"][0] == {"code": "companionship", "label_zh": "陪伴聊天", "label_en": "Companionship"}
    assert {language["code"] for language in body["languages"]} == {"mandarin", "cantonese"}
    assert "worker" not in response.get_data(as_text=True) and "phone" not in body


def test_sign_up_choices_without_a_community_are_not_found(client):
    assert client.get("/api/v1/communities/current/sign-up-choices").status_code == 404
