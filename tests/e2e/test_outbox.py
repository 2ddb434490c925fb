"""The outbox in real Chromium: writes that can wait are kept with their Idempotency-Key and sent
exactly once, whatever the network does to the first answer."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from backend.accounts.models import User
from backend.common.idempotency import IdempotencyRecord
from backend.extensions import db
from tests.e2e.care import make_family
from tests.e2e.journeys import submit_sign_in
from tests.e2e.test_accessibility import AXE_TAGS, SIZE_SCAN
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def family(live_server):
    return make_family(live_server.app)


def test_a_preference_change_made_offline_waits_and_is_sent_after_reconnecting(open_tab, family):
    tab = open_tab("/")
    page = tab.page
    submit_sign_in(page, family.resident_phone, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，王奶奶")
    page.get_by_role("link", name="设置").click()
    # Settings is usable once the server's copy has loaded; only then does the phone lose signal.
    expect(page.get_by_role("checkbox", name="高对比度（黑底白字）")).to_be_enabled()
    page.context.set_offline(True)
    page.get_by_role("checkbox", name="高对比度（黑底白字）").check()
    expect(page.locator("[data-outbox-pending]")).to_have_text("有 1 条待发送")
    page.context.set_offline(False)
    expect(page.locator("[data-outbox-pending]")).to_be_hidden()
    assert page.request.get("/api/v1/me").json()["high_contrast"] is True
    assert not tab.page_errors


def test_sign_out_with_a_waiting_write_warns_first(open_tab, family):
    tab = open_tab("/")
    page = tab.page
    submit_sign_in(page, family.resident_phone, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，王奶奶")
    page.get_by_role("link", name="设置").click()
    page.context.set_offline(True)
    page.get_by_role("checkbox", name="朗读按钮").check()
    expect(page.locator("[data-outbox-pending]")).to_have_text("有 1 条待发送")
    page.get_by_role("button", name="退出登录").click()
    dialog = page.get_by_role("dialog", name="还有内容没有发送")
    expect(dialog).to_be_visible()
    tab.screenshot("outbox-sign-out-warning")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="退出登录")).to_be_focused()


@pytest.fixture
def fresh_family(live_server):
    """A family of its own, so the server's records belong to this test alone."""
    return make_family(live_server.app)


# update.js assumes navigator.serviceWorker, which a context with service workers blocked lacks.
NO_SERVICE_WORKER = "reading 'waiting'"


