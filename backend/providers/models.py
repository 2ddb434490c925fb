"""Neighbourhood services: providers (canteen, clinic, pharmacy …), their weekly hours, the request
categories they serve, and the provider-role users who work for them."""
from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
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
