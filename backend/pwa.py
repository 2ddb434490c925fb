"""Serves the PWA's static files from pwa/ at `/`; app paths (e.g. /link/<code>) get index.html,
with the community's service phone, the unread-count poll interval and a modulepreload link for
each module the app starts with filled in, and /sw.js
carries the shell's version and file list."""
import base64
import hashlib
import json
import logging
import posixpath
import re
from html import escape
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, send_from_directory
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import PathConverter

from backend.community.models import Community
from backend.extensions import compress, db

log = logging.getLogger(__name__)

pwa_blueprint = Blueprint("pwa", __name__)


class ShellPathConverter(PathConverter):
    """Any path outside /api/: an API path that no API rule takes must stay the API's, so it
    answers 404 (or 405 for a wrong method) in JSON rather than the PWA's shell."""

    regex = r"(?!api(?:/|$))[^/].*?"


pwa_blueprint.record_once(lambda state: state.app.url_map.converters.setdefault("shell_path", ShellPathConverter))

SERVICE_PHONE_TOKEN = "<!--linli:service-phone-->"
# How often the PWA asks for the unread count (INBOX_POLL_SECONDS): the server's setting, read by
# the page from <meta name="linli-unread-poll-seconds">, so the interval lives in one place.
POLL_SECONDS_TOKEN = "<!--linli:unread-poll-seconds-->"
# The SOS countdown (SOS_COUNTDOWN_SECONDS), read from <meta name="linli-sos-countdown-seconds">; kept
# within 5–10 s (ACCESSIBILITY.md: the one thing that moves on by itself, long enough to cancel).
SOS_COUNTDOWN_TOKEN = "<!--linli:sos-countdown-seconds-->"
SOS_COUNTDOWN_RANGE = (5, 10)
NO_PHONE_SENTENCE = "请联系您所在社区的居委会。"
# <link rel="modulepreload"> for every module main.js imports statically, however deep: the
# browser fetches them all at once instead of discovering them one import level at a time (on a
# slow phone network each level costs a round trip before the first screen can show).
MODULE_PRELOAD_TOKEN = "<!--linli:modulepreload-->"
ENTRY_MODULE = "app/main.js"
_STATIC_IMPORT = re.compile(r"""^\s*(?:import|export)\s+(?:[^;"'()]*?\s+from\s+)?["']([^"']+)["']""", re.MULTILINE)

# sw.js is a plain script with this placeholder; the server writes the shell's version and file
# list in its place, so any change to a shell file changes sw.js and the browser installs it.
SHELL_TOKEN = "/* linli:shell */ null"
SHELL_CACHE_PREFIX = "linli-shell-"
# What the app loads; anything else in pwa/ (notes, licences) stays out of the precache.
PRECACHED_SUFFIXES = {".js", ".mjs", ".css", ".json", ".webmanifest", ".png", ".svg", ".ico", ".webp", ".html"}
NOT_PRECACHED = {"sw.js", "index.html"}  # the worker itself; index.html is precached as "/"
MIMETYPES = {".webmanifest": "application/manifest+json"}


@pwa_blueprint.get("/")
@compress.compressed()
def index():
    """The PWA's shell."""
    return _shell()


@pwa_blueprint.get("/sw.js")
@compress.compressed()
def service_worker():
    """The service worker, with the current shell's version and files written in."""
    template = (current_app.config["PWA_DIR"] / "sw.js").read_text(encoding="utf-8")
    shell = json.dumps(shell_manifest(template), ensure_ascii=False, indent=1)
    response = Response(template.replace(SHELL_TOKEN, shell), mimetype="text/javascript")
    # Browsers check sw.js for updates themselves; an HTTP cache in between must not hide one.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@pwa_blueprint.get("/<shell_path:path>")
