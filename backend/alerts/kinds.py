"""Alert kinds, their acknowledgement windows, and the notifications an alert sends.

The domain that raises an alert declares its kind next to the use case, at import time:

    SOS = register(AlertKind(code="sos", labels={"zh-CN": "紧急求助", "en": "SOS"},
                             ack_window=timedelta(minutes=5)))

A kind's window is how long an alert may wait for "我来处理" before it escalates; the setting
ALERT_ACK_MINUTES ("sos=5,missed_check_in=30") overrides it per kind. A malformed setting, or
one naming a kind that no code registers, stops the app at start-up (`check_settings`).
"""
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from flask import Flask, current_app

from backend.common.i18n import LANGUAGES
from backend.common.registry import Registry
from backend.notifications import kinds as notification_kinds
from backend.notifications.kinds import Kind, SmsTemplate

DEFAULT_ACK_WINDOW = timedelta(minutes=10)
MAX_ACK_MINUTES = 24 * 60
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True)
class AlertKind:
    """One kind of alert: its code, its name in each language, its acknowledgement window."""

    code: str
    labels: dict[str, str]
    ack_window: timedelta = DEFAULT_ACK_WINDOW

    def __post_init__(self):
        problems = []
        if not _CODE.match(self.code):
            problems.append("the code must be 2–40 lowercase letters, digits or underscores")
        problems += [f"no label in {language}" for language in LANGUAGES if not self.labels.get(language)]
        if not timedelta(minutes=1) <= self.ack_window <= timedelta(minutes=MAX_ACK_MINUTES):
            problems.append(f"ack_window must be 1 to {MAX_ACK_MINUTES} minutes")
        if problems:
            raise ValueError(f"alert kind {self.code!r}: " + "; ".join(problems))


class UnknownAlertKind(LookupError):
    pass


_KINDS: Registry[AlertKind] = Registry("alert kind", UnknownAlertKind)


def register(kind: AlertKind) -> AlertKind:
    return _KINDS.register(kind.code, kind)


def unregister(code: str) -> None:
    """Remove a kind (tests register their own and remove them afterwards)."""
    _KINDS.unregister(code)


def get(code: str) -> AlertKind:
    return _KINDS.get(code)


def label(code: str, language: str) -> str:
    """The kind's name in `language`; its code when the kind has been removed from the code since."""
    kind = _KINDS.find(code)
    if kind is None:
        return code
    return kind.labels.get(language) or kind.labels["zh-CN"]


# The ALERT_ACK_MINUTES setting

@lru_cache(maxsize=8)
def parse_ack_minutes(text: str) -> dict[str, int]:
    """"sos=5, missed_check_in=30" → {"sos": 5, "missed_check_in": 30}; ValueError saying
    what is wrong otherwise. Empty: no overrides."""
    minutes: dict[str, int] = {}
    for item in (part.strip() for part in (text or "").split(",")):
        if not item:
            continue
        code, sep, value = (piece.strip() for piece in item.partition("="))
        if not sep or not _CODE.match(code) or not value.isdigit():
            raise ValueError(f"ALERT_ACK_MINUTES: {item!r} is not kind=minutes (e.g. sos=5)")
        if code in minutes:
            raise ValueError(f"ALERT_ACK_MINUTES names {code!r} twice")
        if not 1 <= int(value) <= MAX_ACK_MINUTES:
            raise ValueError(f"ALERT_ACK_MINUTES: {code} must be 1 to {MAX_ACK_MINUTES} minutes, not {value}")
        minutes[code] = int(value)
    return minutes


def check_settings(app: Flask) -> None:
    """Refuse to start with a malformed ALERT_ACK_MINUTES or ALERT_MAX_REMINDERS, or one naming
    an alert kind no code registers (a typo must not leave a kind at its default unnoticed).
    Called once every domain's alert kinds are registered."""
    try:
        configured = parse_ack_minutes(app.config["ALERT_ACK_MINUTES"])
    except ValueError as error:
        raise RuntimeError(str(error)) from None
    unknown = sorted(set(configured) - set(_KINDS.names()))
    if unknown:
        raise RuntimeError(f"ALERT_ACK_MINUTES names unknown alert kinds {unknown}; "
                           f"the registered ones are {_KINDS.names() or 'none yet'}")
    reminders = app.config["ALERT_MAX_REMINDERS"]
    if not isinstance(reminders, int) or not 0 <= reminders <= 100:
        raise RuntimeError(f"ALERT_MAX_REMINDERS must be 0 to 100, not {reminders!r}")


