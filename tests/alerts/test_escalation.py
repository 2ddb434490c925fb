"""Re-escalation on the FrozenClock, fired by the worker (`flask worker --once`'s entry point):
to the worker on duty, then the admins, then reminders up to the cap; an acknowledgement stops it.
The clock starts on Thursday 2026-11-26, 10:00 in Shanghai."""
from datetime import UTC, date, datetime, timedelta

from backend.alerts.models import RosterOverride, RosterShift
from backend.alerts.services.alerts import raise_alert
from backend.extensions import db
from backend.notifications.models import Notification
from tests.alerts.helpers import TEST_ALERT, WINDOW, fresh, neighbourhood, pending_timers, recipients, steps
from tests.factories import make_building, make_grid, make_household, make_resident
from tests.notifications.helpers import run_worker, sms_to

THURSDAY, FRIDAY = 3, 4


def on_duty(place, user, weekday=THURSDAY, start="00:00", end="24:00") -> None:
    def minute(clock):
        hours, minutes = clock.split(":")
        return int(hours) * 60 + int(minutes)
    db.session.add(RosterShift(community_id=place.community.id, weekday=weekday, start_minute=minute(start),
                               end_minute=minute(end), user_id=user.id))
    db.session.flush()


def raised(place):
    alert = raise_alert(TEST_ALERT, resident_id=place.resident.id)
    db.session.commit()
    return alert


def test_an_unacknowledged_alert_goes_to_the_worker_on_duty_then_the_admin_then_reminders_up_to_the_cap(app, clock):
    place = neighbourhood()
    on_duty(place, place.night_worker)
    alert = raised(place)
    run_worker(app)  # delivers the first notices; nothing is due to escalate yet

    clock.advance(minutes=9, seconds=59)
    run_worker(app)
    assert recipients("alert_escalated") == [] and fresh(alert.id).level == 0

    clock.advance(seconds=1)
    run_worker(app)
    assert recipients("alert_escalated", alert.id) == [place.night_worker.id]
    assert [m.template_id for m in sms_to(place.night_worker.phone)] == ["LINLI_ALERT_ESCALATED_ZH"]
    assert fresh(alert.id).level == 1 and fresh(alert.id).next_escalation_at == clock() + WINDOW

    clock.advance(minutes=10)
    run_worker(app)
    assert recipients("alert_escalated", alert.id) == [place.night_worker.id, place.admin.id]
    assert fresh(alert.id).level == 2

    cap = app.config["ALERT_MAX_REMINDERS"]
    assert cap == 6
    for reminder in range(1, cap + 1):
        clock.advance(minutes=10)
        run_worker(app)
        assert recipients("alert_reminder", alert.id) == [place.admin.id] * reminder
    clock.advance(hours=3)
    run_worker(app)

    assert recipients("alert_reminder", alert.id) == [place.admin.id] * cap
    assert len(sms_to(place.admin.phone)) == 1 + cap  # the escalation and every reminder reached them
    ended = fresh(alert.id)
    assert (ended.status, ended.reminders_sent, ended.next_escalation_at) == ("open", cap, None)
    assert pending_timers(alert.id) == []
    grid_workers = sorted([place.worker.id, place.second_worker.id])
    assert steps(alert.id) == [
        ("raised", "grid_workers", grid_workers),
        ("escalated", "on_duty", [place.night_worker.id]),
        ("escalated", "admins", [place.admin.id]),
        *[("reminded", "admins", [place.admin.id])] * cap,
    ]
    last_reminder = db.session.query(Notification).filter_by(kind="alert_reminder").order_by(
        Notification.id.desc()).first()
    assert last_reminder.params["minutes"] == 10 * (2 + cap)  # how long it has waited, in its texts


def test_an_acknowledgement_stops_the_escalation_and_tells_everyone_told_so_far(app, client, clock):
    place = neighbourhood()
    on_duty(place, place.night_worker)
    alert = raised(place)
    clock.advance(minutes=10)
    run_worker(app)  # now the night worker knows too
    clock.advance(minutes=2)

    assert client.login(place.worker).post(f"/api/v1/alerts/{alert.id}/ack").status_code == 200
    run_worker(app)
    clock.advance(hours=2)
    run_worker(app)

    assert sorted(recipients("alert_taken", alert.id)) == sorted([place.second_worker.id, place.night_worker.id])
    assert [m.template_id for m in sms_to(place.night_worker.phone)] == [
        "LINLI_ALERT_ESCALATED_ZH", "LINLI_ALERT_TAKEN_ZH"]
    assert recipients("alert_escalated", alert.id) == [place.night_worker.id]  # never reached the admin
    assert recipients("alert_reminder", alert.id) == []
    assert [action for action, _, _ in steps(alert.id)] == ["raised", "escalated", "acknowledged"]


def test_with_nobody_on_duty_it_goes_straight_to_the_admin(app, clock):
    place = neighbourhood()
    on_duty(place, place.night_worker, weekday=FRIDAY)  # not today
    alert = raised(place)
    clock.advance(minutes=10)
    run_worker(app)
    assert recipients("alert_escalated", alert.id) == [place.admin.id]
    assert steps(alert.id)[1] == ("escalated", "nobody_on_duty", [place.admin.id])
    assert fresh(alert.id).level == 2


