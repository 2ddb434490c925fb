"""The inbox in Chromium: a notification committed on the server shows in the list and in the
badge, opening it marks it read (and opens its screen), 全部标为已读 marks the rest, 更多 pages on;
the unread count is polled with If-None-Match (a 304 while nothing changed) and
X-Linli-Background, every INBOX_POLL_SECONDS while in view and not while hidden; a safety alert
for a worker stands out and leads to its alert; the inbox opens offline from this phone's copy."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import submit_sign_in
from tests.e2e.push_fixtures import ALARM, NOTE, PROFILE_CHECK, e2e_kinds, new_person, read_state, send
from tests.e2e.test_install_and_offline import SERVICE_WORKER_ACTIVATED
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser

UNREAD_COUNT = "**/api/v1/notifications/unread-count"
LAST_UPDATED = re.compile(r"^最后更新 \d\d:\d\d$")
# Pretend the app went into the background (another app in front), or came back.
HIDE = """() => {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
  document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW = """() => {
  delete document.visibilityState;
  document.dispatchEvent(new Event("visibilitychange"));
}"""


@pytest.fixture(scope="module", autouse=True)
def _kinds():
    with e2e_kinds():
        yield


def _heading(page):
    return page.get_by_role("heading", level=1)


def _sign_in(page, phone, greeting):
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(_heading(page)).to_have_text(greeting)


def _home_inbox_link(page):
    return page.locator(".home-tools [data-inbox-link]")


def _to_inbox(page, phone, greeting="您好，志愿者"):
    """Sign in (which lands on the home) and open the inbox from the header."""
    _sign_in(page, phone, greeting)
    page.locator("header [data-inbox-link]").click()
    expect(_heading(page)).to_have_text("消息")


def _message(page, title):
    return page.locator(".message").filter(has=page.get_by_role("heading", name=re.compile(title)))


def test_a_new_notification_is_listed_counted_and_read_when_opened(open_tab, live_server):
    app = live_server.app
    phone = new_person(app, "volunteer")
    note = send(app, phone, NOTE, text="明天上午楼下停水。")
    check = send(app, phone, PROFILE_CHECK, item="服务范围")
    tab = open_tab("/")
    page = tab.page
    _sign_in(page, phone, "您好，志愿者")
    expect(_home_inbox_link(page)).to_have_text("消息 2 条未读")
    expect(page.locator("header [data-inbox-link]")).to_have_text("消息 2 条未读")

    _home_inbox_link(page).click()
    expect(_heading(page)).to_have_text("消息")
    expect(page.locator(".message h2")).to_have_text(["未读 请核对资料", "未读 社区通知"], use_inner_text=True)  # newest
    expect(_message(page, "社区通知")).to_contain_text("明天上午楼下停水。")
    tab.screenshot("inbox-two-unread")

    # A message without a screen of its own: 知道了 marks it read where it is.
    _message(page, "社区通知").get_by_role("button", name="知道了").click()
    expect(page.locator("#status")).to_have_text("已标为已读。")
    expect(_message(page, "社区通知").locator("h2")).to_have_text("社区通知", use_inner_text=True)
    assert read_state(app, note) is not None
    expect(page.locator("header [data-inbox-link]")).to_have_text("消息 1 条未读")

    # One that names a screen: 查看 marks it read and opens that screen.
    with page.expect_response(f"**/api/v1/notifications/{check}/read"):
        _message(page, "请核对资料").get_by_role("link", name="查看").click()
    expect(page).to_have_url(re.compile(r"/volunteer/profile$"))
    assert read_state(app, check) is not None
    expect(page.locator("header [data-inbox-link]")).to_have_text("消息")

    page.go_back()
    expect(_heading(page)).to_have_text("消息")
    expect(page.get_by_text("未读", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="全部标为已读")).to_be_hidden()
    assert tab.page_errors == [] and tab.csp_violations() == []


def test_mark_all_as_read_reads_every_one(open_tab, live_server):
    app = live_server.app
    phone = new_person(app, "volunteer")
    ids = [send(app, phone, NOTE, text=f"第{n}条") for n in range(3)]
    tab = open_tab("/")
    page = tab.page
    _to_inbox(page, phone)
    expect(page.locator(".message-unread")).to_have_count(3)
    with page.expect_response("**/api/v1/notifications/read-all"):
        page.get_by_role("button", name="全部标为已读").click()
    expect(page.locator("#status")).to_have_text("已全部标为已读。")
    expect(page.locator(".message-unread")).to_have_count(0)
    expect(page.locator("header [data-inbox-link]")).to_have_text("消息")
    assert all(read_state(app, notification) is not None for notification in ids)


def test_more_pages_on_from_the_twenty_first(open_tab, live_server):
    app = live_server.app
    phone = new_person(app, "volunteer")
    for n in range(25):
        send(app, phone, NOTE, text=f"通知 {n + 1}")
    tab = open_tab("/")
    page = tab.page
    _to_inbox(page, phone)
    expect(page.locator(".message")).to_have_count(20)
    expect(page.get_by_text("共 25 条，这里显示了 20 条。")).to_be_visible()
    page.get_by_role("button", name="更多").click()
    expect(page.locator(".message")).to_have_count(25)
    expect(page.get_by_role("button", name="更多")).to_be_hidden()
    expect(page.locator(".message").nth(20).locator("h2")).to_be_focused()
    texts = page.locator(".message p:not(.message-time)").all_inner_texts()
    assert sorted(texts) == sorted(f"通知 {n + 1}" for n in range(25))  # each once


def test_a_message_that_arrives_while_the_list_is_open_is_offered_not_pushed_in(open_tab, live_server):
    app = live_server.app
    phone = new_person(app, "volunteer")
    send(app, phone, NOTE, text="第一条")
    tab = open_tab("/")
    page = tab.page
    _to_inbox(page, phone)
    expect(page.locator(".message")).to_have_count(1)
    send(app, phone, NOTE, text="刚到的一条")
    with page.expect_response(UNREAD_COUNT):
        page.evaluate(SHOW)
    offer = page.get_by_role("button", name="有新消息，点这里显示")
    expect(offer).to_be_visible()
    expect(page.locator(".message")).to_have_count(1)  # nothing moved under the person's fingers
    offer.click()
    expect(page.locator(".message")).to_have_count(2)
    expect(page.locator(".message").first).to_contain_text("刚到的一条")
    expect(offer).to_be_hidden()


def test_the_unread_count_poll_costs_a_304_while_nothing_changed(open_tab, live_server):
    app = live_server.app
    phone = new_person(app, "volunteer")
    send(app, phone, NOTE, text="第一条")
    tab = open_tab("/")
    page = tab.page
    with page.expect_response(UNREAD_COUNT) as first:
        _sign_in(page, phone, "您好，志愿者")
    assert first.value.status == 200 and first.value.request.headers["x-linli-background"] == "1"
    etag = first.value.headers["etag"]

    # Coming back into view asks at once; nothing changed, so the server answers 304.
    with page.expect_response(UNREAD_COUNT) as unchanged:
        page.evaluate(SHOW)
    assert unchanged.value.status == 304
    assert unchanged.value.request.headers["if-none-match"] == etag
    assert unchanged.value.request.headers["x-linli-background"] == "1"
    expect(_home_inbox_link(page)).to_have_text("消息 1 条未读")

    send(app, phone, NOTE, text="第二条")
    with page.expect_response(UNREAD_COUNT) as changed:
        page.evaluate(SHOW)
    assert changed.value.status == 200 and changed.value.headers["etag"] != etag
    expect(_home_inbox_link(page)).to_have_text("消息 2 条未读")


def test_polling_follows_the_servers_interval_and_pauses_while_hidden(open_tab, live_server):
    app = live_server.app
    before = app.config["INBOX_POLL_SECONDS"]
    app.config["INBOX_POLL_SECONDS"] = 7
    try:
        phone = new_person(app, "volunteer")
        tab = open_tab("/")
        page = tab.page
        page.clock.install()  # the page's timers run when the test says, not on the wall clock
        page.reload()
        assert page.locator('meta[name="linli-unread-poll-seconds"]').get_attribute("content") == "7"
        polls = []
        page.on("request", lambda request: "unread-count" in request.url and polls.append(request))
        with page.expect_response(UNREAD_COUNT):
            _sign_in(page, phone, "您好，志愿者")
        with page.expect_response(UNREAD_COUNT):
            page.clock.run_for(7_000)
        with page.expect_response(UNREAD_COUNT):
            page.clock.run_for(7_000)
        asked = len(polls)

        page.evaluate(HIDE)
        page.clock.run_for(10 * 60_000)  # ten minutes in the background
        with page.expect_response(UNREAD_COUNT):
            page.evaluate(SHOW)  # back in view: asks at once
        assert len(polls) == asked + 1  # ... and never while hidden
    finally:
        app.config["INBOX_POLL_SECONDS"] = before


def test_a_safety_alert_for_a_worker_stands_out_and_leads_to_the_alert(open_tab, live_server):
    app = live_server.app
    phone = new_person(app, "worker")
    send(app, phone, NOTE, text="本周例会改到周四。")
    alarm = send(app, phone, ALARM, place="幸福里3幢", data={"alert_id": 4711})
    tab = open_tab("/")
    page = tab.page
    _to_inbox(page, phone, "您好，网格员")
    alert = _message(page, "紧急求助")
    expect(alert.locator("h2")).to_have_text("安全提醒 未读 紧急求助", use_inner_text=True)
    expect(alert).to_have_class(re.compile(r"\bmessage-safety\b"))
    # It stands out by more than colour: its own words and a heavier frame than an ordinary one.
    widths = page.evaluate("""() => [...document.querySelectorAll('.message')].map(
        (el) => parseFloat(getComputedStyle(el).borderTopWidth))""")
    assert widths[0] > widths[1]
    tab.screenshot("inbox-worker-safety")
    link = alert.get_by_role("link", name="查看")
    expect(link).to_have_attribute("href", "/alerts/4711")
    with page.expect_response(f"**/api/v1/notifications/{alarm}/read"):
        link.click()
    expect(page).to_have_url(re.compile(r"/alerts/4711$"))
    assert read_state(app, alarm) is not None


def test_the_inbox_opens_offline_from_this_phones_copy(open_tab, live_server):
    app = live_server.app
    phone = new_person(app, "volunteer")
    send(app, phone, NOTE, text="周六上午义诊。")
    tab = open_tab("/")
    page = tab.page
    _sign_in(page, phone, "您好，志愿者")
    assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    _home_inbox_link(page).click()
    expect(_message(page, "社区通知")).to_contain_text("周六上午义诊。")
    page.context.set_offline(True)
    try:
        assert page.reload().from_service_worker
        expect(_heading(page)).to_have_text("消息")
        expect(_message(page, "社区通知")).to_contain_text("周六上午义诊。")
        expect(page.locator("[data-outbox-offline]")).to_have_text(LAST_UPDATED)
        tab.screenshot("offline-inbox")
    finally:
        page.context.set_offline(False)
    assert tab.page_errors == []
