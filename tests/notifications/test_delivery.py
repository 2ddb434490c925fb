"""The worker delivers: in the recipient's language, retried with backoff and Retry-After, never
after expiry, and a safety notification that reached nobody alerts the people responsible."""
from datetime import timedelta

from sqlalchemy import select

from backend.extensions import db
from backend.notifications.channels import base as channels
from backend.notifications.channels.base import Outcome
from backend.notifications.models import Delivery, NotificationPreference, PushSubscription
from backend.notifications.services.delivery import claim_deliveries, record_outcome, retry_delay
from backend.notifications.services.outbox import Contact, notify
from tests.factories import (
    make_admin, make_building, make_community, make_grid, make_household, make_resident, make_user, make_worker,
)
from tests.notifications.helpers import (
    add_subscription, deliveries_of, notifications_of_kind, run_worker, sms_to,
)
from tests.notifications.push_service import PushService


def _sms_volunteer(community=None, language="zh-CN"):
    """A volunteer without push who chose SMS."""
    user = make_user(community or make_community(), "volunteer")
    user.language = language
    db.session.add(NotificationPreference(user_id=user.id, sms_opt_in=True))
    db.session.flush()
    return user


def test_a_zh_cn_and_an_en_recipient_each_read_their_own_language(app, client, make_client, ordinary_kind):
    community = make_community()
    zh, en = _sms_volunteer(community, "zh-CN"), _sms_volunteer(community, "en")
    for user in (zh, en):
        notify("test_offer", user=user, params={"category": "陪伴聊天"})
    db.session.commit()

    run_worker(app)

    assert [(m.template_id, m.text) for m in sms_to(zh.phone)] == [("T_TEST_OFFER_ZH", "邻里：陪伴聊天，有人需要帮助。")]
    assert [(m.template_id, m.params, m.language) for m in sms_to(en.phone)] == [
        ("T_TEST_OFFER_EN", {"category": "陪伴聊天"}, "en")]
    zh_inbox = client.login(zh).get("/api/v1/notifications").get_json()["items"]
    en_inbox = make_client().login(en).get("/api/v1/notifications").get_json()["items"]
    assert [(item["title"], item["body"]) for item in zh_inbox] == [("有新的求助", "陪伴聊天：有人需要帮助。")]
    assert [(item["title"], item["body"]) for item in en_inbox] == [("A new request", "陪伴聊天: someone needs help.")]


def test_retries_back_off_honour_retry_after_and_then_deliver(app, clock, ordinary_kind, scripted_sms):
    volunteer = _sms_volunteer()
    scripted_sms[volunteer.phone].extend([Outcome("retry", 120, "429 Too Many Requests"),
                                          Outcome("retry", None, "503 Service Unavailable")])
    notification = notify("test_offer", user=volunteer, params={"category": "送餐"})
    db.session.commit()
    base = app.config["DELIVERY_BACKOFF_BASE_SECONDS"]

    run_worker(app)
    [delivery] = deliveries_of(notification.id)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "429 Too Many Requests")
    assert delivery.next_attempt_at >= clock() + timedelta(seconds=120)  # the provider's Retry-After

    clock.advance(seconds=119)
    run_worker(app)
    assert deliveries_of(notification.id)[0].attempts == 1  # not before Retry-After
    clock.advance(seconds=1)
    run_worker(app)
    [delivery] = deliveries_of(notification.id)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 2, "503 Service Unavailable")
    assert clock() + timedelta(seconds=1) <= delivery.next_attempt_at <= clock() + timedelta(seconds=2 * base)

    clock.current = delivery.next_attempt_at
    run_worker(app)
    [delivery] = deliveries_of(notification.id)
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == ("delivered", 3, clock())
    assert len(sms_to(volunteer.phone)) == 1


def test_the_backoff_is_full_jitter_under_a_doubling_ceiling():
    for attempts, ceiling in ((1, 10), (2, 20), (4, 80), (12, 3600)):
        delays = [retry_delay(attempts, None, base=10, cap=3600) for _ in range(200)]
        assert all(1 <= delay <= ceiling for delay in delays)
        assert max(delays) > ceiling / 2  # spread over the range, not a fixed wait
    assert all(retry_delay(1, 300, base=10, cap=3600) >= 300 for _ in range(50))


def _worker_grid_resident():
    community = make_community()
    grid = make_grid(community)
    worker = make_worker(grid)
    resident = make_resident(make_household(make_building(grid)))
    return community, worker, resident


def _run_until(app, clock, moment):
    while clock() < moment:
        run_worker(app)
        clock.current = min(moment, db.session.scalar(select(Delivery.next_attempt_at).order_by(
            Delivery.next_attempt_at).where(Delivery.status == "pending")) or moment)
    run_worker(app)


