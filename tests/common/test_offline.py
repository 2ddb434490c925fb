"""occurred_at on offline writes: when the person tapped, within what a phone's clock can be trusted for."""
from datetime import datetime, timedelta

import marshmallow as ma
import pytest

from backend.common.offline import OccurredAt, occurred_time
from backend.errors import InvalidInput


@pytest.fixture
def moment(clock) -> datetime:
    return clock.current


def _refusal(call) -> dict:
    with pytest.raises(InvalidInput) as refused:
        call()
    return refused.value.field_errors


def test_without_occurred_at_the_write_happened_now(moment):
    assert occurred_time(None) == moment


def test_a_time_from_earlier_today_is_kept(moment):
    tapped = moment - timedelta(hours=5, minutes=12)
    assert occurred_time(tapped) == tapped


def test_the_time_may_be_given_in_any_offset_and_is_the_same_instant(moment):
    from zoneinfo import ZoneInfo

    tapped = (moment - timedelta(hours=1)).astimezone(ZoneInfo("Asia/Shanghai"))
    assert occurred_time(tapped) == moment - timedelta(hours=1)


def test_a_phone_clock_a_minute_fast_is_forgiven_and_the_time_is_now(moment):
    assert occurred_time(moment + timedelta(minutes=1, seconds=59)) == moment


def test_a_time_more_than_two_minutes_ahead_is_refused(moment):
    errors = _refusal(lambda: occurred_time(moment + timedelta(minutes=2, seconds=1)))
    assert errors == {"occurred_at": ["时间不能晚于现在，请检查手机的时间。"]}


def test_seventy_two_hours_old_is_accepted_and_a_second_more_is_refused(moment):
    assert occurred_time(moment - timedelta(hours=72)) == moment - timedelta(hours=72)
    errors = _refusal(lambda: occurred_time(moment - timedelta(hours=72, seconds=1)))
    assert list(errors) == ["occurred_at"] and "72" in errors["occurred_at"][0]


def test_a_time_before_the_previous_step_is_refused(moment):
    checked_in = moment - timedelta(hours=2)
    errors = _refusal(lambda: occurred_time(checked_in - timedelta(minutes=3), not_before=checked_in))
    assert errors == {"occurred_at": ["时间早于上一步的记录时间，请检查手机的时间。"]}


def test_a_slow_phone_clock_just_before_the_previous_step_is_moved_to_it(moment):
    checked_in = moment - timedelta(minutes=30)
    assert occurred_time(checked_in - timedelta(seconds=90), not_before=checked_in) == checked_in
    assert occurred_time(checked_in + timedelta(minutes=20), not_before=checked_in) == checked_in + timedelta(
        minutes=20)


def test_a_time_without_its_offset_is_refused(moment):
    errors = _refusal(lambda: occurred_time(moment.replace(tzinfo=None)))
    assert "occurred_at" in errors


def test_the_error_names_the_field_the_caller_uses(moment):
    errors = _refusal(lambda: occurred_time(moment + timedelta(hours=1), field="checked_out_at"))
    assert list(errors) == ["checked_out_at"]


def test_the_refusal_speaks_english_to_an_english_phone(app, moment):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        errors = _refusal(lambda: occurred_time(moment + timedelta(hours=1)))
    assert errors == {"occurred_at": ["The time must not be in the future. Please check the phone's clock."]}


class _OfflineWrite(ma.Schema):
    occurred_at = OccurredAt()


def test_the_schema_field_reads_an_iso_time_with_offset(moment):
    loaded = _OfflineWrite().load({"occurred_at": "2026-11-26T08:30:00+08:00"})
    assert loaded["occurred_at"] == datetime.fromisoformat("2026-11-26T00:30:00+00:00")


@pytest.mark.parametrize("sent", ["2026-11-26T08:30:00", "yesterday", "2026-13-01T00:00:00+08:00"])
def test_the_schema_field_refuses_a_time_without_offset_or_not_a_time_in_chinese(sent):
    with pytest.raises(ma.ValidationError) as refused:
        _OfflineWrite().load({"occurred_at": sent})
    assert "带时区" in refused.value.messages["occurred_at"][0]
