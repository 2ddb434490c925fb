"""Accessibility of the worker's editing, vetting and paging screens (ACCESSIBILITY.md), in the
standard mode and in elder mode: axe with WCAG 2.2 AA and best practice (AAA contrast in elder
mode), the computed-style scan of text and targets, and reflow at 320 px and at 200 % text."""
from dataclasses import dataclass
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from backend.common.time import now
from backend.community.models import Community
from backend.extensions import db
from backend.people.models import ConsentRecord, EmergencyContact
from backend.volunteers.models import Vetting, Volunteer
from tests.e2e.test_accessibility import AXE_TAGS, OVERFLOW, SIZE_SCAN
from tests.e2e.test_worker_home import _heading, _sign_in_as, _with_app, _worker_tab
from tests.factories import (
    make_building, make_grid, make_household, make_proxy, make_resident, make_volunteer, make_worker,
)

pytestmark = pytest.mark.browser


@pytest.fixture(params=[False, True], ids=["standard", "elder-mode"])
def elder(request):
    return request.param


@dataclass(frozen=True)
class Scene:
    worker_phone: str
    grid_name: str
    resident_id: int
    contact_id: int
    volunteer_name: str


@pytest.fixture(scope="module")
def scene(live_server) -> Scene:
    """A grid of 101 buildings; 冯奶奶 with a contact, her registry consent and a daughter as proxy;
    a volunteer of the grid with a valid and a revoked identity vetting."""
    def make():
        community = db.session.scalar(select(Community).order_by(Community.id))
        grid = make_grid(community, "无障碍网格")
        worker = make_worker(grid)
        buildings = [make_building(grid, f"无障碍{number:03d}幢") for number in range(1, 102)]
        resident = make_resident(make_household(buildings[0]), family_name="冯", given_name="秀兰", address_as="冯奶奶",
                                 tags=("lives_alone",))
        contact = EmergencyContact(resident_id=resident.id, name="冯建国", relation="儿子", phone="13912340000")
        db.session.add_all([contact, ConsentRecord(resident_id=resident.id, purpose="registry", given_by="resident",
                                                   giver_name="冯秀兰", recorded_by_id=worker.id)])
        make_proxy(resident, "view_status", "request_help", recorded_by=worker)
        user = make_volunteer(community, grid=grid)
        user.display_name = "卫志愿"
        volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
        db.session.add(Vetting(volunteer_id=volunteer.id, kind="identity", expires_on=date(2029, 1, 1),
                               revoked_at=now(), revoked_by_id=worker.id, revoke_reason="证件过期"))
        db.session.commit()
        return Scene(worker_phone=worker.phone, grid_name=grid.name, resident_id=resident.id, contact_id=contact.id,
                     volunteer_name=user.display_name)
    return _with_app(live_server, make)


