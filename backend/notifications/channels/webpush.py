"""The Web Push channel: one notification to one browser subscription, through pywebpush with VAPID.

Every request carries an explicit TTL (the notification's remaining lifetime; pywebpush's
default of 0 would drop it for a phone that is briefly offline), an Urgency (high for safety
kinds), a Topic when the kind has one, and a VAPID JWT for the push service's origin. One HTTP
session per process keeps connections to push services open. What push services answer, and
what the worker does then, is in docs/push.md.
"""
import hashlib
import json
import logging
import math
import os
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
from pywebpush import WebPusher, WebPushException
from requests.adapters import HTTPAdapter

from backend.common.time import now
from backend.notifications.channels.base import Outcome
from backend.notifications.vapid import VapidKeys, b64url, current_keys

log = logging.getLogger(__name__)

# A JWT is signed for this long and reused until it has less than the margin left; push
# services refuse an `exp` more than 24 h ahead.
JWT_LIFETIME_SECONDS = 12 * 3600
JWT_RENEW_MARGIN_SECONDS = 3600
# A push body is at most 4096 bytes; aes128gcm adds 86 bytes of header and 17 per record.
MAX_PAYLOAD_BYTES = 3000
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
GENERIC_TEXTS = {
    "zh-CN": ("邻里提醒", "您有一条新提醒，请打开邻里查看。"),
    "en": ("Linli", "You have a new notification. Open Linli to see it."),
}