def test_an_override_beats_the_pattern_when_escalating(app, clock):
    place = neighbourhood()
    on_duty(place, place.night_worker)
    db.session.add(RosterOverride(community_id=place.community.id, on_date=date(2026, 11, 26),
                                  start_minute=9 * 60, end_minute=12 * 60, user_id=place.other_grid_worker.id))
    alert = raised(place)
    clock.advance(minutes=10)
    run_worker(app)
    assert recipients("alert_escalated", alert.id) == [place.other_grid_worker.id]


def test_an_override_of_nobody_sends_it_straight_to_the_admin(app, clock):
    place = neighbourhood()
    on_duty(place, place.night_worker)
    db.session.add(RosterOverride(community_id=place.community.id, on_date=date(2026, 11, 26),
                                  start_minute=8 * 60, end_minute=20 * 60, user_id=None))
    alert = raised(place)
    clock.advance(minutes=10)
    run_worker(app)
    assert steps(alert.id)[1] == ("escalated", "nobody_on_duty", [place.admin.id])


def test_a_night_shift_across_midnight_covers_an_alert_just_after_it(app, clock):
    place = neighbourhood()
    on_duty(place, place.night_worker, weekday=THURSDAY, start="22:00", end="08:00")
    on_duty(place, place.second_worker, weekday=FRIDAY, start="08:00", end="22:00")
    clock.current = datetime(2026, 11, 26, 15, 55, tzinfo=UTC)  # Thursday 23:55 in Shanghai
    alert = raised(place)
    clock.advance(minutes=10)  # Friday 00:05: still Thursday's night shift
    run_worker(app)
    assert recipients("alert_escalated", alert.id) == [place.night_worker.id]


def test_when_the_worker_on_duty_was_told_already_it_goes_on_to_the_admin(app, clock):
    place = neighbourhood()
    on_duty(place, place.worker)  # the grid's own worker is on duty: told at the start
    alert = raised(place)
    clock.advance(minutes=10)
    run_worker(app)
    assert steps(alert.id)[1] == ("escalated", "on_duty_already_told", [place.admin.id])


def test_someone_on_the_roster_who_is_no_longer_enabled_counts_as_nobody(app, clock):
    place = neighbourhood()
    on_duty(place, place.night_worker)
    place.night_worker.is_enabled = False
    alert = raised(place)
    clock.advance(minutes=10)
    run_worker(app)
    assert steps(alert.id)[1] == ("escalated", "nobody_on_duty", [place.admin.id])


def test_when_the_admins_were_told_first_the_next_step_reminds_them(app, clock):
    place = neighbourhood()
    on_duty(place, place.night_worker)
    lonely = make_resident(make_household(make_building(make_grid(place.community, "无人网格"))))
    alert = raise_alert(TEST_ALERT, resident_id=lonely.id)
    db.session.commit()
    for _ in range(2):
        clock.advance(minutes=10)
        run_worker(app)
    assert steps(alert.id) == [
        ("raised", "no_grid_worker", [place.admin.id]),
        ("escalated", "on_duty", [place.night_worker.id]),
        ("reminded", "admins", [place.admin.id]),
    ]


def test_with_no_reminders_configured_escalation_ends_at_the_admin(app, clock, monkeypatch):
    monkeypatch.setitem(app.config, "ALERT_MAX_REMINDERS", 0)
    place = neighbourhood()
    alert = raised(place)
    clock.advance(minutes=10)
    run_worker(app)
    clock.advance(hours=1)
    run_worker(app)
    assert [action for action, _, _ in steps(alert.id)] == ["raised", "escalated"]
    assert pending_timers(alert.id) == [] and fresh(alert.id).next_escalation_at is None


def test_the_window_of_each_step_follows_the_setting(app, clock, monkeypatch):
    monkeypatch.setitem(app.config, "ALERT_ACK_MINUTES", f"{TEST_ALERT}=5")
    place = neighbourhood()
    on_duty(place, place.night_worker)
    alert = raised(place)
    clock.advance(minutes=5)
    run_worker(app)
    assert recipients("alert_escalated", alert.id) == [place.night_worker.id]
    assert fresh(alert.id).next_escalation_at == clock() + timedelta(minutes=5)


def test_an_alert_about_a_resident_who_died_meanwhile_is_closed_and_nobody_else_is_told(app, client, clock):
    place = neighbourhood()
    on_duty(place, place.night_worker)
    alert = raised(place)
    place.resident.status = "deceased"
    db.session.commit()
    clock.advance(minutes=10)
    run_worker(app)

    closed = fresh(alert.id)
    assert (closed.status, closed.next_escalation_at) == ("closed", None)
    assert recipients("alert_escalated") == [] and pending_timers(alert.id) == []
    assert steps(alert.id)[-1] == ("closed", "resident_deceased", [])
    refused = client.login(place.worker).post(f"/api/v1/alerts/{alert.id}/ack")
    assert (refused.status_code, refused.get_json()["reason"]) == (409, "alert_ended")
