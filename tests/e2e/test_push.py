"""Web Push in Chromium, from the tap to the lock screen and back.

- Permission is asked only from the button, never on load. With a push service that answers
  (push_fixtures.FakeGcm, standing in for Google's registration servers), Chromium's own
  `pushManager.subscribe()` gives a real subscription and the server keeps it (checked in the
  database: the browser's endpoint and keys); turning it off removes both.
- When push cannot work the page says so in plain words and offers text messages, which a tap
  turns on (checked in the database): permission refused; a push service that refuses; no push
  service at all, as for Chrome in mainland China, where `subscribe()` never answers (here too:
  this machine has no network) and the app stops waiting; a browser without Web Push (WeChat);
  an iPhone outside the home screen.
- The service worker shows a push delivered with CDP `ServiceWorker.deliverPushMessage` (once,
  however often it is delivered), tells the page to refresh its badge, and a click on it opens
  the payload's screen in the open window (and marks it read); another origin's URL is refused.
"""
import json
import re
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect

from backend.notifications.vapid import b64url_decode
from tests.e2e.journeys import submit_sign_in
from tests.e2e.push_fixtures import (
    NOTE, FakeGcm, e2e_kinds, new_person, open_profile, preferences_of, read_state, send, subscriptions_of,
)
from tests.e2e.test_install_and_offline import SERVICE_WORKER_ACTIVATED
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser

TURN_ON = "有人需要帮忙时提醒我"
# Counts the page's permission requests from the first moment of every document.
COUNT_PERMISSION_REQUESTS = """
window.__permissionRequests = 0;
if (window.Notification) {
  const ask = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args) => { window.__permissionRequests += 1; return ask(...args); };
}
"""
BROWSER_SUBSCRIPTION = """async () => {
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  return subscription && subscription.toJSON();
}"""
NOTIFICATIONS_SHOWN = """async () => (await self.registration.getNotifications()).map((n) => ({
  title: n.title, body: n.body, tag: n.tag, requireInteraction: n.requireInteraction, data: n.data,
  icon: n.icon, badge: n.badge,
}))"""
# A tap on the notification as the browser reports one: a notificationclick event carrying the
# real Notification object the worker showed (CDP has no way to click a system notification).
# Its waitUntil() throws for an event a script made (InvalidStateError, logged in the worker);
# the handler's work has started by then, so what the tap does still happens.
CLICK_NOTIFICATION = """async (tag) => {
  const [notification] = await self.registration.getNotifications({ tag });
  self.dispatchEvent(new NotificationEvent("notificationclick", { notification }));
  return Boolean(notification);
}"""


@pytest.fixture(scope="module", autouse=True)
def _kinds():
    with e2e_kinds():
        yield


@pytest.fixture(scope="module")
def fake_gcm():
    with FakeGcm() as gcm:
        yield gcm


@pytest.fixture
def phone_profile(browser, live_server, tmp_path):
    """phone_profile(extra_args=(), permissions=("notifications",)) -> PhoneProfile, closed afterwards."""
    profiles = []

    def _open(**options):
        profile = open_profile(browser, live_server, tmp_path / f"profile-{len(profiles)}", **options)
        profile.context.add_init_script(COUNT_PERMISSION_REQUESTS)
        profiles.append(profile)
        return profile

    yield _open
    for profile in profiles:
        profile.context.close()


def _heading(page):
    return page.get_by_role("heading", level=1)


def _volunteer_home(page, phone):
    page.goto("/")
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(_heading(page)).to_have_text("您好，志愿者")
    assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    expect(_state(page)).not_to_have_text("正在查看这台手机…")


def _state(page):
    return page.locator('[data-slot="push-state"]')


def _problem(page):
    return page.locator('[data-slot="push-problem"]')


def _spoken(phone: str) -> str:
    return f"{phone[:3]} {phone[3:7]} {phone[7:]}"


