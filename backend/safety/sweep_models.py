"""The emergency sweep (应急排查, docs/safety.md): one welfare check for every matching household of
some grids, answered by the residents with the app or assigned to workers and volunteers, and the
report frozen when the sweep is closed."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.common.time import UTCDateTime, now
from backend.extensions import db

SWEEP_STATUSES = ("open", "closed")
# A check waits for the residents' answer in the app (prompted), for somebody to take it
# (unassigned: nobody could), or for its assignee (assigned); it ends safe or needs_help.
CHECK_STATUSES = ("prompted", "unassigned", "assigned", "safe", "needs_help")
NOT_YET_REACHED = ("prompted", "unassigned", "assigned")
REACHED = ("safe", "needs_help")
REACHED_VIA = ("app", "phone", "in_person")
ATTEMPT_OUTCOMES = ("safe", "needs_help", "not_reached")


class Sweep(db.Model):
    """A sweep of some grids' households: its name, filter, how long app users have to answer,
    who started and closed it, and (once closed) its frozen report."""

    __tablename__ = "sweeps"
    __table_args__ = (Index("ix_sweeps_community_status", "community_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    name: Mapped[str] = mapped_column(String(60))
    grid_ids: Mapped[list] = mapped_column(JSON, default=list)
    resident_filter: Mapped[dict] = mapped_column(JSON, default=dict)  # tags, min_age, statuses
    answer_minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    households: Mapped[int] = mapped_column(Integer, default=0)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    answer_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report: Mapped[dict | None] = mapped_column(JSON)  # written once, at closing


class SweepCheck(db.Model):
    """One household's welfare check in a sweep: the matched residents, who it is assigned to (a
    volunteer or a worker; the assignment lives on the check), and what was found, when and by whom."""

    __tablename__ = "sweep_checks"
    __table_args__ = (UniqueConstraint("sweep_id", "household_id"),
                      Index("ix_sweep_checks_sweep_grid_status", "sweep_id", "grid_id", "status"),
                      Index("ix_sweep_checks_volunteer", "volunteer_id", "status"),
                      Index("ix_sweep_checks_worker", "worker_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    sweep_id: Mapped[int] = mapped_column(ForeignKey("sweeps.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"))
    resident_ids: Mapped[list] = mapped_column(JSON, default=list)  # the household's residents the filter matched
    status: Mapped[str] = mapped_column(String(16))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id", ondelete="SET NULL"))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # the assignee's tries (not reached counts)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the occurred_at of the answer
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reached_via: Mapped[str | None] = mapped_column(String(16))
    reached_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))  # who answered / needs help
    note: Mapped[str | None] = mapped_column(Text)
    help_request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id", ondelete="SET NULL"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
