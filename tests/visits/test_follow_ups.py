"""What a visit record sets off (issue 7, Follow-ups): a serious concern raises a safety alert to
the grid's workers and the admins; nobody at home twice in a row raises an alert to call the
emergency contact; the plain summary reaches proxies with view_visit_summaries and nobody else."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.alerts.models import Alert
from backend.extensions import db
from backend.notifications.models import Notification
from tests.factories import make_proxy
from tests.matching.helpers import notified_user_ids
from tests.visits.conftest import TODAY, household_with, registered_long_ago, visited


def _alerts(kind: str) -> list[Alert]:
    return list(db.session.scalars(select(Alert).where(Alert.kind == kind).order_by(Alert.id)))


def _record(phone, household, outcome="met", residents=(), **extra):
    body = {"household_id": household.id, "outcome": outcome, "residents": list(residents), **extra}
    response = phone.post("/api/v1/visits", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_serious_concern_raises_an_alert_to_the_grid_s_workers_and_the_admins(scene, phone_of):
    household, (grandma, grandpa) = household_with(scene.grid, ("王奶奶", ("lives_alone",)), ("王爷爷", ()))
    visit = _record(phone_of(scene.worker), household, residents=[
        {"resident_id": grandma.id, "outcome": "met", "concerns": ["no_food", "unsafe_home", "no_food"]},
        {"resident_id": grandpa.id, "outcome": "met"}])
    assert visit["residents"][0]["concerns"] == ["no_food", "unsafe_home"]
    [alert] = _alerts("visit_serious_concern")
    assert (alert.resident_id, alert.status, alert.data) == (
        grandma.id, "open", {"visit_id": visit["id"], "household_id": household.id})
    assert sorted(notified_user_ids("alert_raised")) == sorted([scene.worker.id, scene.admin.id])
    listed = phone_of(scene.admin).get("/api/v1/alerts").get_json()["items"]
    assert [item["id"] for item in listed] == [alert.id]


def test_no_concern_raises_nothing(scene, phone_of):
    household, (grandma,) = household_with(scene.grid, ("王奶奶", ("lives_alone",)))
    _record(phone_of(scene.worker), household, residents=[{"resident_id": grandma.id, "outcome": "met",
                                                           "checklist": {"eating": "concern"}}])
    assert _alerts("visit_serious_concern") == [] and notified_user_ids("alert_raised") == []


def test_nobody_at_home_twice_in_a_row_raises_an_alert_to_call_the_emergency_contact(scene, phone_of, clock):
    household, (grandma,) = household_with(scene.grid, ("王奶奶", ("lives_alone",)))
    registered_long_ago(grandma)
    visited(household, TODAY - timedelta(days=20))  # met
    worker = phone_of(scene.worker)
    first = _record(worker, household, outcome="not_home")
    assert _alerts("visit_not_home_twice") == []
    clock.advance(hours=3)
    second = _record(phone_of(scene.worker), household, outcome="not_home")
    [alert] = _alerts("visit_not_home_twice")
    assert alert.resident_id == grandma.id and alert.data == {"visit_id": second["id"], "household_id": household.id}
    assert first["id"] != second["id"]
    assert notified_user_ids("alert_raised") == [scene.worker.id]


def test_someone_seen_in_between_starts_the_count_again(scene, phone_of, clock):
    household, (grandma,) = household_with(scene.grid, ("王奶奶", ("lives_alone",)))
    worker = phone_of(scene.worker)
    _record(worker, household, outcome="not_home")
    clock.advance(hours=2)
    _record(phone_of(scene.worker), household, residents=[{"resident_id": grandma.id, "outcome": "met"}])
    clock.advance(hours=2)
    _record(phone_of(scene.worker), household, outcome="not_home")
    assert _alerts("visit_not_home_twice") == []


def test_the_summary_reaches_proxies_with_view_visit_summaries_only(scene, phone_of):
    household, (grandma,) = household_with(scene.grid, ("王奶奶", ("lives_alone",)))
    daughter = make_proxy(grandma, "view_status", "view_visit_summaries")
    son = make_proxy(grandma, "view_status", "receive_alerts")
    text = "王奶奶今天精神不错，冰箱里菜不多，已安排志愿者明天送菜"
    visit = _record(phone_of(scene.worker), household, residents=[{"resident_id": grandma.id, "outcome": "met"}],
                    summary=text, notes="厨房煤气灶有点漏气，已提醒")
    assert visit["summary"] == text
    assert notified_user_ids("visit_summary") == [daughter.id]
    [sent] = db.session.scalars(select(Notification).where(Notification.kind == "visit_summary")).all()
    assert sent.params == {"address_as": "王奶奶", "summary": text} and "煤气" not in str(sent.params)
    inbox = phone_of(daughter).get("/api/v1/notifications").get_json()["items"]
    assert [(item["body"], item["url"]) for item in inbox if item["kind"] == "visit_summary"] == [
        (text, f"/for/{grandma.id}/visits")]  # a tap opens the family's summaries of her
    assert son.id not in notified_user_ids("visit_summary")


def test_no_summary_tells_nobody(scene, phone_of):
    household, (grandma,) = household_with(scene.grid, ("王奶奶", ("lives_alone",)))
    make_proxy(grandma, "view_visit_summaries")
    _record(phone_of(scene.worker), household, residents=[{"resident_id": grandma.id, "outcome": "met"}])
    assert notified_user_ids("visit_summary") == []


@pytest.mark.parametrize("body_change", [
    {"summary": "长" * 201},
])
def test_a_too_long_summary_is_refused(scene, phone_of, body_change):
    household, (grandma,) = household_with(scene.grid, ("王奶奶", ("lives_alone",)))
    response = phone_of(scene.worker).post("/api/v1/visits", {
        "household_id": household.id, "outcome": "met", "residents": [{"resident_id": grandma.id, "outcome": "met"}],
        **body_change})
    assert response.status_code == 422 and "summary" in response.get_json()["errors"]


def test_an_unknown_concern_is_refused(scene, phone_of):
    household, (grandma,) = household_with(scene.grid, ("王奶奶", ("lives_alone",)))
    response = phone_of(scene.worker).post("/api/v1/visits", {
        "household_id": household.id, "outcome": "met",
        "residents": [{"resident_id": grandma.id, "outcome": "met", "concerns": ["sad"]}]})
    assert response.status_code == 422 and "residents" in response.get_json()["errors"]
    assert _alerts("visit_serious_concern") == []


def test_the_family_reads_the_summaries_newest_first_and_never_the_staff_notes(scene, phone_of, clock):
    household, (grandma,) = household_with(scene.grid, ("王奶奶", ("lives_alone",)))
    daughter = make_proxy(grandma, "view_status", "view_visit_summaries")
    son = make_proxy(grandma, "view_status")
    _record(phone_of(scene.worker), household, residents=[{"resident_id": grandma.id, "outcome": "met"}],
            summary="第一次：精神不错", notes="只给工作人员看")
    clock.advance(hours=1)
    _record(phone_of(scene.worker), household, residents=[{"resident_id": grandma.id, "outcome": "met"}])
    clock.advance(hours=1)
    _record(phone_of(scene.worker), household, residents=[{"resident_id": grandma.id, "outcome": "met"}],
            summary="第二次：冰箱里菜不多，已安排送菜")
    response = phone_of(daughter).get(f"/api/v1/residents/{grandma.id}/visit-summaries")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [item["summary"] for item in body["items"]] == ["第二次：冰箱里菜不多，已安排送菜", "第一次：精神不错"]
    assert body["items"][0]["visitor_name"] == scene.worker.display_name and body["items"][0]["by_volunteer"] is False
    assert "只给工作人员看" not in response.get_data(as_text=True)
    refused = phone_of(son).get(f"/api/v1/residents/{grandma.id}/visit-summaries")
    assert refused.status_code == 403
