"""Raising an alert inside the caller's transaction, taking it on ("我来处理"), resolving it, and
the staff's lists: who is told, who may act, and what everyone else hears."""
from datetime import timedelta

import pytest

from backend.alerts.models import Alert, AlertStep
from backend.alerts.services.alerts import raise_alert
from backend.extensions import db
from backend.notifications.models import Notification, Timer
from tests.alerts.helpers import (
    TEST_ALERT, WINDOW, fresh, neighbourhood, pending_timers, recipients, steps,
)
from tests.factories import make_admin, make_community, make_grid, make_household, make_building, make_resident
from tests.notifications.helpers import count


def test_an_alert_tells_the_residents_grid_workers_with_ids_only_and_schedules_its_escalation(clock):
    place = neighbourhood()
    alert = raise_alert(TEST_ALERT, resident_id=place.resident.id, data={"sos_id": 7})
    db.session.commit()

    assert (alert.status, alert.level, alert.owner_id, alert.grid_id) == ("open", 0, None, place.grid.id)
    assert sorted(recipients("alert_raised", alert.id)) == sorted([place.worker.id, place.second_worker.id])
    notification = db.session.query(Notification).filter_by(kind="alert_raised").first()
    assert notification.data == {"alert_id": alert.id, "resident_id": place.resident.id}
    assert notification.is_safety and notification.urgency == "high"
    assert notification.params == {"label_zh": "测试提醒", "label_en": "Test alert", "subject": "王奶奶 · 幸福里3幢"}
    [timer] = pending_timers(alert.id)
    assert (timer.handler, timer.due_at) == ("escalate_alert", clock() + WINDOW)
    assert alert.next_escalation_at == clock() + WINDOW
    assert steps(alert.id) == [("raised", "grid_workers", sorted([place.worker.id, place.second_worker.id]))]


def test_an_alert_in_a_grid_without_workers_goes_to_the_communitys_admins():
    community = make_community()
    resident = make_resident(make_household(make_building(make_grid(community))))
    admins = [make_admin(community), make_admin(community)]
    alert = raise_alert(TEST_ALERT, resident_id=resident.id)
    db.session.commit()
    assert recipients("alert_raised", alert.id) == [admin.id for admin in admins]
    assert steps(alert.id)[0][:2] == ("raised", "no_grid_worker")


def test_the_caller_may_choose_the_first_recipients_and_an_alert_may_concern_the_whole_community():
    place = neighbourhood()
    alert = raise_alert(TEST_ALERT, community_id=place.community.id, first_recipients=[place.night_worker])
    db.session.commit()
    assert (alert.resident_id, alert.grid_id) == (None, None)
    assert recipients("alert_raised", alert.id) == [place.night_worker.id]
    notification = db.session.query(Notification).filter_by(kind="alert_raised").one()
    assert notification.params["subject"] == "测试社区"


def test_the_acknowledgement_window_comes_from_the_setting_when_it_names_the_kind(app, clock, monkeypatch):
    monkeypatch.setitem(app.config, "ALERT_ACK_MINUTES", f"other_kind=30, {TEST_ALERT}=3")
    alert = raise_alert(TEST_ALERT, resident_id=neighbourhood().resident.id)
    db.session.commit()
    assert [timer.due_at for timer in pending_timers(alert.id)] == [clock() + timedelta(minutes=3)]


def test_an_alert_raised_in_a_transaction_that_rolls_back_leaves_nothing():
    place = neighbourhood()
    db.session.commit()
    raise_alert(TEST_ALERT, resident_id=place.resident.id)
    db.session.rollback()
    assert (count(Alert), count(AlertStep), count(Timer), count(Notification)) == (0, 0, 0, 0)


def test_nobody_is_alerted_about_a_deceased_resident():
    place = neighbourhood()
    place.resident.status = "deceased"
    assert raise_alert(TEST_ALERT, resident_id=place.resident.id) is None
    db.session.commit()
    assert (count(Alert), count(Timer), count(Notification)) == (0, 0, 0)


@pytest.mark.parametrize("status", ["away", "in_hospital", "moved_away"])
def test_a_resident_away_in_hospital_or_moved_away_is_still_heard(status):
    place = neighbourhood()
    place.resident.status = status
    alert = raise_alert(TEST_ALERT, resident_id=place.resident.id)
    db.session.commit()
    assert alert is not None and len(recipients("alert_raised", alert.id)) == 2


def test_alert_data_holds_ids_only():
    place = neighbourhood()
    with pytest.raises(ValueError, match="ids only"):
        raise_alert(TEST_ALERT, resident_id=place.resident.id, data={"address": "幸福里 3 幢 301"})


