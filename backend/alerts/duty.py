"""Who is on duty at a moment: a community's weekly roster pattern, its dated overrides and its
time zone (pure: no Flask, no database).

Times are wall-clock times in the community's time zone. A shift or an override whose end is
not after its start ends the next day (22:00–08:00 is a night shift). Each one is turned into
a pair of instants through zoneinfo and a moment is inside when start <= moment < end, so a
night shift across a daylight-saving change lasts its real length (9 or 11 hours) and nobody
is on duty twice when the clock goes back. An override beats the pattern for its range, and
an override without a person means "nobody on duty" then.
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
DAYS_PER_WEEK = 7
MINUTES_PER_WEEK = DAYS_PER_WEEK * MINUTES_PER_DAY


@dataclass(frozen=True)
class Shift:
    """A weekly shift: from `start_minute` on `weekday` (0 Monday … 6 Sunday) to `end_minute`,
    the next day when the end is not after the start; `end_minute` may be 1440 (24:00)."""

    weekday: int
    start_minute: int
    end_minute: int
    user_id: int
    key: int | None = None  # the caller's id for it (a row id), handed back in OnDuty

    @property
    def length(self) -> int:
        return span(self.start_minute, self.end_minute)


@dataclass(frozen=True)
class Override:
    """A dated range that replaces the pattern: `user_id` on duty then, or None for nobody."""

    on_date: date
    start_minute: int
    end_minute: int
    user_id: int | None
    key: int | None = None  # the caller's id for it (a row id), handed back in OnDuty

    @property
    def length(self) -> int:
        return span(self.start_minute, self.end_minute)


@dataclass(frozen=True)
class OnDuty:
    """The answer: who (None: nobody), and from what (`override`, `pattern` or `none`)."""

    user_id: int | None
    source: str
    shift: Shift | None = None
    override: Override | None = None


def span(start_minute: int, end_minute: int) -> int:
    """Minutes from start to end, wrapping past midnight when the end is not after the start."""
    if end_minute > start_minute:
        return end_minute - start_minute
    return end_minute + MINUTES_PER_DAY - start_minute


def _instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    day, minute = day + timedelta(days=minute // MINUTES_PER_DAY), minute % MINUTES_PER_DAY
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone).astimezone(UTC)


def interval(day: date, start_minute: int, end_minute: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants a range starting on `day` runs between (the end may be the next day)."""
    end_day = day if end_minute > start_minute else day + timedelta(days=1)
    return _instant(day, start_minute, zone), _instant(end_day, end_minute, zone)


def on_duty_at(moment: datetime, shifts: list[Shift], overrides: list[Override], timezone: str) -> OnDuty:
    """Who is on duty at `moment` (aware): an override covering it, else a pattern shift, else nobody."""
    zone = ZoneInfo(timezone)
    moment = moment.astimezone(UTC)
    today = moment.astimezone(zone).date()
    # A range lasts at most a day, so only ranges starting yesterday or today can cover the moment.
    days = (today - timedelta(days=1), today)
    for override in sorted(overrides, key=lambda o: (o.on_date, o.start_minute)):
        if override.on_date in days:
            start, end = interval(override.on_date, override.start_minute, override.end_minute, zone)
            if start <= moment < end:
                return OnDuty(override.user_id, "override", override=override)
    for day in days:
        for shift in sorted(shifts, key=lambda s: s.start_minute):
            if shift.weekday == day.weekday():
                start, end = interval(day, shift.start_minute, shift.end_minute, zone)
                if start <= moment < end:
                    return OnDuty(shift.user_id, "pattern", shift=shift)
    return OnDuty(None, "none")


def pattern_overlaps(shifts: list[Shift]) -> list[tuple[Shift, Shift]]:
    """Pairs of shifts that overlap on the weekly clock (touching ends do not), each pair with
    the earlier-starting shift of the week first. Sunday night runs into Monday morning."""
    def begins(shift: Shift) -> int:
        return shift.weekday * MINUTES_PER_DAY + shift.start_minute

    ordered = sorted(shifts, key=lambda shift: (begins(shift), shift.end_minute))
    pairs = []
    for index, first in enumerate(ordered):
        for second in ordered[index + 1:]:
            gap = begins(second) - begins(first)
            if gap < first.length or MINUTES_PER_WEEK - gap < second.length:
                pairs.append((first, second) if gap < first.length else (second, first))
    return pairs


def overrides_overlap(first: Override, second: Override) -> bool:
    """Whether two dated ranges share a minute of wall-clock time (touching ends do not)."""
    def begins(override: Override) -> int:
        return override.on_date.toordinal() * MINUTES_PER_DAY + override.start_minute

    return begins(first) < begins(second) + second.length and begins(second) < begins(first) + first.length
