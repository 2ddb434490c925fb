"""Quiet hours (default 21:00–07:00 in the community's time zone): ordinary push and SMS wait for
the morning; safety and high-urgency notifications go at once."""
from datetime import UTC, datetime, timedelta

import pytest

from backend.extensions import db
from backend.notifications.models import NotificationPreference
from backend.notifications.services.outbox import notify
from backend.notifications.services.policy import quiet_hours_end
from tests.factories import make_community, make_user
from tests.notifications.helpers import add_subscription, deliveries_of, run_worker, sms_to

SHANGHAI_22_00 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
SHANGHAI_07_00_NEXT_DAY = datetime(2026, 11, 26, 23, 0, tzinfo=UTC)


def _sms_volunteer(**preferences):
    user = make_user(make_community(), "volunteer")
    db.session.add(NotificationPreference(user_id=user.id, sms_opt_in=True, **preferences))
    db.session.flush()
    return user


def test_an_ordinary_sms_at_22_00_goes_at_07_00_and_a_safety_sms_at_once(app, clock, ordinary_kind, safety_kind):
    clock.current = SHANGHAI_22_00
    volunteer = _sms_volunteer()
    offer = notify("test_offer", user=volunteer, params={"category": "送餐"})
    sos = notify("test_sos", user=volunteer, params={"name": "王奶奶"})
    db.session.commit()
    assert deliveries_of(offer.id)[0].next_attempt_at == SHANGHAI_07_00_NEXT_DAY
    assert deliveries_of(sos.id)[0].next_attempt_at == SHANGHAI_22_00

    run_worker(app)
    assert [m.template_id for m in sms_to(volunteer.phone)] == ["T_TEST_SOS_ZH"]

    clock.current = SHANGHAI_07_00_NEXT_DAY - timedelta(minutes=1)
    run_worker(app)
    assert len(sms_to(volunteer.phone)) == 1
    clock.current = SHANGHAI_07_00_NEXT_DAY
    run_worker(app)
    assert [m.template_id for m in sms_to(volunteer.phone)] == ["T_TEST_SOS_ZH", "T_TEST_OFFER_ZH"]


def test_ordinary_push_waits_too_and_the_inbox_has_it_at_once(app, client, clock, ordinary_kind):
    clock.current = SHANGHAI_22_00
    volunteer = make_user(make_community(), "volunteer")
    add_subscription(volunteer)
    offer = notify("test_offer", user=volunteer, params={"category": "送餐"})
    db.session.commit()
    assert [(d.channel, d.next_attempt_at) for d in deliveries_of(offer.id)] == [("push", SHANGHAI_07_00_NEXT_DAY)]
    assert client.login(volunteer).get("/api/v1/notifications/unread-count").get_json()["unread"] == 1


def test_a_high_urgency_kind_ignores_quiet_hours(app, clock, register_kind):
    register_kind("test_urgent", texts={"zh-CN": ("紧急", "请尽快处理"), "en": ("Urgent", "Please act now")},
                  urgency="high", quiet_hours="ignore", channels=("inapp", "push"))
    clock.current = SHANGHAI_22_00
    volunteer = make_user(make_community(), "volunteer")
    add_subscription(volunteer)
    urgent = notify("test_urgent", user=volunteer)
    assert deliveries_of(urgent.id)[0].next_attempt_at == SHANGHAI_22_00


def test_own_quiet_hours_and_none_at_all(app, clock, ordinary_kind):
    clock.current = datetime(2026, 11, 26, 5, 30, tzinfo=UTC)  # 13:30 in Shanghai
    napping = _sms_volunteer(quiet_start_minute=13 * 60, quiet_end_minute=14 * 60 + 30)
    never_quiet = _sms_volunteer(quiet_start_minute=0, quiet_end_minute=0)
    assert deliveries_of(notify("test_offer", user=napping, params={"category": "送餐"}).id)[0].next_attempt_at \
        == datetime(2026, 11, 26, 6, 30, tzinfo=UTC)
    assert deliveries_of(notify("test_offer", user=never_quiet, params={"category": "送餐"}).id)[0].next_attempt_at \
        == clock()


def test_quiet_hours_are_counted_in_the_communitys_time_zone(app, clock, ordinary_kind):
    community = make_community()
    community.timezone = "Asia/Urumqi"  # UTC+6: 22:00 in Shanghai is 20:00 there
    volunteer = make_user(community, "volunteer")
    db.session.add(NotificationPreference(user_id=volunteer.id, sms_opt_in=True))
    clock.current = SHANGHAI_22_00
    offer = notify("test_offer", user=volunteer, params={"category": "送餐"})
    assert deliveries_of(offer.id)[0].next_attempt_at == SHANGHAI_22_00


def test_a_retry_that_would_fall_into_quiet_hours_waits_for_the_morning(app, clock, ordinary_kind, scripted_sms):
    from backend.notifications.channels.base import Outcome

    clock.current = SHANGHAI_22_00 - timedelta(minutes=5)
    volunteer = _sms_volunteer()
    scripted_sms[volunteer.phone].append(Outcome("retry", 600, "busy"))
    offer = notify("test_offer", user=volunteer, params={"category": "送餐"})
    db.session.commit()
    run_worker(app)
    [delivery] = deliveries_of(offer.id)
    assert (delivery.status, delivery.next_attempt_at) == ("pending", SHANGHAI_07_00_NEXT_DAY)


@pytest.mark.parametrize("local_time, expected_end", [
    ("20:59", None), ("21:00", "07:00+1"), ("23:59", "07:00+1"), ("00:00", "07:00"), ("06:59", "07:00"),
    ("07:00", None), ("12:00", None),
])
def test_quiet_hours_run_past_midnight(local_time, expected_end):
    hour, minute = map(int, local_time.split(":"))
    moment = datetime(2026, 11, 26, hour, minute, tzinfo=UTC) - timedelta(hours=8)  # Shanghai → UTC
    end = quiet_hours_end(moment, 21 * 60, 7 * 60, "Asia/Shanghai")
    if expected_end is None:
        assert end is None
    else:
        day = 27 if expected_end.endswith("+1") else 26
        assert end == datetime(2026, 11, day, 7, 0, tzinfo=UTC) - timedelta(hours=8)
