"""The in-app inbox: a user's own notifications, unread first, and marking them read."""
from dataclasses import dataclass

from sqlalchemy import case, func, select, update

from backend.accounts.models import User
from backend.common.pagination import Page, paginate
from backend.common.time import now
from backend.errors import NotFound
from backend.extensions import db
from backend.notifications.models import Notification


@dataclass
class UnreadCount:
    unread: int
    latest_unread_id: int | None  # changes when a new one arrives, even if another was read


def _own(user: User):
    return select(Notification).where(Notification.recipient_user_id == user.id, Notification.in_inbox.is_(True))


def list_notifications(user: User, page: int, per_page: int) -> Page:
    """The user's notifications: unread first, then newest first."""
    statement = _own(user).order_by(case((Notification.read_at.is_(None), 0), else_=1),
                                    Notification.created_at.desc(), Notification.id.desc())
    return paginate(statement, page, per_page)


def unread_count(user: User) -> UnreadCount:
    unread, latest = db.session.execute(
        select(func.count(), func.max(Notification.id))
        .where(Notification.recipient_user_id == user.id, Notification.in_inbox.is_(True),
               Notification.read_at.is_(None))).one()
    return UnreadCount(unread=unread or 0, latest_unread_id=latest)


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (again: it keeps the first time)."""
    notification = db.session.scalar(_own(user).where(Notification.id == notification_id))
    if notification is None:
        raise NotFound("该通知", "Notification")
    if notification.read_at is None:
        notification.read_at = now()
    db.session.commit()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    marked = db.session.execute(
        update(Notification)
        .where(Notification.recipient_user_id == user.id, Notification.in_inbox.is_(True),
               Notification.read_at.is_(None))
        .values(read_at=now()).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return marked
