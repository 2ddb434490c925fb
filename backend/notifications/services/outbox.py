"""`notify()`: a use case writes a notification, and its deliveries, in its own transaction.

It never commits and never sends: when the caller's transaction commits, the worker finds the
deliveries; when it rolls back, nothing is left. Call it with the rows already loaded:

    notify("offer", user=volunteer_user, params={"category": "陪伴聊天"},
           data={"help_request_id": request.id, "resident_id": resident.id})
"""
import re
from dataclasses import dataclass

from sqlalchemy import text

from backend.accounts.models import User
from backend.common.i18n import DEFAULT_LANGUAGE, LANGUAGES
from backend.common.time import now
from backend.extensions import db
from backend.notifications import kinds
from backend.notifications.models import Notification
from backend.notifications.services import policy

# PostgreSQL: notify() wakes the idle workers (they LISTEN on this channel). NOTIFY is sent in
# the caller's transaction, so they hear it when it commits, and never when it rolls back.
WAKE_CHANNEL = "linli_deliveries"
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # Web Push topics: URL-safe base64 alphabet, ≤ 32
_FALLBACK_TEXTS = {"zh-CN": ("邻里通知", ""), "en": ("Linli notification", "")}


@dataclass(frozen=True)
class Contact:
    """A recipient without an account (e.g. an emergency contact): reached by SMS only."""

    name: str
    phone: str
    language: str = DEFAULT_LANGUAGE


def _check_params(kind: kinds.Kind, params: dict) -> None:
    missing, unknown = set(kind.params) - set(params), set(params) - set(kind.params)
    if missing or unknown:
        raise ValueError(f"{kind.code}: params missing {sorted(missing)}, unknown {sorted(unknown)}")
    for name, value in params.items():
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ValueError(f"{kind.code}: param {name!r} must be text or a number")


def _check_ids_only(kind: kinds.Kind, data: dict) -> None:
    """The data payload travels in push messages: ids, nothing that names or locates a person."""
    for name, value in data.items():
        is_id_name = name == "id" or name.endswith("_id")
        is_id_value = isinstance(value, int) and not isinstance(value, bool) or isinstance(value, str) and len(value) <= 64
        if not (is_id_name and is_id_value):
            raise ValueError(f"{kind.code}: data may hold ids only (*_id: int or short str), not {name!r}")


def notify(kind_code: str, *, user: User | None = None, contact: Contact | None = None,
           params: dict | None = None, data: dict | None = None,
           community_id: int | None = None) -> Notification:
    """Stage a notification of `kind_code` to a user or a bare contact, with its deliveries.

    `params` fill the kind's texts (rendered in the recipient's language when shown or sent);
    `data` holds ids only. `community_id` defaults to the user's community (its time zone
    counts quiet hours; its admins hear of a safety notification that reached nobody)."""
    kind = kinds.get(kind_code)
    if (user is None) == (contact is None):
        raise ValueError("notify() needs exactly one of user= and contact=")
    params, data = dict(params or {}), dict(data or {})
    _check_params(kind, params)
    _check_ids_only(kind, data)
    needed = kinds.data_placeholders(kind) - set(data)
    if needed:
        raise ValueError(f"{kind.code}: its topic or url needs data {sorted(needed)}")
    topic = kind.format_with_data(kind.topic, data)
    if topic is not None and not _TOPIC.match(topic):
        raise ValueError(f"{kind.code}: push topic {topic!r} must be 1–32 URL-safe base64 characters")
    moment = now()
    notification = Notification(
        kind=kind.code, params=params, data=data, urgency=kind.urgency, is_safety=kind.safety, topic=topic,
        community_id=community_id if community_id is not None else (user.community_id if user else None),
        created_at=moment, expires_at=moment + kind.ttl,
        in_inbox=user is not None and "inapp" in kind.channels,
    )
    if user is not None:
        notification.recipient_user_id, notification.recipient = user.id, user
    else:
        notification.contact_name, notification.contact_phone = contact.name, contact.phone
        notification.contact_language = contact.language if contact.language in LANGUAGES else DEFAULT_LANGUAGE
    db.session.add(notification)
    notification.deliveries = policy.plan_deliveries(notification, kind, user, moment)
    db.session.flush()
    if notification.deliveries and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"NOTIFY {WAKE_CHANNEL}"))
    return notification


def rendered(notification: Notification, language: str | None = None) -> tuple[str, str]:
    """(title, body) of a notification in `language` (default: the recipient's)."""
    language = language or notification.language
    try:
        kind = kinds.get(notification.kind)
    except kinds.UnknownKind:  # a kind removed from the code since: its old entries still show
        return _FALLBACK_TEXTS.get(language, _FALLBACK_TEXTS[DEFAULT_LANGUAGE])
    return kind.render(language, notification.params)


def url_of(notification: Notification) -> str:
    """The screen of the PWA a tap on this notification opens."""
    try:
        kind = kinds.get(notification.kind)
    except kinds.UnknownKind:
        return "/notifications"
    return kind.format_with_data(kind.url, notification.data)
