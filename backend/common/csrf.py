"""CSRF protection for the JSON API: a per-session token sent back as X-CSRF-Token on writes."""
import hmac
import secrets

from flask import request, session

from backend.errors import DomainError

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SESSION_KEY = "csrf_token"
HEADER = "X-CSRF-Token"


class CsrfMissing(DomainError):
    status = 403
    reason = "csrf_missing"
    messages = {"zh-CN": "页面已过期，请刷新后再试。", "en": "The page has expired. Please reload and try again."}


class CsrfInvalid(DomainError):
    status = 403
    reason = "csrf_invalid"
    messages = {"zh-CN": "页面已过期，请刷新后再试。", "en": "The page has expired. Please reload and try again."}


def csrf_token() -> str:
    """This session's token, created on first use."""
    if SESSION_KEY not in session:
        session[SESSION_KEY] = secrets.token_urlsafe(32)
    return session[SESSION_KEY]


def protect_api_writes():
    """before_request hook: refuse API writes without the session's token."""
    if request.method in SAFE_METHODS or not request.path.startswith("/api/"):
        return
    sent = request.headers.get(HEADER)
    if not sent:
        raise CsrfMissing()
    expected = session.get(SESSION_KEY)
    if not expected or not hmac.compare_digest(sent, expected):
        raise CsrfInvalid()
