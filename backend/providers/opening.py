"""Whether a provider is open at a moment, and when that changes: pure, from weekly opening hours.

Hours are ranges within one day of the week in the community's time zone, start included and end
excluded (09:00–17:00 is closed at 17:00), with "24:00" as the end of a day. An opening past
midnight is two ranges, the evening one ending at 24:00 and the next day's starting at 00:00: they
touch, so they count as one stretch and "closes at" looks past midnight (Sunday night runs on into
Monday morning). No Flask, no database: tests give plain ranges and local times.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


@dataclass(frozen=True)
class WeeklyRange:
    weekday: int  # 0 = Monday
    start_minute: int  # minutes from midnight
    end_minute: int  # exclusive; 1440 = 24:00


@dataclass(frozen=True)
class OpenState:
    is_open: bool
    # When it closes (if open) or next opens (if closed), local; None when that never happens
    # (open round the clock, or no hours at all).
    changes_at: datetime | None


def _stretches(hours: list[WeeklyRange]) -> list[tuple[int, int]]:
    """The week's open stretches in minutes from Monday 00:00, touching ranges joined. A stretch
    that runs over Sunday midnight into Monday ends past MINUTES_PER_WEEK."""
    ranges = sorted((r.weekday * MINUTES_PER_DAY + r.start_minute, r.weekday * MINUTES_PER_DAY + r.end_minute)
                    for r in hours if r.start_minute < r.end_minute)
    merged: list[list[int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if len(merged) > 1 and merged[-1][1] >= MINUTES_PER_WEEK and merged[0][0] == 0:
        first = merged.pop(0)
        merged[-1][1] = max(merged[-1][1], MINUTES_PER_WEEK + first[1])
    return [(start, end) for start, end in merged]


def open_state(hours: list[WeeklyRange], at: datetime) -> OpenState:
    """Open or closed at `at` (a local time in the community's zone), and when that changes."""
    stretches = _stretches(hours)
    if not stretches:
        return OpenState(False, None)
    if stretches[0] == (0, MINUTES_PER_WEEK):
        return OpenState(True, None)
    minute = at.weekday() * MINUTES_PER_DAY + at.hour * 60 + at.minute
    start_of_minute = at.replace(second=0, microsecond=0)

    def later(minutes: int) -> datetime:
        return start_of_minute + timedelta(minutes=minutes)

    for start, end in stretches:
        # A stretch that wraps past Sunday midnight also covers the start of this week.
        for offset in (0, -MINUTES_PER_WEEK):
            if start + offset <= minute < end + offset:
                return OpenState(True, later(end + offset - minute))
    upcoming = [start - minute if start > minute else start + MINUTES_PER_WEEK - minute for start, _ in stretches]
    return OpenState(False, later(min(upcoming)))
