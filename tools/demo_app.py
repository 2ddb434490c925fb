"""The demo neighbourhood served on 127.0.0.1 and opened in Debian's Chromium, for measuring and picturing.

Shared by `benchmarks.pwa_weight` (budgets) and `tools.screenshots` (docs/screenshots/): a fresh
SQLite file seeded with `seed_demo`, served by werkzeug in a thread (as tests/e2e does), and
sign-in done the way a person does it — through the form — so the app remembers it as it would.
"""
import logging
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from werkzeug.serving import make_server

from backend import create_app
from backend.accounts.models import User, UserRole
from backend.demo.seed import seed_demo
from backend.extensions import db

CHROMIUM = "/usr/bin/chromium"
# The flags of ACCESSIBILITY.md ("Testing on this machine").
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "linli-demo-2026"
# The demo logins of README.md; the provider has a generated number, looked up after seeding.
PHONES = {"resident": "13800000030", "proxy": "13800000040", "volunteer": "13800000020",
          "worker": "13800000010", "admin": "13800000000"}
PHONE_SIZE = {"width": 360, "height": 740}


@dataclass
class DemoApp:
    url: str
    app: object
    phones: dict

    @property
    def origin(self) -> str:
        return self.url


@contextmanager
def demo_app():
    """Serve a freshly seeded demo neighbourhood on a free port; yields a DemoApp."""
    with tempfile.TemporaryDirectory(prefix="linli-demo-") as directory:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(directory) / 'demo.db'}",
            # Every screen signs in afresh; the per-address limit is for attackers, not for us.
            "LOGIN_LIMIT_PER_IP": "100000 per minute",
            "LOGIN_LIMIT_PER_PHONE": "100000 per minute",
        })
        with app.app_context():
            db.create_all()
            seed_demo()
            provider = db.session.scalar(select(User.phone).join(UserRole).where(UserRole.role == "provider")
                                         .order_by(User.id).limit(1))
            db.session.remove()
        # One log line per request would bury the summary.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="linli-demo-server", daemon=True)
        thread.start()
        try:
            yield DemoApp(url=f"http://127.0.0.1:{server.server_port}", app=app,
                          phones={**PHONES, "provider": provider})
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
            with app.app_context():
                db.session.remove()
                for engine in db.engines.values():
                    engine.dispose()


def launch_chromium(playwright, *extra_args: str):
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])


def sign_in(page, base_url: str, phone: str) -> None:
    """Sign in through the form at `/` and wait until the app has left the sign-in screen."""
    page.goto(f"{base_url}/")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    with page.expect_response("**/api/v1/auth/login") as answer:
        page.get_by_role("button", name="登录", exact=True).click()
    if not answer.value.ok:
        raise RuntimeError(f"sign-in as {phone} failed: {answer.value.status} {answer.value.text()}")
    page.get_by_label("密码", exact=True).wait_for(state="hidden")
    page.wait_for_load_state("networkidle")


def heading(page) -> str:
    """The screen's first-level heading, the way a person (or a screen reader) names the screen."""
    first = page.get_by_role("heading", level=1).first
    first.wait_for()
    return first.inner_text().strip()
