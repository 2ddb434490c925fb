"""The Web Push sender against the local push service: headers, payload, and what each answer means."""
import json
import socket
from datetime import timedelta
from email.utils import format_datetime

import pytest

from backend.extensions import db
from backend.notifications import kinds
from backend.notifications.channels import webpush
from backend.notifications.channels.base import Outcome
from backend.notifications.models import Delivery, Notification, PushSubscription
from tests.factories import make_community, make_user
from tests.notifications.push_service import PushService

OFFER = kinds.Kind(
    code="test_offer_push",
    texts={"zh-CN": ("新的帮忙请求", "{address_as}需要{category}，{time}，{address}"),
           "en": ("A new request for help", "{address_as} needs {category} at {time}, {address}")},
    params=("address_as", "category", "time", "address"),
    push_params=("category", "time"),
    topic="offer-{help_request_id}",
    url="/volunteer/offers/{help_request_id}",
    ttl=timedelta(hours=2),
)
SOS = kinds.Kind(
    code="test_sos_push",
    texts={"zh-CN": ("紧急求助", "{address_as}按下了求助按钮。"), "en": ("SOS", "{address_as} pressed SOS.")},
    params=("address_as",),
    urgency="high", safety=True, quiet_hours="ignore", url="/alerts/{alert_id}", ttl=timedelta(minutes=30),
)
PERSONAL = {"address_as": "王奶奶", "address": "幸福里3幢2单元501", "category": "代购跑腿", "time": "14:00"}


@pytest.fixture(autouse=True)
def test_kinds():
    for kind in (OFFER, SOS):
        kinds.register(kind)
    yield
    for kind in (OFFER, SOS):
        kinds.unregister(kind.code)


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


@pytest.fixture
def recipient():
    return make_user(make_community(), "volunteer", name="张阿姨")


def _queue(user, browser, kind, clock, params=None, data=None, lifetime=None):
    """A committed notification with one push delivery to `browser`, loaded as the worker has it."""
    subscription = PushSubscription(user_id=user.id, endpoint=browser.endpoint, p256dh=browser.p256dh,
                                    auth=browser.auth, label="手机")
    notification = Notification(kind=kind.code, recipient_user_id=user.id, params=params or {}, data=data or {},
                                urgency=kind.urgency, is_safety=kind.safety,
                                expires_at=clock() + (lifetime or kind.ttl))
    db.session.add_all([subscription, notification])
    db.session.flush()
    delivery = Delivery(notification_id=notification.id, channel="push", push_subscription_id=subscription.id,
                        next_attempt_at=clock())
    db.session.add(delivery)
    db.session.commit()
    return delivery


def _send(app, delivery, kind) -> Outcome:
    return webpush.send(delivery, delivery.notification, kind, app.config)


def test_an_offer_arrives_with_ttl_topic_and_normal_urgency_and_no_personal_data(app, push_service, recipient, clock):
    browser = push_service.subscribe()
    delivery = _queue(recipient, browser, OFFER, clock, PERSONAL, {"help_request_id": 412})
    clock.advance(minutes=30)

    outcome = _send(app, delivery, OFFER)

    assert outcome == Outcome("delivered")
    (received,) = push_service.delivered_to(browser)
    assert (received.ttl, received.urgency, received.topic) == (90 * 60, "normal", "offer-412")
    assert received.payload == {"id": delivery.notification_id, "kind": "test_offer_push", "title": "新的帮忙请求",
                                "body": "您有一条新提醒，请打开邻里查看。", "url": "/volunteer/offers/412",
                                "urgency": "normal"}
    text = json.dumps(received.payload, ensure_ascii=False)
    for personal in ("王奶奶", "幸福里", "张阿姨", recipient.phone):
        assert personal not in text


