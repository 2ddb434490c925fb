"""People who sign in: users, their roles, their signed-in devices and PIN-linked phones."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.common.time import UTCDateTime, now
from backend.extensions import db

ROLES = ("resident", "proxy", "volunteer", "worker", "admin", "provider")
STAFF_ROLES = frozenset({"worker", "admin"})
TEXT_SIZES = ("standard", "large", "extra_large")
ELDER_MODE_ROLES = frozenset({"resident", "proxy"})
PREFERENCES = ("language", "text_size", "elder_mode", "high_contrast", "read_aloud", "display_name")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(11), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(8), default="zh-CN")
    text_size: Mapped[str] = mapped_column(String(16), default="standard")
    # Display preferences, kept on the server so they follow the person to a new phone.
    elder_mode: Mapped[bool] = mapped_column(default=False)  # 长辈版: on for residents and proxies
    high_contrast: Mapped[bool] = mapped_column(default=False)
    read_aloud: Mapped[bool] = mapped_column(default=False)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # The device session this request came in on; set by the session loader, never stored.
    current_device_session = None

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    def get_id(self) -> str:
        # Flask-Login keeps this in the signed cookie: the device session's token, not the
        # user id, so revoking the device session makes the cookie useless at once.
        return self.current_device_session.plain_token

    @property
    def is_active(self) -> bool:
        return self.is_enabled


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))

    user: Mapped[User] = relationship(back_populates="role_rows")


class DeviceLink(db.Model):
    """A phone a worker linked to a resident with a one-time code; only there does PIN sign-in work."""

    __tablename__ = "device_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeviceSession(db.Model):
    """One signed-in device: revoking it signs that device out at its next request."""

    __tablename__ = "device_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device_label: Mapped[str] = mapped_column(String(100))
    signed_in_with: Mapped[str] = mapped_column(String(16))  # password, pin, link_code
    device_link_id: Mapped[int | None] = mapped_column(ForeignKey("device_links.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_active_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(32))

    user: Mapped[User] = relationship()

    plain_token = None  # only known in the request that created or presented it
