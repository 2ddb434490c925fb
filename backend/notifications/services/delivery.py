"""The worker's side of the outbox: claim due deliveries, record how each send ended.

Claiming and recording are separate transactions, and the send happens between them with no
transaction open. A claimed delivery is `sending` until its lease ends; a worker that dies
mid-send leaves it to be claimed again after the lease (at-least-once: a recipient may get a
message twice, never zero times; the PWA de-duplicates by notification id).
"""
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Integer, any_, bindparam, delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import contains_eager, joinedload

from backend.accounts.models import User, UserRole
from backend.common.time import now
from backend.community.models import GridWorker
from backend.extensions import db
from backend.notifications import kinds
from backend.notifications.channels.base import Outcome
from backend.notifications.models import UNFINISHED, Delivery, Notification, PushSubscription
from backend.notifications.services import policy
from backend.notifications.services.outbox import notify
from backend.people.models import Resident

log = logging.getLogger(__name__)

MIN_RETRY_SECONDS = 1.0
SECRET_MASK = "••••••"


def retry_delay(attempts: int, retry_after: float | None, base: float, cap: float) -> float:
    """Seconds until the next try: exponential backoff with full jitter (a random wait up to
    base·2^(attempts−1), at most `cap`), never before the server's Retry-After, at least 1 s."""
    ceiling = min(cap, base * 2 ** max(0, attempts - 1))
    delay = random.uniform(0, ceiling)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return max(delay, MIN_RETRY_SECONDS)


@dataclass(frozen=True, slots=True)
class PushTarget:
    """The browser subscription a push delivery goes to: what sending it needs."""

    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True, slots=True)
class ClaimedNotification:
    """What sending a notification needs, read in the claim: no ORM object, no lazy load."""

    id: int
    kind: str
    params: dict
    data: dict
    urgency: str
    topic: str | None
    is_safety: bool
    expires_at: datetime
    community_id: int | None
    language: str
    phone: str | None


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """A delivery this worker holds until `lease_until`; `attempts` counts this attempt."""

    id: int
    notification_id: int
    channel: str
    attempts: int
    lease_until: datetime
    notification: ClaimedNotification
    push_subscription: PushTarget | None


def claim_deliveries(limit: int, lease: timedelta) -> tuple[list[ClaimedDelivery], int]:
    """Take up to `limit` due deliveries (safety first) for this worker, leased for `lease`,
    in one committed transaction; the ones whose notification expired become `expired` instead.
    Returns the claimed deliveries, with what sending them needs, and how many expired.

    PostgreSQL: rows locked by another claiming worker are skipped (FOR UPDATE SKIP LOCKED).
    SQLite: the transaction starts with BEGIN IMMEDIATE, so claims take turns.

    Plain rows, not ORM objects: a batch is read in one query and the worker spends no time
    building and tracking objects it only reads (that was half its database time per push)."""
    moment = now()
    deliveries, notifications = Delivery.__table__, Notification.__table__
    users, subscriptions = User.__table__, PushSubscription.__table__
    # Which ones: the narrowest query that can order them, its rows locked (and read as locked,
    # so as current as the lock). What sending them needs is then read for these few only, not
    # for the whole backlog that was sorted.
    due = (select(deliveries.c.id, deliveries.c.notification_id, deliveries.c.channel, deliveries.c.attempts,
                  deliveries.c.push_subscription_id, deliveries.c.next_attempt_at)
           .join(notifications, notifications.c.id == deliveries.c.notification_id)
           .where(deliveries.c.status.in_(UNFINISHED), deliveries.c.next_attempt_at <= moment)
           .order_by(notifications.c.is_safety.desc(), deliveries.c.next_attempt_at, deliveries.c.id)
           .limit(limit)
           .with_for_update(skip_locked=True, of=deliveries)
           .cte("due"))
    rows = db.session.execute(
        select(due.c.id, due.c.notification_id, due.c.channel, due.c.attempts,
               notifications.c.kind, notifications.c.params, notifications.c.data, notifications.c.urgency,
               notifications.c.topic, notifications.c.is_safety, notifications.c.expires_at,
               notifications.c.community_id, notifications.c.recipient_user_id, notifications.c.contact_language,
               notifications.c.contact_phone, users.c.language, users.c.phone,
               subscriptions.c.endpoint, subscriptions.c.p256dh, subscriptions.c.auth)
        .select_from(due.join(notifications, notifications.c.id == due.c.notification_id)
                     .outerjoin(users, users.c.id == notifications.c.recipient_user_id)
                     .outerjoin(subscriptions, subscriptions.c.id == due.c.push_subscription_id))
        .order_by(notifications.c.is_safety.desc(), due.c.next_attempt_at, due.c.id)
    ).all()
    lease_until = moment + lease
    claimed, expired = [], []
    for row in rows:
        if row.expires_at <= moment:
            expired.append(row)
            continue
        user_id = row.recipient_user_id
        notification = ClaimedNotification(
            id=row.notification_id, kind=row.kind, params=row.params or {}, data=row.data or {},
            urgency=row.urgency, topic=row.topic, is_safety=row.is_safety, expires_at=row.expires_at,
            community_id=row.community_id,
            language=row.language if user_id is not None else (row.contact_language or "zh-CN"),
            phone=row.phone if user_id is not None else row.contact_phone)
        target = PushTarget(row.endpoint, row.p256dh, row.auth) if row.endpoint is not None else None
        claimed.append(ClaimedDelivery(id=row.id, notification_id=row.notification_id, channel=row.channel,
                                       attempts=row.attempts + 1, lease_until=lease_until,
                                       notification=notification, push_subscription=target))
    if claimed:
        db.session.execute(
            update(deliveries).where(_among(deliveries.c.id, [delivery.id for delivery in claimed]))
            .values(status="sending", attempts=deliveries.c.attempts + 1, lease_until=lease_until,
                    next_attempt_at=lease_until))
    if expired:
        db.session.execute(
            update(deliveries).where(_among(deliveries.c.id, [row.id for row in expired]))
            .values(status="expired", lease_until=None,
                    last_error="the notification expired before it was delivered"))
        for notification_id, kind in dict.fromkeys((row.notification_id, row.kind) for row in expired):
            if _has_after_effects(kind):
                _after_delivery_ended(db.session.get(Notification, notification_id), moment)
    db.session.commit()
    return claimed, len(expired)