def test_a_kind_whose_texts_use_only_push_params_shows_them_in_the_recipients_language(
        app, push_service, recipient, clock):
    recipient.language = "en"
    kinds.unregister(OFFER.code)
    safe_offer = kinds.register(kinds.Kind(
        code=OFFER.code, texts={"zh-CN": ("新的帮忙请求", "{category}，{time}"), "en": ("New request", "{category} at {time}")},
        params=OFFER.params, push_params=("category", "time"), url=OFFER.url))
    browser = push_service.subscribe()
    delivery = _queue(recipient, browser, safe_offer, clock, {**PERSONAL, "category": "Errands"}, {"help_request_id": 9})

    assert _send(app, delivery, safe_offer).status == "delivered"

    payload = push_service.delivered_to(browser)[0].payload
    assert (payload["title"], payload["body"]) == ("New request", "Errands at 14:00")


def test_a_safety_alert_is_pushed_with_high_urgency_and_its_remaining_lifetime(app, push_service, recipient, clock):
    browser = push_service.subscribe()
    delivery = _queue(recipient, browser, SOS, clock, {"address_as": "王奶奶"}, {"alert_id": 5})

    assert _send(app, delivery, SOS).status == "delivered"

    (received,) = push_service.delivered_to(browser)
    assert (received.ttl, received.urgency, received.topic) == (30 * 60, "high", None)
    assert received.payload["url"] == "/alerts/5"
    assert received.payload["title"] == "紧急求助" and "王奶奶" not in received.payload["body"]


def test_ttl_is_capped_by_the_setting_and_never_zero(app, push_service, recipient, clock):
    browser = push_service.subscribe()
    delivery = _queue(recipient, browser, OFFER, clock, PERSONAL, {"help_request_id": 1},
                      lifetime=timedelta(days=90))
    assert _send(app, delivery, OFFER).status == "delivered"
    assert push_service.delivered_to(browser)[0].ttl == app.config["PUSH_TTL_SECONDS"]

    clock.advance(days=90, seconds=-1)
    assert _send(app, delivery, OFFER).status == "delivered"
    assert push_service.delivered_to(browser)[1].ttl == 1


def test_an_expired_notification_is_not_pushed(app, push_service, recipient, clock):
    browser = push_service.subscribe()
    delivery = _queue(recipient, browser, SOS, clock, {"address_as": "王奶奶"}, {"alert_id": 5})
    clock.advance(minutes=30)

    outcome = _send(app, delivery, SOS)

    assert outcome.status == "failed" and "expired" in outcome.error
    assert push_service.requests_for(browser) == []


@pytest.mark.parametrize("answers, retry_after, expected", [
    ([410], "1", Outcome("gone", None, "push service 127.0.0.1 answered 410")),
    ([404], "1", Outcome("gone", None, "push service 127.0.0.1 answered 404")),
    ([429], "30", Outcome("retry", 30.0, "push service 127.0.0.1 answered 429")),
    ([500], "1", Outcome("retry", None, "push service 127.0.0.1 answered 500")),
    ([503], "1", Outcome("retry", None, "push service 127.0.0.1 answered 503")),
    ([413], "1", Outcome("failed", None, "push service 127.0.0.1 answered 413")),
    ([400], "1", Outcome("failed", None, "push service 127.0.0.1 answered 400")),
])
def test_each_answer_of_the_push_service_becomes_the_right_outcome(
        app, push_service, recipient, clock, answers, retry_after, expected):
    browser = push_service.subscribe(answers=answers, retry_after=retry_after)
    delivery = _queue(recipient, browser, OFFER, clock, PERSONAL, {"help_request_id": 3})

    assert _send(app, delivery, OFFER) == expected
    assert push_service.refused == []


def test_retry_after_as_an_http_date_is_read_against_the_answers_own_date(app, push_service, recipient, clock):
    from datetime import UTC, datetime

    later = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    browser = push_service.subscribe(answers=[429], retry_after=format_datetime(later, usegmt=True))
    delivery = _queue(recipient, browser, OFFER, clock, PERSONAL, {"help_request_id": 3})

    outcome = _send(app, delivery, OFFER)

    assert outcome.status == "retry"
    assert 9 * 60 <= outcome.retry_after <= 10 * 60