def _raised(place):
    alert = raise_alert(TEST_ALERT, resident_id=place.resident.id)
    db.session.commit()
    return alert


def test_taking_an_alert_on_makes_them_the_owner_stops_escalation_and_tells_the_others(client, clock):
    place = neighbourhood()
    alert = _raised(place)
    clock.advance(minutes=2)

    response = client.login(place.second_worker).post(f"/api/v1/alerts/{alert.id}/ack")

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["owner"]) == ("acknowledged", {"id": place.second_worker.id,
                                                                "display_name": "赵网格员"})
    assert body["acknowledged_at"] == clock().isoformat() and body["next_escalation_at"] is None
    assert [step["action"] for step in body["timeline"]] == ["raised", "acknowledged"]
    assert body["timeline"][1]["actor"]["id"] == place.second_worker.id
    assert pending_timers(alert.id) == []
    assert recipients("alert_taken", alert.id) == [place.worker.id]
    [taken] = db.session.query(Notification).filter_by(kind="alert_taken").all()
    assert taken.params["owner_name"] == "赵网格员"
    client.logout()
    inbox = client.login(place.worker).get("/api/v1/notifications").get_json()["items"]
    assert [(item["title"], item["body"]) for item in inbox if item["kind"] == "alert_taken"] == [
        ("已有人接手：测试提醒", "赵网格员 已接手：王奶奶 · 幸福里3幢。")]


def test_an_english_reader_hears_who_took_it_in_english(client, make_client):
    place = neighbourhood()
    place.worker.language = "en"
    alert = _raised(place)
    client.login(place.second_worker).post(f"/api/v1/alerts/{alert.id}/ack")
    inbox = make_client().login(place.worker).get("/api/v1/notifications").get_json()["items"]
    assert [(item["title"], item["body"]) for item in inbox] == [
        ("Taken: Test alert", "赵网格员 is handling it: 王奶奶 · 幸福里3幢."),
        ("Test alert", "王奶奶 · 幸福里3幢: someone needs to take this on. Please look now and tap “I'll handle it”."),
    ]


def test_taking_it_again_answers_the_same_state_without_a_second_step_or_notice(client, clock):
    place = neighbourhood()
    alert = _raised(place)
    client.login(place.worker)
    first = client.post(f"/api/v1/alerts/{alert.id}/ack").get_json()
    clock.advance(minutes=1)

    again = client.post(f"/api/v1/alerts/{alert.id}/ack")

    assert again.status_code == 200 and again.get_json() == first
    assert [action for action, _, _ in steps(alert.id)] == ["raised", "acknowledged"]
    assert recipients("alert_taken", alert.id) == [place.second_worker.id]


def test_someone_else_after_it_is_taken_is_told_who_has_it(client, make_client):
    place = neighbourhood()
    alert = _raised(place)
    client.login(place.worker).post(f"/api/v1/alerts/{alert.id}/ack")

    response = make_client().login(place.admin).post(f"/api/v1/alerts/{alert.id}/ack")

    assert response.status_code == 409
    assert response.get_json()["reason"] == "alert_already_taken"
    assert response.get_json()["message"] == "李网格员 已接手这条提醒。"
    assert fresh(alert.id).owner_id == place.worker.id


def test_any_worker_of_the_grid_and_any_admin_may_take_it_but_another_grids_worker_cannot_see_it(
        client, make_client):
    place = neighbourhood()
    alert = _raised(place)
    assert make_client().login(place.other_grid_worker).post(f"/api/v1/alerts/{alert.id}/ack").status_code == 404
    assert make_client().login(place.other_grid_worker).get(f"/api/v1/alerts/{alert.id}").status_code == 404
    assert client.login(place.admin).post(f"/api/v1/alerts/{alert.id}/ack").status_code == 200
    assert sorted(recipients("alert_taken", alert.id)) == sorted([place.worker.id, place.second_worker.id])


def test_someone_it_was_sent_to_may_take_it_even_outside_their_grids(client):
    place = neighbourhood()
    alert = raise_alert(TEST_ALERT, resident_id=place.resident.id, first_recipients=[place.other_grid_worker])
    db.session.commit()
    assert client.login(place.other_grid_worker).post(f"/api/v1/alerts/{alert.id}/ack").status_code == 200


