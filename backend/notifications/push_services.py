"""Web Push subscription use cases: a signed-in person registers, lists and removes their browsers.

A subscription belongs to the user and the device session it was posted from. The endpoint is
the browser's identity: posting it again updates that row. If another person now signs in on
the same browser, the old row is removed and a new one made, so nothing still queued for the
previous person reaches the new one's screen.
"""
from sqlalchemy import select

from backend.accounts.models import User
from backend.common.pagination import Page, paginate
from backend.errors import NotFound
from backend.extensions import db
from backend.notifications.models import PushSubscription
from backend.notifications.vapid import current_keys


def public_key() -> dict:
    """The applicationServerKey browsers subscribe with."""
    return {"public_key": current_keys().application_server_key}


def subscribe(user: User, body: dict) -> tuple[PushSubscription, bool]:
    """Registers this browser for Web Push; returns the subscription and whether it is new."""
    device_session = user.current_device_session
    subscription = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == body["endpoint"]))
    if subscription is not None and subscription.user_id != user.id:
        db.session.delete(subscription)
        db.session.flush()
        subscription = None
    created = subscription is None
    if created:
        subscription = PushSubscription(user_id=user.id, endpoint=body["endpoint"])
        db.session.add(subscription)
    subscription.device_session_id = device_session.id if device_session is not None else None
    subscription.p256dh = body["keys"]["p256dh"]
    subscription.auth = body["keys"]["auth"]
    subscription.label = body["label"]
    subscription.failure_count = 0
    db.session.commit()
    return subscription, created


def own_subscriptions(user: User, query: dict) -> Page:
    """The user's push subscriptions, newest first."""
    statement = (select(PushSubscription).where(PushSubscription.user_id == user.id)
                 .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc()))
    return paginate(statement, query["page"], query["per_page"])


def unsubscribe(user: User, subscription_id: int) -> None:
    """Removes one of the user's subscriptions (another's is not found)."""
    subscription = db.session.get(PushSubscription, subscription_id)
    if subscription is None or subscription.user_id != user.id:
        raise NotFound("推送订阅", "Push subscription")
    db.session.delete(subscription)
    db.session.commit()
