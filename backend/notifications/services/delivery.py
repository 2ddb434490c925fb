"""The worker's side of the outbox: claim due deliveries, record how each send ended.

Claiming and recording are separate transactions, and the send happens between them with no
transaction open. A claimed delivery is `sending` until its lease ends; a worker that dies
mid-send leaves it to be claimed again after the lease (at-least-once: a recipient may get a
message twice, never zero times; the PWA de-duplicates by notification id).
"""
import logging
import random
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

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


def claim_deliveries(limit: int, lease: timedelta) -> tuple[list[Delivery], int]:
    """Take up to `limit` due deliveries (safety first) for this worker, leased for `lease`,
    in one committed transaction; the ones whose notification expired become `expired` instead.
    Returns the claimed deliveries (notification, recipient and subscription loaded) and how
    many expired.

    PostgreSQL: rows locked by another claiming worker are skipped (FOR UPDATE SKIP LOCKED).
    SQLite: the transaction starts with BEGIN IMMEDIATE, so claims take turns."""
    moment = now()
    rows = db.session.scalars(
        select(Delivery).join(Delivery.notification)
        .where(Delivery.status.in_(UNFINISHED), Delivery.next_attempt_at <= moment)
        .order_by(Notification.is_safety.desc(), Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Delivery)
        # One query, not five: the rows a batch needs come in a single round trip (the
        # recipients' roles, which sending never needs, are not loaded).
        .options(contains_eager(Delivery.notification).joinedload(Notification.recipient).lazyload(User.role_rows),
                 joinedload(Delivery.push_subscription))
        .execution_options(populate_existing=True)
    ).unique().all()
    claimed, ended = [], []
    for delivery in rows:
        if delivery.notification.expires_at <= moment:
            _finish(delivery, "expired", "the notification expired before it was delivered")
            ended.append(delivery.notification)
        else:
            claimed.append(delivery)
    if claimed:  # one UPDATE for the batch, mirrored on the loaded rows (cheaper than "evaluate")
        db.session.execute(
            update(Delivery).where(Delivery.id.in_([delivery.id for delivery in claimed]))
            .values(status="sending", attempts=Delivery.attempts + 1, lease_until=moment + lease,
                    next_attempt_at=moment + lease)
            .execution_options(synchronize_session=False))
        for delivery in claimed:
            set_committed_value(delivery, "status", "sending")
            set_committed_value(delivery, "attempts", delivery.attempts + 1)
            set_committed_value(delivery, "lease_until", moment + lease)
            set_committed_value(delivery, "next_attempt_at", moment + lease)
    for notification in dict.fromkeys(ended):
        _after_delivery_ended(notification, moment)
    db.session.commit()
    return claimed, len(ended)


def release(delivery: Delivery) -> None:
    """Give back a claimed delivery this worker did not start (it is stopping)."""
    db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery.id, Delivery.status == "sending", Delivery.attempts == delivery.attempts)
        .values(status="pending", attempts=delivery.attempts - 1, lease_until=None, next_attempt_at=now()))
    db.session.commit()


def lease_holds(delivery: Delivery) -> bool:
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
    kind = select(Notification.kind).where(Notification.id == Delivery.notification_id).scalar_subquery()
    held = db.session.execute(
        update(Delivery)
        .where(tuple_(Delivery.id, Delivery.attempts).in_(attempts), Delivery.status == "sending")
        .values(status="delivered", lease_until=None, delivered_at=moment)
        .returning(Delivery.notification_id, Delivery.push_subscription_id, kind)).all()
    subscription_ids = sorted({row[1] for row in held if row[1]})
    if subscription_ids:
        db.session.execute(update(PushSubscription).where(PushSubscription.id.in_(subscription_ids))
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