def test_the_owner_resolves_it_with_a_note_and_it_ends(client, clock):
    place = neighbourhood()
    alert = _raised(place)
    client.login(place.worker).post(f"/api/v1/alerts/{alert.id}/ack")
    clock.advance(minutes=20)

    response = client.post(f"/api/v1/alerts/{alert.id}/resolve", {"note": "已上门，老人无恙"})

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["resolution_note"], body["resolved_by"]["id"]) == (
        "resolved", "已上门，老人无恙", place.worker.id)
    assert body["timeline"][-1]["action"] == "resolved" and body["timeline"][-1]["note"] == "已上门，老人无恙"
    again = client.post(f"/api/v1/alerts/{alert.id}/resolve", {"note": "再次"})
    assert (again.status_code, again.get_json()["reason"]) == (409, "alert_already_resolved")
    late = client.post(f"/api/v1/alerts/{alert.id}/ack")
    assert late.status_code == 200 and late.get_json()["status"] == "resolved"  # the owner, unchanged


def test_only_the_owner_or_an_admin_may_resolve(client, make_client):
    place = neighbourhood()
    alert = _raised(place)
    colleague = make_client().login(place.second_worker)
    client.login(place.worker).post(f"/api/v1/alerts/{alert.id}/ack")

    refused = colleague.post(f"/api/v1/alerts/{alert.id}/resolve", {"note": "我也去看了"})
    assert (refused.status_code, refused.get_json()["reason"]) == (403, "not_alert_owner")
    assert make_client().login(place.admin).post(f"/api/v1/alerts/{alert.id}/resolve",
                                                 {"note": "电话确认无事"}).status_code == 200


def test_an_admin_may_resolve_an_alert_nobody_took_and_its_escalation_stops(client):
    place = neighbourhood()
    alert = _raised(place)
    response = client.login(place.admin).post(f"/api/v1/alerts/{alert.id}/resolve", {"note": "误触，已电话确认"})
    assert response.status_code == 200 and response.get_json()["owner"] is None
    assert pending_timers(alert.id) == []
    taken_late = client.post(f"/api/v1/alerts/{alert.id}/ack")
    assert (taken_late.status_code, taken_late.get_json()["reason"]) == (409, "alert_ended")


@pytest.mark.parametrize("body", [{}, {"note": ""}, {"note": "   "}, {"note": "x" * 1001}])
def test_a_resolution_needs_a_note(client, body):
    place = neighbourhood()
    alert = _raised(place)
    response = client.login(place.admin).post(f"/api/v1/alerts/{alert.id}/resolve", body)
    assert response.status_code == 422 and "note" in response.get_json()["errors"]
    assert fresh(alert.id).status == "open"


def test_the_list_shows_open_alerts_first_in_the_callers_scope(client, make_client, clock):
    place = neighbourhood()
    first = _raised(place)
    clock.advance(minutes=1)
    taken = _raised(place)
    clock.advance(minutes=1)
    newest = _raised(place)
    clock.advance(minutes=1)
    elsewhere = raise_alert(TEST_ALERT, community_id=place.community.id, first_recipients=[place.admin])
    db.session.commit()
    client.login(place.worker).post(f"/api/v1/alerts/{taken.id}/ack")

    worker_list = client.get("/api/v1/alerts").get_json()
    assert [item["id"] for item in worker_list["items"]] == [newest.id, first.id, taken.id]
    assert (worker_list["total"], worker_list["page"], worker_list["per_page"]) == (3, 1, 20)
    assert worker_list["items"][0]["resident"] == {"id": place.resident.id, "address_as": "王奶奶",
                                                   "building_label": "幸福里3幢", "status": "active"}
    assert worker_list["items"][0]["label"] == "测试提醒"
    admin_list = make_client().login(place.admin).get("/api/v1/alerts").get_json()
    assert [item["id"] for item in admin_list["items"]] == [elsewhere.id, newest.id, first.id, taken.id]
    other = make_client().login(place.other_grid_worker).get("/api/v1/alerts").get_json()
    assert other["items"] == []
    only_taken = client.get("/api/v1/alerts", query_string={"status": "acknowledged"}).get_json()
    assert [item["id"] for item in only_taken["items"]] == [taken.id]
    bad = client.get("/api/v1/alerts", query_string={"status": "lost"})
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]


def test_the_detail_carries_the_timeline_with_who_was_told(client):
    place = neighbourhood()
    alert = _raised(place)
    body = client.login(place.worker).get(f"/api/v1/alerts/{alert.id}").get_json()
    [raised] = body["timeline"]
    assert raised["action"] == "raised" and raised["actor"] is None and raised["level"] == 0
    assert sorted(person["display_name"] for person in raised["told"]) == ["李网格员", "赵网格员"]


def test_unknown_alerts_are_not_found(client):
    place = neighbourhood()
    client.login(place.admin)
    assert client.get("/api/v1/alerts/999999").status_code == 404
    assert client.post("/api/v1/alerts/999999/ack").get_json()["reason"] == "not_found"
