"""Every failure leaves Linli in one JSON shape: code, status, reason, message, errors.

Services refuse with a named `DomainError`; HTTP and validation errors from Flask,
webargs and Flask-Limiter are turned into the same shape here.
"""
import logging
import time
from http import HTTPStatus

from flask import jsonify
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from backend.common.i18n import pick, translate_field_errors

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain refused the request; subclasses name the rule."""

    status = 400
    reason = "bad_request"
    messages = {"zh-CN": "请求无法完成。", "en": "The request cannot be completed."}

    def __init__(self, field_errors: dict | None = None, **params):
        super().__init__(self.reason)
        self.params = params
        self.field_errors = field_errors or {}

    @property
    def message(self) -> str:
        return pick(self.messages, **self.params)


class NotSignedIn(DomainError):
    status = 401
    reason = "not_signed_in"
    messages = {"zh-CN": "请先登录。", "en": "Please sign in first."}


class Forbidden(DomainError):
    status = 403
    reason = "forbidden"
    messages = {"zh-CN": "您没有权限进行此操作。", "en": "You are not allowed to do this."}


class NotFound(DomainError):
    """Also the answer for objects outside the caller's scope, so existence is not revealed."""

    status = 404
    reason = "not_found"
    messages = {"zh-CN": "找不到{what}。", "en": "{what_en} not found."}

    def __init__(self, what: str = "该记录", what_en: str = "Record", **kwargs):
        super().__init__(what=what, what_en=what_en, **kwargs)


class InvalidInput(DomainError):
    """Input that passed the schema but breaks a rule that needs the database to check."""

    status = 422
    reason = "invalid_input"
    messages = {"zh-CN": "提交的信息有误，请检查标出的项目。", "en": "Please check the marked fields."}


class Conflict(DomainError):
    status = 409
    reason = "conflict"
    messages = {"zh-CN": "与现有记录冲突。", "en": "This conflicts with an existing record."}


_HTTP_REASONS = {
    400: ("bad_request", "请求格式不对。", "The request is malformed."),
    401: ("not_signed_in", "请先登录。", "Please sign in first."),
    403: ("forbidden", "您没有权限进行此操作。", "You are not allowed to do this."),
    404: ("not_found", "找不到该页面或记录。", "Not found."),
    405: ("method_not_allowed", "不支持此操作方式。", "This method is not allowed here."),
    409: ("conflict", "与现有记录冲突。", "This conflicts with an existing record."),
    413: ("payload_too_large", "提交的内容太大。", "The request body is too large."),
    415: ("unsupported_media_type", "请以 JSON 格式提交。", "Please send JSON."),
    422: ("invalid_input", "提交的信息有误，请检查标出的项目。", "Please check the marked fields."),
    500: ("internal_error", "服务器出错了，请稍后再试。", "Something went wrong on our side. Please try again later."),
}


def error_response(status: int, reason: str, message: str, errors: dict | None = None):
    body = {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "reason": reason,
        "message": message,
        "errors": errors or {},
    }
    return jsonify(body), status


def domain_error_response(error: DomainError):
    return error_response(error.status, error.reason, error.message, error.field_errors)


def _flatten_locations(messages: dict) -> dict:
    """webargs nests field errors under their location ("json", "query"); clients want fields."""
    flat: dict = {}
    for location_errors in messages.values():
        if isinstance(location_errors, dict):
            flat.update(location_errors)
        else:
            flat.setdefault("_schema", []).extend(location_errors)
    return flat


def _retry_text() -> tuple[str, int]:
    from backend.extensions import limiter

    current = limiter.current_limit
    seconds = max(1, int(current.reset_at - time.time())) if current else 60
    minutes = max(1, -(-seconds // 60))
    return pick({"zh-CN": "尝试次数太多，请 {m} 分钟后再试。",
                 "en": "Too many attempts. Please try again in {m} minutes."}, m=minutes), seconds


def http_error_response(error: HTTPException):
    if isinstance(error, RateLimitExceeded):
        message, seconds = _retry_text()
        response, status = error_response(429, "too_many_attempts", message)
        response.headers["Retry-After"] = str(seconds)
        return response, status
    status = error.code or 500
    reason, zh, en = _HTTP_REASONS.get(status, (HTTPStatus(status).phrase.lower().replace(" ", "_"), None, None))
    message = pick({"zh-CN": zh, "en": en}) if zh else HTTPStatus(status).phrase
    field_errors = {}
    data = getattr(error, "data", None) or {}
    if "messages" in data:
        field_errors = translate_field_errors(_flatten_locations(data["messages"]))
        if status == 400 and any(m == ["Invalid JSON body."] for m in data["messages"].values()):
            reason = "malformed_json"
            message = pick({"zh-CN": "请求内容不是有效的 JSON。", "en": "The request body is not valid JSON."})
            field_errors = {}
    response, status = error_response(status, reason, message, field_errors)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response, status


def _is_unique_violation(error: IntegrityError) -> bool:
    original = error.orig
    return (getattr(original, "sqlstate", None) == "23505"  # PostgreSQL unique_violation
            or "UNIQUE constraint failed" in str(original))  # SQLite


def integrity_error_response(error: IntegrityError):
    """Two requests raced past a service's check into a unique constraint: the loser gets a
    409 and the transaction is rolled back, so nothing is done twice and nothing half-written.
    Any other integrity error is a bug and stays a 500."""
    from backend.extensions import db

    db.session.rollback()
    if not _is_unique_violation(error):
        return unexpected_error_response(error)
    return error_response(409, "conflict", pick({
        "zh-CN": "这条记录刚刚已被别人或另一台设备提交了，请刷新后查看。",
        "en": "This was just submitted by someone else or another device. Please refresh and check.",
    }))


def unexpected_error_response(error: Exception):
    log.exception("Unhandled error", exc_info=error)
    reason, zh, en = _HTTP_REASONS[500]
    return error_response(500, reason, pick({"zh-CN": zh, "en": en}))


def register_error_handlers(app):
    app.register_error_handler(DomainError, domain_error_response)
    app.register_error_handler(IntegrityError, integrity_error_response)
    app.register_error_handler(HTTPException, http_error_response)
    app.register_error_handler(Exception, unexpected_error_response)
