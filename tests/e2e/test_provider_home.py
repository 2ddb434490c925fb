"""The provider home in Chromium: a provider signs in and sees their name and phone and where service
requests will appear; axe, the computed-style scan and reflow, with elder mode off and on."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from backend.community.models import Community
from backend.extensions import db
from tests.e2e.journeys import submit_sign_in
from tests.e2e.test_accessibility import AXE_TAGS, OVERFLOW, SIZE_SCAN
from tests.factories import DEMO_PASSWORD, make_user

pytestmark = pytest.mark.browser


def new_provider(app, *, elder_mode: bool = False) -> str:
    """幸福食堂, a canteen with an account; returns its phone."""
    with app.app_context():
        user = make_user(db.session.scalar(select(Community).order_by(Community.id)), "provider", name="幸福食堂")
        user.elder_mode = elder_mode
        db.session.commit()
        phone = user.phone
        db.session.remove()
    return phone


def _spoken(phone: str) -> str:
    return f"{phone[:3]} {phone[3:7]} {phone[7:]}"


def test_a_provider_account_not_linked_to_a_service_is_told_so(open_tab, live_server):
    phone = new_provider(live_server.app)
    tab = open_tab("/")
    page = tab.page
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，幸福食堂")
    facts = page.locator(".provider-facts")
    expect(facts.locator("dd").first).to_have_text("幸福食堂")
    expect(facts.locator("dd").nth(1)).to_have_text(_spoken(phone))
    expect(page.get_by_role("heading", level=2, name="服务请求")).to_be_visible()
    expect(page.get_by_text("这个账号还没有关联到服务机构", exact=False)).to_be_visible()
    expect(page.get_by_role("checkbox", name="长辈版")).to_be_visible()
    assert tab.page_errors == [] and tab.csp_violations() == []


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder-mode"])
def test_provider_home_passes_axe_size_scan_and_reflow(open_tab, live_server, elder):
    phone = new_provider(live_server.app, elder_mode=elder)
    tab = open_tab("/", width=360, height=740)
    page = tab.page
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，幸福食堂")
    assert ("elder-mode" in (page.locator("html").get_attribute("class") or "").split()) is elder
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    if elder:
        options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
    results = Axe().run(page, options=options)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate(SIZE_SCAN) == []
    tab.screenshot(f"provider-home{'-elder' if elder else ''}")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate(OVERFLOW) <= 0
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate(OVERFLOW) <= 0
