"""The daily check-in chain (issue 8) with the test clock: on time → nothing; missed → a reminder
→ after the grace period a welfare check in waves and the family told → after the second a safety
alert to the grid's workers, each at its time; a late check-in — or an offline one with an earlier
occurred_at — stops the chain and tells everyone told; timers are rows, so a worker process
started afresh mid-chain loses nothing; residents who are not active are never chased."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from backend.alerts.models import Alert
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.matching.models import Offer
from backend.notifications.models import Timer
from backend.people.models import EmergencyContact, Resident
from backend.safety.models import CheckIn, MissedCheckIn
from tests.factories import make_proxy
from tests.help_requests.helpers import build_scene
from tests.matching.helpers import notified_user_ids
from tests.notifications.helpers import notifications_of_kind, run_worker

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONSENT = {"given_by": "resident", "giver_name": "王秀英"}


@dataclass(frozen=True)
class Who:
    """Ids and sign-in phones, read once: the worker process ends the test's session, so the
    scene's ORM objects are not used after it runs."""

    id: int
    phone: str | None = None


@dataclass(frozen=True)
class Cast:
    resident: Who
    address_as: str
    resident_user: Who
    family: Who
    proxy: Who
    worker: Who


@pytest.fixture
def scene(clock):
    built = build_scene()
    family = make_proxy(built.resident, "view_status", "receive_alerts")
    db.session.add(EmergencyContact(resident_id=built.resident.id, name="王小明", relation="儿子", phone="13912345678"))
    db.session.commit()
    return Cast(resident=Who(built.resident.id), address_as=built.resident.address_as,
                resident_user=Who(built.resident_user.id, built.resident_user.phone),
                family=Who(family.id, family.phone), proxy=Who(built.proxy.id, built.proxy.phone),
                worker=Who(built.worker.id, built.worker.phone))


@pytest.fixture
def phone_of(make_client):
    return lambda who: make_client().login(who.phone)


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 26, hour, minute, tzinfo=SHANGHAI)


