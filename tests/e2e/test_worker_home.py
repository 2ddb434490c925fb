"""The worker's home in Chromium: grids to households, finding and opening residents, registering
a household and a resident, linking the resident's phone, vetting a volunteer, signing out a lost
phone; the admin's home over the whole community; accessibility of every worker screen."""
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.community.models import Community
from backend.extensions import db
from backend.people.models import Resident
from backend.volunteers.models import Volunteer
from tests.e2e.journeys import submit_sign_in
from tests.e2e.test_accessibility import AXE_TAGS, OVERFLOW, SIZE_SCAN
from tests.factories import (
    DEMO_PASSWORD, make_admin, make_building, make_grid, make_household, make_resident, make_user, make_worker,
)

pytestmark = pytest.mark.browser

PIN = "246802"


@dataclass(frozen=True)
class Area:
    worker_phone: str
    admin_phone: str
    grid_name: str
    building_label: str
    other_grid_resident: str
    pending_volunteer: str
    pending_volunteer_id: int
    pending_volunteer_phone: str


@pytest.fixture(scope="module")
def area(live_server):
    """A grid with a worker, one building, 24 residents (paging needs more than 20) and a
    tagged one; another grid with its own resident; an admin; a volunteer waiting for vetting."""
    with live_server.app.app_context():
        community = db.session.scalar(select(Community).order_by(Community.id))
        grid = make_grid(community, "东区网格")
        worker = make_worker(grid)
        building = make_building(grid, "东区1幢")
        for number in range(24):
            make_resident(make_household(building), family_name="赵", given_name=f"老{number:02d}",
                          address_as=f"赵爷爷{number:02d}", gender="male")
        make_resident(make_household(building), family_name="钱", given_name="淑芬", address_as="钱奶奶",
                      tags=("lives_alone",), status="in_hospital")
        other = make_grid(community, "西区网格")
        make_resident(make_household(make_building(other, "西区9幢")), family_name="孙", given_name="桂芝",
                      address_as="孙奶奶")
        admin = make_admin(community)
        # Two pending volunteers with one name: their forms must still be told apart.
        for _ in range(2):
            user = make_user(community, "volunteer", name="待审志愿者")
            volunteer = Volunteer(user_id=user.id, community_id=community.id, gender="female", status="pending",
                                  home_lat=30.27, home_lng=120.15, travel_radius_km=3, load_cap=2)
            db.session.add(volunteer)
        db.session.commit()
        made = Area(worker_phone=worker.phone, admin_phone=admin.phone, grid_name=grid.name,
                    building_label=building.label, other_grid_resident="孙奶奶",
                    pending_volunteer=user.display_name, pending_volunteer_id=volunteer.id,
                    pending_volunteer_phone=user.phone)
        db.session.remove()
    return made


def _heading(page):
    return page.get_by_role("heading", level=1)


def _sign_in_as(page, phone, greeting):
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(_heading(page)).to_have_text(greeting)


def _with_app(live_server, work):
    with live_server.app.app_context():
        try:
            return work()
        finally:
            db.session.remove()


