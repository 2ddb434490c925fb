"""Serves the PWA's static files from pwa/ at `/`; app paths (e.g. /link/<code>) get index.html,
with the community's service phone filled in for people whose browser runs no JavaScript."""
import logging
from html import escape

from flask import Blueprint, Response, abort, current_app, send_from_directory
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import PathConverter

from backend.community.models import Community
from backend.extensions import db

log = logging.getLogger(__name__)

pwa_blueprint = Blueprint("pwa", __name__)


class ShellPathConverter(PathConverter):
    """Any path outside /api/: an API path that no API rule takes must stay the API's, so it
    answers 404 (or 405 for a wrong method) in JSON rather than the PWA's shell."""

    regex = r"(?!api(?:/|$))[^/].*?"


pwa_blueprint.record_once(lambda state: state.app.url_map.converters.setdefault("shell_path", ShellPathConverter))

SERVICE_PHONE_TOKEN = "<!--linli:service-phone-->"
NO_PHONE_SENTENCE = "请联系您所在社区的居委会。"


@pwa_blueprint.get("/")
def index():
    """The PWA's shell."""
    return _shell()


@pwa_blueprint.get("/<shell_path:path>")
def asset(path: str):
    """A file of the PWA, or the shell for an app path such as /link/<code>."""
    if path == "index.html":
        return _shell()
    directory = current_app.config["PWA_DIR"]
    if (directory / path).is_file():
        return send_from_directory(directory, path)
    if "." in path.rsplit("/", 1)[-1]:
        abort(404)
    return _shell()


def service_phone() -> str | None:
    """The number people without the app should call: the first community's service desk,
    else COMMUNITY_PHONE_FALLBACK. A database not yet migrated must not break the page."""
    phone = None
    try:
        phone = db.session.scalar(select(Community.phone).order_by(Community.id).limit(1))
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("No community phone for the PWA shell, the database is not ready: %s",
                    type(error).__name__)
    return phone or current_app.config["COMMUNITY_PHONE_FALLBACK"] or None


def spoken_groups(digits: str) -> str:
    """Digits grouped the way people read them out (138 0000 0001, 0571 8888 0000), so that a
    narrow screen with large text wraps between groups, never inside one."""
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if digits.startswith("0") and len(digits) in (11, 12):
        area = 3 if digits[1] in "12" else 4  # 010, 020–029 are three digits; the rest four
        rest = digits[area:]
        return f"{digits[:area]} {rest[:-4]} {rest[-4:]}"
    return digits


def _phone_html(phone: str | None) -> str:
    if not phone:
        return escape(NO_PHONE_SENTENCE)
    dialable = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    shown = spoken_groups(dialable) if dialable.isdigit() else phone
    return f'社区服务电话：<a class="phone" href="tel:{escape(dialable)}">{escape(shown)}</a>'


def _shell() -> Response:
    shell = (current_app.config["PWA_DIR"] / "index.html").read_text(encoding="utf-8")
    html = shell.replace(SERVICE_PHONE_TOKEN, _phone_html(service_phone()))
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response
