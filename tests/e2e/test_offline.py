"""Offline in real Chromium: after one online visit, the resident's home, settings and SOS render
from the cached shell and the cached /me (marked 最后更新 HH:MM), and an urgent write that cannot
be sent opens the call screen at once."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.care import make_family
from tests.e2e.journeys import submit_sign_in
from tests.e2e.test_accessibility import AXE_TAGS, SIZE_SCAN
from tests.e2e.test_install_and_offline import SERVICE_WORKER_ACTIVATED
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser

LAST_UPDATED = re.compile(r"^最后更新 \d\d:\d\d$")
ELDER_AXE = {"runOnly": {"type": "tag", "values": AXE_TAGS},
             "rules": {"color-contrast-enhanced": {"enabled": True}}}


@pytest.fixture(scope="module")
def family(live_server):
    return make_family(live_server.app)


def _visit_once_online(open_tab, family):
    tab = open_tab("/")
    page = tab.page
    submit_sign_in(page, family.resident_phone, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，王奶奶")
    assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    return tab


def test_home_settings_and_sos_render_offline_from_the_cache(open_tab, family):
    tab = _visit_once_online(open_tab, family)
    page = tab.page
    page.context.set_offline(True)
    try:
        assert page.reload().from_service_worker
        expect(page.get_by_role("heading", level=1)).to_have_text("您好，王奶奶")
        expect(page.locator("[data-outbox-offline]")).to_have_text(LAST_UPDATED)
        expect(page.get_by_role("link", name=re.compile("打电话给网格员|给网格员打电话"))).to_be_visible()
        tab.screenshot("offline-resident-home")
        assert Axe().run(page, options=ELDER_AXE).violations_count == 0

        page.get_by_role("link", name="设置").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("设置")
        expect(page.get_by_role("button", name="退出登录")).to_be_visible()

        assert page.goto("/sos").from_service_worker
        expect(page.get_by_role("heading", level=1)).to_have_text("紧急求助")
        expect(page.get_by_role("link", name=re.compile("打给网格员"))).to_have_attribute("href", re.compile(r"^tel:1"))
        expect(page.get_by_role("link", name="打 120 急救")).to_have_attribute("href", "tel:120")
        tab.screenshot("offline-sos")
    finally:
        page.context.set_offline(False)
    assert tab.page_errors == [] and tab.foreign_requests() == []


def test_an_urgent_write_that_cannot_be_sent_opens_the_call_screen_at_once(open_tab, family):
    tab = _visit_once_online(open_tab, family)
    page = tab.page
    page.context.set_offline(True)
    try:
        # A test-only urgent write: SOS gets its own flow in the safety issue and will use this.
        state = page.evaluate("""async () => {
          const { queueWrite } = await import("/app/outbox.js");
          const result = await queueWrite({ method: "POST", path: "/api/v1/me/test-urgent", body: {},
                                            label: "SOS", urgent: true });
          return result.state;
        }""")
        assert state == "failed"
        expect(page.get_by_role("heading", level=1)).to_have_text("没有发出 — 请直接打电话")
        expect(page.get_by_role("link", name=re.compile("打给网格员"))).to_have_attribute("href", re.compile(r"^tel:1"))
        expect(page.get_by_role("link", name="打 120 急救")).to_have_attribute("href", "tel:120")
        # Nothing was left waiting silently in the outbox.
        expect(page.locator("[data-outbox-pending]")).to_be_hidden()
        assert Axe().run(page, options=ELDER_AXE).violations_count == 0
        assert page.evaluate(SIZE_SCAN) == []
        tab.screenshot("offline-urgent-not-sent")
    finally:
        page.context.set_offline(False)
    assert tab.page_errors == []