def _enrol(scene, phone_of, **body):
    response = phone_of(scene.worker).post(f"/api/v1/residents/{scene.resident.id}/check-in-enrolment",
                                           {"deadline": "11:00", "consent": CONSENT, **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _move_to(app, clock, moment: datetime) -> None:
    clock.current = moment
    run_worker(app)
    db.session.expire_all()


def _missed() -> MissedCheckIn | None:
    return db.session.scalar(select(MissedCheckIn))


def _missed_alerts() -> list[Alert]:
    """The chain's own alerts (the welfare check's waves may raise the core loop's, nobody having taken it)."""
    return list(db.session.scalars(select(Alert).where(Alert.kind == "missed_check_in")))


def _welfare_checks() -> list[HelpRequest]:
    return list(db.session.scalars(select(HelpRequest).where(HelpRequest.category == "welfare_check")))


def test_on_time_nothing_happens_and_tomorrow_s_deadline_waits(app, scene, phone_of, clock):
    _enrol(scene, phone_of)
    tapped = phone_of(scene.resident_user).post("/api/v1/me/check-in", {})
    assert tapped.status_code == 200 and tapped.get_json()["checked_in_today"] is True
    _move_to(app, clock, _at(11, 1))
    assert _missed() is None and notifications_of_kind("check_in_reminder") == []
    [pending] = db.session.scalars(select(Timer).where(Timer.handler == "check_in_deadline",
                                                       Timer.status == "pending")).all()
    assert pending.payload == {"date": "2026-11-27"} and pending.due_at == _at(11).astimezone(pending.due_at.tzinfo) + \
        timedelta(days=1)


def test_a_missed_day_goes_reminder_then_welfare_check_and_family_then_workers_each_at_its_time(
        app, scene, phone_of, clock):
    _enrol(scene, phone_of, grace_minutes=60, second_grace_minutes=30)
    _move_to(app, clock, _at(10, 59))
    assert _missed() is None
    _move_to(app, clock, _at(11, 0))
    assert _missed().stage == "reminded"
    assert notified_user_ids("check_in_reminder") == [scene.resident_user.id]
    assert _welfare_checks() == [] and notifications_of_kind("check_in_missed_family") == []

    _move_to(app, clock, _at(11, 59))
    assert _welfare_checks() == []
    _move_to(app, clock, _at(12, 0))
    [check] = _welfare_checks()
    assert (check.status, check.urgency, check.resident_id) == ("offered", "urgent", scene.resident.id)
    assert db.session.scalars(select(Offer).where(Offer.help_request_id == check.id)).all()  # the first wave is out
    family = notifications_of_kind("check_in_missed_family")
    assert [n.recipient_user_id for n in family if n.recipient_user_id] == [scene.family.id]
    assert [n.contact_phone for n in family if n.contact_phone] == ["13912345678"]
    assert _missed().stage == "welfare_check" and _missed_alerts() == []

    _move_to(app, clock, _at(12, 29))
    assert _missed_alerts() == []
    _move_to(app, clock, _at(12, 30))
    [alert] = _missed_alerts()
    assert alert.resident_id == scene.resident.id
    assert scene.worker.id in notified_user_ids("alert_raised")
    assert _missed().stage == "workers_alerted" and _missed().alert_id == alert.id


def test_a_late_check_in_stops_the_chain_cancels_the_welfare_check_and_tells_everyone_told(
        app, scene, phone_of, clock):
    _enrol(scene, phone_of)
    _move_to(app, clock, _at(11, 0))
    _move_to(app, clock, _at(12, 0))
    [check] = _welfare_checks()
    clock.current = _at(12, 10)
    response = phone_of(scene.resident_user).post("/api/v1/me/check-in", {})
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    assert db.session.get(HelpRequest, check.id).status == "cancelled"
    assert _missed().stage == "stopped"
    well = notifications_of_kind("check_in_all_well")
    assert [n.recipient_user_id for n in well if n.recipient_user_id] == [scene.family.id]
    assert [n.contact_phone for n in well if n.contact_phone] == ["13912345678"]
    assert well[0].params == {"address_as": scene.address_as, "time": "12:10"}
    _move_to(app, clock, _at(14, 0))
    assert _missed_alerts() == []  # the workers were never needed


def test_an_offline_tap_counts_at_its_occurred_at(app, scene, phone_of, clock):
    _enrol(scene, phone_of)
    _move_to(app, clock, _at(11, 0))  # reminded: the tap at 10:45 had no signal
    clock.current = _at(11, 20)
    tapped = phone_of(scene.resident_user).post("/api/v1/me/check-in", {"occurred_at": _at(10, 45).isoformat()},
                                                headers={"Idempotency-Key": "ok-1"})
    assert tapped.status_code == 200, tapped.get_json()
    assert datetime.fromisoformat(tapped.get_json()["checked_in_at"]) == _at(10, 45)
    db.session.expire_all()
    assert _missed().stage == "stopped"
    _move_to(app, clock, _at(13, 0))
    assert _welfare_checks() == [] and notifications_of_kind("check_in_missed_family") == []
    again = phone_of(scene.resident_user).post("/api/v1/me/check-in", {})  # a second tap: the first time stays
    assert datetime.fromisoformat(again.get_json()["checked_in_at"]) == _at(10, 45)
    assert len(db.session.scalars(select(CheckIn)).all()) == 1


def test_a_worker_records_a_check_in_taken_by_phone(app, scene, phone_of, clock):
    _enrol(scene, phone_of)
    _move_to(app, clock, _at(11, 0))
    clock.current = _at(11, 30)
    response = phone_of(scene.worker).post(f"/api/v1/residents/{scene.resident.id}/check-in", {})
    assert response.status_code == 200 and response.get_json()["checked_in_today"] is True
    db.session.expire_all()
    assert db.session.scalar(select(CheckIn.via)) == "phone_call" and _missed().stage == "stopped"
    seen = phone_of(scene.proxy).get(f"/api/v1/residents/{scene.resident.id}/check-in").get_json()
    assert seen["checked_in_at"] is not None and seen["deadline"] == "11:00"


def test_a_fresh_worker_process_mid_chain_loses_nothing(app, scene, phone_of, clock):
    _enrol(scene, phone_of)
    _move_to(app, clock, _at(11, 0))
    # The worker process stops here; it starts again two hours later: both steps run, in order.
    _move_to(app, clock, _at(13, 5))
    assert len(_welfare_checks()) == 1
    assert len(_missed_alerts()) == 1


@pytest.mark.parametrize("status", ["in_hospital", "away", "moved_away"])
def test_residents_who_are_not_active_are_never_chased(app, scene, phone_of, clock, status):
    _enrol(scene, phone_of)
    db.session.get(Resident, scene.resident.id).status = status
    db.session.commit()
    _move_to(app, clock, _at(14, 0))
    assert _missed() is None and notifications_of_kind("check_in_reminder") == [] and _welfare_checks() == []


def test_ending_the_enrolment_ends_the_deadlines(app, scene, phone_of, clock):
    _enrol(scene, phone_of)
    ended = phone_of(scene.worker).delete(f"/api/v1/residents/{scene.resident.id}/check-in-enrolment")
    assert ended.status_code == 200 and ended.get_json()["enrolled"] is False
    _move_to(app, clock, _at(14, 0))
    assert _missed() is None
    refused = phone_of(scene.resident_user).post("/api/v1/me/check-in", {})
    assert refused.status_code == 409 and refused.get_json()["reason"] == "not_enrolled"


def test_enrolment_needs_consent_once_and_a_valid_deadline(scene, phone_of):
    worker = phone_of(scene.worker)
    path = f"/api/v1/residents/{scene.resident.id}/check-in-enrolment"
    missing = worker.post(path, {"deadline": "10:00"})
    assert missing.status_code == 422 and "consent" in missing.get_json()["errors"]
    for body, field in (({"deadline": "25:00", "consent": CONSENT}, "deadline"),
                        ({"grace_minutes": 5, "consent": CONSENT}, "grace_minutes"),
                        ({"consent": {"given_by": "neighbour", "giver_name": "x"}}, "consent")):
        response = worker.post(path, body)
        assert response.status_code == 422 and field in response.get_json()["errors"], body
    assert worker.post(path, {"consent": CONSENT}).status_code == 201
    twice = worker.post(path, {"consent": CONSENT})
    assert twice.status_code == 409 and twice.get_json()["reason"] == "already_enrolled"
    worker.delete(path)
    assert worker.post(path, {}).status_code == 201  # the consent on record is used again


def test_a_check_in_after_the_workers_were_alerted_closes_the_alerts_and_tells_the_workers(
        app, scene, phone_of, clock):
    _enrol(scene, phone_of, second_grace_minutes=30)
    _move_to(app, clock, _at(11, 0))
    _move_to(app, clock, _at(12, 0))
    _move_to(app, clock, _at(12, 30))
    [alert] = _missed_alerts()
    clock.current = _at(12, 40)
    assert phone_of(scene.resident_user).post("/api/v1/me/check-in", {}).status_code == 200
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).status == "closed"
    assert scene.worker.id in notified_user_ids("check_in_all_well")
    open_about_her = db.session.scalars(select(Alert).where(Alert.resident_id == scene.resident.id,
                                                            Alert.status.in_(("open", "acknowledged")))).all()
    assert open_about_her == []  # the core loop's alert about the welfare check is closed too
    escalations = len(notified_user_ids("alert_escalated"))
    _move_to(app, clock, _at(15, 0))
    assert len(notified_user_ids("alert_escalated")) == escalations  # nothing escalates any more