def each_edit_screen(tab, scene):
    """Every new worker screen and opened state, yielding each name; nothing is sent, so it repeats."""
    page = tab.page
    resident = f"/worker/residents/{scene.resident_id}"
    _sign_in_as(page, scene.worker_phone, "您好，网格员")
    page.get_by_role("link", name=scene.grid_name).click()
    expect(page.get_by_text("共 101 栋，显示 100 栋。")).to_be_visible()
    yield "grid-with-more"
    page.get_by_role("button", name="更多").click()
    expect(page.get_by_role("link", name="无障碍101幢")).to_be_focused()
    yield "grid-after-more"
    page.goto(resident)
    expect(page.get_by_text("冯建国（儿子）", exact=False)).to_be_visible()
    expect(page.get_by_text("可以：查看状态、代为求助")).to_be_visible()
    expect(page.get_by_text("登记进社区居民名册 · 本人 冯秀兰 同意", exact=False)).to_be_visible()
    yield "resident"
    page.get_by_role("button", name="删除 冯建国").click()
    expect(page.get_by_role("heading", name="删除紧急联系人 冯建国？")).to_be_focused()
    yield "resident-confirm-remove"
    page.get_by_role("button", name="取消", exact=True).click()
    page.get_by_role("button", name="解除 家属 的关联").click()
    expect(page.get_by_role("heading", name="解除 家属 的家属关联？")).to_be_focused()
    yield "resident-confirm-end-proxy"
    page.get_by_role("button", name="取消", exact=True).click()
    page.get_by_role("link", name="修改资料").click()
    expect(page.get_by_label("出生年份")).to_have_value("1942")
    yield "edit-details"
    page.get_by_label("姓", exact=True).fill("")
    page.get_by_role("button", name="保存修改").click()
    expect(page.get_by_role("alert")).to_contain_text("请填写姓。")
    yield "edit-details-errors"
    page.goto(f"{resident}/status")
    expect(page.get_by_text("现在：在家")).to_be_visible()
    yield "status"
    page.get_by_label("外出", exact=True).check()
    page.get_by_role("button", name="保存状态").click()
    expect(page.get_by_role("alert")).to_contain_text("请填写预计回来的日期。")
    yield "status-away-errors"
    page.get_by_label("已去世").check()
    page.get_by_role("button", name="保存状态").click()
    expect(page.get_by_role("heading", name="确认 冯奶奶 已经去世？")).to_be_focused()
    yield "status-confirm-deceased"
    page.goto(f"{resident}/contacts/new")
    expect(_heading(page)).to_have_text("为 冯奶奶 添加紧急联系人")
    yield "contact-new"
    page.get_by_role("button", name="添加紧急联系人").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "contact-new-errors"
    page.goto(f"{resident}/contacts/{scene.contact_id}")
    expect(page.get_by_label("联系人姓名")).to_have_value("冯建国")
    yield "contact-edit"
    page.goto(f"{resident}/consents/new")
    expect(_heading(page)).to_have_text("为 冯奶奶 记录一项同意")
    yield "consent-new"
    page.get_by_role("button", name="记录一项同意").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "consent-new-errors"
    page.goto(f"{resident}/proxies/new")
    expect(_heading(page)).to_have_text("为 冯奶奶 添加家属代理人")
    yield "proxy-new"
    page.get_by_role("button", name="添加家属代理人").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "proxy-new-errors"
    page.goto(resident)
    page.get_by_role("link", name="修改 家属 的权限").click()
    expect(page.get_by_label("代为求助", exact=False)).to_be_checked()
    yield "proxy-scopes"
    page.goto("/worker/volunteers")
    expect(_heading(page)).to_have_text("待审核的志愿者")
    yield "volunteers-pending"
    page.get_by_role("link", name="查看所有志愿者").click()
    page.get_by_label("住在哪个网格").select_option(label=scene.grid_name)
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_text("共 1 位，显示 1 位。")).to_be_visible()
    yield "volunteers-all"
    page.get_by_role("link", name=f"{scene.volunteer_name} ·", exact=False).click()
    expect(page.get_by_text("已撤销，原因：证件过期", exact=False)).to_be_visible()
    yield "volunteer"
    page.get_by_role("button", name="撤销身份核验").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "volunteer-revoke-errors"


def test_axe_finds_no_violations_on_the_editing_and_vetting_screens(open_tab, scene, elder):
    tab = _worker_tab(open_tab, scene, elder)
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    if elder:
        options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
    for screen in each_edit_screen(tab, scene):
        results = axe.run(tab.page, options=options)
        assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"
    assert tab.csp_violations() == [] and tab.page_errors == []


def test_editing_and_vetting_screens_have_large_text_and_big_controls(open_tab, scene, elder):
    tab = _worker_tab(open_tab, scene, elder)
    for screen in each_edit_screen(tab, scene):
        assert tab.page.evaluate(SIZE_SCAN) == [], screen
        tab.screenshot(f"worker-{'elder-' if elder else ''}{screen}")


def test_editing_and_vetting_screens_reflow_at_320_pixels_and_double_text(open_tab, scene, elder):
    tab = _worker_tab(open_tab, scene, elder, width=320, height=640)
    for screen in each_edit_screen(tab, scene):
        assert tab.page.evaluate(OVERFLOW) <= 0, f"320px {screen}"
        tab.page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert tab.page.evaluate(OVERFLOW) <= 0, f"200% {screen}"
        tab.page.evaluate("document.documentElement.style.fontSize = ''")
