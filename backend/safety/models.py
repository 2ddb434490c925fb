"""Keeping people safe (docs/safety.md): the daily "I'm OK" (我很好) — who is enrolled and by when
they check in, each day's check-in, and a missed day's chain — and SOS events with their timeline."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.common.time import UTCDateTime, now
from backend.extensions import db

CHECK_IN_WAYS = ("app", "phone_call")
# A missed day's chain: the resident reminded, then a welfare check and the family told, then the
# grid's workers alerted; stopped by a check-in (or the resident no longer active).
MISSED_STAGES = ("reminded", "welfare_check", "workers_alerted", "stopped")


class CheckInEnrolment(db.Model):
    """A resident enrolled (with consent) to check in every day by `deadline` (local HH:MM)."""

    __tablename__ = "check_in_enrolments"
    __table_args__ = (Index("uq_check_in_enrolments_active", "resident_id", unique=True,
                            sqlite_where=db.text("ended_at IS NULL"), postgresql_where=db.text("ended_at IS NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    deadline: Mapped[str] = mapped_column(String(5))  # local HH:MM
    grace_minutes: Mapped[int] = mapped_column(Integer)  # reminder → welfare check and family
    second_grace_minutes: Mapped[int] = mapped_column(Integer)  # → the grid's workers
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consent_records.id", ondelete="SET NULL"))
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CheckIn(db.Model):
    """One day's check-in: when it happened (the phone's `occurred_at`) and how."""

    __tablename__ = "check_ins"
    __table_args__ = (UniqueConstraint("resident_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    via: Mapped[str] = mapped_column(String(16))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class MissedCheckIn(db.Model):
    """A day the deadline passed without a check-in: how far the chain went and what it started."""

    __tablename__ = "missed_check_ins"
    __table_args__ = (UniqueConstraint("resident_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("check_in_enrolments.id", ondelete="CASCADE"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(16), default="reminded")
    welfare_request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id", ondelete="SET NULL"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    told_family: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_ins.id", ondelete="SET NULL"))


SOS_STATUSES = ("open", "cancelled", "closed")  # cancelled: "我没事了，误按了" — still a worker's to close
SOS_ACTIONS = ("pressed", "joined", "cancelled", "closed")


class SosEvent(db.Model):
    """One SOS (紧急求助): pressed by the resident or a proxy, with its alert to the grid's workers
    and its help request to nearby volunteers; repeated presses join it while it is open."""

    __tablename__ = "sos_events"
    __table_args__ = (
        Index("ix_sos_events_grid_status", "grid_id", "status", "created_at"),
        Index("uq_sos_events_open", "resident_id", unique=True,
              sqlite_where=db.text("status = 'open'"), postgresql_where=db.text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"))  # the resident's when it was pressed
    status: Mapped[str] = mapped_column(String(16), default="open")
    pressed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the first press, as the phone saw it
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    presses: Mapped[int] = mapped_column(Integer, default=1)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    help_request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id", ondelete="SET NULL"))
    # How many of each kind of people were told when it was pressed (grid_workers, family, emergency_contacts).
    told: Mapped[dict] = mapped_column(JSON, default=dict)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    close_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    steps: Mapped[list["SosStep"]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                                  order_by="SosStep.id")


class SosStep(db.Model):
    """One step of an SOS's own timeline: pressed, a repeated press joined, cancelled, closed."""

    __tablename__ = "sos_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    sos_event_id: Mapped[int] = mapped_column(ForeignKey("sos_events.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it happened (a press: the phone's occurred_at)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)

    event: Mapped[SosEvent] = relationship(back_populates="steps")
    actor: Mapped[User | None] = relationship()
