"""A resident orders a meal from the canteen and the canteen takes it, in Chromium: 送餐 is routed
to providers, the resident asks in four taps, the canteen's staff see the request without the
address, accept it (接单) and then see the address and a call button, mark it 已完成, and the
resident confirms with stars; the provider screens pass axe, the size scan and reflow."""
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.providers.routing import stage_route
from tests.e2e.journeys import submit_sign_in
from tests.e2e.test_accessibility import AXE_TAGS, OVERFLOW, SIZE_SCAN
from tests.e2e.test_ask_for_help import heading, sign_in
from tests.factories import (
    DEMO_PASSWORD, make_admin, make_building, make_community, make_grid, make_household, make_resident, make_user,
)
from tests.providers.builders import link_staff, make_provider

pytestmark = pytest.mark.browser

ALL_WEEK = tuple((day, 0, 1440) for day in range(7))


@dataclass
class Canteen:
    resident_phone: str
    staff_phone: str
    provider_id: int
    door: str


def make_canteen_place(app, name: str, *, elder_mode: bool = False) -> Canteen:
    """A community whose 送餐 requests go to providers, with 幸福里老年食堂 (delivers, open all
    week) and its staff account, and a resident, 王秀英 (王奶奶)."""
    with app.app_context():
        community = make_community(name)
        grid = make_grid(community)
        stage_route(make_admin(community), "meal_delivery", "providers")
        account = make_user(community, "resident", name="王秀英")
        household = make_household(make_building(grid))
        make_resident(household, user=account)
        canteen = make_provider(community, delivers=True, hours=ALL_WEEK, daily_capacity=30)
        staff = make_user(community, "provider", name="食堂张姐")
        staff.elder_mode = elder_mode
        link_staff(canteen, staff)
        db.session.commit()
        made = Canteen(resident_phone=account.phone, staff_phone=staff.phone, provider_id=canteen.id,
                       door=household.door_number)
        db.session.remove()
    return made


def _request_of(app) -> HelpRequest:
    with app.app_context():
        row = db.session.scalar(select(HelpRequest).order_by(HelpRequest.id.desc()).limit(1))
        db.session.expunge_all()
        db.session.remove()
    return row


def _resident_orders_a_meal(open_tab, place):
    tab = open_tab("/")
    page = tab.page
    sign_in(page, place.resident_phone, "您好，王奶奶")
    page.get_by_role("link", name="我要求助").click()
    page.get_by_role("button", name="送餐").click()
    page.get_by_role("button", name="现在", exact=True).click()
    expect(heading(page)).to_have_text("请确认")
    with page.expect_response("**/api/v1/help-requests") as sent:
        page.get_by_role("button", name="确认发送").click()
    assert sent.value.status == 201
    expect(heading(page)).to_contain_text("送餐 · ")
    return tab


def _staff_tab(open_tab, place):
    tab = open_tab("/")
    submit_sign_in(tab.page, place.staff_phone, DEMO_PASSWORD)
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("您好，食堂张姐")
    return tab


def _scan(tab, elder: bool):
    page = tab.page
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    if elder:
        options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
    results = Axe().run(page, options=options)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate(SIZE_SCAN) == []


def test_a_resident_orders_a_meal_and_the_canteen_accepts_delivers_and_is_rated(open_tab, live_server):
    place = make_canteen_place(live_server.app, "幸福里社区")
    resident = _resident_orders_a_meal(open_tab, place)
    request_id = _request_of(live_server.app).id

    staff = _staff_tab(open_tab, place)
    page = staff.page
    offers = page.locator("[data-slot=offers] > li")
    expect(offers).to_have_count(1)
    card = offers.first
    expect(card.get_by_role("heading", level=3)).to_have_text("送餐 · 尽快")
    expect(card).to_contain_text("王奶奶")
    # Before acceptance: no door, no phone, no full name.
    assert place.door not in page.content() and "王秀英" not in page.content()
    assert _phone_of(live_server.app, request_id) not in page.content()
    assert page.locator(".volunteer-part a[href^='tel:']").count() == 0

    with page.expect_response("**/api/v1/offers/*/accept") as accepted:
        card.get_by_role("button", name="接单").click()
    assert accepted.value.status == 200
    expect(card.locator("[data-slot=outcome]")).to_have_text("已接单，地址和电话在“已接的单”里。")
    taken = page.locator("[data-slot=taken] > li")
    expect(taken).to_have_count(1)
    expect(taken.first).to_contain_text(place.door)
    expect(taken.first.get_by_role("link", name="打电话给王奶奶")).to_have_attribute("href", "tel:" + _phone_of(
        live_server.app, request_id))
    row = _request_of(live_server.app)
    assert (row.status, row.provider_id) == ("accepted", place.provider_id)

    with page.expect_response("**/api/v1/offers/*/complete") as completed:
        taken.first.get_by_role("button", name="已完成").click()
    assert completed.value.status == 200
    expect(taken.first.locator("[data-slot=outcome]")).to_have_text("已完成，等居民确认。")
    assert _request_of(live_server.app).status == "completed"

    home = resident.page
    home.reload()
    # The service is named where a volunteer would be.
    expect(home.locator(".request-now")).to_have_text("幸福里老年食堂已经帮完了，请您评价")
    expect(home.get_by_text("幸福里老年食堂帮得怎么样？")).to_be_visible()
    expect(home.get_by_role("radio")).to_have_count(5)
    home.get_by_label("5 很满意").check()
    with home.expect_response(f"**/api/v1/help-requests/{request_id}/confirm") as confirmed:
        home.get_by_role("button", name="提交评价").click()
    assert confirmed.value.status == 200
    expect(home.locator(".request-now")).to_have_text("已完成，谢谢您的评价")
    row = _request_of(live_server.app)
    assert (row.status, row.rating, row.hours) == ("confirmed", 5, None)
    for tab in (resident, staff):
        assert tab.page_errors == [] and tab.csp_violations() == []


def _phone_of(app, request_id: int) -> str:
    with app.app_context():
        request = db.session.get(HelpRequest, request_id)
        phone = request.resident.phone or request.resident.household.phone
        db.session.remove()
    return phone


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder-mode"])
def test_provider_screens_pass_axe_size_scan_and_reflow(open_tab, live_server, elder):
    place = make_canteen_place(live_server.app, f"安乐社区{int(elder)}", elder_mode=elder)
    _resident_orders_a_meal(open_tab, place)
    _resident_orders_a_meal(open_tab, place)  # a second order: one to take, one left incoming
    staff = _staff_tab(open_tab, place)
    page = staff.page
    offers = page.locator("[data-slot=offers] > li")
    expect(offers).to_have_count(2)
    _scan(staff, elder)  # incoming requests
    offers.first.get_by_role("button", name="接单").click()
    expect(page.locator("[data-slot=taken] > li")).to_have_count(1)
    _scan(staff, elder)  # a taken order with its address and call button
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate(OVERFLOW) <= 0
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate(OVERFLOW) <= 0
    assert staff.page_errors == [] and staff.csp_violations() == []
