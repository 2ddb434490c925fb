"""The outbox and what the worker needs: notifications, their deliveries, push subscriptions,
preferences, timers, the worker's heartbeat, the SMS log and verification codes."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.common.time import UTCDateTime, now
from backend.extensions import db

CHANNELS = ("inapp", "push", "sms")
DELIVERY_STATUSES = ("pending", "sending", "delivered", "failed", "expired")
UNFINISHED = ("pending", "sending")
TIMER_STATUSES = ("pending", "fired", "cancelled")
DEFAULT_QUIET_START = 21 * 60
DEFAULT_QUIET_END = 7 * 60


class Notification(db.Model):
    """One message to one recipient; for a user it is also their inbox entry.

    The recipient is a user, or a bare contact (name, phone, language) reached by SMS only.
    `params` fill the kind's texts; `data` holds ids only (it goes into push payloads)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_inbox", "recipient_user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    contact_name: Mapped[str | None] = mapped_column(String(40))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    contact_language: Mapped[str | None] = mapped_column(String(8))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    urgency: Mapped[str] = mapped_column(String(8))  # copied from the kind: normal, high
    is_safety: Mapped[bool] = mapped_column(default=False)
    in_inbox: Mapped[bool] = mapped_column(default=True)
    topic: Mapped[str | None] = mapped_column(String(32))  # a newer push with this topic replaces an older
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A safety notification that reached nobody alerts the people responsible, once.
    undelivered_alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User | None] = relationship()
    deliveries: Mapped[list["Delivery"]] = relationship(
        back_populates="notification", cascade="all, delete-orphan", order_by="Delivery.id"
    )

    @property
    def language(self) -> str:
        """The language the recipient reads: the user's own preference, or the contact's."""
        if self.recipient is not None:
            return self.recipient.language
        return self.contact_language or "zh-CN"

    @property
    def phone(self) -> str | None:
        return self.recipient.phone if self.recipient is not None else self.contact_phone


class PushSubscription(db.Model):
    """A browser's Web Push subscription on one device of a user."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    device_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("device_sessions.id", ondelete="SET NULL"), index=True
    )
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))  # the browser's public key, base64url
    auth: Mapped[str] = mapped_column(String(100))  # the browser's auth secret, base64url
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure_count: Mapped[int] = mapped_column(default=0)  # failed sends since the last success


class Delivery(db.Model):
    """One channel's attempt to bring a notification to its recipient (push: to one device).

    The in-app inbox needs no delivery: the committed notification is the inbox entry."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # push, sms
    push_subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("push_subscriptions.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    # When a worker may take it next; while `sending`, the end of the claiming worker's lease.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    notification: Mapped[Notification] = relationship(back_populates="deliveries")
    push_subscription: Mapped[PushSubscription | None] = relationship()


class NotificationPreference(db.Model):
    """A user's channel choices and quiet hours; no row means the defaults. Their language is
    the account's own display preference (users.language), not a second copy."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    push_enabled: Mapped[bool] = mapped_column(default=True)
    sms_opt_in: Mapped[bool] = mapped_column(default=False)  # SMS for ordinary kinds (safety: always)
    # Minutes from midnight in the community's time zone; equal start and end: no quiet hours.
    quiet_start_minute: Mapped[int] = mapped_column(default=DEFAULT_QUIET_START)
    quiet_end_minute: Mapped[int] = mapped_column(default=DEFAULT_QUIET_END)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class Timer(db.Model):
    """Something to do at a time, owned by an object: written in the transaction that needs it,
    cancelled when it no longer does, fired by the worker (backend/notifications/timers.py)."""

    __tablename__ = "timers"
    __table_args__ = (
        Index("ix_timers_due", "status", "due_at"),
        Index("ix_timers_owner", "owner_type", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    handler: Mapped[str] = mapped_column(String(64))
    owner_type: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int] = mapped_column()
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WorkerHeartbeat(db.Model):
    """A worker process saying it is alive; /api/v1/health reads the latest."""

    __tablename__ = "worker_heartbeats"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)  # host:pid:start
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_beat_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SmsMessage(db.Model):
    """What the `log` SMS provider "sent": the stand-in for a real provider in development and
    tests. Written in its own commit, as an external system would, so it has no foreign keys."""

    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    template_id: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    delivery_id: Mapped[int | None] = mapped_column(index=True)  # the provider's "out id"
    community_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class VerificationCode(db.Model):
    """A 6-digit code sent by SMS to prove a phone number; only its keyed hash is kept."""

    __tablename__ = "verification_codes"
    __table_args__ = (Index("ix_verification_codes_phone", "phone", "purpose", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_attempts: Mapped[int] = mapped_column(default=0)
