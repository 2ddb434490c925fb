"""Writes made offline carry `occurred_at`, when the person tapped: the rule that accepts it.

DESIGN.md §5: not in the future, not before the previous step, at most 72 hours old. Phones' clocks
drift, so a little skew either way is forgiven and the time is moved to the nearest plausible one.
"""
from datetime import datetime, timedelta

import marshmallow as ma

from backend.common.i18n import pick
from backend.common.time import now
from backend.errors import InvalidInput

MAX_OFFLINE_AGE = timedelta(hours=72)
CLOCK_SKEW = timedelta(minutes=2)


class OccurredAt(ma.fields.AwareDateTime):
    """A schema field for `occurred_at`: ISO-8601 with its offset (without one the phone's time
    zone is a guess), refused in the user's language."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ma.ValidationError:
            raise ma.ValidationError(pick({
                "zh-CN": "时间格式不对，应为带时区的 ISO-8601 时间（如 2026-11-26T08:30:00+08:00）。",
                "en": "Use an ISO-8601 time with its offset, e.g. 2026-11-26T08:30:00+08:00.",
            })) from None


def _refuse(field: str, texts: dict) -> InvalidInput:
    return InvalidInput(field_errors={field: [pick(texts)]})


def occurred_time(occurred_at: datetime | None, *, not_before: datetime | None = None,
                  field: str = "occurred_at") -> datetime:
    """The time a write happened: `occurred_at` when the phone sent a plausible one, else now.

    Refused (InvalidInput on `field`): more than CLOCK_SKEW ahead of the server, more than 72 hours
    old, or more than CLOCK_SKEW before `not_before` (the previous step, e.g. the check-in of a
    check-out). Within the skew it is moved to now or to `not_before`, so timelines never show
    a step in the future or before the one it follows.
    """
    moment = now()
    if occurred_at is None:
        return moment
    if occurred_at.tzinfo is None:
        raise _refuse(field, {"zh-CN": "时间需带时区（如 +08:00）。", "en": "The time needs its offset (e.g. +08:00)."})
    if occurred_at > moment + CLOCK_SKEW:
        raise _refuse(field, {"zh-CN": "时间不能晚于现在，请检查手机的时间。",
                              "en": "The time must not be in the future. Please check the phone's clock."})
    if moment - occurred_at > MAX_OFFLINE_AGE:
        raise _refuse(field, {"zh-CN": "这条记录是 72 小时以前的，太久了，无法接收。",
                              "en": "This was recorded more than 72 hours ago and can no longer be accepted."})
    if not_before is not None and occurred_at < not_before - CLOCK_SKEW:
        raise _refuse(field, {"zh-CN": "时间早于上一步的记录时间，请检查手机的时间。",
                              "en": "The time is before the previous step. Please check the phone's clock."})
    effective = min(occurred_at, moment)
    return max(effective, not_before) if not_before is not None else effective
