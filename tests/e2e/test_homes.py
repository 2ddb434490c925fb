"""The homes after sign-in in real Chromium: the resident's (长辈版), a proxy's within their consent
scopes, the placeholder of other roles, and the call screens their buttons open."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.care import make_family
from tests.e2e.journeys import submit_sign_in
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def family(live_server):
    return make_family(live_server.app)


def _signed_in(open_tab, phone, heading):
    tab = open_tab("/")
    submit_sign_in(tab.page, phone, DEMO_PASSWORD)
    expect(tab.page.get_by_role("heading", level=1)).to_have_text(heading)
    return tab


def _footer_phone(page):
    return page.get_by_role("contentinfo").get_by_role("link")


def test_resident_lands_on_her_home_in_elder_mode(open_tab, family):
    tab = _signed_in(open_tab, family.resident_phone, "您好，王奶奶")
    page = tab.page
    assert "elder-mode" in page.locator("html").get_attribute("class").split()
    primary = page.locator("main [data-primary]")
    expect(primary).to_have_text(["我要求助", "我很好", "紧急求助", "给网格员打电话"])
    call = page.get_by_role("link", name="给网格员打电话")
    assert call.get_attribute("href") == f"tel:{family.grid_worker_phone}"
    expect(page.get_by_role("heading", name="我的求助")).to_be_visible()
    expect(page.get_by_text("还没有求助。")).to_be_visible()
    expect(page.get_by_role("checkbox", name="长辈版")).to_be_checked()
    assert _footer_phone(page).get_attribute("href") == f"tel:{family.grid_worker_phone}"
    tab.screenshot("resident-home")
    assert tab.page_errors == [] and tab.console_errors == [] and tab.foreign_requests() == []


def hold_sos(page) -> list:
    """Hold any SOS on its way to the server, so these screens' checks never send one (the SOS
    itself is tested in test_sos.py); returns the held routes."""
    held = []
    page.route(re.compile(r".*/api/v1/residents/\d+/sos$"), lambda route: held.append(route))
    return held


def test_sos_offers_to_call_the_grid_worker_and_120(open_tab, family):
    """The countdown screen keeps both phone numbers on screen while it counts."""
    tab = _signed_in(open_tab, family.resident_phone, "您好，王奶奶")
    page = tab.page
    hold_sos(page)
    footer_before = _footer_phone(page).bounding_box()
    page.get_by_role("link", name="紧急求助").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("紧急求助")
    expect(page.get_by_role("button", name="取消")).to_be_visible()
    grouped = f"{family.grid_worker_phone[:3]} {family.grid_worker_phone[3:7]} {family.grid_worker_phone[7:]}"
    worker = page.get_by_role("link", name=f"打给网格员 {grouped}")
    assert worker.get_attribute("href") == f"tel:{family.grid_worker_phone}"
    assert page.get_by_role("link", name="打 120 急救").get_attribute("href") == "tel:120"
    # The help line stays where it was (WCAG 3.2.6 consistent help).
    assert _footer_phone(page).get_attribute("href") == f"tel:{family.grid_worker_phone}"
    assert footer_before["x"] == _footer_phone(page).bounding_box()["x"]
    tab.screenshot("sos")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，王奶奶")


def test_im_ok_for_a_resident_not_enrolled_says_whom_to_call(open_tab, family):
    tab = _signed_in(open_tab, family.resident_phone, "您好，王奶奶")
    page = tab.page
    page.get_by_role("link", name="我很好").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我很好")
    expect(page.get_by_text("您还没有开通每日报平安。想开通，请给网格员打电话。")).to_be_visible()
    call = page.get_by_role("main").locator(f'a[href="tel:{family.grid_worker_phone}"]')
    expect(call).to_be_visible()
    expect(page.get_by_text("今天已报平安", exact=False)).to_have_count(0)
    page.get_by_role("link", name="返回主页").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，王奶奶")
    assert tab.page_errors == []


def test_sos_opened_directly_works_without_signing_in(open_tab):
    tab = open_tab("/sos")
    page = tab.page
    expect(page.get_by_role("heading", level=1)).to_have_text("紧急求助")
    assert page.get_by_role("link", name="打 120 急救").get_attribute("href") == "tel:120"
    assert page.get_by_role("link", name="打给社区 0571 8888 0000").get_attribute("href") == "tel:057188880000"


def test_proxy_with_every_scope_acts_for_her_mother_under_a_banner(open_tab, family):
    tab = _signed_in(open_tab, family.proxy_phone, "您好，家属")
    page = tab.page
    expect(page.get_by_text("正在代 王奶奶 操作")).to_be_visible()
    expect(page.locator("main [data-primary]")).to_have_text(["我要求助", "紧急求助", "给网格员打电话"])
    expect(page.get_by_role("heading", name="王奶奶的求助")).to_be_visible()
    assert _footer_phone(page).get_attribute("href") == f"tel:{family.grid_worker_phone}"
    tab.screenshot("proxy-home")
    hold_sos(page)
    page.get_by_role("link", name="紧急求助").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("紧急求助")
    assert page.url.endswith("/sos") and "/for/" in page.url
    page.get_by_role("button", name="取消").click()
    expect(page.get_by_text("正在代 王奶奶 操作")).to_be_visible()


def test_proxy_who_may_only_look_gets_no_ask_for_help_and_no_sos(open_tab, family):
    tab = _signed_in(open_tab, family.viewer_phone, "您好，家属")
    page = tab.page
    expect(page.get_by_text("正在代 王奶奶 操作")).to_be_visible()
    expect(page.get_by_role("heading", name="王奶奶的求助")).to_be_visible()
    expect(page.get_by_role("link", name="我要求助")).to_have_count(0)
    expect(page.get_by_role("link", name="紧急求助")).to_have_count(0)
    expect(page.get_by_role("link", name="我很好")).to_have_count(0)
    expect(page.get_by_role("link", name="给网格员打电话")).to_be_visible()
    tab.screenshot("proxy-home-view-only")


def test_a_volunteer_lands_on_the_volunteer_home_with_settings(open_tab, family):
    tab = _signed_in(open_tab, family.volunteer_phone, "您好，志愿者")
    page = tab.page
    expect(page.get_by_role("checkbox", name="我在岗，可以接任务")).to_be_checked()
    assert "elder-mode" not in (page.locator("html").get_attribute("class") or "")
    page.get_by_role("link", name="设置").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("设置")
    assert _footer_phone(page).get_attribute("href") == "tel:057188880000"


def test_the_elder_mode_switch_on_the_home_turns_it_off_here_and_on_the_server(open_tab, family):
    tab = _signed_in(open_tab, family.viewer_phone, "您好，家属")
    page = tab.page
    with page.expect_response("**/api/v1/me/preferences"):
        page.get_by_role("checkbox", name="长辈版").uncheck()
    assert "elder-mode" not in page.locator("html").get_attribute("class").split()
    assert page.request.get("/api/v1/me").json()["elder_mode"] is False
    with page.expect_response("**/api/v1/me/preferences"):
        page.get_by_role("checkbox", name="长辈版").check()
    assert "elder-mode" in page.locator("html").get_attribute("class").split()
    assert page.request.get("/api/v1/me").json()["elder_mode"] is True
