"""A Web Push service on 127.0.0.1 for the tests, checking what a real one checks.

Every request must carry `Authorization: vapid t=<JWT>, k=<key>` whose ES256 signature verifies
against that key, with `aud` equal to this service's origin and `exp` in the future but within
24 h (RFC 8292), a `TTL`, a valid `Urgency` and `Topic` if present, and an aes128gcm body that
decrypts with the subscription's private key and auth secret (RFC 8291). A refused request is
answered 400/401/403/413 and recorded as refused. An accepted one is recorded with its TTL,
Urgency, Topic, decrypted payload and arrival time, and answered as the test scripted for that
subscription: 201, 404, 410 (from then on for good), 429 with Retry-After, or 500.

benchmarks/push.py runs it in a process of its own, as the push service the worker sends to.
"""
import base64
import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

MAX_BODY = 4096  # what push services accept (RFC 8030 §7.2)
MAX_EXPIRY_SECONDS = 24 * 3600
URGENCIES = ("very-low", "low", "normal", "high")
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_GONE = (404, 410)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class BrowserSubscription:
    """A browser's subscription at this service: its key pair, auth secret and scripted answers."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    answers: deque
    retry_after: str
    application_server_key: str | None
    gone_with: int | None = None

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def as_json(self) -> dict:
        """What `PushSubscription.toJSON()` gives the PWA, which posts it to Linli."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


@dataclass
class Received:
    """One request as the service saw it."""

    token: str
    status: int
    refusal: str | None = None  # why it was refused; None when it passed every check
    ttl: int | None = None
    urgency: str | None = None
    topic: str | None = None
    payload: dict | None = None
    vapid_key: str | None = None
    claims: dict = field(default_factory=dict)
    peer: tuple = ()  # the client's address and port: one per connection it opened
    received_at: float = 0.0  # time.time() when the request arrived