def test_tapping_the_button_subscribes_this_phone_and_the_server_keeps_it(phone_profile, fake_gcm, live_server):
    app = live_server.app
    phone = new_person(app, "volunteer")
    profile = phone_profile(extra_args=fake_gcm.switches)
    page = profile.page
    _volunteer_home(page, phone)
    expect(_state(page)).to_have_text("这台手机：没有开启。")
    assert page.evaluate("window.__permissionRequests") == 0  # nothing was asked on load
    assert subscriptions_of(app, phone) == []

    with page.expect_response("**/api/v1/push/subscriptions") as posted:
        page.get_by_role("button", name=TURN_ON).click()
    assert posted.value.status == 201
    expect(_state(page)).to_have_text("这台手机：已开启。有新的提醒时，手机会弹出来。")
    expect(page.locator("#status")).to_have_text("好了，这台手机会弹出邻里的提醒。")
    expect(page.get_by_role("button", name="在这台手机上关闭提醒")).to_be_focused()
    assert page.evaluate("window.__permissionRequests") == 1
    profile.tab.screenshot("push-on-volunteer-home")

    # The server holds exactly what the browser subscribed with: a P-256 key and a 16-byte secret.
    browser_side = page.evaluate(BROWSER_SUBSCRIPTION)
    [stored] = subscriptions_of(app, phone)
    assert stored["endpoint"] == browser_side["endpoint"]
    assert re.match(r"^https://[^/]+/fcm/send/e2e\d+:APA91b$", stored["endpoint"])
    assert (stored["p256dh"], stored["auth"]) == (browser_side["keys"]["p256dh"], browser_side["keys"]["auth"])
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(stored["p256dh"]))
    assert len(b64url_decode(stored["auth"])) == 16
    assert stored["label"] == "电脑 · Chrome"
    assert any(path.startswith("/register") for path, _ in fake_gcm.requests)

    page.reload()
    expect(_state(page)).to_have_text("这台手机：已开启。有新的提醒时，手机会弹出来。")

    with page.expect_response(re.compile(r"/api/v1/push/subscriptions/\d+$")) as deleted:
        page.get_by_role("button", name="在这台手机上关闭提醒").click()
    assert deleted.value.status == 204
    expect(_state(page)).to_have_text("这台手机：没有开启。")
    expect(page.locator("#status")).to_have_text("这台手机不再弹出提醒。消息仍然可以在“消息”里看到。")
    assert page.evaluate(BROWSER_SUBSCRIPTION) is None
    assert subscriptions_of(app, phone) == []
    assert profile.tab.page_errors == [] and profile.tab.foreign_requests() == []


def test_subscribing_turns_push_back_on_for_someone_who_had_turned_it_off(phone_profile, fake_gcm, live_server):
    app = live_server.app
    phone = new_person(app, "volunteer")
    profile = phone_profile(extra_args=fake_gcm.switches)
    page = profile.page
    _volunteer_home(page, phone)
    assert page.evaluate("""async () => (await fetch('/api/v1/me/notification-preferences', {
        method: 'PATCH', headers: {'Content-Type': 'application/json', 'X-CSRF-Token':
        (await (await fetch('/api/v1/auth/csrf')).json()).csrf_token}, body: JSON.stringify({push_enabled: false})
      })).status""") == 200
    with page.expect_response("**/api/v1/me/notification-preferences") as changed:
        page.get_by_role("button", name=TURN_ON).click()
    assert changed.value.request.method in ("GET", "PATCH")
    expect(_state(page)).to_have_text("这台手机：已开启。有新的提醒时，手机会弹出来。")
    assert preferences_of(app, phone)["push_enabled"] is True


def test_a_refused_permission_is_explained_and_text_messages_are_offered(phone_profile, live_server):
    app = live_server.app
    phone = new_person(app, "volunteer")
    profile = phone_profile(permissions=())
    page = profile.page
    _volunteer_home(page, phone)
    page.get_by_role("button", name=TURN_ON).click()
    expect(_problem(page)).to_be_focused()
    expect(_problem(page)).to_contain_text("您没有允许邻里弹出提醒，所以这台手机不会弹出提醒。")
    expect(_problem(page)).to_contain_text(f"可以改用短信：有新的提醒时，发短信到 {_spoken(phone)}。")
    assert page.evaluate("window.__permissionRequests") == 1
    profile.tab.screenshot("push-denied-sms-offered")

    with page.expect_response("**/api/v1/me/notification-preferences") as answer:
        page.get_by_role("button", name="改用短信提醒").click()
    assert answer.value.request.method == "PATCH" and answer.value.ok
    expect(_problem(page)).to_contain_text(f"好了，以后有新的提醒时，会发短信到 {_spoken(phone)}。")
    expect(page.get_by_role("button", name="改用短信提醒")).to_be_hidden()
    assert preferences_of(app, phone)["sms_opt_in"] is True
    assert subscriptions_of(app, phone) == []

    # Asked again later: text messages are already on, and it says so instead of offering them.
    page.get_by_role("button", name=TURN_ON).click()
    expect(_problem(page)).to_contain_text(f"短信提醒已经开着：有新的提醒时，会发短信到 {_spoken(phone)}。")
    expect(page.get_by_role("button", name="改用短信提醒")).to_be_hidden()


