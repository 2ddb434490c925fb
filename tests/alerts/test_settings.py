"""ALERT_ACK_MINUTES and ALERT_MAX_REMINDERS: read per kind, and a malformed value stops the app
at start-up rather than leaving an alert at the wrong window."""
from datetime import timedelta

import pytest

from backend import create_app
from backend.alerts.kinds import AlertKind, ack_window, parse_ack_minutes
from tests.alerts.helpers import TEST_ALERT


@pytest.mark.parametrize("text, expected", [
    ("", {}),
    ("sos=5", {"sos": 5}),
    (" sos = 5 , missed_check_in=30, ", {"sos": 5, "missed_check_in": 30}),
])
def test_the_setting_reads_minutes_per_kind(text, expected):
    assert parse_ack_minutes(text) == expected


@pytest.mark.parametrize("text, problem", [
    ("sos", "'sos' is not kind=minutes"),
    ("sos=five", "'sos=five' is not kind=minutes"),
    ("sos=-5", "'sos=-5' is not kind=minutes"),
    ("SOS=5", "'SOS=5' is not kind=minutes"),
    ("sos=0", "sos must be 1 to 1440 minutes, not 0"),
    ("sos=1441", "sos must be 1 to 1440 minutes, not 1441"),
    ("sos=5,sos=6", "names 'sos' twice"),
])
def test_a_malformed_setting_says_what_is_wrong(text, problem):
    with pytest.raises(ValueError, match=problem):
        parse_ack_minutes(text)


@pytest.mark.parametrize("settings, problem", [
    ({"ALERT_ACK_MINUTES": "sos=five"}, "'sos=five' is not kind=minutes"),
    ({"ALERT_ACK_MINUTES": "no_such_kind=5"}, r"unknown alert kinds \['no_such_kind'\]"),
    ({"ALERT_MAX_REMINDERS": -1}, "ALERT_MAX_REMINDERS must be 0 to 100"),
])
def test_the_app_refuses_to_start_with_a_bad_setting(settings, problem):
    with pytest.raises(RuntimeError, match=problem):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", **settings})


def test_the_app_starts_with_a_setting_naming_a_registered_kind():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "ALERT_ACK_MINUTES": f"{TEST_ALERT}=3"})
    with app.app_context():
        assert ack_window(TEST_ALERT) == timedelta(minutes=3)


@pytest.mark.parametrize("fields, problem", [
    ({"code": "SOS"}, "lowercase"),
    ({"labels": {"zh-CN": "紧急求助"}}, "no label in en"),
    ({"ack_window": timedelta(seconds=30)}, "ack_window must be 1 to 1440 minutes"),
])
def test_an_alert_kind_is_checked_when_declared(fields, problem):
    declared = {"code": "sos_check", "labels": {"zh-CN": "紧急求助", "en": "SOS"}, **fields}
    with pytest.raises(ValueError, match=problem):
        AlertKind(**declared)
