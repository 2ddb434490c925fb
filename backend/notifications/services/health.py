"""Is Linli able to tell people things? The worker's heartbeat and the service's health check."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from backend.common.time import now
from backend.extensions import db
from backend.notifications.models import UNFINISHED, Delivery, Notification, WorkerHeartbeat

HEARTBEATS_KEPT = timedelta(days=7)


def record_heartbeat(name: str, started_at: datetime, stopped: bool = False) -> None:
    """The worker `name` is alive now (or has just stopped cleanly); one committed row per worker."""
    moment = now()
    beat = db.session.scalar(select(WorkerHeartbeat).where(WorkerHeartbeat.name == name))
    if beat is None:  # a worker starting: forget the ones gone for a week
        db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.last_beat_at < moment - HEARTBEATS_KEPT))
        beat = WorkerHeartbeat(name=name, started_at=started_at, last_beat_at=moment)
        db.session.add(beat)
    beat.last_beat_at = moment
    beat.stopped_at = moment if stopped else None
    db.session.commit()


@dataclass
class Health:
    healthy: bool
    database: str  # "ok" or "unreachable"
    worker_last_heartbeat_at: datetime | None = None
    worker_heartbeat_age_s: float | None = None
    oldest_undelivered_safety_age_s: float | None = None
    undelivered_safety_deliveries: int | None = None
    problems: list[str] | None = None


def check() -> Health:
    """Database reachable, the latest worker heartbeat and the oldest safety delivery still
    waiting, judged against HEALTH_MAX_HEARTBEAT_AGE_SECONDS and HEALTH_MAX_SAFETY_DELIVERY_AGE_SECONDS."""
    config = current_app.config
    try:
        db.session.execute(text("SELECT 1"))
        last_beat = db.session.scalar(select(func.max(WorkerHeartbeat.last_beat_at)))
        oldest, waiting = db.session.execute(
            select(func.min(Notification.created_at), func.count())
            .select_from(Delivery).join(Delivery.notification)
            .where(Delivery.status.in_(UNFINISHED), Notification.is_safety.is_(True))).one()
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        return Health(healthy=False, database="unreachable", problems=["database_unreachable"])
    moment = now()
    problems = []
    beat_age = (moment - last_beat).total_seconds() if last_beat else None
    if beat_age is None:
        problems.append("no_worker_heartbeat")
    elif beat_age > config["HEALTH_MAX_HEARTBEAT_AGE_SECONDS"]:
        problems.append("worker_heartbeat_too_old")
    safety_age = max(0.0, (moment - oldest).total_seconds()) if oldest else None
    if safety_age is not None and safety_age > config["HEALTH_MAX_SAFETY_DELIVERY_AGE_SECONDS"]:
        problems.append("safety_delivery_waiting_too_long")
    return Health(healthy=not problems, database="ok", worker_last_heartbeat_at=last_beat,
                  worker_heartbeat_age_s=beat_age, oldest_undelivered_safety_age_s=safety_age,
                  undelivered_safety_deliveries=waiting, problems=problems)