def loaded(claim: ClaimedDelivery) -> Delivery:
    """A claimed delivery as the ORM object channels are handed for a send one at a time (SMS):
    its notification, recipient and push subscription loaded, in a transaction ended before the
    send (no transaction stays open while a channel talks to the outside world)."""
    delivery = db.session.scalars(
        select(Delivery).where(Delivery.id == claim.id)
        .options(joinedload(Delivery.notification).joinedload(Notification.recipient).lazyload(User.role_rows),
                 joinedload(Delivery.push_subscription))
        .execution_options(populate_existing=True)).unique().one()
    db.session.commit()
    return delivery


def release(delivery: ClaimedDelivery) -> None:
    """Give back a claimed delivery this worker did not start (it is stopping)."""
    db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery.id, Delivery.status == "sending", Delivery.attempts == delivery.attempts)
        .values(status="pending", attempts=delivery.attempts - 1, lease_until=None, next_attempt_at=now()))
    db.session.commit()


def lease_holds(delivery: ClaimedDelivery) -> bool:
    """Whether this worker's lease on a claimed delivery still runs (else another may take it)."""
    return delivery.lease_until is not None and now() < delivery.lease_until


def record_outcome(delivery_id: int, attempt: int, outcome: Outcome) -> None:
    """Write how attempt number `attempt` of a delivery ended, in a transaction of its own.
    Nothing is written when the lease ran out and another worker took the delivery meanwhile."""
    record_outcomes([(delivery_id, attempt, outcome)])


def record_outcomes(results: list[tuple[int, int, Outcome]]) -> None:
    """Write how each (delivery id, attempt number, outcome) ended, all in one transaction: the
    worker records a batch of pushes at once. As with `record_outcome`, an attempt whose lease
    ran out and whose delivery another worker took over writes nothing."""
    moment = now()
    delivered = sorted((delivery_id, attempt) for delivery_id, attempt, outcome in results
                       if outcome.status == "delivered")
    if delivered:
        _record_delivered(delivered, moment)
    for delivery_id, attempt, outcome in sorted(item for item in results if item[2].status != "delivered"):
        _record_other(delivery_id, attempt, outcome, moment)
    db.session.commit()


