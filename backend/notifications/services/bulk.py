"""`notify_users()`: the same notification kind to many users at once, written with a few bulk
statements instead of one `notify()` each (an emergency sweep tells hundreds of assignees in the
transaction that starts it). Each notification and its deliveries are exactly what `notify()`
would stage — the inbox entry, a push delivery per working subscription unless push is off, else
SMS where the policy allows it — for kinds that never wait for quiet hours (the bulk path has no
per-recipient quiet-hours clock). It never commits and never sends."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, insert, or_, select, text

from backend.accounts.models import DeviceSession, User
from backend.common.time import now
from backend.extensions import db
from backend.notifications import kinds
from backend.notifications.models import Delivery, Notification, NotificationPreference, PushSubscription
from backend.notifications.services import policy
from backend.notifications.services.outbox import WAKE_CHANNEL, _TOPIC, _check_ids_only, _check_params


def _working_subscriptions(user_ids: list[int]) -> dict[int, list[int]]:
    """policy.working_subscriptions for many users: {user id: [subscription ids]}."""
    limit = current_app.config["PUSH_SUBSCRIPTION_MAX_FAILURES"]
    found: dict[int, list[int]] = {}
    for user_id, subscription_id in db.session.execute(
            select(PushSubscription.user_id, PushSubscription.id)
            .outerjoin(DeviceSession, DeviceSession.id == PushSubscription.device_session_id)
            .where(PushSubscription.user_id.in_(user_ids), PushSubscription.failure_count < limit,
                   or_(PushSubscription.device_session_id.is_(None), DeviceSession.ended_at.is_(None)))
            .order_by(PushSubscription.id)):
        found.setdefault(user_id, []).append(subscription_id)
    return found


def _ordinary_sms_today(user_ids: list[int], moment: datetime, timezone: str) -> dict[int, int]:
    zone = ZoneInfo(timezone)
    midnight = moment.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    return dict(db.session.execute(
        select(Notification.recipient_user_id, func.count()).select_from(Delivery).join(Delivery.notification)
        .where(Delivery.channel == "sms", Notification.recipient_user_id.in_(user_ids),
               Notification.is_safety.is_(False), Delivery.created_at >= midnight)
        .group_by(Notification.recipient_user_id)).all())


def notify_users(kind_code: str, recipients: list[tuple[int, dict, dict]], *, community_id: int) -> int:
    """Stage one notification of `kind_code` to each (user id, params, data); returns how many.

    Users of another community, unknown or disabled ones are told as `notify()` tells them: a
    disabled account gets its inbox entry and nothing sent out."""
    kind = kinds.get(kind_code)
    if kind.waits_for_quiet_hours:
        raise ValueError(f"{kind.code}: notify_users() is for kinds that do not wait for quiet hours")
    if not recipients:
        return 0
    for _, params, data in recipients:
        _check_params(kind, params)
        _check_ids_only(kind, data)
        if kinds.data_placeholders(kind) - set(data):
            raise ValueError(f"{kind.code}: its topic or url needs data {sorted(kinds.data_placeholders(kind))}")
    user_ids = sorted({user_id for user_id, _, _ in recipients})
    users = {row.id: row for row in db.session.execute(
        select(User.id, User.phone, User.is_enabled).where(User.id.in_(user_ids)))}
    push_off = set(db.session.scalars(select(NotificationPreference.user_id).where(
        NotificationPreference.user_id.in_(user_ids), NotificationPreference.push_enabled.is_(False))))
    subscriptions = _working_subscriptions(user_ids) if "push" in kind.channels else {}
    moment = now()
    rows = []
    for user_id, params, data in recipients:
        topic = kind.format_with_data(kind.topic, data)
        if topic is not None and not _TOPIC.match(topic):
            raise ValueError(f"{kind.code}: push topic {topic!r} must be 1–32 URL-safe base64 characters")
        rows.append({"kind": kind.code, "params": params, "data": data, "urgency": kind.urgency,
                     "is_safety": kind.safety, "topic": topic, "community_id": community_id,
                     "recipient_user_id": user_id, "created_at": moment, "expires_at": moment + kind.ttl,
                     "in_inbox": "inapp" in kind.channels})
    ids = db.session.scalars(insert(Notification).returning(Notification.id, sort_by_parameter_order=True),
                             rows).all()
    sms_wanted = [user_id for user_id, _, _ in recipients
                  if user_id in users and users[user_id].is_enabled and not (
                      user_id not in push_off and subscriptions.get(user_id))]
    sms_ok = _sms_allowed(kind, sms_wanted, users, moment, community_id)
    deliveries = []
    for notification_id, (user_id, _, _) in zip(ids, recipients):
        user = users.get(user_id)
        if user is None or not user.is_enabled:
            continue
        pushed = subscriptions.get(user_id, []) if user_id not in push_off else []
        for subscription_id in pushed:
            deliveries.append({"notification_id": notification_id, "channel": "push",
                               "push_subscription_id": subscription_id, "status": "pending",
                               "next_attempt_at": moment, "created_at": moment, "attempts": 0})
        if not pushed and user_id in sms_ok:
            deliveries.append({"notification_id": notification_id, "channel": "sms", "push_subscription_id": None,
                               "status": "pending", "next_attempt_at": moment, "created_at": moment, "attempts": 0})
    if deliveries:
        db.session.execute(insert(Delivery.__table__), deliveries)
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text(f"NOTIFY {WAKE_CHANNEL}"))
    return len(ids)


def _sms_allowed(kind: kinds.Kind, user_ids: list[int], users: dict, moment: datetime, community_id: int) -> set[int]:
    """policy.sms_allowed for the users push cannot reach: a phone, and for an ordinary kind the
    user's opt-in within the daily cap (safety kinds always go)."""
    if "sms" not in kind.channels:
        return set()
    with_phone = [user_id for user_id in user_ids if users[user_id].phone]
    if kind.safety or not with_phone:
        return set(with_phone)
    opted = set(db.session.scalars(select(NotificationPreference.user_id).where(
        NotificationPreference.user_id.in_(with_phone), NotificationPreference.sms_opt_in.is_(True))))
    sent = _ordinary_sms_today(sorted(opted), moment, policy.timezone_of(community_id)) if opted else {}
    cap = current_app.config["SMS_DAILY_CAP"]
    return {user_id for user_id in opted if sent.get(user_id, 0) < cap}
