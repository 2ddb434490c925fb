"""What the inbox and push tests share: notification kinds of their own, people and notifications
made on the live server, a Chromium profile that can subscribe to push, and a stand-in for
Google's push registration servers.

Chromium's `PushManager.subscribe()` registers with Google's servers (GCM checkin, then
registration). This machine has no network, so, as on a phone in mainland China, that call never
settles. Chromium has command-line switches for tests that name other servers for those two steps
(`--gcm-checkin-url`, `--gcm-registration-url`, `--gcm-mcs-endpoint`): `FakeGcm` answers them on
127.0.0.1, so the browser's own subscribe runs to the end and gives a real subscription (its own
P-256 key and auth secret, an https endpoint on Google's push host). Nothing is ever sent to that
endpoint here: pushes reach the service worker through CDP's `ServiceWorker.deliverPushMessage`.
"""
import struct
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import select

from backend.accounts.models import User
from backend.community.models import Community
from backend.extensions import db
from backend.notifications import kinds
from backend.notifications.kinds import Kind
from backend.notifications.models import NotificationPreference, PushSubscription
from backend.notifications.services.outbox import notify
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, RECORD_CSP_VIOLATIONS, Tab
from tests.factories import make_user, make_volunteer, make_worker, make_grid

# An ordinary notification whose kind has a screen of its own, and a safety alert for workers
# (its data names the alert, whose screen the inbox links to).
PROFILE_CHECK = Kind(
    code="e2e_profile_check",
    texts={"zh-CN": ("请核对资料", "请核对{item}。"), "en": ("Please check your details", "Please check your {item}.")},
    params=("item",), channels=("inapp",), url="/volunteer/profile",
)
ALARM = Kind(
    code="e2e_alarm",
    texts={"zh-CN": ("紧急求助", "{place}有人按下了紧急求助，请马上处理。"),
           "en": ("Emergency", "Someone at {place} pressed the emergency button.")},
    params=("place",), channels=("inapp",), urgency="high", safety=True, quiet_hours="ignore",
    ttl=timedelta(hours=1),
)
NOTE = Kind(
    code="e2e_note",
    texts={"zh-CN": ("社区通知", "{text}"), "en": ("Community notice", "{text}")},
    params=("text",), channels=("inapp",),
)
E2E_KINDS = (PROFILE_CHECK, ALARM, NOTE)


@contextmanager
def e2e_kinds():
    """The kinds above, registered for the live server (same process) and removed afterwards."""
    for kind in E2E_KINDS:
        kinds.register(kind)
    try:
        yield
    finally:
        for kind in E2E_KINDS:
            kinds.unregister(kind.code)


def _community():
    return db.session.scalar(select(Community).order_by(Community.id))


def new_person(app, role: str, *, elder_mode: bool = False, phone: str | None = None) -> str:
    """A new volunteer, worker or resident-less account of `role`; returns their phone."""
    with app.app_context():
        community = _community()
        if role == "volunteer":
            user = make_volunteer(community)
        elif role == "worker":
            user = make_worker(make_grid(community))
        else:
            user = make_user(community, role, phone=phone)
        user.elder_mode = elder_mode
        db.session.commit()
        phone = user.phone
        db.session.remove()
    return phone


def send(app, phone: str, kind: Kind, **params) -> int:
    """notify() and commit on the live server, as a use case does; returns the notification's id.
    `data` (ids) may be given among the params as data={...}."""
    data = params.pop("data", None)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == phone))
        notification = notify(kind.code, user=user, params=params, data=data)
        db.session.commit()
        notification_id = notification.id
        db.session.remove()
    return notification_id


def read_state(app, notification_id: int):
    """When the server recorded the notification as read (None: unread)."""
    from backend.notifications.models import Notification

    with app.app_context():
        read_at = db.session.get(Notification, notification_id).read_at
        db.session.remove()
    return read_at


def subscriptions_of(app, phone: str) -> list[dict]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == phone))
        rows = [{"endpoint": row.endpoint, "p256dh": row.p256dh, "auth": row.auth, "label": row.label}
                for row in db.session.scalars(select(PushSubscription).where(PushSubscription.user_id == user.id))]
        db.session.remove()
    return rows


def preferences_of(app, phone: str) -> dict:
    """The person's stored notification preferences (the defaults when they never changed any)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == phone))
        row = db.session.get(NotificationPreference, user.id)
        facts = ({"push_enabled": True, "sms_opt_in": False, "quiet_start_minute": 21 * 60, "quiet_end_minute": 7 * 60}
                 if row is None else
                 {"push_enabled": row.push_enabled, "sms_opt_in": row.sms_opt_in,
                  "quiet_start_minute": row.quiet_start_minute, "quiet_end_minute": row.quiet_end_minute})
        db.session.remove()
    return facts


def _varint(number: int) -> bytes:
    out = b""
    while True:
        low, number = number & 0x7F, number >> 7
        if not number:
            return out + bytes([low])
        out += bytes([low | 0x80])


class FakeGcm:
    """Answers Chromium's GCM checkin (an AndroidCheckinResponse protobuf: stats_ok, time,
    android_id, security_token) and registration (`token=…`) on 127.0.0.1. `refuse = True` makes
    registration answer as Google does for a sender it will not serve."""

    def __init__(self):
        self.requests = []
        self.refuse = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests.append((self.path, body))
                if self.path.startswith("/checkin"):
                    answer, kind = fake.checkin_answer(), "application/x-protobuf"
                else:
                    answer = b"Error=INVALID_SENDER" if fake.refuse else f"token=e2e{len(fake.requests)}:APA91b".encode()
                    kind = "text/plain"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-gcm", daemon=True)

    @staticmethod
    def checkin_answer() -> bytes:
        return (b"\x08\x01" + b"\x18" + _varint(1_700_000_000_000)
                + bytes([(7 << 3) | 1]) + struct.pack("<Q", 4_242_424_242)
                + bytes([(8 << 3) | 1]) + struct.pack("<Q", 2_424_242_424))

    @property
    def switches(self) -> list[str]:
        base = f"http://127.0.0.1:{self.server.server_port}"
        return [f"--gcm-checkin-url={base}/checkin", f"--gcm-registration-url={base}/register",
                f"--gcm-mcs-endpoint=127.0.0.1:{self.server.server_port}"]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


@dataclass
class PhoneProfile:
    """A persistent Chromium profile (push and notifications need one) with its page as a Tab."""

    context: object
    tab: Tab

    @property
    def page(self):
        return self.tab.page


def open_profile(browser, live_server, directory, *, extra_args=(), permissions=("notifications",)) -> PhoneProfile:
    """A persistent profile at 360×740 with touch, `permissions` granted for the live server."""
    context = browser.browser_type.launch_persistent_context(
        str(directory), executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args], base_url=live_server.url,
        viewport={"width": 360, "height": 740}, has_touch=True, locale="zh-CN",
    )
    if permissions:
        context.grant_permissions(list(permissions), origin=live_server.url)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.pages[0] if context.pages else context.new_page()
    tab = Tab(page=page, origin=live_server.url)
    page.on("pageerror", lambda error: tab.page_errors.append(str(error)))
    page.on("request", lambda request: tab.requests.append(request.url))
    return PhoneProfile(context=context, tab=tab)
