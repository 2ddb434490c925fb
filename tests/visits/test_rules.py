"""Visit rules (issue 7): admins add, change and remove them; staff read them, most frequent first;
tags must be the community's risk tags; a staged rule names both its first interval and period."""
import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.visits.models import VisitRule


def test_an_admin_adds_a_staged_rule_and_staff_read_the_rules(scene, phone_of):
    admin = phone_of(scene.admin)
    response = admin.post("/api/v1/visit-rules", {"tags": ["left_behind_woman", "low_income", "low_income"],
                                                  "interval_days": 14, "first_interval_days": 7,
                                                  "first_period_days": 30})
    assert response.status_code == 201, response.get_json()
    rule = response.get_json()
    assert (rule["tags"], rule["interval_days"], rule["first_interval_days"], rule["first_period_days"]) == (
        ["left_behind_woman", "low_income"], 14, 7, 30)
    listed = phone_of(scene.worker).get("/api/v1/visit-rules").get_json()
    assert [r["interval_days"] for r in listed] == sorted(r["interval_days"] for r in listed)
    assert rule["id"] in [r["id"] for r in listed]
    changed = admin.patch(f"/api/v1/visit-rules/{rule['id']}", {"first_interval_days": None, "first_period_days": None})
    assert changed.status_code == 200 and changed.get_json()["first_interval_days"] is None


@pytest.mark.parametrize("body, field", [
    ({"tags": ["no_such_tag"], "interval_days": 7}, "tags"),
    ({"tags": ["lives_alone"], "interval_days": 0}, "interval_days"),
    ({"tags": ["lives_alone"], "interval_days": 366}, "interval_days"),
    ({"tags": ["lives_alone"], "interval_days": "7"}, "interval_days"),
    ({"tags": ["lives_alone"]}, "interval_days"),
    ({"tags": ["lives_alone"], "interval_days": 14, "first_interval_days": 7}, "first_period_days"),
    ({"tags": "lives_alone", "interval_days": 14}, "tags"),
    ({"tags": [""], "interval_days": 14}, "tags"),
])
def test_bad_rules_are_refused_with_the_field_named(scene, phone_of, body, field):
    before = db.session.scalar(select(func.count(VisitRule.id)))
    response = phone_of(scene.admin).post("/api/v1/visit-rules", body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert db.session.scalar(select(func.count(VisitRule.id))) == before


def test_a_change_that_would_leave_a_staged_rule_half_is_refused(scene, phone_of):
    admin = phone_of(scene.admin)
    rule = admin.post("/api/v1/visit-rules", {"tags": ["low_income"], "interval_days": 14, "first_interval_days": 7,
                                              "first_period_days": 30}).get_json()
    response = admin.patch(f"/api/v1/visit-rules/{rule['id']}", {"first_period_days": None})
    assert response.status_code == 422 and "first_period_days" in response.get_json()["errors"]
    assert admin.get("/api/v1/visit-rules").status_code == 200
    assert db.session.get(VisitRule, rule["id"]).first_period_days == 30


def test_another_community_s_rule_is_not_found(scene, phone_of):
    from tests.factories import make_admin, make_community

    stranger = make_admin(make_community("别的社区"))
    [rule] = [r for r in phone_of(scene.admin).get("/api/v1/visit-rules").get_json() if r["tags"] == []]
    phone = phone_of(stranger)
    assert phone.patch(f"/api/v1/visit-rules/{rule['id']}", {"interval_days": 3}).status_code == 404
    assert phone.delete(f"/api/v1/visit-rules/{rule['id']}").status_code == 404
    assert phone.patch("/api/v1/visit-rules/99999999999", {"interval_days": 3}).status_code == 404
