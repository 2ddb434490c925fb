"""Offers at night: an urgent request's offers reach volunteers at once, whatever their quiet hours;
a normal request's offers wait for the morning, and its waves do not count the night, so the grid's
workers are not alerted before anyone could have answered."""
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from backend.alerts.models import Alert
from backend.common.time import now
from backend.extensions import db
from backend.matching.services.dispatch import stage_dispatch
from backend.notifications.models import Notification, NotificationPreference
from tests.help_requests.helpers import status_of
from tests.matching.helpers import ask, notified_user_ids, pending_wave_timers, volunteers_in_a_row, waves
from tests.notifications.helpers import deliveries_of, run_worker, sms_to

SHANGHAI_23_00 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
SHANGHAI_07_00_NEXT_DAY = datetime(2026, 11, 26, 23, 0, tzinfo=UTC)


def _volunteers_with_sms(scene, count, **quiet_hours):
    """`count` volunteers in ranking order, opted in to SMS (so each offer makes a delivery), with
    the default quiet hours (21:00–07:00) unless given."""
    people = volunteers_in_a_row(scene.community, scene.grid, count)
    for user in people:
        db.session.add(NotificationPreference(user_id=user.id, sms_opt_in=True, **quiet_hours))
    db.session.flush()
    return people


def _asked_at_night(clock, scene, phone_of, urgency):
    clock.current = SHANGHAI_23_00
    request = ask(phone_of(scene.resident_user), {"urgency": urgency})
    stage_dispatch(request, now())
    db.session.commit()
    return request.id


def _offers(kind):
    return list(db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id)))


def test_an_urgent_requests_offers_reach_volunteers_at_once_in_their_quiet_hours(app, clock, scene, phone_of):
    people = _volunteers_with_sms(scene, 3)
    phones = [user.phone for user in people]
    _asked_at_night(clock, scene, phone_of, "urgent")
    offers = _offers("help_request_offer_urgent")
    assert sorted(row.recipient_user_id for row in offers) == sorted(user.id for user in people)
    assert not notified_user_ids("help_request_offer")
    assert all(deliveries_of(row.id)[0].next_attempt_at == SHANGHAI_23_00 for row in offers)
    run_worker(app)
    for phone in phones:
        [message] = sms_to(phone)
        assert message.template_id == "LINLI_OFFER_URGENT_ZH"
        assert message.text == "邻里：有一项陪伴聊天的紧急求助（紧急，尽快），请打开邻里查看。"


def test_an_urgent_requests_waves_run_on_through_the_night(app, clock, scene, phone_of):
    people = _volunteers_with_sms(scene, 8)
    ids = [user.volunteer_id for user in people]
    request_id = _asked_at_night(clock, scene, phone_of, "urgent")
    [timer] = pending_wave_timers(request_id)
    assert timer.due_at == SHANGHAI_23_00 + timedelta(minutes=5)
    clock.advance(minutes=5)
    run_worker(app)
    assert waves(request_id) == [ids[:3], ids[3:8]]


def test_a_normal_requests_offers_wait_for_the_morning_and_its_waves_do_not_count_the_night(
        app, clock, scene, phone_of):
    people = _volunteers_with_sms(scene, 8)
    ids, phones = [user.volunteer_id for user in people], [user.phone for user in people]
    request_id = _asked_at_night(clock, scene, phone_of, "normal")
    offers = _offers("help_request_offer")
    assert len(offers) == 3 and not notified_user_ids("help_request_offer_urgent")
    assert all(deliveries_of(row.id)[0].next_attempt_at == SHANGHAI_07_00_NEXT_DAY for row in offers)
    [timer] = pending_wave_timers(request_id)
    assert timer.due_at == SHANGHAI_07_00_NEXT_DAY + timedelta(minutes=30)

    clock.advance(hours=2)  # long past the 30 minutes a wave waits by day
    run_worker(app)
    assert waves(request_id) == [ids[:3]] and status_of(request_id) == "offered"
    assert not any(sms_to(phone) for phone in phones)

    clock.current = SHANGHAI_07_00_NEXT_DAY
    run_worker(app)
    assert [len(sms_to(phone)) for phone in phones] == [1, 1, 1, 0, 0, 0, 0, 0]
    assert waves(request_id) == [ids[:3]]
    clock.advance(minutes=30)
    run_worker(app)
    assert waves(request_id) == [ids[:3], ids[3:8]]


def test_a_normal_request_is_escalated_to_the_workers_in_the_morning_not_at_night(app, clock, scene, phone_of):
    _volunteers_with_sms(scene, 3)
    request_id = _asked_at_night(clock, scene, phone_of, "normal")
    clock.advance(hours=7, minutes=59)  # 06:59: three waves of 30 minutes would have run out at 00:30
    run_worker(app)
    assert status_of(request_id) == "offered" and not db.session.scalars(select(Alert)).all()
    clock.current = SHANGHAI_07_00_NEXT_DAY + timedelta(minutes=30)  # nobody left: escalated at once
    run_worker(app)
    assert status_of(request_id) == "escalated"
    assert db.session.scalars(select(Alert)).all()


def test_a_normal_wave_counts_from_the_first_volunteer_who_is_not_in_quiet_hours(app, clock, scene, phone_of):
    people = _volunteers_with_sms(scene, 2)
    night_owl = volunteers_in_a_row(scene.community, scene.grid, 1, start_km=0.3)[0]
    db.session.add(NotificationPreference(user_id=night_owl.id, sms_opt_in=True, quiet_start_minute=0,
                                          quiet_end_minute=0))
    db.session.flush()
    request_id = _asked_at_night(clock, scene, phone_of, "normal")
    assert len(_offers("help_request_offer")) == len(people) + 1
    [timer] = pending_wave_timers(request_id)
    assert timer.due_at == SHANGHAI_23_00 + timedelta(minutes=30)
    run_worker(app)
    assert len(sms_to(night_owl.phone)) == 1


def test_by_day_a_normal_wave_counts_at_once(clock, scene, phone_of):
    _volunteers_with_sms(scene, 3)
    request = ask(phone_of(scene.resident_user))  # 10:00 in Shanghai
    stage_dispatch(request, now())
    db.session.commit()
    [timer] = pending_wave_timers(request.id)
    assert timer.due_at == now() + timedelta(minutes=30)


def test_the_inbox_shows_an_urgent_offer_at_once_with_the_category_and_time_only(clock, scene, phone_of):
    people = _volunteers_with_sms(scene, 1)
    _asked_at_night(clock, scene, phone_of, "urgent")
    [entry] = phone_of(people[0]).get("/api/v1/notifications").get_json()["items"]
    assert (entry["title"], entry["body"]) == ("紧急求助：陪伴聊天", "陪伴聊天，紧急，尽快。打开邻里看看您现在能不能去。")
    assert (entry["url"], entry["urgency"], entry["safety"], entry["read_at"]) == ("/offers", "high", False, None)
    [notification] = _offers("help_request_offer_urgent")
    assert notification.params == {"category": "陪伴聊天", "when": "紧急，尽快", "category_en": "Companionship",
                                   "when_en": "urgent, as soon as possible"}
    assert notification.data == {"help_request_id": entry["data"]["help_request_id"]}
