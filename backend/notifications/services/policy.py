"""The channel policy: which deliveries a notification gets, and when they may go.

- The in-app inbox always (a user's notification is their inbox entry; no delivery row).
- Web Push to each of the user's devices with a working subscription, unless push is off.
- SMS when the kind allows it and the recipient cannot be reached by push (or is a bare
  contact): always for safety kinds, for ordinary kinds only if the user opted in, at most
  SMS_DAILY_CAP a day.
- Non-urgent push and SMS wait until the recipient's quiet hours end; safety and high-urgency
  kinds do not.
"""
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, or_, select

from backend.accounts.models import DeviceSession, User
from backend.community.models import Community
from backend.extensions import db
from backend.notifications.kinds import Kind
from backend.notifications.models import (
    DEFAULT_QUIET_END, DEFAULT_QUIET_START, Delivery, Notification, NotificationPreference, PushSubscription,
)

DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Preferences:
    push_enabled: bool = True
    sms_opt_in: bool = False
    quiet_start_minute: int = DEFAULT_QUIET_START
    quiet_end_minute: int = DEFAULT_QUIET_END


def preferences_of(user_id: int | None) -> Preferences:
    """A user's notification preferences (the defaults without a row, and for bare contacts)."""
    row = db.session.get(NotificationPreference, user_id) if user_id is not None else None
    if row is None:
        return Preferences()
    return Preferences(row.push_enabled, row.sms_opt_in, row.quiet_start_minute, row.quiet_end_minute)


def timezone_of(community_id: int | None) -> str:
    """The community's time zone, in which quiet hours and "a day" are counted."""
    name = db.session.scalar(select(Community.timezone).where(Community.id == community_id)) if community_id else None
    return name or DEFAULT_TIMEZONE


def quiet_hours_end(moment: datetime, start_minute: int, end_minute: int, timezone: str) -> datetime | None:
    """When the quiet hours `moment` falls in end (UTC), or None outside them. The hours may run
    past midnight (21:00–07:00); equal start and end mean no quiet hours."""
    if start_minute == end_minute:
        return None
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    minute = local.hour * 60 + local.minute
    if start_minute < end_minute:
        inside, ends_on = start_minute <= minute < end_minute, local.date()
    else:
        inside = minute >= start_minute or minute < end_minute
        ends_on = local.date() if minute < end_minute else local.date() + timedelta(days=1)
    if not inside:
        return None
    end = datetime.combine(ends_on, time(end_minute // 60, end_minute % 60), tzinfo=zone)
    return end.astimezone(UTC)


def earliest_send(notification: Notification, kind: Kind, moment: datetime) -> datetime:
    """`moment`, or the end of the recipient's quiet hours when the kind waits for them."""
    if not kind.waits_for_quiet_hours:
        return moment
    preferences = preferences_of(notification.recipient_user_id)
    end = quiet_hours_end(moment, preferences.quiet_start_minute, preferences.quiet_end_minute,
                          timezone_of(notification.community_id))
    return end or moment


def working_subscriptions(user_id: int) -> list[PushSubscription]:
    """The user's push subscriptions that still work: not failing again and again, and not on a
    device that has been signed out."""
    limit = current_app.config["PUSH_SUBSCRIPTION_MAX_FAILURES"]
    return list(db.session.scalars(
        select(PushSubscription)
        .outerjoin(DeviceSession, DeviceSession.id == PushSubscription.device_session_id)
        .where(PushSubscription.user_id == user_id, PushSubscription.failure_count < limit,
               or_(PushSubscription.device_session_id.is_(None), DeviceSession.ended_at.is_(None)))
        .order_by(PushSubscription.id)))


def ordinary_sms_today(user_id: int, moment: datetime, timezone: str) -> int:
    """SMS of ordinary (not safety) kinds planned for this user since midnight, local time."""
    zone = ZoneInfo(timezone)
    midnight = moment.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    return db.session.scalar(
        select(func.count()).select_from(Delivery).join(Delivery.notification)
        .where(Delivery.channel == "sms", Notification.recipient_user_id == user_id,
               Notification.is_safety.is_(False), Delivery.created_at >= midnight)) or 0


def sms_allowed(notification: Notification, kind: Kind, user: User | None, moment: datetime) -> bool:
    """Whether this notification may go by SMS (when push cannot carry it)."""
    if "sms" not in kind.channels or not notification.phone:
        return False
    if user is None or kind.safety:  # a bare contact has no other channel; safety always goes
        return True
    if not preferences_of(user.id).sms_opt_in:
        return False
    cap = current_app.config["SMS_DAILY_CAP"]
    return ordinary_sms_today(user.id, moment, timezone_of(notification.community_id)) < cap


def plan_deliveries(notification: Notification, kind: Kind, user: User | None, moment: datetime) -> list[Delivery]:
    """The deliveries a new notification gets, each due when it may first be sent."""
    due = earliest_send(notification, kind, moment)
    deliveries = []
    if user is not None and not user.is_enabled:
        return deliveries  # a disabled account keeps its inbox, nothing is sent out
    if user is not None and "push" in kind.channels and preferences_of(user.id).push_enabled:
        deliveries = [Delivery(channel="push", push_subscription_id=subscription.id, status="pending",
                               next_attempt_at=due, created_at=moment)
                      for subscription in working_subscriptions(user.id)]
    if not deliveries and sms_allowed(notification, kind, user, moment):
        deliveries.append(Delivery(channel="sms", status="pending", next_attempt_at=due, created_at=moment))
    return deliveries
