"""notify(): a notification and its deliveries written in the caller's transaction, or nothing."""
from datetime import timedelta

import pytest

from backend.accounts.models import DeviceSession
from backend.extensions import db
from backend.notifications.kinds import Kind
from backend.notifications.models import Delivery, Notification
from backend.notifications.services.outbox import Contact, notify, url_of
from tests.factories import make_community, make_user
from tests.notifications.helpers import add_subscription, count, deliveries_of


def test_a_notification_is_written_with_its_deliveries_and_nothing_is_sent(ordinary_kind):
    volunteer = make_user(make_community(), "volunteer")
    first, second = add_subscription(volunteer, n=1), add_subscription(volunteer, n=2)
    notification = notify("test_offer", user=volunteer, params={"category": "陪伴聊天"},
                          data={"help_request_id": 412, "resident_id": 7})
    db.session.commit()
    assert notification.in_inbox and notification.recipient_user_id == volunteer.id
    assert notification.expires_at - notification.created_at == timedelta(days=1)
    assert [(d.channel, d.push_subscription_id, d.status, d.attempts) for d in deliveries_of(notification.id)] == [
        ("push", first.id, "pending", 0), ("push", second.id, "pending", 0)]


def test_a_rolled_back_transaction_leaves_no_notification_and_no_delivery(ordinary_kind, safety_kind):
    volunteer = make_user(make_community(), "volunteer")
    add_subscription(volunteer)
    db.session.commit()
    notify("test_offer", user=volunteer, params={"category": "陪伴聊天"})
    notify("test_sos", contact=Contact(name="王小明", phone="13911112222"), params={"name": "王奶奶"})
    db.session.flush()
    assert count(Notification) == 2
    db.session.rollback()
    assert count(Notification) == 0
    assert count(Delivery) == 0


@pytest.mark.parametrize("data", [{"resident_name": "王奶奶"}, {"resident_id": "x" * 65},
                                  {"address_id": 3.5}, {"phone": "13911112222"}])
def test_the_data_payload_holds_ids_only(ordinary_kind, data):
    volunteer = make_user(make_community(), "volunteer")
    with pytest.raises(ValueError, match="ids only"):
        notify("test_offer", user=volunteer, params={"category": "陪伴聊天"}, data=data)


def test_a_kinds_push_topic_is_made_from_the_data(register_kind):
    register_kind("test_topic", texts={"zh-CN": ("标题", "正文"), "en": ("Title", "Body")},
                  topic="offer-{help_request_id}", url="/requests/{help_request_id}")
    volunteer = make_user(make_community(), "volunteer")
    notification = notify("test_topic", user=volunteer, data={"help_request_id": 412})
    assert notification.topic == "offer-412"
    assert url_of(notification) == "/requests/412"
    with pytest.raises(ValueError, match=r"topic or url needs data \['help_request_id'\]"):
        notify("test_topic", user=volunteer)


def test_params_must_be_exactly_the_kinds(ordinary_kind):
    volunteer = make_user(make_community(), "volunteer")
    with pytest.raises(ValueError, match="missing"):
        notify("test_offer", user=volunteer, params={})
    with pytest.raises(ValueError, match="unknown"):
        notify("test_offer", user=volunteer, params={"category": "陪伴聊天", "address": "幸福里 3 幢"})


def test_a_kind_declaration_that_cannot_work_is_refused_at_once():
    texts = {"zh-CN": ("标题", "{who}"), "en": ("Title", "{who}")}
    with pytest.raises(ValueError, match="undeclared params"):
        Kind(code="broken", texts=texts)
    with pytest.raises(ValueError, match="never wait for quiet hours"):
        Kind(code="broken", texts=texts, params=("who",), safety=True, urgency="high")
    with pytest.raises(ValueError, match="SMS template"):
        Kind(code="broken", texts=texts, params=("who",), channels=("inapp", "sms"))
    with pytest.raises(ValueError, match="no texts in en"):
        Kind(code="broken", texts={"zh-CN": ("标题", "正文")})


# The channel policy, case by case: who the recipient is, what they have, what they chose.

