"""A user's notification preferences: push on or off, SMS for ordinary kinds, quiet hours and
language (the account's own display language, shared with accounts' preferences)."""
from dataclasses import dataclass

from backend.accounts.models import User
from backend.extensions import db
from backend.notifications.models import DEFAULT_QUIET_END, DEFAULT_QUIET_START, NotificationPreference
from backend.notifications.services.policy import Preferences, preferences_of, timezone_of

_COLUMNS = {"push_enabled": "push_enabled", "sms_opt_in": "sms_opt_in",
            "quiet_hours_start": "quiet_start_minute", "quiet_hours_end": "quiet_end_minute"}


@dataclass
class PreferencesView:
    push_enabled: bool
    sms_opt_in: bool
    quiet_hours_start: int  # minutes from midnight, in `time_zone`
    quiet_hours_end: int
    language: str
    time_zone: str
    has_phone: bool  # SMS needs a mobile number on the account


def _view(user: User, preferences: Preferences) -> PreferencesView:
    return PreferencesView(
        push_enabled=preferences.push_enabled, sms_opt_in=preferences.sms_opt_in,
        quiet_hours_start=preferences.quiet_start_minute, quiet_hours_end=preferences.quiet_end_minute,
        language=user.language, time_zone=timezone_of(user.community_id), has_phone=bool(user.phone))


def get_preferences(user: User) -> PreferencesView:
    return _view(user, preferences_of(user.id))


def update_preferences(user: User, changes: dict) -> PreferencesView:
    """Change any of push_enabled, sms_opt_in, quiet_hours_start/end and language."""
    row = db.session.get(NotificationPreference, user.id)
    if row is None:
        row = NotificationPreference(user_id=user.id, push_enabled=True, sms_opt_in=False,
                                     quiet_start_minute=DEFAULT_QUIET_START, quiet_end_minute=DEFAULT_QUIET_END)
        db.session.add(row)
    for field, column in _COLUMNS.items():
        if field in changes:
            setattr(row, column, changes[field])
    if "language" in changes:
        user.language = changes["language"]
    db.session.commit()
    return _view(user, preferences_of(user.id))
