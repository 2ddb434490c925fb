"""notify_users(): many users told at once get exactly what notify() would give each — the inbox
entry, a push delivery per working subscription unless push is off, else SMS where the policy
allows it (safety kinds always; ordinary kinds only when opted in, within the daily cap), nothing
sent to a disabled account — and kinds that wait for quiet hours are refused."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.notifications.models import Notification, NotificationPreference
from backend.notifications.services.bulk import notify_users
from backend.notifications.services.outbox import notify
from tests.factories import make_community, make_user
from tests.notifications.conftest import _sms
from tests.notifications.helpers import add_subscription, deliveries_of

TEXTS = {"zh-CN": ("排查", "{count} 户"), "en": ("Check", "{count} households")}


def _kind(register_kind, code: str, safety: bool):
    return register_kind(code, texts=TEXTS, params=("count",), urgency="high", safety=safety, quiet_hours="ignore",
                         channels=("inapp", "push", "sms"), ttl=timedelta(hours=6),
                         sms=_sms(code, "邻里：{count} 户", "Linli: {count}", ("count",)))


def _people():
    """A user with two devices, one with push turned off and SMS opted in, one with neither, one
    disabled with a device, and one opted in who already had today's SMS."""
    community = make_community()
    pushed, muted, plain, disabled, capped = (make_user(community, "worker", password=None) for _ in range(5))
    add_subscription(pushed, n=1)
    add_subscription(pushed, n=2)
    add_subscription(disabled)
    disabled.is_enabled = False
    db.session.add_all([NotificationPreference(user_id=muted.id, push_enabled=False, sms_opt_in=True),
                        NotificationPreference(user_id=capped.id, sms_opt_in=True)])
    db.session.flush()
    return community, [pushed, muted, plain, disabled, capped]


def _shape(notification: Notification) -> tuple:
    return (notification.recipient_user_id, notification.params, notification.data, notification.urgency,
            notification.is_safety, notification.topic, notification.in_inbox,
            sorted((d.channel, d.push_subscription_id, d.status) for d in deliveries_of(notification.id)))


@pytest.mark.parametrize("safety", [False, True])
def test_each_user_gets_what_notify_would_give_them(app, register_kind, monkeypatch, safety):
    monkeypatch.setitem(app.config, "SMS_DAILY_CAP", 1)
    kind = _kind(register_kind, "test_bulk_safety" if safety else "test_bulk", safety)
    community, people = _people()
    notify(kind.code, user=people[4], params={"count": 0}, data={"sweep_id": 1})  # today's SMS for the capped one
    first = db.session.scalar(select(Notification.id).order_by(Notification.id.desc()))
    trial = db.session.begin_nested()  # what notify() gives each, then undone (it uses up SMS allowances)
    expected = [_shape(notify(kind.code, user=user, params={"count": n}, data={"sweep_id": 7}))
                for n, user in enumerate(people)]
    trial.rollback()
    assert notify_users(kind.code, [(user.id, {"count": n}, {"sweep_id": 7}) for n, user in enumerate(people)],
                        community_id=community.id) == len(people)
    made = db.session.scalars(select(Notification).where(Notification.id > first)
                              .order_by(Notification.id)).all()
    assert [_shape(notification) for notification in made] == expected
    channels = [[channel for channel, _, _ in shape[-1]] for shape in expected]
    assert channels[0] == ["push", "push"] and channels[3] == []
    assert channels[1] == ["sms"] and channels[2] == (["sms"] if safety else [])
    assert channels[4] == (["sms"] if safety else [])


def test_a_kind_that_waits_for_quiet_hours_is_refused(register_kind):
    register_kind("test_bulk_quiet", texts=TEXTS, params=("count",))
    community, people = _people()
    with pytest.raises(ValueError, match="quiet hours"):
        notify_users("test_bulk_quiet", [(people[0].id, {"count": 1}, {})], community_id=community.id)
