"""Aware UTC times: one column type for every timestamp and an injectable clock."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always returns them aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Linli stores only timezone-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def now() -> datetime:
    """The current UTC time, from the app's clock when one is installed (tests control it)."""
    if has_app_context():
        clock = current_app.extensions.get("linli_clock")
        if clock is not None:
            return clock()
    return datetime.now(UTC)


def local_today(timezone: str) -> date:
    """Today's date in a community's time zone: dates people see and count by (vettings, ages)."""
    return now().astimezone(ZoneInfo(timezone)).date()