def test_worker_registers_a_resident_links_her_phone_and_signs_the_lost_phone_out(open_tab, area, live_server):
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, area.worker_phone, "您好，网格员")
    page.get_by_role("link", name=area.grid_name).click()
    page.get_by_role("link", name=area.building_label).click()
    expect(_heading(page)).to_have_text(area.building_label)
    page.get_by_role("link", name="登记住户").click()
    page.get_by_label("门牌号").fill("3单元 502")
    page.get_by_role("button", name="登记住户").click()
    expect(_heading(page)).to_have_text(f"{area.building_label} 3单元 502")
    expect(page.locator("#status")).to_have_text("住户已登记。")

    page.get_by_role("link", name="登记居民").click()
    page.get_by_role("button", name="登记居民").click()
    expect(page.get_by_role("alert")).to_contain_text("请填写姓。")
    assert page.title().startswith("错误：")
    page.get_by_label("姓", exact=True).fill("周")
    page.get_by_label("名", exact=True).fill("玉兰")
    page.get_by_label("称呼").fill("周奶奶")
    page.get_by_label("女", exact=True).check()
    page.get_by_label("出生年份").fill("1940")
    page.get_by_label("独居").check()
    page.get_by_label("联系人姓名").fill("周明")
    page.get_by_label("关系").fill("儿子")
    page.get_by_label("联系人电话").fill("13912345678")
    page.get_by_label("本人", exact=True).check()
    page.get_by_label("同意人姓名").fill("周玉兰")
    page.get_by_role("button", name="登记居民").click()
    expect(_heading(page)).to_have_text("周玉兰（周奶奶）")
    expect(page.get_by_text("周明（儿子） 139 1234 5678")).to_be_visible()
    resident_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    saved = _with_app(live_server, lambda: (lambda r: (r.address_as, [t.code for t in r.tags]))(
        db.session.get(Resident, resident_id)))
    assert saved == ("周奶奶", ["lives_alone"])

    page.get_by_role("link", name="给手机发登录码").click()
    page.get_by_role("button", name="生成登录码").click()
    expect(page.get_by_role("img", name="登录二维码")).to_be_visible()
    code = page.locator(".code").inner_text().replace(" ", "")
    url = page.locator(".url").inner_text()
    assert len(code) == 8 and url.endswith(f"/link/{code}")
    assert page.locator(".qr").evaluate("img => img.naturalWidth") > 0
    tab.screenshot("worker-link-code")

    phone = open_tab(urlsplit(url).path).page
    phone.get_by_role("button", name="在这部手机上登录").click()
    phone.get_by_label("6 位数字密码").fill(PIN)
    phone.get_by_role("button", name="保存数字密码").click()
    expect(_heading(phone)).to_have_text("您好，周奶奶")

    page.get_by_role("link", name="返回居民信息").click()
    page.get_by_role("link", name="登录的手机").click()
    expect(page.get_by_text("用登录码绑定的手机")).to_be_visible()
    page.get_by_role("button", name="让这部手机退出").first.click()
    expect(page.get_by_role("heading", level=2, name="退出登录吗")).to_be_focused()
    tab.screenshot("worker-devices-confirm")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate(SIZE_SCAN) == []
    page.get_by_role("button", name="确定退出").click()
    expect(page.locator("#status")).to_have_text("这部手机已退出登录。")
    expect(page.get_by_text("没有登录的手机。")).to_be_visible()
    assert phone.evaluate("fetch('/api/v1/me').then((answer) => answer.status)") == 401
    assert tab.page_errors == [] and tab.csp_violations() == [] and tab.foreign_requests() == []


def test_worker_finds_residents_by_name_tag_and_status_and_opening_one_is_audited(open_tab, area, live_server):
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, area.worker_phone, "您好，网格员")
    page.get_by_role("link", name="居民", exact=True).click()
    expect(page.get_by_text("显示 20 位")).to_be_visible()
    page.get_by_role("button", name="更多").click()
    expect(page.get_by_role("button", name="更多")).to_be_hidden()
    assert page.locator(".worker-list a").count() > 20
    assert area.other_grid_resident not in page.locator(".worker-list").inner_text()

    page.get_by_label("姓名或称呼").fill("赵爷爷07")
    page.get_by_role("button", name="查找").click()
    expect(page.locator(".worker-list a")).to_have_count(1)
    page.get_by_label("姓名或称呼").fill("")
    page.get_by_label("关注标签").select_option(label="独居")
    page.get_by_label("状态").select_option(label="住院")
    page.get_by_role("button", name="查找").click()
    expect(page.locator(".worker-list a")).to_have_count(1)
    page.get_by_role("link", name="钱淑芬（钱奶奶）", exact=False).click()
    expect(_heading(page)).to_have_text("钱淑芬（钱奶奶）")
    expect(page.get_by_text("查看会被记录")).to_be_visible()
    expect(page.get_by_text("住院", exact=True)).to_be_visible()
    resident_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    def reads():
        return db.session.scalars(select(AuditEntry).where(
            AuditEntry.resident_id == resident_id, AuditEntry.action == "read")).all()
    entries = _with_app(live_server, reads)
    assert entries and "address" in entries[-1].fields
    assert tab.page_errors == []


def test_worker_vets_a_pending_volunteer_who_becomes_active(open_tab, area, live_server):
    page = open_tab("/").page
    _sign_in_as(page, area.worker_phone, "您好，网格员")
    page.get_by_role("link", name="审核志愿者").click()
    phone = area.pending_volunteer_phone
    form = page.get_by_role("form", name=f"{area.pending_volunteer} 电话 {phone[:3]} {phone[3:7]} {phone[7:]}")
    form.get_by_role("button", name="确认身份核验").click()
    expect(form.get_by_role("alert")).to_contain_text("请选择有效期。")
    form.get_by_label("身份核验有效期到").fill("2030-06-30")
    form.get_by_role("button", name="确认身份核验").click()
    expect(page.locator("#status")).to_have_text(f"{area.pending_volunteer} 已通过身份核验。")
    status = _with_app(live_server, lambda: db.session.get(Volunteer, area.pending_volunteer_id).status)
    assert status == "active"