def test_a_push_service_that_refuses_is_explained_and_text_messages_are_offered(phone_profile, fake_gcm, live_server):
    app = live_server.app
    phone = new_person(app, "volunteer")
    fake_gcm.refuse = True
    try:
        profile = phone_profile(extra_args=fake_gcm.switches)
        page = profile.page
        _volunteer_home(page, phone)
        page.get_by_role("button", name=TURN_ON).click()
        expect(_problem(page)).to_contain_text("这台手机现在连不上提醒服务，不能弹出提醒。", timeout=30_000)
    finally:
        fake_gcm.refuse = False
    expect(_state(page)).to_have_text("这台手机：没有开启。")
    page.get_by_role("button", name="改用短信提醒").click()
    expect(_problem(page)).to_contain_text("好了，以后有新的提醒时，会发短信到")
    assert preferences_of(app, phone)["sms_opt_in"] is True
    assert subscriptions_of(app, phone) == []


def test_without_a_push_service_as_in_mainland_china_the_app_stops_waiting_and_offers_sms(phone_profile, live_server):
    """No push service answers (Chrome in mainland China; this machine has no network either):
    subscribe() never settles. The app gives up after its own wait, which the page's clock runs
    through here instead of the wall clock."""
    app = live_server.app
    phone = new_person(app, "volunteer")
    profile = phone_profile()
    page = profile.page
    page.clock.install()
    _volunteer_home(page, phone)
    with page.expect_response("**/api/v1/push/public-key"):
        page.get_by_role("button", name=TURN_ON).click()
    for _ in range(60):  # a second of the page's time per round trip, until it gives up waiting
        page.clock.run_for(1_000)
        if _problem(page).is_visible():
            break
    expect(_problem(page)).to_contain_text("这台手机现在连不上提醒服务，不能弹出提醒。国内很多手机都是这样，不是您操作错了。")
    expect(_problem(page)).to_contain_text(f"可以改用短信：有新的提醒时，发短信到 {_spoken(phone)}。")
    expect(_state(page)).to_have_text("这台手机：没有开启。")
    assert subscriptions_of(app, phone) == []
    profile.tab.screenshot("push-china-sms-offered")
    page.get_by_role("button", name="改用短信提醒").click()
    expect(_problem(page)).to_contain_text("好了，以后有新的提醒时，会发短信到")
    assert preferences_of(app, phone)["sms_opt_in"] is True


@pytest.mark.parametrize("browser_kind, words", [
    ("wechat", "这个浏览器不能弹出邻里的提醒（比如在微信里打开邻里时）。"),
    ("iphone", "在 iPhone 上，要先把邻里“添加到主屏幕”，再从主屏幕打开邻里，才能弹出提醒。"),
])
def test_a_browser_without_web_push_says_so_and_offers_sms(browser, live_server, browser_kind, words):
    agents = {
        "wechat": "Mozilla/5.0 (Linux; Android 10; V2001A) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20220903 Mobile Safari/537.36 MicroMessenger/8.0.28",
        "iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                  "Version/17.4 Mobile/15E148 Safari/604.1",
    }
    app = live_server.app
    phone = new_person(app, "volunteer")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740}, has_touch=True,
                                  locale="zh-CN", user_agent=agents[browser_kind])
    # These browsers have no Web Push: the page sees no PushManager (WeChat's in-app browser, and
    # Safari outside the home screen).
    context.add_init_script("delete window.PushManager;")
    try:
        page = context.new_page()
        page.goto("/")
        submit_sign_in(page, phone, DEMO_PASSWORD)
        expect(_heading(page)).to_have_text("您好，志愿者")
        expect(_state(page)).to_have_text("这台手机：没有开启。")
        page.get_by_role("button", name=TURN_ON).click()
        expect(_problem(page)).to_contain_text(words)
        page.get_by_role("button", name="改用短信提醒").click()
        expect(_problem(page)).to_contain_text("好了，以后有新的提醒时，会发短信到")
        assert preferences_of(app, phone)["sms_opt_in"] is True
    finally:
        context.close()


def _deliver(cdp, origin, registration_id, payload):
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": origin, "registrationId": registration_id, "data": json.dumps(payload, ensure_ascii=False),
    })


@pytest.fixture
def pushed(phone_profile, live_server):
    """A volunteer's page with CDP's ServiceWorker domain on (enabled before the page loads, as
    ACCESSIBILITY.md says): yields (page, service worker, deliver(payload), phone)."""
    phone = new_person(live_server.app, "volunteer")
    profile = phone_profile()
    page = profile.page
    cdp = profile.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    _volunteer_home(page, phone)
    [registration_id] = {entry["registrationId"] for entry in registrations if not entry["isDeleted"]}
    [worker] = profile.context.service_workers
    sent = []

    def deliver(payload):
        sent.append(payload)
        _deliver(cdp, live_server.url, registration_id, payload)

    # CDP's deliverPushMessage now and then reaches a worker that drops the event (seen on a busy
    # machine, never in a browser): everything sent so far again, as a push service retries; the
    # worker shows one notification per tag however often a message arrives (tested below).
    deliver.again = lambda: [_deliver(cdp, live_server.url, registration_id, payload) for payload in sent]
    yield page, worker, deliver, phone
    assert profile.tab.page_errors == [] and profile.tab.foreign_requests() == []