def _record_delivered(attempts: list[tuple[int, int]], moment: datetime) -> None:
    """The common case in a few statements whatever the number: the deliveries still held are
    marked delivered and their subscriptions working."""
    deliveries, notifications = Delivery.__table__, Notification.__table__
    kind = select(notifications.c.kind).where(notifications.c.id == deliveries.c.notification_id).scalar_subquery()
    held = db.session.execute(
        update(deliveries)
        .where(_attempts_among(deliveries, attempts), deliveries.c.status == "sending")
        .values(status="delivered", lease_until=None, delivered_at=moment)
        .returning(deliveries.c.notification_id, deliveries.c.push_subscription_id, kind)).all()
    subscription_ids = sorted({row[1] for row in held if row[1]})
    if subscription_ids:
        subscriptions = PushSubscription.__table__
        db.session.execute(update(subscriptions).where(_among(subscriptions.c.id, subscription_ids))
                           .values(last_success_at=moment, failure_count=0))
    # A delivered message alerts nobody; only kinds with secret params have more to do.
    secret_kinds = {code for code in {row[2] for row in held} if getattr(_kind_or_none(code), "secret_params", None)}
    if secret_kinds:
        ids = sorted({row[0] for row in held if row[2] in secret_kinds})
        for notification in db.session.scalars(select(Notification).where(Notification.id.in_(ids))
                                               .order_by(Notification.id)):
            _after_delivery_ended(notification, moment)


def _record_other(delivery_id: int, attempt: int, outcome: Outcome, moment: datetime) -> None:
    delivery = db.session.scalar(
        select(Delivery).join(Delivery.notification)
        .where(Delivery.id == delivery_id, Delivery.status == "sending", Delivery.attempts == attempt)
        .with_for_update(of=Delivery)
        .options(contains_eager(Delivery.notification))
        .execution_options(populate_existing=True))
    if delivery is None:
        return
    notification = delivery.notification
    kind = _kind_or_none(notification.kind)
    config = current_app.config
    status, retry_after, error = outcome
    subscription = (db.session.get(PushSubscription, delivery.push_subscription_id)
                    if delivery.push_subscription_id else None)
    if status == "retry" and subscription is not None and \
            subscription.failure_count + 1 >= config["PUSH_SUBSCRIPTION_MAX_FAILURES"]:
        # A device that keeps failing no longer counts as reachable: SMS may take over now.
        subscription.failure_count += 1
        _finish(delivery, "failed", f"{error or 'temporary failure'} (failed {subscription.failure_count} "
                                    "times in a row: no longer a working subscription)")
    elif status == "retry":
        if subscription is not None:
            subscription.failure_count += 1
        delay = retry_delay(delivery.attempts, retry_after, config["DELIVERY_BACKOFF_BASE_SECONDS"],
                            config["DELIVERY_BACKOFF_MAX_SECONDS"])
        next_at = moment + timedelta(seconds=delay)
        if kind is not None:
            next_at = policy.earliest_send(notification, kind, next_at)
        # Never later than the expiry: the claim then marks it expired, on time.
        delivery.status, delivery.lease_until = "pending", None
        delivery.next_attempt_at = min(next_at, notification.expires_at)
        delivery.last_error = _short(error or "temporary failure")
    elif status == "gone":
        if subscription is not None:
            db.session.execute(delete(PushSubscription).where(PushSubscription.id == subscription.id))
            delivery.push_subscription_id = None
        _finish(delivery, "failed", error or "the push subscription is gone")
    else:
        if subscription is not None:
            subscription.failure_count += 1
        _finish(delivery, "failed", error or "failed")
    if delivery.status == "failed" and delivery.channel == "push" and kind is not None:
        _fall_back_to_sms(notification, kind, moment)
    if delivery.status not in UNFINISHED:
        _after_delivery_ended(notification, moment)


def _kind_or_none(code: str) -> kinds.Kind | None:
    try:
        return kinds.get(code)
    except kinds.UnknownKind:
        return None


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _among(column, ids: list[int]):
    """`column IN ids`. On PostgreSQL as one array parameter: the statement's text is the same
    whatever the number, so it is prepared and planned once, not once per batch."""
    if _on_postgresql():
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def _attempts_among(deliveries, attempts: list[tuple[int, int]]):
    """`(id, attempts) IN attempts`, on PostgreSQL as two array parameters (see _among)."""
    if _on_postgresql():
        ids, numbers = zip(*attempts)
        return tuple_(deliveries.c.id, deliveries.c.attempts).in_(
            select(func.unnest(bindparam(None, list(ids), type_=ARRAY(Integer))),
                   func.unnest(bindparam(None, list(numbers), type_=ARRAY(Integer)))))
    return tuple_(deliveries.c.id, deliveries.c.attempts).in_(attempts)


