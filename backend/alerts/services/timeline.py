"""What every alert use case stages: timeline steps, the people told at each, and who answers
for an alert. Nothing here commits; the use cases do."""
from datetime import datetime

from sqlalchemy import select

from backend.accounts.models import User, UserRole
from backend.alerts import kinds
from backend.alerts.models import Alert, AlertNotice, AlertStep
from backend.common.time import now
from backend.community.models import Community, GridWorker
from backend.extensions import db
from backend.notifications.services.outbox import notify


def locked_alert(alert_id: int) -> Alert | None:
    """The alert, its row locked until the transaction ends (fresh from the database)."""
    return db.session.scalar(select(Alert).where(Alert.id == alert_id).with_for_update()
                             .execution_options(populate_existing=True))


def add_step(alert: Alert, action: str, *, actor: User | None = None, reason: str | None = None,
             note: str | None = None, at: datetime | None = None) -> AlertStep:
    step = AlertStep(alert_id=alert.id, action=action, at=at or now(), actor_id=actor.id if actor else None,
                     level=alert.level, reason=reason, note=note)
    alert.steps.append(step)
    db.session.flush()
    return step


def subject_of(alert: Alert) -> str:
    """Who an alert is about, as staff read it: 王奶奶 · 幸福里3幢, or the community's name."""
    resident = alert.resident
    if resident is not None:
        return f"{resident.address_as} · {resident.household.building.label}"
    return db.session.get(Community, alert.community_id).name


def label_params(alert: Alert) -> dict:
    return {"label_zh": kinds.label(alert.kind, "zh-CN"), "label_en": kinds.label(alert.kind, "en"),
            "subject": subject_of(alert)}


def tell(alert: Alert, step: AlertStep, people: list[User], notification_kind: str, **params) -> None:
    """Notify each person (in this transaction) and note on the step that they were told."""
    data = {"alert_id": alert.id}
    if alert.resident_id is not None:
        data["resident_id"] = alert.resident_id  # an undelivered notice then alerts the grid's workers
    for person in people:
        notification = notify(notification_kind, user=person, params={**label_params(alert), **params},
                              data=data, community_id=alert.community_id)
        step.notices.append(AlertNotice(alert_id=alert.id, user_id=person.id, notification_id=notification.id))
    db.session.flush()


def told_ids(alert: Alert) -> set[int]:
    """Everyone told about the alert so far, at any step."""
    return set(db.session.scalars(select(AlertNotice.user_id).where(AlertNotice.alert_id == alert.id)))


def grid_workers(grid_id: int | None) -> list[User]:
    if grid_id is None:
        return []
    return list(db.session.scalars(
        select(User).join(GridWorker, GridWorker.user_id == User.id)
        .where(GridWorker.grid_id == grid_id, User.is_enabled.is_(True))
        .order_by(GridWorker.is_primary.desc(), User.id)))


def admins_of(community_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "admin", User.community_id == community_id, User.is_enabled.is_(True))
        .order_by(User.id)))


def minutes_waiting(alert: Alert, moment: datetime) -> int:
    return max(0, int((moment - alert.created_at).total_seconds() // 60))