def ack_window(code: str) -> timedelta:
    """How long an alert of this kind may wait for an acknowledgement before it escalates."""
    configured = parse_ack_minutes(current_app.config["ALERT_ACK_MINUTES"])
    if code in configured:
        return timedelta(minutes=configured[code])
    return get(code).ack_window


# The notifications an alert sends. Every one carries the alert's kind name in both languages
# (label_zh, label_en), who it is about (subject: how the resident is addressed and their
# building, or the community's name) and, in its data, the alert's id. The lock screen shows the
# kind's name only; the subject appears in the app.

def _sms(code: str, zh: str, en: str, params: tuple[str, ...]) -> SmsTemplate:
    return SmsTemplate(template_ids={"zh-CN": f"LINLI_{code.upper()}_ZH", "en": f"LINLI_{code.upper()}_EN"},
                       texts={"zh-CN": zh, "en": en}, params=params)


def _alert_notice(code: str, texts: dict, params: tuple[str, ...], sms: SmsTemplate, **fields) -> Kind:
    return notification_kinds.register(Kind(
        code=code, texts=texts, params=params, urgency="high", safety=True, quiet_hours="ignore",
        channels=("inapp", "push", "sms"), ttl=timedelta(hours=1), sms=sms, topic="alert-{alert_id}",
        push_params=tuple(name for name in params if name in ("label_zh", "label_en", "minutes")), **fields))


ALERT_RAISED = _alert_notice(
    "alert_raised",
    {"zh-CN": ("{label_zh}", "{subject}：需要有人处理。请尽快查看，点“我来处理”接手。"),
     "en": ("{label_en}", "{subject}: someone needs to take this on. Please look now and tap “I'll handle it”.")},
    ("label_zh", "label_en", "subject"),
    _sms("alert_raised", "邻里：有一条{label_zh}需要处理，请尽快打开邻里查看并接手。",
         "Linli: a {label_en} alert needs someone to take it on. Please open Linli now.", ("label_zh", "label_en")),
)

ALERT_ESCALATED = _alert_notice(
    "alert_escalated",
    {"zh-CN": ("无人接手：{label_zh}", "{subject}：{minutes} 分钟内没有人接手，现转给您。请尽快查看，点“我来处理”接手。"),
     "en": ("Nobody has taken it: {label_en}",
            "{subject}: nobody took this on within {minutes} minutes, so it comes to you. "
            "Please look now and tap “I'll handle it”.")},
    ("label_zh", "label_en", "subject", "minutes"),
    _sms("alert_escalated", "邻里：一条{label_zh}已{minutes}分钟无人接手，现转给您，请尽快打开邻里处理。",
         "Linli: nobody has taken a {label_en} alert for {minutes} minutes; it comes to you. Please open Linli now.",
         ("label_zh", "label_en", "minutes")),
)

ALERT_REMINDER = _alert_notice(
    "alert_reminder",
    {"zh-CN": ("仍无人接手：{label_zh}", "{subject}：已经 {minutes} 分钟没有人接手。请尽快查看，点“我来处理”接手。"),
     "en": ("Still nobody on it: {label_en}",
            "{subject}: nobody has taken this on for {minutes} minutes. Please look now and tap “I'll handle it”.")},
    ("label_zh", "label_en", "subject", "minutes"),
    _sms("alert_reminder", "邻里：一条{label_zh}已{minutes}分钟无人接手，请尽快打开邻里处理。",
         "Linli: nobody has taken a {label_en} alert for {minutes} minutes. Please open Linli now.",
         ("label_zh", "label_en", "minutes")),
)

# Telling the others who took it is safety-relevant too (nobody else drives out at night), but
# one that reaches nobody alerts no one: the alert itself has an owner by then.
ALERT_TAKEN = _alert_notice(
    "alert_taken",
    {"zh-CN": ("已有人接手：{label_zh}", "{owner_name} 已接手：{subject}。"),
     "en": ("Taken: {label_en}", "{owner_name} is handling it: {subject}.")},
    ("label_zh", "label_en", "subject", "owner_name"),
    _sms("alert_taken", "邻里：{label_zh}已有人接手，详情请打开邻里查看。",
         "Linli: someone is handling the {label_en} alert. Open Linli for details.", ("label_zh", "label_en")),
    alert_when_undelivered=False,
)
