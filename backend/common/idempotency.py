"""Idempotency-Key on API writes: a phone that retries a write gets the first answer, never a second change.

The design and its reasons are in docs/idempotency.md. In short: the key is claimed in a committed
row before the route runs, marked applied inside the route's own commit, and the answer is kept
(as its shape and identifiers) after it is sent; a replay rebuilds the answer under the caller's
current permissions.
"""
import hashlib
import json
from datetime import datetime, timedelta

import click
from flask import Flask, Response, current_app, g, has_request_context, jsonify, request
from flask.cli import with_appcontext
from flask_login import current_user
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, delete, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.exceptions import HTTPException

from backend.common.time import UTCDateTime, now
from backend.errors import DomainError
from backend.extensions import db

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
RETENTION = timedelta(days=7)
# Longer than any request may take (gunicorn's timeout is 30 s): a claim this old whose change never
# committed belongs to a process that died, and the key may be used again.
CLAIM_TIMEOUT = timedelta(seconds=60)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Signing in and out hands out or ends the session cookie itself; a stored answer replayed without
# its cookie would be a lie, so these run every time (docs/idempotency.md).
SESSION_PATHS = ("/api/v1/auth/",)
_CLAIM = "_idempotency_claim"


class IdempotencyRecord(db.Model):
    """One write a signed-in user sent with an Idempotency-Key, and how it ended."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    request_hash: Mapped[str] = mapped_column(String(64))  # sha256 of method, path and body
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)  # last (re)claim, for the abandonment timeout
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set in the route's own commit
    status_code: Mapped[int | None] = mapped_column()  # None until the answer was kept
    response_body: Mapped[str | None] = mapped_column(Text)  # JSON: an error as sent, else shape + ids


class IdempotencyKeyInvalid(DomainError):
    status = 400
    reason = "idempotency_key_invalid"
    messages = {"zh-CN": "请求编号（Idempotency-Key）应为 1 到 255 个字符。",
                "en": "The Idempotency-Key must be 1 to 255 characters long."}


class IdempotencyMismatch(DomainError):
    status = 422
    reason = "idempotency_mismatch"
    messages = {"zh-CN": "这个请求编号已经用于另一项不同的提交，请勿重复使用。",
                "en": "This Idempotency-Key was already used for a different request."}


class IdempotencyInFlight(DomainError):
    status = 409
    reason = "idempotency_in_flight"
    messages = {"zh-CN": "同一项提交正在处理中，请稍后再试。",
                "en": "The same request is still being processed. Please try again in a moment."}


def install(app: Flask) -> None:
    """Claim keys before routes run (after the CSRF check) and keep the answers after."""
    app.before_request(claim_idempotency_key)
    app.after_request(keep_idempotent_answer)
    if not event.contains(Session, "before_commit", _mark_applied):
        event.listen(Session, "before_commit", _mark_applied)


def sent_key() -> str | None:
    """The request's Idempotency-Key with surrounding double quotes stripped; None when absent."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH:
        error = IdempotencyKeyInvalid()
        error.field_errors = {HEADER: [error.message]}
        raise error
    return key


def request_fingerprint() -> str:
    """What makes two requests "the same": method, path with query, and the body (JSON compared by
    value, so a phone that re-serialises it with its keys in another order is not refused)."""
    raw = request.get_data(cache=True)
    try:
        body = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except (ValueError, RecursionError):
        body = raw
    target = request.path + ("?" + request.query_string.decode("latin-1") if request.query_string else "")
    digest = hashlib.sha256(f"{request.method}\n{target}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def claim_idempotency_key():
    """before_request: for a keyed write of a signed-in user, answer a replay, refuse a clash, or
    claim the key in a committed row so that a twin arriving meanwhile sees it."""
    if request.method not in WRITE_METHODS or not request.path.startswith("/api/"):
        return None
    key = sent_key()  # a malformed key is refused on every write: it is a bug in the client
    if (key is None or request.url_rule is None or request.path.startswith(SESSION_PATHS)
            or not current_user.is_authenticated):
        return None
    fingerprint = request_fingerprint()
    moment = now()
    db.session.execute(delete(IdempotencyRecord).where(  # this user's expired keys, as we pass by
        IdempotencyRecord.user_id == current_user.id, IdempotencyRecord.created_at < moment - RETENTION))
    record = db.session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.user_id == current_user.id, IdempotencyRecord.key == key))
    if record is None:
        record = IdempotencyRecord(user_id=current_user.id, key=key, request_hash=fingerprint,
                                   created_at=moment, claimed_at=moment)
        db.session.add(record)
        try:
            db.session.commit()
        except IntegrityError:  # a twin claimed the same key a moment ago and is running now
            db.session.rollback()
            raise IdempotencyInFlight() from None
        setattr(g, _CLAIM, record.id)
        return None
    db.session.commit()  # the purge above, and no transaction held while the answer is built
    if record.request_hash != fingerprint:
        raise IdempotencyMismatch()
    if record.status_code is not None:
        return _replay(record.status_code, record.response_body)
    if moment - record.claimed_at < CLAIM_TIMEOUT:
        raise IdempotencyInFlight()
    if record.applied_at is not None:
        # The change committed but its process died before the answer was kept: say it is done.
        return _replay(204, None)
    # Abandoned before its change committed: take the key over, unless a twin just did.
    taken = db.session.execute(update(IdempotencyRecord).where(
        IdempotencyRecord.id == record.id, IdempotencyRecord.claimed_at == record.claimed_at,
        IdempotencyRecord.applied_at.is_(None)).values(claimed_at=moment)).rowcount
    db.session.commit()
    if not taken:
        raise IdempotencyInFlight()
    setattr(g, _CLAIM, record.id)
    return None