def _wait_for_notifications(worker, page, count, deliver=None, seconds=20):
    """What the service worker shows, once it shows at least `count` (a busy machine, running
    the suite in several processes, may take a few seconds to hand the push over); with
    `deliver`, what was pushed is pushed again every 5 s meanwhile."""
    started = time.monotonic()
    again_at = started + 5
    while True:
        shown = worker.evaluate(NOTIFICATIONS_SHOWN)
        if len(shown) >= count or time.monotonic() > started + seconds:
            break
        if deliver is not None and time.monotonic() > again_at:
            deliver.again()
            again_at = time.monotonic() + 5
        page.wait_for_timeout(50)
    assert len(shown) >= count, f"the service worker showed {len(shown)} notifications, not {count}"
    return shown


def test_the_service_worker_shows_a_push_once_however_often_it_arrives(pushed, live_server):
    page, worker, deliver, phone = pushed
    notification = send(live_server.app, phone, NOTE, text="周六上午义诊。")
    payload = {"id": notification, "kind": "e2e_note", "title": "社区通知", "body": "周六上午义诊。",
               "url": "/inbox", "urgency": "normal"}
    # The page hears of it and asks for the unread count at once.
    with page.expect_response("**/api/v1/notifications/unread-count"):
        deliver(payload)
    expect(page.locator("header [data-inbox-link]")).to_have_text("消息 1 条未读")
    deliver(payload)  # at-least-once delivery: the same notification again
    [shown] = _wait_for_notifications(worker, page, 1, deliver)
    assert shown["title"] == "社区通知" and shown["body"] == "周六上午义诊。"
    assert shown["tag"] == str(notification)
    assert shown["data"] == {"id": notification, "url": "/inbox"}
    assert shown["requireInteraction"] is False
    assert shown["icon"].endswith("/icons/icon-192.png") and shown["badge"].endswith("/icons/badge-96.png")

    deliver({"id": notification + 1000, "kind": "e2e_alarm", "title": "紧急求助", "body": "请马上处理。",
             "url": "/inbox", "urgency": "high"})
    shown = _wait_for_notifications(worker, page, 2, deliver)
    urgent = next(item for item in shown if item["tag"] == str(notification + 1000))
    assert urgent["requireInteraction"] is True  # stays on screen until someone acts on it
    assert len([item for item in shown if item["tag"] == str(notification)]) == 1


def test_a_payload_that_is_not_json_still_shows_a_plain_notification(pushed):
    page, worker, deliver, _ = pushed
    deliver("not json at all")
    [shown] = _wait_for_notifications(worker, page, 1, deliver)
    assert (shown["title"], shown["body"]) == ("邻里提醒", "您有一条新提醒，请打开邻里查看。")


def test_a_click_on_the_notification_opens_its_screen_and_marks_it_read(pushed, live_server):
    page, worker, deliver, phone = pushed
    notification = send(live_server.app, phone, NOTE, text="请更新服务范围。")
    deliver({"id": notification, "kind": "e2e_note", "title": "社区通知", "body": "请更新服务范围。",
             "url": "/volunteer/profile", "urgency": "normal"})
    _wait_for_notifications(worker, page, 1, deliver)
    with page.expect_response(f"**/api/v1/notifications/{notification}/read"):
        assert worker.evaluate(CLICK_NOTIFICATION, str(notification)) is True
    expect(page).to_have_url(re.compile(r"/volunteer/profile$"))
    expect(_heading(page)).to_have_text("我的资料和技能")
    assert read_state(live_server.app, notification) is not None
    assert worker.evaluate(NOTIFICATIONS_SHOWN) == []  # a tap closes it


def test_a_notification_pointing_at_another_origin_opens_the_inbox_instead(pushed):
    page, worker, deliver, _ = pushed
    deliver({"id": 987654, "kind": "e2e_note", "title": "社区通知", "body": "点这里",
             "url": "https://linli.example.net/steal", "urgency": "normal"})
    _wait_for_notifications(worker, page, 1, deliver)
    worker.evaluate(CLICK_NOTIFICATION, "987654")
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/inbox$"))
    expect(_heading(page)).to_have_text("消息")
