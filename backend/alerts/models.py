"""Alerts that need an owner, their timelines and who was told, and the on-duty roster."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.common.time import UTCDateTime, now
from backend.extensions import db
from backend.people.models import Resident

ALERT_STATUSES = ("open", "acknowledged", "resolved", "closed")
ENDED_STATUSES = ("resolved", "closed")
STEP_ACTIONS = ("raised", "escalated", "reminded", "acknowledged", "resolved", "closed")
# Escalation levels: who the alert has reached so far.
FIRST_RECIPIENTS, ON_DUTY, ADMINS = 0, 1, 2


class Alert(db.Model):
    """A safety event that needs someone to say "我来处理" and see it through.

    open → acknowledged (an owner) → resolved (with a note); closed when it ended without one
    (its resident died). `level` is how far it has escalated; `data` holds ids only."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_community_status", "community_id", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    kind: Mapped[str] = mapped_column(String(40))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"), index=True)
    # The resident's grid when it was raised: its workers answer for it, whatever happens later.
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    level: Mapped[int] = mapped_column(default=FIRST_RECIPIENTS)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    next_escalation_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_note: Mapped[str | None] = mapped_column(Text)

    resident: Mapped[Resident | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    steps: Mapped[list["AlertStep"]] = relationship(
        back_populates="alert", cascade="all, delete-orphan", order_by=lambda: [AlertStep.at, AlertStep.id]
    )


class AlertStep(db.Model):
    """One step of an alert's timeline: what happened, when, by whom (none: the system), and
    `reason`, a slug saying why the system chose what it did (docs/alerts.md lists them)."""

    __tablename__ = "alert_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    level: Mapped[int] = mapped_column()
    reason: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)

    alert: Mapped[Alert] = relationship(back_populates="steps")
    actor: Mapped[User | None] = relationship()
    notices: Mapped[list["AlertNotice"]] = relationship(
        back_populates="step", cascade="all, delete-orphan", order_by="AlertNotice.id"
    )


class AlertNotice(db.Model):
    """A person told about an alert at a step (the notification it wrote is in the outbox)."""

    __tablename__ = "alert_notices"
    __table_args__ = (
        UniqueConstraint("step_id", "user_id"),
        Index("ix_alert_notices_user_alert", "user_id", "alert_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("alert_steps.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id", ondelete="SET NULL"))

    step: Mapped[AlertStep] = relationship(back_populates="notices")
    user: Mapped[User] = relationship(lazy="joined")


class RosterShift(db.Model):
    """A weekly on-duty shift in the community's time zone: `weekday` 0 (Monday) to 6, minutes
    from midnight; an end not after the start ends the next day (a night shift)."""

    __tablename__ = "roster_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    weekday: Mapped[int] = mapped_column()
    start_minute: Mapped[int] = mapped_column()
    end_minute: Mapped[int] = mapped_column()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship(lazy="joined")


class RosterOverride(db.Model):
    """A dated range that replaces the weekly pattern: this person on duty, or nobody."""

    __tablename__ = "roster_overrides"
    __table_args__ = (Index("ix_roster_overrides_community_date", "community_id", "on_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    on_date: Mapped[date] = mapped_column()
    start_minute: Mapped[int] = mapped_column()
    end_minute: Mapped[int] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")