@pytest.fixture
def blocked_tab(browser, live_server):
    """A tab whose requests page.route may intercept: the service worker is blocked here."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740},
                                  locale="zh-CN", service_workers="block")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: NO_SERVICE_WORKER not in str(error) and errors.append(str(error)))
    page.goto("/")
    yield page, errors
    context.close()


def _sign_in_to_settings(page, phone):
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，王奶奶")
    page.get_by_role("link", name="设置").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("设置")
    # Settings reads the notification preferences (the fields show, disabled, until they are in):
    # wait for them, so that no answer still on its way (each renews the session cookie) can undo
    # a test's clearing of the cookies.
    expect(page.get_by_role("checkbox", name="也用短信提醒我")).to_be_enabled()


def _records(live_server, phone):
    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.phone == phone))
        rows = db.session.scalars(select(IdempotencyRecord).where(IdempotencyRecord.user_id == user.id)).all()
        found = [(row.key, row.status_code, row.applied_at is not None) for row in rows]
        prefs = {"high_contrast": user.high_contrast, "read_aloud": user.read_aloud}
        db.session.remove()
    return found, prefs


def test_when_the_first_answer_is_lost_the_retry_changes_the_server_exactly_once(blocked_tab, live_server, fresh_family):
    page, errors = blocked_tab
    _sign_in_to_settings(page, fresh_family.resident_phone)
    sent = []

    def lose_the_first_answer(route):
        sent.append(route.request.header_value("idempotency-key"))
        if len(sent) == 1:
            route.fetch()  # the server applies the change...
            route.abort()  # ...and the answer never reaches the phone
        else:
            route.continue_()

    page.route("**/api/v1/me/preferences", lose_the_first_answer)
    with page.expect_response("**/api/v1/me/preferences", timeout=15000) as retry:
        page.get_by_role("checkbox", name="高对比度（黑底白字）").check()
        expect(page.locator("[data-outbox-pending]")).to_have_text("有 1 条待发送")
    assert retry.value.ok and retry.value.headers.get("idempotent-replayed") == "true"
    expect(page.locator("[data-outbox-pending]")).to_be_hidden()
    assert len(sent) == 2 and sent[0] == sent[1] and sent[0]
    records, prefs = _records(live_server, fresh_family.resident_phone)
    assert records == [(sent[0], 200, True)]
    assert prefs["high_contrast"] is True
    assert errors == []


def test_a_refused_write_lands_in_could_not_be_sent_with_the_servers_message_and_can_be_dismissed(
        blocked_tab, fresh_family):
    page, errors = blocked_tab
    _sign_in_to_settings(page, fresh_family.resident_phone)
    page.route("**/api/v1/me/preferences", lambda route: route.fulfill(
        status=409, content_type="application/json",
        body='{"reason": "conflict", "message": "这个设置刚被别人改过了。", "errors": {}}'))
    page.get_by_role("checkbox", name="朗读按钮").check()
    failed = page.locator("[data-outbox-failed]")
    expect(failed.get_by_role("heading", name="未能发送")).to_be_visible()
    expect(failed).to_contain_text("修改显示设置")
    expect(failed).to_contain_text("这个设置刚被别人改过了。")
    expect(page.locator("[data-outbox-pending]")).to_be_hidden()
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                       "rules": {"color-contrast-enhanced": {"enabled": True}}})
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate(SIZE_SCAN) == []
    page.screenshot(path="test-artifacts/outbox-could-not-be-sent.png", full_page=True)
    failed.get_by_role("button", name="不发了").click()
    expect(failed).to_be_hidden()
    expect(page.locator("#status")).to_have_text("已删除。")
    assert errors == []


def test_after_a_401_the_write_waits_and_is_sent_with_the_same_key_once_the_same_person_signs_in(
        blocked_tab, live_server, fresh_family):
    page, errors = blocked_tab
    _sign_in_to_settings(page, fresh_family.resident_phone)
    keys = []
    page.on("request", lambda request: request.url.endswith("/api/v1/me/preferences")
            and keys.append(request.header_value("idempotency-key")))
    page.context.clear_cookies()  # the session ended on the server's side
    page.get_by_role("checkbox", name="高对比度（黑底白字）").check()
    expect(page.locator("[data-outbox-pending]")).to_contain_text("请重新登录")
    page.get_by_role("link", name="返回主页").click()
    with page.expect_response("**/api/v1/me/preferences") as sent:
        submit_sign_in(page, fresh_family.resident_phone, DEMO_PASSWORD)
    assert sent.value.ok
    expect(page.locator("[data-outbox-pending]")).to_be_hidden()
    assert len(keys) >= 2 and set(keys) == {keys[0]}  # a stale CSRF token may add one more try, same key
    records, prefs = _records(live_server, fresh_family.resident_phone)
    assert [key for key, _, applied in records if applied] == [keys[0]]
    assert prefs["high_contrast"] is True
    assert errors == []


def test_the_pending_count_and_the_sign_out_warning_pass_axe(open_tab, fresh_family):
    tab = open_tab("/")
    page = tab.page
    _sign_in_to_settings(page, fresh_family.resident_phone)
    page.context.set_offline(True)
    try:
        page.get_by_role("checkbox", name="朗读按钮").check()
        expect(page.locator("[data-outbox-pending]")).to_have_text("有 1 条待发送")
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS},
                   "rules": {"color-contrast-enhanced": {"enabled": True}}}
        results = Axe().run(page, options=options)
        assert results.violations_count == 0, results.generate_report()
        page.get_by_role("button", name="退出登录").click()
        expect(page.get_by_role("dialog")).to_be_visible()
        results = Axe().run(page, options=options)
        assert results.violations_count == 0, results.generate_report()
        assert page.evaluate(SIZE_SCAN) == []
        page.get_by_role("button", name="先不退出").click()
        expect(page.get_by_role("dialog")).to_be_hidden()
        expect(page.get_by_role("button", name="退出登录")).to_be_focused()
    finally:
        page.context.set_offline(False)
    assert tab.page_errors == []


OUTBOX_ITEMS = """async () => {
  const { outboxAll } = await import("/app/store.js");
  return (await outboxAll()).map((item) => ({ path: item.path, state: item.state }));
}"""


def _volunteer_on_the_availability_screen(page, live_server):
    from tests.e2e.test_volunteer_home import new_volunteer

    submit_sign_in(page, new_volunteer(live_server.app), DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，志愿者")
    page.get_by_role("link", name="我的空闲时间").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("每周什么时候有空")
    monday = page.get_by_role("group", name="周一")
    monday.get_by_role("button", name="添加时间段").click()
    monday.get_by_label("周一 第 2 段 开始").fill("08:00")
    monday.get_by_label("周一 第 2 段 结束").fill("10:00")  # overlaps the volunteer's 00:00–24:00


def test_a_refusal_the_form_is_waiting_for_is_shown_once_in_the_form_only(open_tab, live_server):
    tab = open_tab("/")
    page = tab.page
    _volunteer_on_the_availability_screen(page, live_server)
    with page.expect_response("**/api/v1/volunteers/me/availability") as answer:
        page.get_by_role("button", name="保存空闲时间").click()
    assert answer.value.status == 422
    expect(page.get_by_role("alert")).to_contain_text("周一 00:00–24:00 与 08:00–10:00 时间重叠。")
    expect(page.locator("[data-error-summary]:not([hidden])")).to_be_focused()
    # Not listed a second time under 未能发送, and nothing of it is left on the phone.
    expect(page.locator("[data-outbox-failed]")).to_be_hidden()
    expect(page.get_by_text("未能发送")).to_have_count(0)
    assert page.evaluate(OUTBOX_ITEMS) == []
    assert tab.page_errors == []


def test_a_refusal_that_arrives_after_reconnecting_lands_in_could_not_be_sent(open_tab, live_server):
    tab = open_tab("/")
    page = tab.page
    _volunteer_on_the_availability_screen(page, live_server)
    page.context.set_offline(True)
    try:
        page.get_by_role("button", name="保存空闲时间").click()
        expect(page.locator("#status")).to_have_text("已在这部手机上保存，联网后会自动发送。")
        expect(page.locator("[data-outbox-pending]")).to_have_text("有 1 条待发送")
        expect(page.get_by_role("alert")).to_be_hidden()
        page.get_by_role("link", name="返回主页").click()  # the form is gone when the answer comes
        expect(page.get_by_role("heading", level=1)).to_have_text("您好，志愿者")
    finally:
        with page.expect_response("**/api/v1/volunteers/me/availability") as answer:
            page.context.set_offline(False)
    assert answer.value.status == 422
    failed = page.locator("[data-outbox-failed]")
    expect(failed.get_by_role("heading", name="未能发送")).to_be_visible()
    expect(failed).to_contain_text("修改空闲时间")
    expect(failed).to_contain_text(answer.value.json()["message"])
    expect(page.locator("[data-outbox-pending]")).to_be_hidden()
    assert page.evaluate(OUTBOX_ITEMS) == [{"path": "/api/v1/volunteers/me/availability", "state": "failed"}]
    assert tab.page_errors == []