def _has_after_effects(code: str) -> bool:
    """Whether a delivery of this kind ending can mean more work (see _after_delivery_ended)."""
    kind = _kind_or_none(code)
    return kind is not None and bool(kind.secret_params or kind.alert_when_undelivered)


def _short(text: str | None) -> str | None:
    return text[:500] if text else text


def _finish(delivery: Delivery, status: str, error: str | None = None) -> None:
    delivery.status, delivery.lease_until = status, None
    if error is not None:
        delivery.last_error = _short(error)


def _fall_back_to_sms(notification: Notification, kind: kinds.Kind, moment: datetime) -> None:
    """Push reached none of the recipient's devices: SMS takes over, if the policy allows it."""
    siblings = db.session.scalars(select(Delivery).where(Delivery.notification_id == notification.id)).all()
    if any(d.channel == "sms" for d in siblings):
        return
    if any(d.channel == "push" and d.status in (*UNFINISHED, "delivered") for d in siblings):
        return
    if notification.expires_at <= moment or not policy.sms_allowed(notification, kind, notification.recipient, moment):
        return
    db.session.add(Delivery(notification_id=notification.id, channel="sms", status="pending", created_at=moment,
                            next_attempt_at=policy.earliest_send(notification, kind, moment)))
    db.session.flush()


def _after_delivery_ended(notification: Notification, moment: datetime) -> None:
    """Once every delivery of a notification has ended: blank its secret params, and if it is a
    safety notification that reached nobody, alert the people responsible (once).

    The notification row is locked first, so of two workers ending its last two deliveries at
    once, the second waits and then sees the first's outcome: one of them always acts."""
    kind = _kind_or_none(notification.kind)
    if kind is None or not (kind.secret_params or kind.alert_when_undelivered):
        return
    db.session.scalar(select(Notification).where(Notification.id == notification.id)
                      .with_for_update().execution_options(populate_existing=True))
    statuses = db.session.scalars(select(Delivery.status).where(Delivery.notification_id == notification.id)).all()
    if any(status in UNFINISHED for status in statuses):
        return
    if kind.secret_params:
        notification.params = {name: SECRET_MASK if name in kind.secret_params else value
                               for name, value in notification.params.items()}
    if (kind.alert_when_undelivered and notification.undelivered_alert_at is None
            and "delivered" not in statuses):
        notification.undelivered_alert_at = moment
        _alert_responsible(notification)


def _responsible(notification: Notification) -> tuple[list[User], int | None]:
    """Who answers for a notification that reached nobody: the grid workers of the resident
    it is about, else the community's admins; and the community."""
    community_id = notification.community_id
    resident_id = notification.data.get("resident_id")
    resident = db.session.get(Resident, resident_id) if isinstance(resident_id, int) else None
    if resident is not None:
        grid = resident.household.building.grid
        community_id = grid.community_id
        workers = db.session.scalars(
            select(User).join(GridWorker, GridWorker.user_id == User.id)
            .where(GridWorker.grid_id == grid.id, User.is_enabled.is_(True)).order_by(User.id)).all()
        if workers:
            return list(workers), community_id
    if community_id is None:
        return [], None
    admins = db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "admin", User.community_id == community_id, User.is_enabled.is_(True))
        .order_by(User.id)).all()
    return list(admins), community_id


def _alert_responsible(notification: Notification) -> None:
    people, community_id = _responsible(notification)
    if not people:
        log.error("safety notification %s reached nobody and nobody is responsible for it", notification.id)
        return
    name = notification.recipient.display_name if notification.recipient else (notification.contact_name or "")
    data = {"notification_id": notification.id}
    if isinstance(notification.data.get("resident_id"), int):
        data["resident_id"] = notification.data["resident_id"]
    for person in people:
        notify(kinds.DELIVERY_EXPIRED.code, user=person, params={"recipient_name": name}, data=data,
               community_id=community_id)