def _volunteer(subscriptions=0, sms_opt_in=False, push_enabled=True, phone=True, failing=False,
               signed_out=False, enabled=True):
    from backend.notifications.models import NotificationPreference

    user = make_user(make_community(), "volunteer")
    user.phone = user.phone if phone else None
    user.is_enabled = enabled
    db.session.add(NotificationPreference(user_id=user.id, sms_opt_in=sms_opt_in, push_enabled=push_enabled))
    for n in range(subscriptions):
        session = None
        if signed_out:
            session = DeviceSession(user_id=user.id, token_hash=f"{user.id}-{n}", device_label="手机",
                                    signed_in_with="password", ended_at=db.func.now())
            db.session.add(session)
            db.session.flush()
        add_subscription(user, n=n, failure_count=5 if failing else 0,
                         device_session_id=session.id if session else None)
    db.session.flush()
    return user


POLICY = [
    # (case, recipient builder, kind, expected channels)
    ("two working devices: push to each", lambda: _volunteer(subscriptions=2), "test_offer", ["push", "push"]),
    ("push and opted in to SMS: push only", lambda: _volunteer(subscriptions=1, sms_opt_in=True), "test_offer",
     ["push"]),
    ("no push, not opted in: the inbox only", lambda: _volunteer(), "test_offer", []),
    ("no push, opted in: SMS", lambda: _volunteer(sms_opt_in=True), "test_offer", ["sms"]),
    ("push turned off, opted in: SMS", lambda: _volunteer(subscriptions=1, push_enabled=False, sms_opt_in=True),
     "test_offer", ["sms"]),
    ("push turned off, not opted in: the inbox only", lambda: _volunteer(subscriptions=1, push_enabled=False),
     "test_offer", []),
    ("safety with push: push", lambda: _volunteer(subscriptions=1), "test_sos", ["push"]),
    ("safety without push, not opted in: SMS all the same", lambda: _volunteer(), "test_sos", ["sms"]),
    ("safety, the subscription keeps failing: SMS", lambda: _volunteer(subscriptions=1, failing=True), "test_sos",
     ["sms"]),
    ("safety, the subscribed phone was signed out: SMS", lambda: _volunteer(subscriptions=1, signed_out=True),
     "test_sos", ["sms"]),
    ("safety, no push and no phone: the inbox only", lambda: _volunteer(phone=False), "test_sos", []),
    ("a kind without SMS, no push: the inbox only", lambda: _volunteer(sms_opt_in=True), "test_push", []),
    ("a disabled account: the inbox only", lambda: _volunteer(subscriptions=1, enabled=False), "test_sos", []),
]


@pytest.mark.parametrize("case, recipient, kind_code, expected", POLICY, ids=[row[0] for row in POLICY])
def test_channel_policy(ordinary_kind, safety_kind, case, recipient, kind_code, expected):
    params = {"test_offer": {"category": "陪伴聊天"}, "test_sos": {"name": "王奶奶"}, "test_push": {}}[kind_code]
    notification = notify(kind_code, user=recipient(), params=params)
    assert [d.channel for d in deliveries_of(notification.id)] == expected
    assert notification.in_inbox


@pytest.mark.parametrize("kind_code, params", [("test_offer", {"category": "陪伴聊天"}), ("test_sos", {"name": "王奶奶"})])
def test_a_bare_contact_gets_sms_only_and_no_inbox_entry(ordinary_kind, safety_kind, kind_code, params):
    notification = notify(kind_code, contact=Contact(name="王小明", phone="13911112222", language="en"),
                          params=params)
    assert [d.channel for d in deliveries_of(notification.id)] == ["sms"]
    assert not notification.in_inbox
    assert notification.language == "en" and notification.phone == "13911112222"


def test_ordinary_sms_stop_at_the_daily_cap_and_safety_sms_do_not(app, clock, ordinary_kind, safety_kind):
    volunteer = _volunteer(sms_opt_in=True)
    cap = app.config["SMS_DAILY_CAP"]
    channels = [[d.channel for d in notify("test_offer", user=volunteer, params={"category": "送餐"}).deliveries]
                for _ in range(cap + 1)]
    assert channels == [["sms"]] * cap + [[]]
    sos = notify("test_sos", user=volunteer, params={"name": "王奶奶"})
    assert [d.channel for d in sos.deliveries] == ["sms"]
    clock.advance(hours=14)  # 02:00 UTC + 14 h = 00:00 the next day in Shanghai: a new day
    assert [d.channel for d in notify("test_offer", user=volunteer, params={"category": "送餐"}).deliveries] == ["sms"]