class Refused(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def verify_vapid(authorization: str | None, origin: str, now: float,
                 verified: set | None = None) -> tuple[str, dict]:
    """The checks a push service makes on the VAPID header; returns (public key, claims).

    `verified` holds the (token, key) pairs whose signature already checked out: a sender
    reuses one token for many pushes, and its signature need not be checked every time (its
    audience, expiry and contact still are)."""
    if not authorization:
        raise Refused(401, "no Authorization header")
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise Refused(401, f"Authorization scheme {scheme!r} is not vapid")
    values = {}
    for part in params.split(","):
        name, _, value = part.strip().partition("=")
        values[name] = value
    token, key = values.get("t"), values.get("k")
    if not token or not key:
        raise Refused(401, "vapid needs t= and k=")
    try:
        header_part, claims_part, signature_part = token.split(".")
        header = json.loads(b64url_decode(header_part))
        claims = json.loads(b64url_decode(claims_part))
        signature = b64url_decode(signature_part)
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    except (ValueError, TypeError):
        raise Refused(401, "malformed JWT or key") from None
    if header.get("alg") != "ES256" or len(signature) != 64:
        raise Refused(401, "JWT is not ES256")
    if verified is None or (token, key) not in verified:
        der = utils.encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                         int.from_bytes(signature[32:], "big"))
        try:
            public_key.verify(der, f"{header_part}.{claims_part}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise Refused(401, "JWT signature does not verify against k") from None
        if verified is not None:
            verified.add((token, key))
    if claims.get("aud") != origin:
        raise Refused(403, f"aud {claims.get('aud')!r} is not {origin!r}")
    expires = claims.get("exp")
    if not isinstance(expires, int) or expires <= now:
        raise Refused(403, "JWT expired")
    if expires > now + MAX_EXPIRY_SECONDS:
        raise Refused(403, "JWT exp more than 24 h ahead")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
        raise Refused(403, "sub is not a mailto: or https: contact")
    return key, claims


class PushService:
    """Start with `with PushService() as service:`; `subscribe()` makes browser subscriptions."""

    def __init__(self):
        self._lock = threading.Lock()
        self._subscriptions: dict[str, BrowserSubscription] = {}
        self.received: list[Received] = []
        self._verified_tokens: set[tuple[str, str]] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="push-service", daemon=True)

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "PushService":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def subscribe(self, answers=(), retry_after: str = "1", application_server_key: str | None = None,
                  ) -> BrowserSubscription:
        """A new subscription; `answers` are the statuses its first requests get, then 201."""
        token = secrets.token_urlsafe(16)
        subscription = BrowserSubscription(
            token=token, endpoint=f"{self.origin}/push/{token}",
            private_key=ec.generate_private_key(ec.SECP256R1()), auth_secret=secrets.token_bytes(16),
            answers=deque(answers), retry_after=retry_after, application_server_key=application_server_key)
        with self._lock:
            self._subscriptions[token] = subscription
        return subscription

    def requests_for(self, subscription: BrowserSubscription) -> list[Received]:
        with self._lock:
            return [item for item in self.received if item.token == subscription.token]

    def delivered_to(self, subscription: BrowserSubscription) -> list[Received]:
        return [item for item in self.requests_for(subscription) if item.status == 201]

    def take_received(self) -> list[Received]:
        """Every request recorded so far, forgotten here (a benchmark collects them as it goes)."""
        with self._lock:
            taken, self.received = self.received, []
        return taken

    @property
    def refused(self) -> list[Received]:
        with self._lock:
            return [item for item in self.received if item.refusal is not None]

    def _handle(self, path: str, headers, body: bytes, peer: tuple) -> tuple[int, dict]:
        token = path.removeprefix("/push/")
        with self._lock:
            subscription = self._subscriptions.get(token) if path.startswith("/push/") else None
        received = Received(token=token, status=0, peer=peer, received_at=time.time())
        try:
            if subscription is None:
                raise Refused(404, "no such subscription")
            self._check(subscription, headers, body, received)
        except Refused as refusal:
            received.status, received.refusal = refusal.status, refusal.reason
            self._record(received)
            return refusal.status, {}
        with self._lock:
            if subscription.gone_with:
                status = subscription.gone_with
            else:
                status = subscription.answers.popleft() if subscription.answers else 201
                if status in _GONE:
                    subscription.gone_with = status
            received.status = status
            self.received.append(received)
        if status == 429:
            return status, {"Retry-After": subscription.retry_after}
        if status == 201:
            return status, {"Location": f"{self.origin}/message/{secrets.token_urlsafe(8)}"}
        return status, {}

    def _record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)

    def _check(self, subscription: BrowserSubscription, headers, body: bytes, received: Received) -> None:
        received.vapid_key, received.claims = verify_vapid(headers.get("Authorization"), self.origin, time.time(),
                                                           self._verified_tokens)
        if subscription.application_server_key and received.vapid_key != subscription.application_server_key:
            raise Refused(403, "VAPID key is not the one the subscription was made with")
        ttl = headers.get("TTL")
        if ttl is None or not ttl.isdigit():
            raise Refused(400, "TTL header missing or not a whole number of seconds")
        received.ttl = int(ttl)
        received.urgency = headers.get("Urgency")
        if received.urgency is not None and received.urgency not in URGENCIES:
            raise Refused(400, f"Urgency {received.urgency!r} unknown")
        received.topic = headers.get("Topic")
        if received.topic is not None and not _TOPIC.match(received.topic):
            raise Refused(400, "Topic longer than 32 or outside the URL-safe base64 alphabet")
        if len(body) > MAX_BODY:
            raise Refused(413, "payload too large")
        if headers.get("Content-Encoding") != "aes128gcm":
            raise Refused(400, "Content-Encoding is not aes128gcm")
        try:
            plain = http_ece.decrypt(body, private_key=subscription.private_key,
                                     auth_secret=subscription.auth_secret, version="aes128gcm")
            received.payload = json.loads(plain)
        except Exception as error:  # any failure to decrypt or parse is the sender's fault
            raise Refused(400, f"body does not decrypt: {error!r}") from None

    def _handler_class(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real push services and pooled clients use

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, extra = service._handle(self.path, self.headers, body, self.client_address)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):
                pass

        return Handler
