"""Open now, from weekly hours: the closing minute, hours past midnight, days off, the week's wrap."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from backend.providers.opening import OpenState, WeeklyRange, open_state

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS_9_TO_5 = [WeeklyRange(day, 9 * 60, 17 * 60) for day in range(5)]


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """Local time on a day of the week of 2026-11-23 (a Monday)."""
    return datetime(2026, 11, 23, hour, minute, second, tzinfo=SHANGHAI) + timedelta(days=day)


def test_open_from_the_opening_minute_until_the_last_minute_before_closing():
    assert open_state(WEEKDAYS_9_TO_5, at(0, 8, 59, 59)) == OpenState(False, at(0, 9))
    assert open_state(WEEKDAYS_9_TO_5, at(0, 9)) == OpenState(True, at(0, 17))
    assert open_state(WEEKDAYS_9_TO_5, at(0, 16, 59, 59)) == OpenState(True, at(0, 17))


def test_closed_at_the_closing_minute_and_says_when_it_opens_next():
    assert open_state(WEEKDAYS_9_TO_5, at(0, 17)) == OpenState(False, at(1, 9))


def test_a_day_off_is_closed_all_day_and_the_next_opening_is_after_it():
    assert open_state(WEEKDAYS_9_TO_5, at(5, 12)) == OpenState(False, at(7, 9))  # Saturday → Monday
    assert open_state(WEEKDAYS_9_TO_5, at(4, 17, 30)) == OpenState(False, at(7, 9))  # Friday evening


def test_hours_past_midnight_are_one_stretch_across_the_two_days():
    late = [WeeklyRange(2, 22 * 60, 1440), WeeklyRange(3, 0, 2 * 60)]  # Wednesday 22:00 – Thursday 02:00
    assert open_state(late, at(2, 21, 59)) == OpenState(False, at(2, 22))
    assert open_state(late, at(2, 23, 59)) == OpenState(True, at(3, 2))
    assert open_state(late, at(3, 0, 0)) == OpenState(True, at(3, 2))
    assert open_state(late, at(3, 1, 59)) == OpenState(True, at(3, 2))
    assert open_state(late, at(3, 2, 0)) == OpenState(False, at(9, 22))


def test_sunday_night_runs_on_into_monday_morning():
    weekend_night = [WeeklyRange(6, 20 * 60, 1440), WeeklyRange(0, 0, 3 * 60), WeeklyRange(0, 9 * 60, 12 * 60)]
    assert open_state(weekend_night, at(6, 23, 30)) == OpenState(True, at(7, 3))
    assert open_state(weekend_night, at(0, 2, 59)) == OpenState(True, at(0, 3))
    assert open_state(weekend_night, at(0, 3)) == OpenState(False, at(0, 9))


def test_back_to_back_ranges_in_one_day_do_not_close_in_between():
    split = [WeeklyRange(0, 8 * 60, 12 * 60), WeeklyRange(0, 12 * 60, 14 * 60), WeeklyRange(0, 16 * 60, 18 * 60)]
    assert open_state(split, at(0, 11, 59)) == OpenState(True, at(0, 14))
    assert open_state(split, at(0, 14, 30)) == OpenState(False, at(0, 16))


def test_round_the_clock_never_closes_and_no_hours_never_opens():
    always = [WeeklyRange(day, 0, 1440) for day in range(7)]
    assert open_state(always, at(3, 3)) == OpenState(True, None)
    assert open_state([], at(3, 3)) == OpenState(False, None)


def test_the_only_opening_of_the_week_already_passed_is_next_week():
    once = [WeeklyRange(2, 10 * 60, 11 * 60)]
    assert open_state(once, at(2, 11)) == OpenState(False, at(9, 10))