def test_a_safety_sms_that_never_gets_through_expires_and_alerts_the_residents_grid_worker(
        app, client, clock, safety_kind, scripted_sms):
    community, worker, resident = _worker_grid_resident()
    son = Contact(name="王小明", phone="13911112222")
    scripted_sms[son.phone].extend([Outcome("retry", None, "network unreachable")] * 100)
    sos = notify("test_sos", contact=son, params={"name": "王奶奶"}, data={"resident_id": resident.id},
                 community_id=community.id)
    db.session.commit()

    _run_until(app, clock, sos.expires_at)

    [delivery] = deliveries_of(sos.id)
    assert delivery.status == "expired" and delivery.attempts > 3
    assert sms_to(son.phone) == []
    [alert] = notifications_of_kind("delivery_expired")
    assert alert.recipient_user_id == worker.id
    assert alert.data == {"notification_id": sos.id, "resident_id": resident.id}
    run_worker(app)
    assert [m.template_id for m in sms_to(worker.phone)] == ["LINLI_DELIVERY_EXPIRED_ZH"]  # safety: SMS at once
    [item] = client.login(worker).get("/api/v1/notifications").get_json()["items"]
    assert (item["title"], item["safety"]) == ("安全提醒没有送达", True)
    assert "王小明" in item["body"]


def test_without_a_resident_the_communitys_admins_hear_of_it(app, clock, safety_kind, scripted_sms):
    community = make_community()
    admin, other_admin = make_admin(community), make_admin(make_community())
    recipient = make_user(community, "volunteer", name="张阿姨")
    scripted_sms[recipient.phone].append(Outcome("failed", None, "number does not exist"))
    sos = notify("test_sos", user=recipient, params={"name": "王奶奶"})
    db.session.commit()

    run_worker(app)

    assert deliveries_of(sos.id)[0].status == "failed"
    assert [n.recipient_user_id for n in notifications_of_kind("delivery_expired")] == [admin.id]
    assert other_admin.id not in [n.recipient_user_id for n in notifications_of_kind("delivery_expired")]


def test_an_ordinary_notification_that_expires_alerts_nobody(app, clock, ordinary_kind, scripted_sms):
    _community, _worker, resident = _worker_grid_resident()
    volunteer = _sms_volunteer()
    scripted_sms[volunteer.phone].extend([Outcome("retry", 6 * 3600, "busy")] * 10)
    offer = notify("test_offer", user=volunteer, params={"category": "送餐"}, data={"resident_id": resident.id})
    db.session.commit()

    _run_until(app, clock, offer.expires_at)

    assert [d.status for d in deliveries_of(offer.id)] == ["expired"]
    assert notifications_of_kind("delivery_expired") == []


def _push_subscription(user, browser) -> PushSubscription:
    return add_subscription(user, endpoint=browser.endpoint, p256dh=browser.p256dh, auth=browser.auth)


def test_a_gone_push_subscription_is_deleted_and_sms_takes_over(app, safety_kind):
    volunteer = make_user(make_community(), "volunteer")
    with PushService() as push_service:
        browser = push_service.subscribe(answers=[410])
        subscription_id = _push_subscription(volunteer, browser).id
        sos = notify("test_sos", user=volunteer, params={"name": "王奶奶"})
        db.session.commit()

        run_worker(app)

    assert db.session.get(PushSubscription, subscription_id) is None
    assert [(d.channel, d.status) for d in deliveries_of(sos.id)] == [("push", "failed"), ("sms", "delivered")]
    assert len(sms_to(volunteer.phone)) == 1
    assert notifications_of_kind("delivery_expired") == []


def test_a_device_that_keeps_failing_stops_counting_and_sms_takes_over(app, clock, safety_kind):
    volunteer = make_user(make_community(), "volunteer")
    limit = app.config["PUSH_SUBSCRIPTION_MAX_FAILURES"]
    with PushService() as push_service:
        browser = push_service.subscribe(answers=[500] * limit)
        subscription_id = _push_subscription(volunteer, browser).id
        sos = notify("test_sos", user=volunteer, params={"name": "王奶奶"})
        db.session.commit()
        for _ in range(limit):
            run_worker(app)
            push = deliveries_of(sos.id)[0]
            clock.current = max(clock(), push.next_attempt_at)
        assert len(push_service.requests_for(browser)) == limit

    push, sms = deliveries_of(sos.id)
    assert (push.status, push.attempts) == ("failed", limit)
    assert "no longer a working subscription" in push.last_error
    assert db.session.get(PushSubscription, subscription_id).failure_count == limit
    assert (sms.channel, sms.status) == ("sms", "delivered")
    assert len(sms_to(volunteer.phone)) == 1