def _mark_applied(session: Session) -> None:
    """before_commit on every session: the request's claim is marked applied inside the very
    transaction that commits the change, so either both happen or neither does."""
    if not has_request_context():
        return
    claim = g.get(_CLAIM)
    if claim is None or session is not db.session():
        return
    session.execute(update(IdempotencyRecord)
                    .where(IdempotencyRecord.id == claim, IdempotencyRecord.applied_at.is_(None))
                    .values(applied_at=now())
                    .execution_options(synchronize_session=False))


def _is_transient(status: int) -> bool:
    """Answers that say "not now" rather than "this is the outcome": the retry runs again."""
    return status >= 500 or status == 429


def keep_idempotent_answer(response: Response) -> Response:
    """after_request: keep the answer of a claimed write, or free the key when the write failed
    on our side without changing anything."""
    claim = g.pop(_CLAIM, None)
    if claim is None:
        return response
    db.session.rollback()  # whatever a refused request staged is never committed with the record
    record = db.session.get(IdempotencyRecord, claim)
    if record is None:
        return response
    if _is_transient(response.status_code):
        if record.applied_at is None:
            db.session.delete(record)
        else:  # changed, then failed to answer: a retry is told it is done
            record.status_code, record.response_body = 204, None
    else:
        record.status_code, record.response_body = response.status_code, _kept_body(response)
    db.session.commit()
    return response


def _is_identifier(name: str, value) -> bool:
    return ((name == "id" or name.endswith("_id"))
            and (value is None or isinstance(value, (int, str)) and not isinstance(value, bool)))


def _kept_body(response: Response) -> str | None:
    """An error is kept as sent (it names no personal data). A success is kept as its shape and
    identifiers only: a replay is rebuilt from the current state, so a full copy of, say, a
    resident's record would be one more place holding it."""
    body = response.get_json(silent=True) if response.is_json else None
    if body is None:
        return None
    if response.status_code < 300 and isinstance(body, dict):
        body = {name: value if _is_identifier(name, value) else None for name, value in body.items()}
    elif response.status_code < 300:
        return None
    return json.dumps(body, ensure_ascii=False)


def _replay(status: int, kept: str | None) -> Response:
    """The first answer again: its status, and a body rebuilt under the caller's permissions now."""
    body = json.loads(kept) if kept else None
    if status < 300 and isinstance(body, dict):
        body = _rebuilt(body, status)
    response = jsonify(body) if body is not None else current_app.response_class(status=status)
    response.status_code = status
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _rebuilt(skeleton: dict, status: int) -> dict:
    """The object the first answer described as the caller may see it now (through the API's own
    GET of that object), cut to the first answer's fields; else only its identifiers."""
    identifiers = {name: value for name, value in skeleton.items() if _is_identifier(name, value)}
    object_id = skeleton.get("id")
    if object_id is None:
        return identifiers
    for path in _object_paths(object_id, status):
        current = _get_as_caller(path, object_id)
        if current is _NO_ROUTE:
            continue
        if isinstance(current, dict) and current.get("id") == object_id and skeleton.keys() <= current.keys():
            return {name: current[name] for name in skeleton}
        return identifiers
    return identifiers


def _object_paths(object_id, status: int) -> list[str]:
    """Where the API may show the object a write answered with: the new object's own path after a
    create, the written path itself, or its parent (e.g. /buildings/3 for /buildings/3/position)."""
    paths = [f"{request.path}/{object_id}"] if request.method == "POST" and status == 201 else []
    paths.append(request.path)
    parent = request.path.rsplit("/", 1)[0]
    if parent.startswith("/api/") and parent.count("/") >= 3:
        paths.append(parent)
    return paths


_NO_ROUTE = object()


def _get_as_caller(path: str, object_id):
    """The JSON the caller gets from GET `path` now; None when refused; _NO_ROUTE when there is no
    GET there or it is not the object's own path (its last segment is another object's id)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        rule, arguments = adapter.match(path, method="GET", return_rule=True)
    except HTTPException:
        return _NO_ROUTE
    if arguments and path.rsplit("/", 1)[-1] != str(object_id):
        return _NO_ROUTE
    headers = {name: value for name, value in request.headers.items()
               if name.lower() in ("cookie", "accept-language", "user-agent")}
    environ = {"REMOTE_ADDR": request.remote_addr} if request.remote_addr else None
    with current_app.test_request_context(path, method="GET", headers=headers, environ_base=environ):
        try:
            answer = current_app.make_response(current_app.view_functions[rule.endpoint](**arguments))
        except (DomainError, HTTPException):  # not found, forbidden, scope withdrawn: nothing to show
            db.session.rollback()
            return None
    return answer.get_json(silent=True) if answer.status_code == 200 else None


def purge_expired() -> int:
    """Delete every record older than the retention period; returns how many."""
    removed = db.session.execute(delete(IdempotencyRecord).where(
        IdempotencyRecord.created_at < now() - RETENTION)).rowcount
    db.session.commit()
    return removed


@click.command("purge-idempotency")
@with_appcontext
def purge_idempotency_command():
    """Delete idempotency records older than 7 days (run it daily, e.g. from cron)."""
    removed = purge_expired()
    click.echo(f"Deleted {removed} idempotency record(s) older than {RETENTION.days} days.")
