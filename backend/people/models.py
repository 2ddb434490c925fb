"""The registry of people cared for: residents, their contacts, consent records and proxies."""
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.common.time import UTCDateTime, local_today, now
from backend.community.models import Household, Term
from backend.extensions import db

RESIDENT_STATUSES = ("active", "away", "in_hospital", "moved_away", "deceased")
GENDERS = ("female", "male", "unspecified")
PROXY_SCOPES = ("view_status", "request_help", "receive_alerts", "view_visit_summaries", "manage_profile")
CONSENT_PURPOSES = ("registry", "proxy_access", "daily_check_in")
CONSENT_GIVERS = ("resident", "guardian")  # who said yes; `recorded_by` says who wrote it down
CHILD_TAG = "left_behind_child"
ADULT_AGE = 18


def is_child_by(birth_year: int, tag_codes: list[str], timezone: str) -> bool:
    """A child is under 18 by birth year (in the community's time zone) or tagged left-behind child."""
    this_year = local_today(timezone).year
    return CHILD_TAG in tag_codes or this_year - birth_year < ADULT_AGE


resident_tags = Table(
    "resident_tags", db.metadata,
    Column("resident_id", Integer, ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", Integer, ForeignKey("terms.id"), primary_key=True),
)
resident_languages = Table(
    "resident_languages", db.metadata,
    Column("resident_id", Integer, ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", Integer, ForeignKey("terms.id"), primary_key=True),
)


class Resident(db.Model):
    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    family_name: Mapped[str] = mapped_column(String(20))
    given_name: Mapped[str] = mapped_column(String(40))
    address_as: Mapped[str] = mapped_column(String(20))  # how to address them: 王奶奶
    gender: Mapped[str] = mapped_column(String(16))
    birth_year: Mapped[int] = mapped_column()
    phone: Mapped[str | None] = mapped_column(String(11))  # their own mobile, if any
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    away_until: Mapped[date | None] = mapped_column()
    prefers_volunteer_gender: Mapped[str | None] = mapped_column(String(16))
    preference_notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    household: Mapped[Household] = relationship(back_populates="residents")
    tags: Mapped[list[Term]] = relationship(secondary=resident_tags, order_by=Term.id)
    languages: Mapped[list[Term]] = relationship(secondary=resident_languages, order_by=Term.id)
    emergency_contacts: Mapped[list["EmergencyContact"]] = relationship(
        back_populates="resident", cascade="all, delete-orphan", order_by="EmergencyContact.id"
    )

    @property
    def full_name(self) -> str:
        return self.family_name + self.given_name

    @property
    def is_child(self) -> bool:
        return is_child_by(self.birth_year, [tag.code for tag in self.tags],
                           self.household.building.grid.community.timezone)

    @property
    def has_account(self) -> bool:
        return self.user_id is not None


class EmergencyContact(db.Model):
    """Someone to tell in an emergency, usually without an account: reached by SMS."""

    __tablename__ = "emergency_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    relation: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str] = mapped_column(String(11))
    language: Mapped[str] = mapped_column(String(8), default="zh-CN")

    resident: Mapped[Resident] = relationship(back_populates="emergency_contacts")


class ConsentRecord(db.Model):
    """A resident's (or a child's guardian's) consent to one purpose, until withdrawn."""

    __tablename__ = "consent_records"
    __table_args__ = (
        Index("uq_consent_records_active", "resident_id", "purpose", unique=True,
              sqlite_where=db.text("withdrawn_at IS NULL"), postgresql_where=db.text("withdrawn_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    given_by: Mapped[str] = mapped_column(String(16))  # resident or guardian
    giver_name: Mapped[str] = mapped_column(String(40))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(200))


class ProxyLink(db.Model):
    """A family member's (or a child's guardian's) account acting for a resident."""

    __tablename__ = "proxy_links"
    __table_args__ = (
        Index("uq_proxy_links_active", "resident_id", "proxy_user_id", unique=True,
              sqlite_where=db.text("ended_at IS NULL"), postgresql_where=db.text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    proxy_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(20))  # 女儿, 儿子, 祖父 …
    is_guardian: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    resident: Mapped[Resident] = relationship()
    proxy_user: Mapped[User] = relationship(foreign_keys=[proxy_user_id])
    scopes: Mapped[list["ProxyScope"]] = relationship(
        back_populates="link", cascade="all, delete-orphan", order_by="ProxyScope.id"
    )

    @property
    def active_scopes(self) -> list[str]:
        return sorted(scope.scope for scope in self.scopes if scope.withdrawn_at is None)


class ProxyScope(db.Model):
    """One consent scope granted to a proxy: who consented, who recorded it, when, until when."""

    __tablename__ = "proxy_scopes"
    __table_args__ = (
        Index("uq_proxy_scopes_active", "link_id", "scope", unique=True,
              sqlite_where=db.text("withdrawn_at IS NULL"), postgresql_where=db.text("withdrawn_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("proxy_links.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(32))
    consented_by: Mapped[str] = mapped_column(String(16))  # resident or guardian
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    link: Mapped[ProxyLink] = relationship(back_populates="scopes")
