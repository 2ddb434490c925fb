"""Matching's records: the offers a help request went out as, each wave's dispatch record (why
these volunteers, PIPL art. 24), and volunteers blocked from a resident."""
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.common.time import UTCDateTime, now
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.volunteers.models import Volunteer

OFFER_STATUSES = ("offered", "accepted", "declined", "withdrawn", "expired")

# Candidate search is a range query on the volunteers' homes (docs/matching.md, "Adapter").
Index("ix_volunteers_community_home", Volunteer.__table__.c.community_id, Volunteer.__table__.c.home_lat,
      Volunteer.__table__.c.home_lng)


class Offer(db.Model):
    """A help request offered to one volunteer in a wave. `withdrawn`: someone else took it;
    `expired`: the request ended (cancelled, expired) or went on without them."""

    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("help_request_id", "volunteer_id"),
        Index("ix_offers_volunteer_status", "volunteer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    help_request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"))
    wave: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="offered")
    distance_km: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # [{"code": …, "params": {…}}], as ranked
    decline_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    help_request: Mapped[HelpRequest] = relationship()
    volunteer: Mapped[Volunteer] = relationship()


class Dispatch(db.Model):
    """One wave sent for a request: the inputs, weights, every candidate's facts and refusals,
    and the ranking (dispatch_record()), so a worker can see and override why."""

    __tablename__ = "dispatches"

    id: Mapped[int] = mapped_column(primary_key=True)
    help_request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    wave: Mapped[int] = mapped_column()
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    offered_volunteer_ids: Mapped[list] = mapped_column(JSON, default=list)
    record: Mapped[dict] = mapped_column(JSON, default=dict)


class VolunteerBlock(db.Model):
    """A volunteer never offered this resident's requests (after a bad experience)."""

    __tablename__ = "volunteer_blocks"
    __table_args__ = (UniqueConstraint("resident_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
