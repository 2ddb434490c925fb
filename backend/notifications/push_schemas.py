"""Web Push subscription API shapes: what the PWA posts from `PushSubscription.toJSON()`, and what it gets."""
import ipaddress
from urllib.parse import urlsplit

import marshmallow as ma
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app

from backend.common.i18n import pick
from backend.notifications.vapid import b64url_decode

MAX_ENDPOINT_LENGTH = 1024
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _decoded(value: str, length: int) -> bytes:
    try:
        raw = b64url_decode(value)
    except ValueError:
        raw = b""
    if len(raw) != length:
        raise ma.ValidationError(pick({
            "zh-CN": "应为 {n} 字节的 base64url 编码，请由浏览器的推送订阅直接提供。",
            "en": "Must be {n} bytes in base64url, as the browser's push subscription gives it."}, n=length))
    return raw


class PushKeysSchema(ma.Schema):
    p256dh = ma.fields.String(required=True)  # the browser's P-256 public key (65-byte point)
    auth = ma.fields.String(required=True)  # the browser's 16-byte auth secret

    @ma.validates("p256dh")
    def _p256dh(self, value: str, **_kwargs) -> None:
        point = _decoded(value, 65)
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        except ValueError:
            raise ma.ValidationError(pick({"zh-CN": "不是有效的 P-256 公钥。",
                                           "en": "Not a valid P-256 public key."})) from None

    @ma.validates("auth")
    def _auth(self, value: str, **_kwargs) -> None:
        _decoded(value, 16)


def _refuse_endpoint():
    return ma.ValidationError(pick({
        "zh-CN": "推送地址应为浏览器推送服务的 https 地址。",
        "en": "The endpoint must be the https address of a browser's push service."}))


def check_endpoint(endpoint: str, allow_loopback_http: bool) -> None:
    """An https URL of a push service on the internet. Endpoints are where the worker sends
    requests, so nothing on this machine or its network (an IP literal, localhost) is accepted —
    except http://127.0.0.1 where the settings allow the test suite's local push service."""
    parts = urlsplit(endpoint)
    try:
        host, port = parts.hostname or "", parts.port
    except ValueError:
        raise _refuse_endpoint() from None
    if parts.username or parts.password or parts.fragment or not host or port == 0:
        raise _refuse_endpoint()
    loopback = host in _LOOPBACK_HOSTS
    if loopback and allow_loopback_http and parts.scheme in ("http", "https"):
        return
    if parts.scheme != "https" or loopback or host.endswith(".localhost") or "." not in host:
        raise _refuse_endpoint()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return
    raise _refuse_endpoint()


class PushSubscriptionInSchema(ma.Schema):
    endpoint = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_ENDPOINT_LENGTH))
    keys = ma.fields.Nested(PushKeysSchema, required=True)
    label = ma.fields.String(load_default="", validate=ma.validate.Length(max=100))  # e.g. "妈妈的手机"

    @ma.validates("endpoint")
    def _endpoint(self, value: str, **_kwargs) -> None:
        check_endpoint(value, current_app.config["PUSH_ALLOW_LOOPBACK_HTTP"])


class PushSubscriptionSchema(ma.Schema):
    id = ma.fields.Integer()
    endpoint = ma.fields.String()  # lets the PWA find its own browser's entry to remove it
    push_service = ma.fields.Method("_push_service")
    label = ma.fields.String()
    created_at = ma.fields.DateTime()
    last_success_at = ma.fields.DateTime(allow_none=True)

    def _push_service(self, subscription) -> str:
        return urlsplit(subscription.endpoint).hostname or ""


class PublicKeySchema(ma.Schema):
    public_key = ma.fields.String(required=True)  # applicationServerKey for pushManager.subscribe()
