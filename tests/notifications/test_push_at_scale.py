"""Issue 4's scenario: the worker pushes to 1,000 subscriptions on the local push service, of which
10 % answer 410, 5 % 404, 5 % 429 then 201 and 2 % 500 then 201."""
import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.notifications.models import UNFINISHED, Delivery, PushSubscription
from backend.notifications.services.outbox import notify
from tests.factories import make_community, make_user
from tests.notifications.helpers import run_worker
from tests.notifications.push_service import PushService

USERS, DEVICES_EACH = 100, 10
SCRIPTS = [[410]] * 100 + [[404]] * 50 + [[429]] * 50 + [[500]] * 20 + [[]] * 780


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


def test_a_thousand_subscriptions_gone_ones_deleted_transient_ones_delivered(
        app, push_service, clock, register_kind):
    kind = register_kind("test_scale_push", texts={"zh-CN": ("测试", "测试推送"), "en": ("Test", "A test push")},
                         quiet_hours="ignore", ttl=timedelta(days=1), topic="scale-{round_id}")
    scripts = random.Random(4).sample(SCRIPTS, len(SCRIPTS))
    community = make_community()
    browsers, owner_of = [], {}
    for user_index in range(USERS):
        user = make_user(community, "volunteer", password=None)
        for device in range(DEVICES_EACH):
            browser = push_service.subscribe(answers=scripts[user_index * DEVICES_EACH + device], retry_after="30")
            db.session.add(PushSubscription(user_id=user.id, endpoint=browser.endpoint, p256dh=browser.p256dh,
                                            auth=browser.auth, label=f"设备{device}"))
            browsers.append(browser)
            owner_of[browser.token] = user
    db.session.flush()
    notification_of = {user.id: notify(kind.code, user=user, data={"round_id": 1}).id
                       for user in {id(u): u for u in owner_of.values()}.values()}
    db.session.commit()

    for _ in range(5):  # each round runs until nothing is due, then the clock passes every backoff
        run_worker(app)
        if not db.session.scalars(select(Delivery.id).where(Delivery.status.in_(UNFINISHED))).first():
            break
        clock.advance(seconds=app.config["DELIVERY_BACKOFF_MAX_SECONDS"])

    remaining = set(db.session.scalars(select(PushSubscription.endpoint)))
    gone = [browser for browser, script in zip(browsers, scripts) if script in ([404], [410])]
    transient = [browser for browser, script in zip(browsers, scripts) if script in ([429], [500])]
    assert not remaining & {browser.endpoint for browser in gone}
    assert remaining == {browser.endpoint for browser in browsers} - {browser.endpoint for browser in gone}
    for browser, script in zip(browsers, scripts):
        statuses = [received.status for received in push_service.requests_for(browser)]
        assert statuses == (script if script in ([404], [410]) else [*script, 201]), browser.token
    for browser in [browser for browser in browsers if browser not in gone]:
        (delivered,) = push_service.delivered_to(browser)
        assert delivered.payload["id"] == notification_of[owner_of[browser.token].id]
        assert (delivered.topic, delivered.urgency) == ("scale-1", "normal") and delivered.ttl > 0
    assert len(transient) == 70
    statuses = db.session.scalars(select(Delivery.status)).all()
    assert (statuses.count("delivered"), statuses.count("failed"), len(statuses)) == (850, 150, 1000)
    assert push_service.refused == []