def test_admin_sees_every_grid_and_its_residents(open_tab, area):
    page = open_tab("/").page
    _sign_in_as(page, area.admin_phone, "您好，社区管理员")
    expect(page.get_by_text("您是管理员")).to_be_visible()
    expect(page.get_by_role("link", name="西区网格")).to_be_visible()
    expect(page.get_by_role("link", name=area.grid_name)).to_be_visible()
    page.get_by_role("link", name="居民", exact=True).click()
    page.get_by_label("姓名或称呼").fill(area.other_grid_resident)
    page.get_by_role("button", name="查找").click()
    expect(page.locator(".worker-list a")).to_have_count(1)


def each_worker_screen(tab, area):
    """Every worker screen and opened state, yielding each name (no writes, so it can repeat)."""
    page = tab.page
    _sign_in_as(page, area.worker_phone, "您好，网格员")
    yield "worker-home"
    page.get_by_role("link", name=area.grid_name).click()
    expect(_heading(page)).to_have_text(area.grid_name)
    yield "grid"
    page.get_by_role("link", name=area.building_label).click()
    expect(_heading(page)).to_have_text(area.building_label)
    yield "building"
    page.locator(".worker-list a").first.click()
    expect(page.get_by_text("居民人数")).to_be_visible()
    yield "household"
    page.get_by_role("link", name="登记居民").click()
    expect(page.get_by_label("独居")).to_be_visible()
    yield "new-resident"
    page.get_by_role("button", name="登记居民").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "new-resident-errors"
    page.get_by_role("link", name="取消").click()
    page.get_by_role("link", name="返回这栋楼").click()
    page.get_by_role("link", name="登记住户").click()
    page.get_by_role("button", name="登记住户").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "new-household-errors"
    page.goto("/worker/residents")
    expect(page.get_by_text("显示 20 位")).to_be_visible()
    yield "residents"
    page.get_by_label("姓名或称呼").fill("钱奶奶")
    page.get_by_role("button", name="查找").click()
    expect(page.locator(".worker-list a")).to_have_count(1)
    yield "residents-found"
    page.get_by_role("link", name="钱淑芬（钱奶奶）", exact=False).click()
    expect(page.get_by_text("查看会被记录")).to_be_visible()
    yield "resident"
    page.get_by_role("link", name="登录的手机").click()
    expect(page.get_by_text("没有登录的手机。")).to_be_visible()
    yield "devices"
    page.get_by_role("link", name="返回居民信息").click()
    page.get_by_role("link", name="给手机发登录码").click()
    expect(page.get_by_role("button", name="生成登录码")).to_be_visible()
    yield "link-code"
    page.get_by_role("button", name="生成登录码").click()
    expect(page.get_by_role("img", name="登录二维码")).to_be_visible()
    yield "link-code-issued"
    page.goto("/worker/volunteers")
    expect(_heading(page)).to_have_text("待审核的志愿者")
    yield "volunteers"


def _set_elder_mode(page, on):
    page.goto("/")
    switch = page.get_by_role("checkbox", name="长辈版", exact=False)
    if switch.is_checked() != on:
        with page.expect_response("**/api/v1/me/preferences"):
            switch.set_checked(on)


@pytest.fixture(params=[False, True], ids=["standard", "elder-mode"])
def elder(request):
    return request.param


def _worker_tab(open_tab, area, elder, width=360, height=740):
    tab = open_tab("/", width=width, height=height)
    _sign_in_as(tab.page, area.worker_phone, "您好，网格员")
    _set_elder_mode(tab.page, elder)
    tab.page.get_by_role("link", name="设置").click()
    tab.page.get_by_role("button", name="退出登录").click()
    tab.page.get_by_label("手机号").wait_for()
    return tab


def test_axe_finds_no_violations_on_any_worker_screen(open_tab, area, elder):
    tab = _worker_tab(open_tab, area, elder)
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    if elder:
        options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
    for screen in each_worker_screen(tab, area):
        results = axe.run(tab.page, options=options)
        assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"
    assert tab.csp_violations() == [] and tab.page_errors == []


def test_worker_screens_have_large_text_and_big_controls(open_tab, area, elder):
    tab = _worker_tab(open_tab, area, elder)
    for screen in each_worker_screen(tab, area):
        assert tab.page.evaluate(SIZE_SCAN) == [], screen
        tab.screenshot(f"worker-{'elder-' if elder else ''}{screen}")


def test_worker_screens_reflow_at_320_pixels_and_double_text(open_tab, area, elder):
    tab = _worker_tab(open_tab, area, elder, width=320, height=640)
    for screen in each_worker_screen(tab, area):
        assert tab.page.evaluate(OVERFLOW) <= 0, f"320px {screen}"
        tab.page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert tab.page.evaluate(OVERFLOW) <= 0, f"200% {screen}"
        tab.page.evaluate("document.documentElement.style.fontSize = ''")
