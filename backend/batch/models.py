"""Batch plans (docs/batch_plans.md): tomorrow's held tasks of some grids planned in one go — each
task's proposed assignee (a volunteer, or a worker for a kind that allows it), score and reasons,
and the first-come-first-served plan's totals beside the optimum's."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.common.time import UTCDateTime, now
from backend.extensions import db

PLAN_STATUSES = ("draft", "sent", "discarded")
MADE_BY = ("worker", "nightly")  # by hand (a worker or an admin), or the worker process's nightly run
# What sending did with an item: an offer to its volunteer, the task given to its worker, the
# waves (nobody proposed), or nothing because the task changed meanwhile (cancelled, taken, offered).
OUTCOMES = ("offered", "assigned", "waves", "skipped")


class BatchPlan(db.Model):
    """One plan of one community's held requests for one local date, for some of its grids."""

    __tablename__ = "batch_plans"
    __table_args__ = (Index("ix_batch_plans_community_date", "community_id", "service_date", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    service_date: Mapped[date] = mapped_column(Date)  # the community's local date the windows start on
    grid_ids: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    made_by: Mapped[str] = mapped_column(String(16), default="worker")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The optimum's (as proposed; edits change the items, not these) and first come, first served's.
    total_score: Mapped[float] = mapped_column(Float, default=0.0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    fcfs_total_score: Mapped[float] = mapped_column(Float, default=0.0)
    fcfs_matched: Mapped[int] = mapped_column(Integer, default=0)

    items: Mapped[list["BatchPlanItem"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by=lambda: BatchPlanItem.id)


class BatchPlanItem(db.Model):
    """One held task in a plan (of a kind: backend/batch/tasks.py): who is proposed (a volunteer,
    a worker, or nobody), their score and reasons, the task's best candidates to choose from, who
    changed it, and what sending did."""

    __tablename__ = "batch_plan_items"
    __table_args__ = (Index("ix_batch_plan_items_request", "help_request_id"),
                      Index("ix_batch_plan_items_task", "task_kind", "task_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("batch_plans.id", ondelete="CASCADE"), index=True)
    task_kind: Mapped[str] = mapped_column(String(32), default="help_request")
    task_id: Mapped[int] = mapped_column(Integer)
    # The task itself when it is a help request (the kind Linli ships): its rows go with it.
    help_request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id", ondelete="SET NULL"))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # [{"code": …, "params": {…}}], as ranked
    # The best eligible candidates when planned: [{"assignee": "volunteer"|"worker", "id", "score",
    # "distance_km", "reasons"}], best first.
    candidates: Mapped[list] = mapped_column(JSON, default=list)
    fcfs_volunteer_id: Mapped[int | None] = mapped_column(Integer)
    fcfs_worker_id: Mapped[int | None] = mapped_column(Integer)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_reason: Mapped[str | None] = mapped_column(String(40))

    plan: Mapped[BatchPlan] = relationship(back_populates="items")