def test_retry_after_forms():
    assert webpush.retry_after_seconds("120") == 120.0
    assert webpush.retry_after_seconds("Wed, 26 Nov 2026 02:05:00 GMT", "Wed, 26 Nov 2026 02:00:00 GMT") == 300.0
    assert webpush.retry_after_seconds("Wed, 26 Nov 2026 01:00:00 GMT", "Wed, 26 Nov 2026 02:00:00 GMT") == 0.0
    assert webpush.retry_after_seconds("soon") is None
    assert webpush.retry_after_seconds(None) is None


def test_a_push_service_that_cannot_be_reached_means_retry(app, recipient, clock, push_service):
    browser = push_service.subscribe()
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    browser.endpoint = f"http://127.0.0.1:{port}/push/{browser.token}"
    delivery = _queue(recipient, browser, OFFER, clock, PERSONAL, {"help_request_id": 3})

    outcome = _send(app, delivery, OFFER)

    assert outcome.status == "retry" and outcome.retry_after is None
    assert "unreachable" in outcome.error


def test_a_push_service_that_never_answers_times_out_into_a_retry(app, recipient, clock, push_service):
    browser = push_service.subscribe()
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        browser.endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}/push/{browser.token}"
        delivery = _queue(recipient, browser, OFFER, clock, PERSONAL, {"help_request_id": 3})

        outcome = webpush.send(delivery, delivery.notification, OFFER, {**app.config, "PUSH_TIMEOUT_SECONDS": 0.2})

    assert outcome.status == "retry"
    assert "Timeout" in outcome.error


def test_a_removed_subscription_fails_the_delivery_without_a_request(app, push_service, recipient, clock):
    browser = push_service.subscribe()
    delivery = _queue(recipient, browser, OFFER, clock, PERSONAL, {"help_request_id": 3})
    db.session.delete(delivery.push_subscription)
    db.session.commit()
    db.session.refresh(delivery)

    assert _send(app, delivery, OFFER).status == "failed"
    assert push_service.received == []


def test_a_long_topic_is_hashed_into_the_32_characters_push_services_accept():
    topic = webpush.push_topic("reminder-visit-household-123456789-2026-11-26")

    assert len(topic) == 32 and topic == webpush.push_topic("reminder-visit-household-123456789-2026-11-26")
    assert webpush.push_topic("offer/12") != webpush.push_topic("offer-12")


def test_many_pushes_share_one_connection_and_one_signed_token(app, push_service, recipient, clock):
    browsers = [push_service.subscribe() for _ in range(20)]
    deliveries = [_queue(recipient, browser, OFFER, clock, PERSONAL, {"help_request_id": n})
                  for n, browser in enumerate(browsers)]

    outcomes = {_send(app, delivery, OFFER).status for delivery in deliveries}

    assert outcomes == {"delivered"}
    assert len({received.peer for received in push_service.received}) == 1
    assert len({received.claims["exp"] for received in push_service.received}) == 1


def test_a_subscription_with_keys_no_browser_made_fails_without_a_request(app, push_service, recipient, clock):
    browser = push_service.subscribe()
    delivery = _queue(recipient, browser, OFFER, clock, PERSONAL, {"help_request_id": 3})
    delivery.push_subscription.p256dh = "BNcR"
    db.session.commit()

    outcome = _send(app, delivery, OFFER)

    assert outcome.status == "failed" and "keys" in outcome.error
    assert push_service.received == []


def test_a_long_body_is_shortened_to_fit_a_push(app, push_service, recipient, clock, register_kind):
    chatty = register_kind("test_chatty_push", texts={"zh-CN": ("通知", "{note}"), "en": ("Notice", "{note}")},
                           params=("note",), push_params=("note",))
    browser = push_service.subscribe()
    delivery = _queue(recipient, browser, chatty, clock, {"note": "请带上雨伞。" * 400})

    assert _send(app, delivery, chatty).status == "delivered"

    body = push_service.delivered_to(browser)[0].payload["body"]
    assert body.startswith("请带上雨伞。") and body.endswith("…")
    assert len(json.dumps(push_service.delivered_to(browser)[0].payload, ensure_ascii=False).encode()) <= 3000
