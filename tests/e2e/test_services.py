"""身边的服务 in Chromium: a resident opens the list from her home, narrows it to a category and to
what is open now, sees how far each service is from home, opens the canteen and finds a tel: call
button; her daughter sees the same distances from her mother's home; a volunteer reaches the list
from their home. In elder mode the screens pass axe (AAA contrast) and the size and reflow scans."""
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from backend.extensions import db
from tests.e2e.test_accessibility import AXE_TAGS, OVERFLOW, SIZE_SCAN
from tests.e2e.test_ask_for_help import heading, sign_in
from tests.factories import (
    make_building, make_community, make_grid, make_household, make_proxy, make_resident, make_user, make_volunteer,
)
from tests.providers.builders import make_provider

pytestmark = pytest.mark.browser

ROUND_THE_CLOCK = tuple((day, 0, 1440) for day in range(7))  # open whenever the test runs


@dataclass(frozen=True)
class Street:
    resident_id: int
    resident_phone: str
    proxy_phone: str
    volunteer_phone: str


@pytest.fixture(scope="module")
def street(live_server):
    """王奶奶 at 30.27, 120.15 with a canteen 150 m north (always open, delivers), a barber 250 m
    north (always open) and a clinic 400 m north with no hours (never open)."""
    with live_server.app.app_context():
        community = make_community("幸福里社区")
        grid = make_grid(community)
        account = make_user(community, "resident", name="王秀英")
        account.elder_mode, account.text_size = True, "large"
        resident = make_resident(make_household(make_building(grid, lat=30.27, lng=120.15)), user=account)
        daughter = make_proxy(resident, "view_status", "request_help")
        daughter.elder_mode = True
        volunteer = make_volunteer(community)
        make_provider(community, name="幸福里老年食堂", categories=("meal_delivery",), hours=ROUND_THE_CLOCK,
                      lat=30.27135, lng=120.15, delivers=True)
        make_provider(community, name="巧手理发店", kind="barber", categories=("other",), hours=ROUND_THE_CLOCK,
                      lat=30.27225, lng=120.15)
        make_provider(community, name="社区诊所", kind="clinic", categories=("companionship", "other"), hours=(),
                      lat=30.2736, lng=120.15)
        db.session.commit()
        made = Street(resident_id=resident.id, resident_phone=account.phone, proxy_phone=daughter.phone,
                      volunteer_phone=volunteer.phone)
        db.session.remove()
    return made


def cards(page):
    return page.locator(".service-link .request-what")


def test_a_resident_finds_the_canteen_open_near_home_and_can_call_it(open_tab, street):
    tab = open_tab("/")
    page = tab.page
    sign_in(page, street.resident_phone, "您好，王奶奶")
    page.get_by_role("link", name="身边的服务").click()
    expect(heading(page)).to_have_text("身边的服务")
    expect(cards(page)).to_have_text(["幸福里老年食堂", "巧手理发店", "社区诊所"])  # nearest first
    canteen = page.locator(".service-link").first
    expect(canteen).to_contain_text("现在营业")
    expect(canteen).to_contain_text("离家 150 米")
    expect(canteen).to_contain_text("可以送上门")
    expect(page.locator(".service-link").last).to_contain_text("休息中")

    page.get_by_role("button", name="送餐").click()
    expect(cards(page)).to_have_text(["幸福里老年食堂"])
    expect(page.get_by_role("button", name="送餐")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="全部").click()
    expect(cards(page)).to_have_count(3)
    page.get_by_role("checkbox", name="只看现在营业的").check()
    expect(cards(page)).to_have_text(["幸福里老年食堂", "巧手理发店"])

    page.get_by_role("link", name="幸福里老年食堂").click()
    expect(heading(page)).to_have_text("幸福里老年食堂")
    call = page.get_by_role("link", name="打电话 021 5555 1234")
    expect(call).to_have_attribute("href", "tel:02155551234")
    expect(page.get_by_text("午餐 12 元")).to_be_visible()
    expect(page.locator(".request-now")).to_contain_text("现在营业")
    page.go_back()
    expect(cards(page)).to_have_text(["幸福里老年食堂", "巧手理发店"])  # the choice is kept
    assert tab.csp_violations() == [] and tab.page_errors == [] and tab.foreign_requests() == []


def test_a_daughter_sees_distances_from_her_mothers_home(open_tab, street):
    page = open_tab("/").page
    sign_in(page, street.proxy_phone, "您好，家属")
    page.get_by_role("link", name="身边的服务").click()
    expect(page).to_have_url(f"{page.url.split('/for/')[0]}/for/{street.resident_id}/services")
    expect(page.get_by_text("正在代 王奶奶 操作")).to_be_visible()
    expect(page.locator(".service-link").first).to_contain_text("离家 150 米")


def test_a_volunteer_reaches_the_list_from_their_home(open_tab, street):
    page = open_tab("/").page
    sign_in(page, street.volunteer_phone, "您好，志愿者")
    page.get_by_role("link", name="身边的服务").click()
    expect(cards(page)).to_have_count(3)


def each_services_screen(page, street):
    sign_in(page, street.resident_phone, "您好，王奶奶")
    page.get_by_role("link", name="身边的服务").click()
    expect(cards(page)).to_have_count(3)
    yield "services"
    page.get_by_role("button", name="其他").click()
    expect(cards(page)).to_have_count(2)
    yield "services-other"
    page.get_by_role("button", name="全部").click()
    expect(cards(page)).to_have_count(3)
    page.get_by_role("link", name="幸福里老年食堂").click()
    expect(heading(page)).to_have_text("幸福里老年食堂")
    yield "service-canteen"
    page.get_by_role("link", name="看全部服务").click()
    page.get_by_role("link", name="社区诊所").click()
    expect(heading(page)).to_have_text("社区诊所")
    yield "service-closed"


def test_elder_mode_screens_pass_axe_and_the_size_and_reflow_scans(open_tab, street):
    tab = open_tab("/", width=360, height=740)
    page = tab.page
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "rules": {"color-contrast-enhanced": {"enabled": True}}}
    seen = []
    for screen in each_services_screen(page, street):
        assert "elder-mode" in (page.locator("html").get_attribute("class") or "").split(), screen
        results = axe.run(page, options=options)
        assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"
        assert page.evaluate(SIZE_SCAN) == [], screen
        assert page.locator("main [data-primary]").count() >= 1, screen
        tab.screenshot(f"services-{screen}")
        page.set_viewport_size({"width": 320, "height": 640})
        assert page.evaluate(OVERFLOW) <= 0, screen
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert page.evaluate(OVERFLOW) <= 0, screen
        page.evaluate("document.documentElement.style.fontSize = ''")
        page.set_viewport_size({"width": 360, "height": 740})
        seen.append(screen)
    assert seen == ["services", "services-other", "service-canteen", "service-closed"]
