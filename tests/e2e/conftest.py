"""Browser tests: a live Linli on a database of its own (real commits), driven by Debian's Chromium.

The live server is a separate app: a temporary SQLite file, or, when TEST_DATABASE_URL names a
PostgreSQL database, a sibling database `<name>_e2e` created and dropped here. Screenshots go to
test-artifacts/ for people to look at.
"""
import os
import socket
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import ThreadedWSGIServer

from backend import create_app
from backend.community.models import Community
from backend.extensions import db
from backend.onboarding.services import issue_link_code
from tests.databases import own_database
from tests.factories import (
    make_building, make_community, make_grid, make_household, make_resident, make_user, make_worker,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SERVICE_PHONE = "057188880000"
RESIDENT_PHONE = "13800000030"
RESIDENT_NAME = "王奶奶"

# Collects CSP violations from the first moment of every document (init scripts are not
# subject to the page's CSP).
# How long an expectation waits for the page. Playwright's 5 s is short for a 2-core machine that
# runs the suite in two processes, each with its Chromium and live server: a screen that takes
# longer than 15 s to appear is a failure worth seeing, one that takes 6 s under load is not.
expect.set_options(timeout=15_000)

RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture(autouse=True)
def _isolated():
    """Browser tests commit for real on the live server's database, not in a rolled-back one."""
    yield


@pytest.fixture(autouse=True)
def clock():
    """The live server runs on the real clock."""
    yield None


@dataclass
class LiveServer:
    url: str
    app: object


def closing_responses(wsgi_app):
    """`wsgi_app` whose every response is closed, even one Werkzeug's development server drops.

    When the browser resets a connection (Chromium does when a page stops loading a file it
    was sent), the server's draining of the socket raises before it closes the response, and
    the file being sent is left open for the garbage collector. Its ResourceWarning, an error
    under filterwarnings, then surfaces as an unraisable exception in whatever test is running
    at that moment. Here the response is closed when the server is done with it or drops it."""
    def app(environ, start_response):
        return _closed_when_done(wsgi_app(environ, start_response))
    return app


def _closed_when_done(response):
    try:
        yield from response
    finally:
        if hasattr(response, "close"):
            response.close()


class _Server(ThreadedWSGIServer):
    """Werkzeug's threaded server, which on closing waits for the requests in hand.

    A request still running when a test ends holds one of the app's database connections; given
    back after the engine is disposed of, it would stay open until the garbage collector found it
    (psycopg's ResourceWarning, an error here, reported in some later test)."""

    def __init__(self, app):
        super().__init__("127.0.0.1", 0, closing_responses(app))
        self._lock = threading.Lock()
        self._serving: dict = {}  # each open connection → the thread serving it

    def process_request(self, request, client_address):
        thread = threading.Thread(target=self.process_request_thread, args=(request, client_address), daemon=True)
        with self._lock:
            self._serving[request] = thread
        thread.start()

    def shutdown_request(self, request):
        with self._lock:
            self._serving.pop(request, None)
        super().shutdown_request(request)

    def server_close(self):
        """Once stopped: end the connections that never sent a request (Chromium opens some
        ahead of need), wait for the threads serving the others, then close."""
        with self._lock:
            serving = dict(self._serving)
        for connection in serving:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RD)  # its thread reads the end instead of waiting
        deadline = time.monotonic() + 10
        for thread in serving.values():
            thread.join(timeout=max(0, deadline - time.monotonic()))
        super().server_close()


@contextmanager
def serving(app, name: str):
    """Serve `app` from a thread on a free port, as a phone reaches it; yields its URL. At the
    end the server stops and lets the requests in hand finish, then the app's database
    connections are closed."""
    server = _Server(app)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    with own_database(tmp_path_factory.mktemp("e2e"), "e2e") as database_url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
        with app.app_context():
            db.drop_all()
            db.create_all()
            community = make_community("幸福里社区")
            community.phone = SERVICE_PHONE
            make_user(community, "resident", phone=RESIDENT_PHONE, name=RESIDENT_NAME)
            db.session.commit()
        with serving(app, "linli-live-server") as url:
            yield LiveServer(url=url, app=app)


@pytest.fixture
def link_code(live_server) -> str:
    """A fresh code for a new resident, 李奶奶, issued by her grid worker on the live server."""
    with live_server.app.app_context():
        community = db.session.scalar(select(Community).order_by(Community.id))
        grid = make_grid(community)
        worker = make_worker(grid)
        resident = make_resident(make_household(make_building(grid)), family_name="李", given_name="桂兰",
                                 address_as="李奶奶")
        db.session.commit()
        code = issue_link_code(worker, resident.id).code
        db.session.remove()
    return code


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Tab:
    """A page plus everything it did that a test may want to refuse."""

    page: object
    origin: str
    console_errors: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    requests: list = field(default_factory=list)

    def csp_violations(self) -> list:
        return self.page.evaluate("window.__cspViolations || []")

    def foreign_requests(self) -> list:
        return [url for url in self.requests
                if not url.startswith(("data:", "blob:")) and _origin(url) != self.origin]

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def open_tab(browser, live_server):
    """open_tab(path, width=360, height=740, javascript=True) -> Tab, in a fresh browser profile."""
    contexts = []

    def _open(path: str = "/", *, width: int = 360, height: int = 740, javascript: bool = True) -> Tab:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}, has_touch=True,
            locale="zh-CN", java_script_enabled=javascript,
        )
        contexts.append(context)
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        page = context.new_page()
        tab = Tab(page=page, origin=live_server.url)
        page.on("console", lambda message: message.type == "error" and tab.console_errors.append(message.text))
        page.on("pageerror", lambda error: tab.page_errors.append(str(error)))
        page.on("request", lambda request: tab.requests.append(request.url))
        page.goto(path)
        return tab

    yield _open
    for context in contexts:
        context.close()
