"""Small builders and queries for the alerts tests: a test-only alert kind, a grid with its
people, and what was told to whom."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from backend.alerts import kinds
from backend.alerts.models import Alert, AlertStep
from backend.extensions import db
from backend.notifications.models import Notification, Timer
from tests.factories import (
    make_admin, make_building, make_community, make_grid, make_household, make_resident, make_user, make_worker,
)

TEST_ALERT = "test_alert"  # a test-only kind: window 10 minutes unless the setting says otherwise
WINDOW = timedelta(minutes=10)


def ensure_test_kind() -> kinds.AlertKind:
    """The test-only alert kind, registered once for the test session."""
    try:
        return kinds.get(TEST_ALERT)
    except kinds.UnknownAlertKind:
        return kinds.register(kinds.AlertKind(
            code=TEST_ALERT, labels={"zh-CN": "测试提醒", "en": "Test alert"}, ack_window=WINDOW))


@dataclass
class Neighbourhood:
    community: object
    grid: object
    resident: object
    worker: object
    second_worker: object
    other_grid_worker: object
    admin: object
    night_worker: object


def neighbourhood() -> Neighbourhood:
    """A community with a grid of two workers and a resident, another grid's worker, an admin, and
    a worker who serves no grid (the night duty)."""
    community = make_community()
    grid = make_grid(community, "第一网格")
    worker = make_worker(grid)
    worker.display_name = "李网格员"
    second_worker = make_worker(grid, primary=False)
    second_worker.display_name = "赵网格员"
    other_grid_worker = make_worker(make_grid(community, "第二网格"))
    resident = make_resident(make_household(make_building(grid, "幸福里3幢")))
    admin = make_admin(community)
    night_worker = make_user(community, "worker", name="夜班周")
    db.session.flush()
    return Neighbourhood(community, grid, resident, worker, second_worker, other_grid_worker, admin, night_worker)


def alert_notices(kind_code: str) -> list[tuple[int, dict]]:
    """(recipient, data) of every notification of a kind, in order."""
    rows = db.session.scalars(select(Notification).where(Notification.kind == kind_code).order_by(Notification.id))
    return [(row.recipient_user_id, row.data) for row in rows]


def recipients(kind_code: str, alert_id: int | None = None) -> list[int]:
    return [user_id for user_id, data in alert_notices(kind_code)
            if alert_id is None or data.get("alert_id") == alert_id]


def steps(alert_id: int) -> list[tuple[str, str | None, list[int]]]:
    """The alert's timeline as (action, reason, told user ids)."""
    rows = db.session.scalars(select(AlertStep).where(AlertStep.alert_id == alert_id)
                              .order_by(AlertStep.at, AlertStep.id))
    return [(step.action, step.reason, [notice.user_id for notice in step.notices]) for step in rows]


def pending_timers(alert_id: int) -> list[Timer]:
    return list(db.session.scalars(select(Timer).where(
        Timer.owner_type == "alert", Timer.owner_id == alert_id, Timer.status == "pending")))


def fresh(alert_id: int) -> Alert:
    db.session.expire_all()
    return db.session.get(Alert, alert_id)