class _PushSession(requests.Session):
    """A requests session that reads the environment once per push service, not per request.

    requests looks up the proxy variables (and no_proxy) in os.environ and ~/.netrc on every
    request: at hundreds of pushes a second that was a fifth of each push thread's time. Here the
    proxies and CA bundle the environment gives for a push service's origin are read on its first
    push and kept; ~/.netrc is not read (its credentials would replace the VAPID Authorization)."""

    def __init__(self):
        super().__init__()
        self.trust_env = False
        self._environment: dict[tuple[str, str], tuple[dict, str | None]] = {}

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        parts = urlsplit(url)
        origin = (parts.scheme, parts.netloc)
        environment = self._environment.get(origin)
        if environment is None:
            environment = (requests.utils.get_environ_proxies(url),
                           os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE"))
            self._environment[origin] = environment
        environment_proxies, ca_bundle = environment
        proxies = {**environment_proxies, **(proxies or {})}
        if (verify is True or verify is None) and ca_bundle:
            verify = ca_bundle
        return super().merge_environment_settings(url, proxies, stream, verify, cert)


class _Connections:
    """This process's HTTP session (a connection pool per push service) and VAPID headers.

    Made again after a fork: a worker forked by a process manager must not share sockets."""

    def __init__(self, pool_size: int):
        self.pid = os.getpid()
        self.pool_size = pool_size
        self.session = _PushSession()
        adapter = HTTPAdapter(pool_connections=8, pool_maxsize=pool_size)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self._headers: dict[tuple[str, str], tuple[str, float]] = {}
        self._lock = threading.Lock()

    def authorization(self, keys: VapidKeys, audience: str) -> str:
        """A VAPID header for `audience`, signed again when it is close to its expiry."""
        wall_clock = time.time()  # push services check exp against the real time, not ours
        cache_key = (keys.application_server_key, audience)
        with self._lock:
            cached = self._headers.get(cache_key)
            if cached is None or cached[1] - wall_clock < JWT_RENEW_MARGIN_SECONDS:
                expires = int(wall_clock) + JWT_LIFETIME_SECONDS
                cached = (keys.authorization(audience, expires), expires)
                self._headers[cache_key] = cached
            return cached[0]


_connections: _Connections | None = None
_connections_lock = threading.Lock()


def connections(app_config) -> _Connections:
    global _connections
    with _connections_lock:
        if _connections is None or _connections.pid != os.getpid():
            # Room for every push the worker has in flight at once: none waits for a connection.
            _connections = _Connections(max(app_config["PUSH_CONNECTIONS"], app_config["WORKER_PUSH_CONCURRENCY"]))
        return _connections


@dataclass(frozen=True)
class PushMessage:
    """One push, ready to go: everything it needs from the database and the app, read beforehand,
    so that `deliver()` can run in any thread (the worker sends several at once)."""

    endpoint: str
    p256dh: str
    auth: str
    payload: bytes
    ttl: int
    urgency: str
    topic: str | None
    keys: VapidKeys


def send(delivery, notification, kind, app_config) -> Outcome:
    """Pushes `notification` to the delivery's browser subscription and says how it went."""
    message = prepare(delivery, notification, kind, app_config)
    return message if isinstance(message, Outcome) else deliver(message, app_config)


def prepare(delivery, notification, kind, app_config) -> "PushMessage | Outcome":
    """The push for a delivery (in the worker's thread, with the app and its clock), or the
    outcome already known without a request (no subscription left, the notification expired)."""
    subscription = delivery.push_subscription
    if subscription is None:
        return Outcome("failed", None, "the push subscription was removed")
    left = (notification.expires_at - now()).total_seconds()
    if left < 1:
        return Outcome("failed", None, "the notification expired before it was pushed")
    urgency = urgency_of(notification, kind)
    return PushMessage(
        endpoint=subscription.endpoint, p256dh=subscription.p256dh, auth=subscription.auth,
        payload=payload(notification, kind, urgency),
        ttl=min(math.floor(left), app_config["PUSH_TTL_SECONDS"]),
        urgency=urgency,
        topic=push_topic(notification.topic or kind.format_with_data(kind.topic, notification.data or {})),
        keys=current_keys(),
    )


def deliver(message: PushMessage, app_config) -> Outcome:
    """Send a prepared push; touches neither the database nor the app context, so it is safe in
    a thread of the worker's pool."""
    return push(endpoint=message.endpoint, p256dh=message.p256dh, auth=message.auth, payload=message.payload,
                ttl=message.ttl, urgency=message.urgency, topic=message.topic, app_config=app_config,
                keys=message.keys)


def urgency_of(notification, kind) -> str:
    return "high" if kind.safety or kind.urgency == "high" or notification.urgency == "high" else "normal"


def payload(notification, kind, urgency: str) -> bytes:
    """What the service worker gets: ids, the kind, lock-screen texts in the recipient's
    language and the screen to open — never names, addresses or phone numbers."""
    title, body = lock_screen_texts(kind, notification.language, notification.params or {})
    message = {
        "id": notification.id,
        "kind": kind.code,
        "title": title,
        "body": body,
        "url": kind.format_with_data(kind.url, notification.data or {}),
        "urgency": urgency,
    }
    encoded = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()
    while len(encoded) > MAX_PAYLOAD_BYTES and len(message["body"]) > 1:
        message["body"] = message["body"][: len(message["body"]) * 3 // 4].rstrip() + "…"
        encoded = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()
    return encoded


def lock_screen_texts(kind, language: str, params: dict) -> tuple[str, str]:
    """The kind's title and body where they use only its push_params, else generic ones."""
    texts = kind.texts.get(language) or kind.texts["zh-CN"]
    generic = GENERIC_TEXTS.get(language) or GENERIC_TEXTS["zh-CN"]
    safe = {name: params[name] for name in kind.push_params if name in params}
    rendered = []
    for template, fallback in zip(texts, generic):
        try:
            rendered.append(template.format(**safe))
        except (KeyError, IndexError):
            rendered.append(fallback)
    return rendered[0], rendered[1]


def push_topic(topic: str | None) -> str | None:
    """A Topic header value: at most 32 characters of the URL-safe base64 alphabet. A longer
    or other topic is hashed into that form, so equal topics still replace each other."""
    if not topic:
        return None
    if _TOPIC.match(topic):
        return topic
    return b64url(hashlib.sha256(topic.encode()).digest())[:32]


def push(*, endpoint: str, p256dh: str, auth: str, payload: bytes, ttl: int, urgency: str,
         topic: str | None, app_config, keys: VapidKeys | None = None) -> Outcome:
    """One encrypted, VAPID-signed POST to a push service, its answer mapped to an Outcome."""
    keys = keys or current_keys()
    pool = connections(app_config)
    parts = urlsplit(endpoint)
    headers = {"Authorization": pool.authorization(keys, f"{parts.scheme}://{parts.netloc}"), "Urgency": urgency}
    if topic:
        headers["Topic"] = topic
    subscription_info = {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
    try:
        response = WebPusher(subscription_info, requests_session=pool.session).send(
            payload, headers, ttl=max(1, ttl), content_encoding="aes128gcm",
            timeout=app_config["PUSH_TIMEOUT_SECONDS"])
    except requests.RequestException as error:
        return Outcome("retry", None, f"push service unreachable ({parts.hostname}): {type(error).__name__}")
    except (WebPushException, ValueError, TypeError) as error:  # keys no browser made: encrypting fails
        return Outcome("failed", None, f"the subscription's keys cannot be used: {error}")
    return outcome_for(response.status_code, response.headers, response.text, parts.hostname or "")


def outcome_for(status: int, headers, text: str, host: str) -> Outcome:
    """201/202 delivered; 404/410 gone; 429 and 5xx retry (after Retry-After); other 4xx failed."""
    answer = f"push service {host} answered {status}"
    if status in (200, 201, 202):
        return Outcome("delivered")
    if status in (404, 410):
        return Outcome("gone", None, answer)
    if status == 429 or status >= 500:
        return Outcome("retry", retry_after_seconds(headers.get("Retry-After"), headers.get("Date")), answer)
    detail = " ".join((text or "").split())[:200]
    log.warning("Web Push refused by %s: %s %s", host, status, detail)
    return Outcome("failed", None, f"{answer}: {detail}" if detail else answer)


def retry_after_seconds(value: str | None, date: str | None = None) -> float | None:
    """Retry-After as seconds from now: a number of seconds, or an HTTP-date (measured against
    the answer's own Date, so a push service whose clock differs from ours is still read right)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    if when is None:
        return None
    reference = _http_date(date) or datetime.now(UTC)
    return max(0.0, (when - reference).total_seconds())


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
