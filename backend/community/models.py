"""The neighbourhood's shape: community, its configurable lists, grids, their workers, buildings, households."""
from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.common.time import UTCDateTime, now
from backend.extensions import db

TERM_VOCABULARIES = ("risk_tag", "skill", "language")


class Community(db.Model):
    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    centre_lat: Mapped[float | None] = mapped_column(Float)
    centre_lng: Mapped[float | None] = mapped_column(Float)
    phone: Mapped[str | None] = mapped_column(String(20))  # the service desk, shown to everyone
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    grids: Mapped[list["Grid"]] = relationship(back_populates="community", order_by="Grid.id")
    terms: Mapped[list["Term"]] = relationship(order_by="Term.id", viewonly=True)


class Term(db.Model):
    """One entry of a community's configurable lists: risk tags, skills, languages/dialects."""

    __tablename__ = "terms"
    __table_args__ = (UniqueConstraint("community_id", "vocabulary", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    vocabulary: Mapped[str] = mapped_column(String(16))  # one of TERM_VOCABULARIES
    code: Mapped[str] = mapped_column(String(40))  # stable slug used by the API, e.g. lives_alone
    label_zh: Mapped[str] = mapped_column(String(40))
    label_en: Mapped[str] = mapped_column(String(60))
    # Health-related risk tags (失能, 慢病) are sensitive: reading them is audited.
    is_health_related: Mapped[bool] = mapped_column(default=False)


class Grid(db.Model):
    __tablename__ = "grids"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))

    community: Mapped[Community] = relationship(back_populates="grids")
    worker_rows: Mapped[list["GridWorker"]] = relationship(
        back_populates="grid", cascade="all, delete-orphan", order_by="GridWorker.id"
    )


class GridWorker(db.Model):
    """A worker serving a grid; the primary one's phone is what residents see."""

    __tablename__ = "grid_workers"
    __table_args__ = (UniqueConstraint("grid_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    is_primary: Mapped[bool] = mapped_column(default=False)

    grid: Mapped[Grid] = relationship(back_populates="worker_rows")
    user: Mapped["User"] = relationship(lazy="joined")  # noqa: F821 (accounts.models)


class Building(db.Model):
    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("grid_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), index=True)
    label: Mapped[str] = mapped_column(String(60))  # shown to volunteers before they accept
    address: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)  # WGS-84
    lng: Mapped[float | None] = mapped_column(Float)
    position_source: Mapped[str | None] = mapped_column(String(16))  # csv, gps, manual
    position_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    position_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    position_accuracy_m: Mapped[float | None] = mapped_column(Float)  # as the phone reported it

    grid: Mapped[Grid] = relationship()


class Household(db.Model):
    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("building_id", "door_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    door_number: Mapped[str] = mapped_column(String(20))  # e.g. 2 单元 301
    address_text: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))  # landline or mobile of the household
    lat: Mapped[float | None] = mapped_column(Float)  # WGS-84; the building's when unset
    lng: Mapped[float | None] = mapped_column(Float)
    position_source: Mapped[str | None] = mapped_column(String(16))  # gps, manual
    position_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    position_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    position_accuracy_m: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    building: Mapped[Building] = relationship()
    residents: Mapped[list["Resident"]] = relationship(  # noqa: F821 (people.models)
        back_populates="household", order_by="Resident.id"
    )
