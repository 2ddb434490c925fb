"""Small builders and queries for the notifications tests."""
from sqlalchemy import func, select

from backend.extensions import db
from backend.notifications.models import Delivery, Notification, PushSubscription, SmsMessage
from backend.notifications.worker import Worker


def add_subscription(user, endpoint: str | None = None, n: int = 1, **fields) -> PushSubscription:
    """A push subscription row (keys made up unless given: enough for the policy, not to send)."""
    fields = {"p256dh": "BNcR", "auth": "tBHI", "label": "手机", **fields}
    subscription = PushSubscription(
        user_id=user.id, endpoint=endpoint or f"https://push.example.net/{user.id}-{n}", **fields)
    db.session.add(subscription)
    db.session.flush()
    return subscription


def run_worker(app):
    """Run one worker in this process until nothing is due (`flask worker --once`)."""
    return Worker(app).run(once=True)


def deliveries_of(notification_id: int) -> list[Delivery]:
    return list(db.session.scalars(select(Delivery).where(Delivery.notification_id == notification_id)
                                   .order_by(Delivery.id)))


def sms_to(phone: str) -> list[SmsMessage]:
    return list(db.session.scalars(select(SmsMessage).where(SmsMessage.phone == phone).order_by(SmsMessage.id)))


def notifications_of_kind(code: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.kind == code).order_by(Notification.id)))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
