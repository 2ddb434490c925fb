"""Keeping people safe (docs/safety.md). This first part: the daily "I'm OK" (我很好) — who is
enrolled and by when they check in, each day's check-in, and a missed day's chain."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

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
