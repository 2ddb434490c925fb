"""Volunteers: profile, skills, languages, weekly availability and exceptions, vetting."""
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint, Column, Float, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.common.time import UTCDateTime, local_today, now
from backend.community.models import Community, Term
from backend.extensions import db

VOLUNTEER_STATUSES = ("pending", "active", "suspended")
VETTING_KINDS = ("identity", "child_safeguarding")

volunteer_skills = Table(
    "volunteer_skills", db.metadata,
    Column("volunteer_id", Integer, ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", Integer, ForeignKey("terms.id"), primary_key=True),
)
volunteer_languages = Table(
    "volunteer_languages", db.metadata,
    Column("volunteer_id", Integer, ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", Integer, ForeignKey("terms.id"), primary_key=True),
)


def community_today(community: Community) -> date:
    """Today's date in a community's time zone: vettings and exceptions count by its calendar."""
    return local_today(community.timezone)


class Volunteer(db.Model):
    __tablename__ = "volunteers"
    __table_args__ = (
        # Candidate search (docs/matching.md): the community's active, on-duty volunteers by latitude,
        # with longitude, radius and id in the index, so their own reach is checked without reading rows.
        Index("ix_volunteers_search", "community_id", "status", "on_duty", "home_lat", "home_lng",
              "travel_radius_km", "id"),
        # The community's largest travel radius (the search box) from the index's end, not a scan.
        Index("ix_volunteers_community_radius", "community_id", "travel_radius_km"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    home_grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id", ondelete="SET NULL"), index=True)
    gender: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    home_lat: Mapped[float | None] = mapped_column(Float)  # WGS-84
    home_lng: Mapped[float | None] = mapped_column(Float)
    travel_radius_km: Mapped[float] = mapped_column(Float, default=2.0)
    load_cap: Mapped[int] = mapped_column(default=2)  # most open tasks at once
    on_duty: Mapped[bool] = mapped_column(default=False)
    about: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user: Mapped[User] = relationship()
    community: Mapped[Community] = relationship()
    skills: Mapped[list[Term]] = relationship(secondary=volunteer_skills, order_by=Term.id)
    languages: Mapped[list[Term]] = relationship(secondary=volunteer_languages, order_by=Term.id)
    availability: Mapped[list["AvailabilitySlot"]] = relationship(
        back_populates="volunteer", cascade="all, delete-orphan",
        order_by="(AvailabilitySlot.weekday, AvailabilitySlot.start_minute)",
    )
    exceptions: Mapped[list["AvailabilityException"]] = relationship(
        back_populates="volunteer", cascade="all, delete-orphan", order_by="AvailabilityException.on_date"
    )
    vettings: Mapped[list["Vetting"]] = relationship(
        back_populates="volunteer", cascade="all, delete-orphan", order_by="Vetting.id"
    )
    status_changes: Mapped[list["VolunteerStatusChange"]] = relationship(
        back_populates="volunteer", cascade="all, delete-orphan", order_by="VolunteerStatusChange.id"
    )

    def today(self) -> date:
        return community_today(self.community)

    @property
    def valid_vetting_kinds(self) -> list[str]:
        today = self.today()
        return sorted({vetting.kind for vetting in self.vettings if vetting.is_valid_on(today)})

    @property
    def upcoming_exceptions(self) -> list["AvailabilityException"]:
        """Exceptions from today on; past ones no longer change anything."""
        today = self.today()
        return [exception for exception in self.exceptions if exception.on_date >= today]

    @property
    def last_status_change(self) -> "VolunteerStatusChange | None":
        return self.status_changes[-1] if self.status_changes else None


class AvailabilitySlot(db.Model):
    """A weekly time range in the community's time zone (minutes from midnight; 1440 = 24:00)."""

    __tablename__ = "availability_slots"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
                        name="minute_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column()  # 0 = Monday
    start_minute: Mapped[int] = mapped_column()
    end_minute: Mapped[int] = mapped_column()

    volunteer: Mapped[Volunteer] = relationship(back_populates="availability")


class AvailabilityException(db.Model):
    """A dated change to the weekly pattern: away all day, or available only in a range."""

    __tablename__ = "availability_exceptions"
    __table_args__ = (UniqueConstraint("volunteer_id", "on_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    on_date: Mapped[date] = mapped_column()
    available: Mapped[bool] = mapped_column(default=False)
    start_minute: Mapped[int | None] = mapped_column()
    end_minute: Mapped[int | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(String(200))

    volunteer: Mapped[Volunteer] = relationship(back_populates="exceptions")


class Vetting(db.Model):
    """A check a worker made (identity, child safeguarding), valid until its expiry date."""

    __tablename__ = "vettings"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_on: Mapped[date] = mapped_column()
    note: Mapped[str | None] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(String(200))

    volunteer: Mapped[Volunteer] = relationship(back_populates="vettings")

    def is_valid_on(self, day: date) -> bool:
        """Valid through its expiry date (in the community's calendar) unless revoked."""
        return self.revoked_at is None and self.expires_on >= day

    @property
    def is_valid(self) -> bool:
        return self.is_valid_on(self.volunteer.today())


class VolunteerStatusChange(db.Model):
    """Who activated or suspended a volunteer, when and why: a safeguarding record, kept."""

    __tablename__ = "volunteer_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    volunteer: Mapped[Volunteer] = relationship(back_populates="status_changes")