@compress.compressed()
def asset(path: str):
    """A file of the PWA, or the shell for an app path such as /link/<code>."""
    if path == "index.html":
        return _shell()
    directory = current_app.config["PWA_DIR"]
    if (directory / path).is_file():
        # Revalidated on every use (ETag): without a service worker (iOS WeChat) a heuristic
        # HTTP cache would otherwise mix files of two versions.
        response = send_from_directory(directory, path, mimetype=MIMETYPES.get(Path(path).suffix),
                                       conditional=False)
        response.headers["Cache-Control"] = "no-cache"
        return _whole(response)
    if "." in path.rsplit("/", 1)[-1]:
        abort(404)
    return _shell()


def _whole(response: Response) -> Response:
    """`response` read into memory (the app's files are tens of KB at most), with an ETag from
    its bytes and answered 304 when the browser already has them. Sent as a stream it could
    only be compressed chunk by chunk, without a validator to revalidate with; whole, it is
    compressed at once and keeps an ETag of its own (`"<hash>:br"`), which flask-compress checks
    against If-None-Match after compressing. An uncompressed answer (a small file, an image, a
    browser that asks for none) is checked here."""
    response.direct_passthrough = False
    body = response.get_data()
    response.close()  # the file it was reading
    response.set_data(body)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)


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


def shell_manifest(worker_source: str) -> dict:
    """The app shell as one version: every file the app loads, with its SHA-256 as a Subresource
    Integrity string, "/" as the server renders it now, and a version naming them all together
    with the worker's own code. The worker refuses a file whose bytes do not match."""
    directory = current_app.config["PWA_DIR"]
    files = [{"url": "/", "integrity": _integrity(_shell_html().encode("utf-8"))}]
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory).as_posix()
        if (path.is_file() and path.suffix in PRECACHED_SUFFIXES and relative not in NOT_PRECACHED
                and not any(part.startswith(".") for part in path.relative_to(directory).parts)):
            files.append({"url": "/" + relative, "integrity": _integrity(path.read_bytes())})
    fingerprint = hashlib.sha256(worker_source.encode("utf-8"))
    for file in files:
        fingerprint.update(f"{file['url']} {file['integrity']}\n".encode("utf-8"))
    version = fingerprint.hexdigest()[:16]
    return {"version": version, "cache": SHELL_CACHE_PREFIX + version, "files": files}


def _integrity(content: bytes) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(content).digest()).decode("ascii")


def static_imports(directory: Path, entry: str = ENTRY_MODULE) -> list[str]:
    """Every module `entry` imports statically, directly or through others, as paths under
    `directory` (dynamic `import()` — the screens each role fetches when needed — is left out)."""
    found, waiting = [], [entry]
    while waiting:
        module = waiting.pop()
        source = (directory / module).read_text(encoding="utf-8")
        for specifier in _STATIC_IMPORT.findall(source):
            if not specifier.startswith("."):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(module), specifier))
            if target not in found and target != entry and (directory / target).is_file():
                found.append(target)
                waiting.append(target)
    return sorted(found)


def _module_preloads() -> str:
    return "\n".join(f'<link rel="modulepreload" href="/{escape(path)}">'
                     for path in static_imports(current_app.config["PWA_DIR"]))


def _shell_html() -> str:
    shell = (current_app.config["PWA_DIR"] / "index.html").read_text(encoding="utf-8")
    poll_seconds = str(int(current_app.config["INBOX_POLL_SECONDS"]))
    low, high = SOS_COUNTDOWN_RANGE
    countdown = str(min(high, max(low, int(current_app.config["SOS_COUNTDOWN_SECONDS"]))))
    return (shell.replace(SERVICE_PHONE_TOKEN, _phone_html(service_phone()))
            .replace(POLL_SECONDS_TOKEN, poll_seconds)
            .replace(SOS_COUNTDOWN_TOKEN, countdown)
            .replace(MODULE_PRELOAD_TOKEN, _module_preloads()))


def _shell() -> Response:
    response = Response(_shell_html(), mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response
