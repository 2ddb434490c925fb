"""Help requests: what a resident asked for, who came, what happened, and the call-backs a poor rating causes."""
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.common.time import UTCDateTime, now
from backend.extensions import db
from backend.people.models import Resident
from backend.volunteers.models import Volunteer

STATUSES = ("open", "offered", "escalated", "accepted", "in_progress", "completed", "confirmed",
            "cancelled", "expired")
SEEKING = ("open", "offered", "escalated")  # nobody has it yet: it can be assigned
ON_BEHALF = ("resident", "proxy", "worker")
URGENCIES = ("normal", "urgent")
FIXED_CATEGORIES = ("other", "welfare_check")  # besides the community's skills (DESIGN.md §4)
# An SOS's own request (docs/safety.md): made by the SOS use case only, never asked for through the
# help request API; no skill needed, its own waves (SOS_WAVE_*) and ranking (SOS_WEIGHTS).
SOS_CATEGORY = "sos"
CALLBACK_STATUSES = ("open", "done")


class HelpRequest(db.Model):
    """A resident's request for help and its progress through the state machine (DESIGN.md §4).

    The household and grid are copied from the resident when it is made: a grid's workers answer
    for the request, and grid queries need no join, whatever happens to the resident later."""

    __tablename__ = "help_requests"
    __table_args__ = (
        Index("ix_help_requests_grid_status", "grid_id", "status", "created_at"),
        Index("ix_help_requests_resident_created", "resident_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    on_behalf: Mapped[str] = mapped_column(String(16))  # who asked: the resident, a proxy or a worker
    category: Mapped[str] = mapped_column(String(40))  # a skill term's code, other or welfare_check
    description: Mapped[str | None] = mapped_column(String(500))
    asap: Mapped[bool] = mapped_column(default=True)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    lat: Mapped[float | None] = mapped_column(Float)  # WGS-84; the household's (or building's) by default
    lng: Mapped[float | None] = mapped_column(Float)
    preferred_gender: Mapped[str | None] = mapped_column(String(16))
    preferred_language: Mapped[str | None] = mapped_column(String(40))  # a language term's code
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id", ondelete="SET NULL"), index=True)
    # A neighbourhood service that took it instead of a volunteer (docs/providers.md); never both.
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id", ondelete="SET NULL"), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Check-in and check-out: when they happened (the phone's occurred_at) and when the server got them.
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_in_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_in_lat: Mapped[float | None] = mapped_column(Float)
    check_in_lng: Mapped[float | None] = mapped_column(Float)
    check_in_far: Mapped[bool] = mapped_column(default=False)  # flagged, never refused
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_out_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_out_lat: Mapped[float | None] = mapped_column(Float)
    check_out_lng: Mapped[float | None] = mapped_column(Float)
    hours: Mapped[float | None] = mapped_column(Float)  # check-out − check-in, capped per category
    # Asked as time-bank service: the resident's time-bank hours pay for it on confirmation (docs/timebank.md).
    timebank_service: Mapped[bool] = mapped_column(default=False, server_default=false())
    rating: Mapped[int | None] = mapped_column()
    comment: Mapped[str | None] = mapped_column(String(500))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    resident: Mapped[Resident] = relationship()
    volunteer: Mapped[Volunteer | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    events: Mapped[list["HelpRequestEvent"]] = relationship(
        back_populates="help_request", cascade="all, delete-orphan",
        order_by=lambda: [HelpRequestEvent.occurred_at, HelpRequestEvent.id],
    )


class HelpRequestEvent(db.Model):
    """One step of a request's timeline: every transition, with its actor (none: the system),
    when it happened and when it was recorded, why, and `data` holding ids only.

    `volunteer_id` is the volunteer the step concerns; withdrawals and no-shows counted against
    a volunteer's reliability are the steps `withdrawn` and `no_show` naming them."""

    __tablename__ = "help_request_events"
    __table_args__ = (Index("ix_help_request_events_volunteer_event", "volunteer_id", "event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    help_request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    help_request: Mapped[HelpRequest] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    volunteer: Mapped[Volunteer | None] = relationship()


class CallbackTask(db.Model):
    """回访: a grid worker calls the resident back after a poor rating (2 or less)."""

    __tablename__ = "callback_tasks"
    __table_args__ = (Index("ix_callback_tasks_grid_status", "grid_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    help_request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"))
    status: Mapped[str] = mapped_column(String(8), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(500))  # what the call-back found

    help_request: Mapped[HelpRequest] = relationship()
    done_by: Mapped[User | None] = relationship()
