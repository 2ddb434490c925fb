"""Household visits (入户走访, docs/visits.md): the community's cadence rules, and visit records —
one per household visit, with each resident's outcome and wellbeing checklist."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.common.time import UTCDateTime, now
from backend.extensions import db

# A resident's outcome at a visit. The last three change the resident's status.
OUTCOMES = ("met", "not_home", "refused", "moved_away", "in_hospital", "deceased")
STATUS_OF_OUTCOME = {"moved_away": "moved_away", "in_hospital": "in_hospital", "deceased": "deceased"}
# A visit counts towards the cadence when someone was seen: met (or refused, a conversation at the door).
SEEN = ("met", "refused")
# The wellbeing checklist: each item "ok", "concern" or left out (not checked).
CHECKLIST = ("health", "mood", "eating", "medication", "gas", "electricity", "fall_hazards", "hygiene")
CHECK_VALUES = ("ok", "concern")
# Serious concerns: each raises a safety alert to the grid's workers and the admins.
SERIOUS_CONCERNS = ("no_food", "unsafe_home", "abuse_or_neglect")


class VisitRule(db.Model):
    """Residents with every one of `tags` (none: any tagged resident) are visited every
    `interval_days`; staged: every `first_interval_days` for the first `first_period_days` after
    they were registered."""

    __tablename__ = "visit_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    tags: Mapped[list] = mapped_column(JSON, default=list)  # risk tag codes, sorted
    interval_days: Mapped[int] = mapped_column(Integer)
    first_interval_days: Mapped[int | None] = mapped_column(Integer)
    first_period_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Visit(db.Model):
    """One visit to a household: who visited, when (the phone's `occurred_at`), notes, the next
    visit asked for, and each resident's record."""

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_household_time", "household_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    local_date: Mapped[date] = mapped_column(Date)  # the community's date of occurred_at: cadence counts days
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    seen: Mapped[bool] = mapped_column(default=False)  # someone met (or refused at the door): counts for the cadence
    notes: Mapped[str | None] = mapped_column(Text)  # for staff
    summary: Mapped[str | None] = mapped_column(Text)  # plain words for proxies with view_visit_summaries
    next_visit_on: Mapped[date | None] = mapped_column(Date)

    residents: Mapped[list["VisitResident"]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by=lambda: VisitResident.id)


class VisitResident(db.Model):
    """One resident at one visit: their outcome, checklist and needs."""

    __tablename__ = "visit_residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    checklist: Mapped[dict] = mapped_column(JSON, default=dict)  # {item: "ok" | "concern"}
    needs: Mapped[str | None] = mapped_column(Text)
    concerns: Mapped[list] = mapped_column(JSON, default=list)  # SERIOUS_CONCERNS codes

    visit: Mapped[Visit] = relationship(back_populates="residents")


class DayPlan(db.Model):
    """A worker's day of household visits: where and when the day starts and ends, the route's
    method (exact, heuristic, or given by hand) and its walking time. One per worker and date."""

    __tablename__ = "visit_day_plans"
    __table_args__ = (UniqueConstraint("worker_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    start_lat: Mapped[float] = mapped_column(Float)
    start_lng: Mapped[float] = mapped_column(Float)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    service_minutes: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16))  # exact, heuristic, given
    travel_s: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    stops: Mapped[list["DayPlanStop"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan",
        order_by=lambda: DayPlanStop.id)


class DayPlanStop(db.Model):
    """One household of a day plan: its place in the route and times, or why it is deferred; a
    fixed appointment's window; a hand-made order's broken rule, if any."""

    __tablename__ = "visit_day_plan_stops"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("visit_day_plans.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    position: Mapped[int | None] = mapped_column(Integer)  # 1, 2, …; None: deferred
    earliest: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a fixed appointment's window
    latest: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arrival: Mapped[datetime | None] = mapped_column(UTCDateTime)
    start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finish: Mapped[datetime | None] = mapped_column(UTCDateTime)
    travel_s: Mapped[float | None] = mapped_column(Float)
    wait_s: Mapped[float | None] = mapped_column(Float)
    deferred_reason: Mapped[str | None] = mapped_column(String(16))  # unreachable, no_room, no_position
    violation: Mapped[str | None] = mapped_column(String(16))  # late, after_day_end (a hand-made order)
    violation_s: Mapped[float | None] = mapped_column(Float)

    plan: Mapped[DayPlan] = relationship(back_populates="stops")


DELEGATION_STATUSES = ("open", "completed", "cancelled")


class VisitDelegation(db.Model):
    """A household visit a worker hands to a vetted volunteer (a companionship visit). It counts
    for the cadence only once the volunteer's record is in (`visit_id`)."""

    __tablename__ = "visit_delegations"
    __table_args__ = (Index("ix_visit_delegations_volunteer_status", "volunteer_id", "status"),
                      Index("ix_visit_delegations_household_status", "household_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"))
    delegated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)  # for the volunteer: what to look at
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="SET NULL"))