def test_one_device_gone_and_one_delivered_is_delivered_without_sms(app, safety_kind):
    volunteer = make_user(make_community(), "volunteer")
    with PushService() as push_service:
        gone, working = push_service.subscribe(answers=[404]), push_service.subscribe()
        gone_id = _push_subscription(volunteer, gone).id
        working_id = _push_subscription(volunteer, working).id
        sos = notify("test_sos", user=volunteer, params={"name": "王奶奶"})
        db.session.commit()

        run_worker(app)
        assert len(push_service.delivered_to(working)) == 1

    assert db.session.get(PushSubscription, gone_id) is None
    assert db.session.get(PushSubscription, working_id).last_success_at is not None
    assert sorted(d.status for d in deliveries_of(sos.id)) == ["delivered", "failed"]
    assert sms_to(volunteer.phone) == []
    assert notifications_of_kind("delivery_expired") == []


def test_a_channel_whose_module_is_missing_fails_its_delivery_and_the_worker_goes_on(
        app, monkeypatch, ordinary_kind):
    monkeypatch.setitem(channels.CHANNEL_MODULES, "pigeon", "backend.notifications.channels.pigeon")
    volunteer = _sms_volunteer()
    offer = notify("test_offer", user=volunteer, params={"category": "送餐"})
    db.session.add(Delivery(notification_id=offer.id, channel="pigeon", next_attempt_at=offer.created_at))
    db.session.commit()

    run_worker(app)

    by_channel = {d.channel: d for d in deliveries_of(offer.id)}
    assert by_channel["pigeon"].status == "failed"
    assert "pigeon channel is not installed" in by_channel["pigeon"].last_error
    assert by_channel["sms"].status == "delivered"


def test_a_delivery_claimed_by_a_worker_that_died_is_sent_after_its_lease(app, clock, ordinary_kind):
    volunteer = _sms_volunteer()
    offer = notify("test_offer", user=volunteer, params={"category": "送餐"})
    db.session.commit()
    lease = timedelta(seconds=app.config["WORKER_LEASE_SECONDS"])
    claimed, _ = claim_deliveries(10, lease)  # ... and the worker dies before sending
    assert [d.id for d in claimed] == [d.id for d in deliveries_of(offer.id)]

    run_worker(app)
    assert deliveries_of(offer.id)[0].status == "sending" and sms_to(volunteer.phone) == []

    clock.advance(seconds=lease.total_seconds())
    run_worker(app)
    [delivery] = deliveries_of(offer.id)
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert len(sms_to(volunteer.phone)) == 1


def test_a_late_outcome_from_a_worker_whose_lease_was_taken_over_changes_nothing(app, clock, ordinary_kind):
    volunteer = _sms_volunteer()
    offer = notify("test_offer", user=volunteer, params={"category": "送餐"})
    db.session.commit()
    [slow], _ = claim_deliveries(10, timedelta(seconds=60))
    clock.advance(seconds=60)
    run_worker(app)  # another worker takes it over and delivers it

    record_outcome(slow.id, 1, Outcome("retry", None, "timeout"))  # the slow one reports at last

    [delivery] = deliveries_of(offer.id)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 2, None)


def test_a_channel_that_raises_or_answers_nonsense_is_retried_and_the_worker_goes_on(
        app, monkeypatch, ordinary_kind):
    monkeypatch.setitem(channels.CHANNEL_MODULES, "odd", "tests.notifications.odd_channel")
    volunteer = _sms_volunteer()
    offer = notify("test_offer", user=volunteer, params={"category": "送餐"})
    for _ in range(2):
        db.session.add(Delivery(notification_id=offer.id, channel="odd", next_attempt_at=offer.created_at))
    db.session.commit()

    run_worker(app)

    odd = sorted((d.status, d.attempts, d.last_error) for d in deliveries_of(offer.id) if d.channel == "odd")
    assert odd == [("pending", 1, "RuntimeError: the line dropped"),
                   ("pending", 1, "the odd channel answered 'delivered'")]
    assert [d.status for d in deliveries_of(offer.id) if d.channel == "sms"] == ["delivered"]


def test_deliveries_of_a_safety_notification_are_claimed_first(app, ordinary_kind, safety_kind):
    volunteer = _sms_volunteer()
    for _ in range(3):
        notify("test_offer", user=volunteer, params={"category": "送餐"})
    sos = notify("test_sos", user=volunteer, params={"name": "王奶奶"})
    db.session.commit()
    claimed, _ = claim_deliveries(1, timedelta(seconds=60))
    assert [d.notification_id for d in claimed] == [sos.id]
    # What sending needs comes with the claim: the kind, the recipient's number and language.
    assert (claimed[0].notification.kind, claimed[0].notification.phone, claimed[0].notification.language,
            claimed[0].attempts) == ("test_sos", volunteer.phone, volunteer.language, 1)
