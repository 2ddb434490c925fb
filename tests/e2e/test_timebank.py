"""The volunteer's time bank in the browser: the home shows verified and recorded hours apart and
leads to 时间银行, where the volunteer sees the history, is told what is wrong with an empty gift,
and gives hours to their mother; the hours move in the database. Every state passes axe (WCAG 2.2
AA and best practice) and does not scroll sideways at 320 px."""
import re
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from backend.extensions import db
from backend.timebank.services import earning, ledger
from backend.volunteers.models import Volunteer
from tests.e2e.test_accessibility import AXE_TAGS, OVERFLOW, SIZE_SCAN
from tests.e2e.journeys import sign_out, submit_sign_in
from tests.e2e.test_ask_for_help import heading, sign_in
from tests.factories import (
    DEMO_PASSWORD, make_building, make_community, make_grid, make_household, make_resident, make_volunteer, make_worker,
)
from tests.timebank.helpers import earn, link_family

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Place:
    volunteer_phone: str  # 王奶奶's son: 3 verified hours, 1 recorded
    newcomer_phone: str  # no family registered: 2 verified hours
    resident_id: int


@pytest.fixture(scope="module")
def place(live_server):
    app = live_server.app
    with app.test_request_context():
        community = make_community("互助社区")
        grid = make_grid(community)
        worker = make_worker(grid)
        resident = make_resident(make_household(make_building(grid)))
        volunteer, newcomer = make_volunteer(community, grid=grid), make_volunteer(community, grid=grid)
        newcomer.display_name = "新志愿者"
        link_family(volunteer, resident, "view_status", relation="母亲")
        earn(volunteer, 3)
        earn(newcomer, 2)
        volunteer_id = db.session.scalar(select(Volunteer.id).where(Volunteer.user_id == volunteer.id))
        db.session.commit()
        earning.add_recorded_hours(worker, volunteer_id, {"hours": 1, "reason": "社区重阳节活动"})
        made = Place(volunteer_phone=volunteer.phone, newcomer_phone=newcomer.phone, resident_id=resident.id)
        db.session.remove()
    return made


def _member_minutes(app, resident_id: int) -> int:
    with app.app_context():
        minutes = ledger.balance(ledger.find_account_id(ledger.member_key(resident_id)))
        db.session.remove()
    return minutes


def each_timebank_state(page, place, base_url):
    """A volunteer without family from their home, then 王奶奶's son, who also acts for her: his
    home is his volunteer home, with a link to hers under 我照看的家人."""
    sign_in(page, place.newcomer_phone, "您好，新志愿者")
    expect(page.locator("[data-slot=hours-summary]")).to_have_text("已认证 2 小时，补记 0 小时。")
    yield "volunteer-home-hours"
    page.get_by_role("link", name="打开时间银行").click()
    expect(heading(page)).to_have_text("我的时间银行")
    expect(page.get_by_text("还没有登记的家人。", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="转赠", exact=True)).to_be_hidden()
    yield "timebank-no-family"
    page.get_by_role("link", name="返回主页").click()
    sign_out(page)
    submit_sign_in(page, place.volunteer_phone, DEMO_PASSWORD)
    expect(heading(page)).not_to_have_text("登录邻里")
    family = page.get_by_role("region", name="我照看的家人")
    expect(family.get_by_role("link")).to_have_attribute("href", re.compile(r"^/for/\d+$"))
    page.get_by_role("link", name="打开时间银行").click()
    expect(heading(page)).to_have_text("我的时间银行")
    expect(page.locator(".timebank .request-card")).not_to_have_count(0)
    yield "timebank"
    page.get_by_role("button", name="转赠", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "timebank-gift-errors"


def test_a_volunteer_sees_their_hours_and_gives_some_to_their_mother(open_tab, live_server, place):
    tab = open_tab("/")
    page = tab.page
    axe = Axe()
    states = []
    for state in each_timebank_state(page, place, live_server.url):
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        assert results.violations_count == 0, f"{state}:\n{results.generate_report()}"
        states.append(state)
        if state == "timebank":
            expect(page.locator("[data-slot=verified]")).to_have_text("3 小时")
            expect(page.locator("[data-slot=cap]")).to_contain_text("最多可转赠 40 小时，还可转赠 40 小时。")
            expect(page.locator(".timebank .request-card")).to_have_count(2)
            expect(page.locator(".timebank .request-card").first).to_contain_text("补记：社区重阳节活动")
    assert states == ["volunteer-home-hours", "timebank-no-family", "timebank", "timebank-gift-errors"]
    expect(page.get_by_text("请填写要转赠的小时数，例如 1。").first).to_be_visible()
    assert _member_minutes(live_server.app, place.resident_id) == 0
    page.get_by_label("转赠时数（小时）").fill("1.5")
    page.get_by_label("留言（可不填）").fill("给妈妈")
    expect(page.get_by_role("radio", name="王奶奶（母亲），现有 0 小时")).to_be_checked()
    page.get_by_role("button", name="转赠", exact=True).click()
    expect(page.locator("#status")).to_have_text("已转赠 1.5 小时。")
    expect(page.locator("[data-slot=verified]")).to_have_text("1.5 小时")
    expect(page.locator("[data-slot=recorded]")).to_have_text("1 小时")
    expect(page.get_by_role("radio", name="王奶奶（母亲），现有 1.5 小时")).to_be_attached()
    expect(page.locator(".timebank .request-card").first).to_contain_text("−1.5 小时 · 转赠给王奶奶")
    assert _member_minutes(live_server.app, place.resident_id) == 90
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, results.generate_report()
    assert tab.csp_violations() == [] and tab.page_errors == [] and tab.foreign_requests() == []


def test_the_time_bank_fits_a_small_phone_with_large_controls(open_tab, live_server, place):
    tab = open_tab("/", width=320, height=640)
    for state in each_timebank_state(tab.page, place, live_server.url):
        assert tab.page.evaluate(OVERFLOW) <= 0, state
        assert tab.page.evaluate(SIZE_SCAN) == [], state
        tab.screenshot(f"timebank-320-{state}")
