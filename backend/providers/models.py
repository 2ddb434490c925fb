"""Neighbourhood services: providers (canteen, clinic, pharmacy …), their weekly hours, the request
categories they serve, and the provider-role users who work for them."""
from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.common.time import UTCDateTime, now
from backend.community.models import Building, Community
from backend.extensions import db

PROVIDER_KINDS = ("canteen", "clinic", "pharmacy", "barber", "repair_shop", "day_care", "other")


class Provider(db.Model):
    """A service in the neighbourhood that residents may call or (later) send requests to."""

    __tablename__ = "providers"
    __table_args__ = (
        CheckConstraint("daily_capacity IS NULL OR daily_capacity > 0", name="daily_capacity_positive"),
        Index("ix_providers_community_active", "community_id", "active", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # one of PROVIDER_KINDS
    phone: Mapped[str] = mapped_column(String(20))  # the business's own number, shown to residents
    address: Mapped[str | None] = mapped_column(String(200))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id", ondelete="SET NULL"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)  # WGS-84; the building's when unset
    lng: Mapped[float | None] = mapped_column(Float)
    delivers: Mapped[bool] = mapped_column(default=False)
    daily_capacity: Mapped[int | None] = mapped_column(Integer)  # requests a day it can take; None: not set
    price_notes: Mapped[str | None] = mapped_column(Text)
    about: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    community: Mapped[Community] = relationship()
    building: Mapped[Building | None] = relationship()
    category_rows: Mapped[list["ProviderCategory"]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", order_by="ProviderCategory.category",
        lazy="selectin",
    )
    hours: Mapped[list["OpeningHours"]] = relationship(
        back_populates="provider", cascade="all, delete-orphan",
        order_by="(OpeningHours.weekday, OpeningHours.start_minute)", lazy="selectin",
    )
    staff: Mapped[list["ProviderStaff"]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", order_by="ProviderStaff.id",
    )

    @property
    def categories(self) -> list[str]:
        return [row.category for row in self.category_rows]

    @property
    def position(self) -> tuple[float, float] | None:
        """Its own position, else its building's; None when neither is known."""
        if self.lat is not None and self.lng is not None:
            return self.lat, self.lng
        if self.building is not None and self.building.lat is not None and self.building.lng is not None:
            return self.building.lat, self.building.lng
        return None


class ProviderCategory(db.Model):
    """A request category the provider serves: one of the community's skills, `other` or
    `welfare_check`, kept as its code (the fixed ones are not terms)."""

    __tablename__ = "provider_categories"

    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    provider: Mapped[Provider] = relationship(back_populates="category_rows")


class OpeningHours(db.Model):
    """A weekly opening range in the community's time zone (minutes from midnight; 1440 = 24:00)."""

    __tablename__ = "provider_opening_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
                        name="minute_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column()  # 0 = Monday
    start_minute: Mapped[int] = mapped_column()
    end_minute: Mapped[int] = mapped_column()

    provider: Mapped[Provider] = relationship(back_populates="hours")


class ProviderStaff(db.Model):
    """A provider-role user working for a provider; a user works for one provider at most."""

    __tablename__ = "provider_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    provider: Mapped[Provider] = relationship(back_populates="staff")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


ROUTES = ("volunteers", "providers", "both")  # where a community's requests of a category go
PROVIDER_OFFER_STATUSES = ("offered", "accepted", "declined", "withdrawn", "expired")


class ProviderRoute(db.Model):
    """Per community and request category, whom its requests go to: volunteers (the default, also
    when there is no row), providers, or both (docs/providers.md, "Requests to providers")."""

    __tablename__ = "provider_routes"
    __table_args__ = (CheckConstraint("route IN ('volunteers', 'providers', 'both')", name="route_known"),)

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    route: Mapped[str] = mapped_column(String(12))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class ProviderOffer(db.Model):
    """A help request offered to a provider: any of its staff may answer it. `withdrawn`: someone
    else took the request; `expired`: the request ended or went on without the provider."""

    __tablename__ = "provider_offers"
    __table_args__ = (
        UniqueConstraint("help_request_id", "provider_id"),
        Index("ix_provider_offers_provider_status", "provider_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    help_request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="offered")
    distance_km: Mapped[float | None] = mapped_column(Float)
    decline_reason: Mapped[str | None] = mapped_column(String(200))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    provider: Mapped[Provider] = relationship()
