"""The time bank: a double-entry ledger of service hours (docs/timebank.md).

Every transfer writes exactly two movements, one taking minutes from an account and one giving
them to another; an account's balance is the sum of its movements. `balance_minutes` is that sum
kept on the row so that a debit is one conditional UPDATE (no overdraft under concurrency); the
tests compare it with the movements after concurrent runs."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.common.time import UTCDateTime, now
from backend.extensions import db

OWNERS = ("volunteer", "member", "system")
BUCKETS = ("verified", "recorded")
# verified: hours of a task the resident's side (or a worker, named) confirmed; recorded: hours a
# worker added by hand with a reason; gift: a volunteer's verified hours to a family member's
# account; spend: a member's hours paying for a task asked as time-bank service.
KINDS = ("verified", "recorded", "gift", "spend")
CONFIRMED_BY = ("resident", "proxy", "worker")
SYSTEM_SOURCES = {"verified": "service", "recorded": "recorded"}  # where each bucket's new hours come from


class TimebankAccount(db.Model):
    """One account: a volunteer's verified or recorded hours, a family member's (a resident's)
    hours received as gifts, or a community's system account new hours come from (it alone may
    go below zero). `key` names it uniquely, so it is made once even when two requests race."""

    __tablename__ = "timebank_accounts"
    __table_args__ = (
        CheckConstraint("allows_negative OR balance_minutes >= 0", name="no_overdraft"),
        Index("ix_timebank_accounts_community_owner", "community_id", "owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(48), unique=True)  # v:<volunteer>:<bucket>, m:<resident>, s:<community>:<source>
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    owner: Mapped[str] = mapped_column(String(16))
    bucket: Mapped[str] = mapped_column(String(16))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id", ondelete="SET NULL"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"), index=True)
    allows_negative: Mapped[bool] = mapped_column(default=False)
    balance_minutes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class TimebankTransfer(db.Model):
    """One transfer: who moved how many minutes, of which kind, why, for which task.

    A task credits each kind at most once (unique help request and kind): a confirmation that
    runs twice, or two at once, cannot pay twice."""

    __tablename__ = "timebank_transfers"
    __table_args__ = (
        UniqueConstraint("help_request_id", "kind", name="uq_timebank_transfers_request_kind"),
        CheckConstraint("minutes > 0", name="positive"),
        Index("ix_timebank_transfers_community_kind", "community_id", "kind", "service_date"),
        Index("ix_timebank_transfers_giver_year", "from_account_id", "kind", "service_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    kind: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int] = mapped_column(Integer)
    from_account_id: Mapped[int] = mapped_column(ForeignKey("timebank_accounts.id"))
    to_account_id: Mapped[int] = mapped_column(ForeignKey("timebank_accounts.id"), index=True)
    help_request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id", ondelete="SET NULL"))
    category: Mapped[str | None] = mapped_column(String(40))  # the task's category, kept for exports
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # who did it
    confirmed_by: Mapped[str | None] = mapped_column(String(16))  # resident, proxy or worker (verified, spend)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # the worker named
    reason: Mapped[str | None] = mapped_column(Text)  # a worker's note or reason, a giver's note
    service_date: Mapped[date] = mapped_column(Date)  # the day it counts for, in the community's calendar
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    movements: Mapped[list["TimebankMovement"]] = relationship(
        back_populates="transfer", order_by="TimebankMovement.id", cascade="all, delete-orphan")
    from_account: Mapped[TimebankAccount] = relationship(foreign_keys=[from_account_id])
    to_account: Mapped[TimebankAccount] = relationship(foreign_keys=[to_account_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    worker: Mapped[User | None] = relationship(foreign_keys=[worker_id])


class TimebankMovement(db.Model):
    """One side of a transfer: minutes added to (positive) or taken from (negative) one account."""

    __tablename__ = "timebank_movements"
    __table_args__ = (
        Index("ix_timebank_movements_account", "account_id", "id"),
        CheckConstraint("minutes <> 0", name="nonzero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("timebank_transfers.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("timebank_accounts.id"))
    minutes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    transfer: Mapped[TimebankTransfer] = relationship(back_populates="movements")
    account: Mapped[TimebankAccount] = relationship()
