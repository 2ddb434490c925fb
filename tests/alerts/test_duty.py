"""Who is on duty at a moment (pure): the weekly pattern, night shifts across midnight and the
week's end, dated overrides (also "nobody"), time zones and daylight-saving changes."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from backend.alerts.duty import Override, Shift, on_duty_at, overrides_overlap, pattern_overlaps

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
DAY, NIGHT, WEEKEND, STANDBY = 1, 2, 3, 4  # user ids


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def shift(weekday: int, start: str, end: str, user_id: int) -> Shift:
    return Shift(weekday, minutes(start), minutes(end), user_id)


def override(day: str, start: str, end: str, user_id: int | None) -> Override:
    return Override(date.fromisoformat(day), minutes(start), minutes(end), user_id)


# Weekdays 08:00–22:00 DAY; weeknights 22:00–08:00 NIGHT (Friday's to midnight); weekends all
# day WEEKEND, to 24:00 on Sunday; Monday 00:00–08:00 is nobody's.
WEEK = ([shift(day, "08:00", "22:00", DAY) for day in (MON, TUE, WED, THU, FRI)]
        + [shift(day, "22:00", "08:00", NIGHT) for day in (MON, TUE, WED, THU)]
        + [shift(FRI, "22:00", "00:00", NIGHT)]  # Friday night ends at midnight, when the weekend starts
        + [shift(SAT, "00:00", "24:00", WEEKEND), shift(SUN, "00:00", "24:00", WEEKEND)])


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))


# 2026-11-23 is a Monday.
@pytest.mark.parametrize("local, expected", [
    ("2026-11-23 07:59", None),  # Monday before the first day shift: nobody
    ("2026-11-23 08:00", DAY),  # a shift starts at its start minute ...
    ("2026-11-23 21:59", DAY),
    ("2026-11-23 22:00", NIGHT),  # ... and ends just before its end minute
    ("2026-11-24 00:00", NIGHT),  # Monday's night shift runs past midnight into Tuesday
    ("2026-11-24 03:00", NIGHT),
    ("2026-11-24 07:59", NIGHT),
    ("2026-11-24 08:00", DAY),
    ("2026-11-27 23:30", NIGHT),  # Friday night
    ("2026-11-28 00:00", WEEKEND),  # Saturday, all day
    ("2026-11-29 23:59", WEEKEND),  # Sunday, to 24:00
    ("2026-11-30 00:00", None),  # Monday 00:00–08:00: nobody, so escalation goes to the admin
])
def test_the_weekly_pattern_in_shanghai(local, expected):
    answer = on_duty_at(shanghai(local), WEEK, [], "Asia/Shanghai")
    assert answer.user_id == expected
    assert answer.source == ("pattern" if expected else "none")


def test_the_moment_is_read_in_the_communitys_time_zone_whatever_its_offset():
    utc = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)  # 22:30 Monday in Shanghai, 14:30 in UTC
    assert on_duty_at(utc, WEEK, [], "Asia/Shanghai").user_id == NIGHT
    assert on_duty_at(utc, WEEK, [], "Europe/London").user_id == DAY


def test_a_sunday_night_shift_runs_into_monday_morning():
    pattern = [shift(SUN, "22:00", "08:00", NIGHT)]
    assert on_duty_at(shanghai("2026-11-30 07:00"), pattern, [], "Asia/Shanghai").user_id == NIGHT
    assert on_duty_at(shanghai("2026-11-30 08:00"), pattern, [], "Asia/Shanghai").user_id is None


@pytest.mark.parametrize("local, expected, source", [
    ("2026-11-24 09:00", STANDBY, "override"),  # the override's range beats Tuesday's day shift
    ("2026-11-24 11:59", STANDBY, "override"),
    ("2026-11-24 12:00", DAY, "pattern"),  # after it, the pattern again
    ("2026-11-24 08:30", DAY, "pattern"),  # before it too
    ("2026-11-25 23:00", None, "override"),  # "nobody on duty" beats Wednesday's night shift ...
    ("2026-11-26 01:59", None, "override"),  # ... past midnight
    ("2026-11-26 02:00", NIGHT, "pattern"),  # and then the night shift is back
    ("2026-11-29 23:00", STANDBY, "override"),  # an override crossing midnight into a pattern gap
    ("2026-11-30 06:59", STANDBY, "override"),
    ("2026-11-30 07:00", None, "none"),
])
def test_overrides_beat_the_pattern_for_their_range(local, expected, source):
    overrides = [override("2026-11-24", "09:00", "12:00", STANDBY),
                 override("2026-11-25", "22:00", "02:00", None),
                 override("2026-11-29", "22:00", "07:00", STANDBY)]
    answer = on_duty_at(shanghai(local), WEEK, overrides, "Asia/Shanghai")
    assert (answer.user_id, answer.source) == (expected, source)


NEW_YORK = "America/New_York"


@pytest.mark.parametrize("utc, expected", [
    # 2026-03-08: clocks go from 02:00 EST to 03:00 EDT. Saturday 22:00 EST is 03:00 UTC; Sunday
    # 08:00 EDT is 12:00 UTC: the night shift lasts 9 real hours.
    ("2026-03-08T02:59", None),
    ("2026-03-08T03:00", NIGHT),
    ("2026-03-08T06:59", NIGHT),  # 01:59 EST
    ("2026-03-08T07:00", NIGHT),  # 03:00 EDT: the hour that never was is simply skipped
    ("2026-03-08T11:59", NIGHT),  # 07:59 EDT
    ("2026-03-08T12:00", None),  # 08:00 EDT
    # 2026-11-01: clocks go back from 02:00 EDT to 01:00 EST. Saturday 22:00 EDT is 02:00 UTC;
    # Sunday 08:00 EST is 13:00 UTC: 11 real hours.
    ("2026-11-01T02:00", NIGHT),
    ("2026-11-01T05:30", NIGHT),  # 01:30 EDT, the first time
    ("2026-11-01T06:30", NIGHT),  # 01:30 EST, the second time
    ("2026-11-01T12:59", NIGHT),  # 07:59 EST
    ("2026-11-01T13:00", None),
])
def test_a_night_shift_across_a_daylight_saving_change_lasts_its_real_length(utc, expected):
    pattern = [shift(SAT, "22:00", "08:00", NIGHT)]
    moment = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    assert on_duty_at(moment, pattern, [], NEW_YORK).user_id == expected


def test_nobody_is_on_duty_twice_when_the_clock_goes_back():
    # Saturday 22:00 to Sunday 01:30: 01:30 comes twice on 2026-11-01; the shift ends the first time.
    pattern = [shift(SAT, "22:00", "01:30", NIGHT)]
    first_0110 = datetime(2026, 11, 1, 5, 10, tzinfo=UTC)  # 01:10 EDT
    second_0110 = datetime(2026, 11, 1, 6, 10, tzinfo=UTC)  # 01:10 EST
    assert on_duty_at(first_0110, pattern, [], NEW_YORK).user_id == NIGHT
    assert on_duty_at(second_0110, pattern, [], NEW_YORK).user_id is None


@pytest.mark.parametrize("shifts, expected", [
    ([shift(MON, "08:00", "12:00", DAY), shift(MON, "12:00", "18:00", NIGHT)], []),  # touching is fine
    ([shift(MON, "08:00", "12:00", DAY), shift(MON, "11:00", "18:00", NIGHT)],
     [((MON, "08:00"), (MON, "11:00"))]),
    ([shift(MON, "22:00", "08:00", NIGHT), shift(TUE, "07:00", "12:00", DAY)],  # a night runs into the morning
     [((MON, "22:00"), (TUE, "07:00"))]),
    ([shift(SUN, "22:00", "08:00", NIGHT), shift(MON, "07:00", "12:00", DAY)],  # across the week's end
     [((SUN, "22:00"), (MON, "07:00"))]),
    ([shift(SUN, "22:00", "08:00", NIGHT), shift(MON, "08:00", "12:00", DAY)], []),
    ([shift(SAT, "00:00", "24:00", WEEKEND), shift(SUN, "00:00", "24:00", WEEKEND)], []),
    (WEEK, []),
])
def test_pattern_overlaps_name_each_overlapping_pair_earliest_first(shifts, expected):
    found = [((a.weekday, f"{a.start_minute // 60:02d}:{a.start_minute % 60:02d}"),
              (b.weekday, f"{b.start_minute // 60:02d}:{b.start_minute % 60:02d}"))
             for a, b in pattern_overlaps(shifts)]
    assert found == expected


@pytest.mark.parametrize("first, second, expected", [
    (override("2026-12-01", "08:00", "12:00", DAY), override("2026-12-01", "12:00", "14:00", NIGHT), False),
    (override("2026-12-01", "08:00", "12:00", DAY), override("2026-12-01", "11:00", "14:00", NIGHT), True),
    (override("2026-12-01", "22:00", "08:00", DAY), override("2026-12-02", "07:00", "09:00", NIGHT), True),
    (override("2026-12-01", "22:00", "08:00", DAY), override("2026-12-02", "08:00", "09:00", None), False),
    (override("2026-12-01", "00:00", "24:00", DAY), override("2026-12-02", "00:00", "01:00", None), False),
])
def test_overrides_overlap_when_they_share_a_minute(first, second, expected):
    assert overrides_overlap(first, second) is expected
    assert overrides_overlap(second, first) is expected
