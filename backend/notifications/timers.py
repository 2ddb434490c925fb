"""Timers: "do this at that time" as rows, so a restart forgets nothing.

A use case schedules a timer in its own transaction (`schedule`) and cancels it there when it
is no longer needed (`cancel`); neither commits. Handlers are registered in code by name:

    @timer_handler("escalate_alert")
    def escalate(timer):            # runs in the transaction that marks the timer fired
        ...

The worker fires due timers: each handler runs in the same transaction that marks its timer
fired, so its effects and the "fired" mark commit together or not at all. A handler that
raises is rolled back and tried again later (backoff); its error is kept on the timer.
"""
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from backend.common.registry import Registry
from backend.common.time import now
from backend.extensions import db
from backend.notifications.models import Timer
from backend.notifications.services.delivery import retry_delay

log = logging.getLogger(__name__)

_HANDLERS: Registry[Callable[[Timer], None]] = Registry("timer handler")


def timer_handler(name: str):
    """Register `function(timer)` as the handler of timers named `name`."""
    def decorator(function):
        return _HANDLERS.register(name, function)
    return decorator


def unregister_handler(name: str) -> None:
    """Remove a handler (tests register their own and remove them afterwards)."""
    _HANDLERS.unregister(name)


def schedule(handler: str, due_at: datetime, owner: tuple[str, int], payload: dict | None = None) -> Timer:
    """Stage a timer: `handler` runs at `due_at` for `owner` (type, id); no commit."""
    if handler not in _HANDLERS:
        raise ValueError(f"no timer handler named {handler!r} is registered")
    owner_type, owner_id = owner
    timer = Timer(handler=handler, owner_type=owner_type, owner_id=owner_id, payload=dict(payload or {}),
                  due_at=due_at, status="pending", created_at=now())
    db.session.add(timer)
    db.session.flush()
    return timer


def cancel(owner: tuple[str, int], handler: str | None = None) -> int:
    """Stage the cancellation of the owner's pending timers (of one handler, or all); no
    commit. Returns how many were cancelled."""
    owner_type, owner_id = owner
    statement = (update(Timer)
                 .where(Timer.owner_type == owner_type, Timer.owner_id == owner_id, Timer.status == "pending")
                 .values(status="cancelled", cancelled_at=now(), lease_until=None)
                 .execution_options(synchronize_session="fetch"))
    if handler is not None:
        statement = statement.where(Timer.handler == handler)
    return db.session.execute(statement).rowcount


def claim_due_timers(limit: int, lease: timedelta) -> list[int]:
    """Lease up to `limit` due timers to this worker, in one committed transaction (PostgreSQL
    skips rows another worker is claiming; SQLite claims take turns). Returns their ids."""
    moment = now()
    timers = db.session.scalars(
        select(Timer)
        .where(Timer.status == "pending", Timer.due_at <= moment,
               or_(Timer.lease_until.is_(None), Timer.lease_until <= moment))
        .order_by(Timer.due_at, Timer.id).limit(limit)
        .with_for_update(skip_locked=True)).all()
    for timer in timers:
        timer.lease_until = moment + lease
    db.session.commit()
    return [timer.id for timer in timers]


def release(timer_ids: list[int]) -> None:
    """Give back claimed timers this worker did not start (it is stopping)."""
    db.session.execute(update(Timer).where(Timer.id.in_(timer_ids), Timer.status == "pending")
                       .values(lease_until=None).execution_options(synchronize_session=False))
    db.session.commit()


def fire(timer_id: int) -> bool:
    """Run a claimed timer's handler and mark it fired, in one transaction. False when it was
    cancelled or fired meanwhile, or when its handler failed (then it is retried later)."""
    timer = db.session.scalar(select(Timer).where(Timer.id == timer_id).with_for_update())
    if timer is None or timer.status != "pending":
        db.session.commit()
        return False
    name = timer.handler
    try:
        _HANDLERS.get(name)(timer)
        timer.status, timer.fired_at, timer.lease_until = "fired", now(), None
        timer.attempts += 1
        db.session.commit()
        return True
    except Exception as error:  # the handler's effects are rolled back; the timer waits and retries
        db.session.rollback()
        log.exception("timer %s (%s) failed", timer_id, name)
        _postpone(timer_id, f"{type(error).__name__}: {error}")
        return False


def _postpone(timer_id: int, error: str) -> None:
    timer = db.session.get(Timer, timer_id)
    if timer is None or timer.status != "pending":
        db.session.commit()
        return
    config = current_app.config
    timer.attempts += 1
    delay = retry_delay(timer.attempts, None, config["DELIVERY_BACKOFF_BASE_SECONDS"],
                        config["DELIVERY_BACKOFF_MAX_SECONDS"])
    timer.lease_until = now() + timedelta(seconds=delay)
    timer.last_error = error[:500]
    db.session.commit()
