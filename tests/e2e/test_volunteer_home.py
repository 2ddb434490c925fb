"""The volunteer's screens in Chromium: the home with its on-duty switch, profile and skills, weekly
availability and days off, and signing up from the sign-in screen; each screen also passes axe, the
computed-style scan and reflow, with elder mode off and on."""
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from backend.accounts.models import User
from backend.community.models import Community
from backend.extensions import db
from backend.volunteers.models import Volunteer
from tests.e2e.journeys import submit_sign_in
from tests.e2e.registration import NEW_PASSWORD, room_to_register, sign_up
from tests.e2e.test_accessibility import AXE_TAGS, OVERFLOW, SIZE_SCAN
from tests.factories import DEMO_PASSWORD, make_grid, make_volunteer

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _room_to_register(live_server):
    """These tests sign up several people from one address; the hourly limits are not what they test."""
    with room_to_register(live_server.app):
        yield


@pytest.fixture(scope="module")
def area(live_server):
    """A grid a new volunteer can say they live in."""
    with live_server.app.app_context():
        grid = make_grid(db.session.scalar(select(Community).order_by(Community.id)), "东园网格")
        db.session.commit()
        name = grid.name
        db.session.remove()
    return name


def new_volunteer(app, *, elder_mode: bool = False) -> str:
    """An active, vetted volunteer on duty, free all week; returns their phone."""
    with app.app_context():
        user = make_volunteer(db.session.scalar(select(Community).order_by(Community.id)))
        user.elder_mode = elder_mode
        db.session.commit()
        phone = user.phone
        db.session.remove()
    return phone


def stored(app, phone: str) -> dict:
    """What the server holds for the volunteer with this phone."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == phone))
        volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
        facts = {
            "status": volunteer.status, "on_duty": volunteer.on_duty,
            "skills": sorted(term.code for term in volunteer.skills),
            "slots": sorted((slot.weekday, slot.start_minute, slot.end_minute) for slot in volunteer.availability),
            "exceptions": [(exception.on_date, exception.available) for exception in volunteer.exceptions],
        }
        db.session.remove()
    return facts


def _heading(page):
    return page.get_by_role("heading", level=1)


def _sign_in_as(page, phone, password=DEMO_PASSWORD):
    submit_sign_in(page, phone, password)
    expect(_heading(page)).to_have_text("您好，志愿者" if password == DEMO_PASSWORD else "您好，陈阿姨")


def test_volunteer_signs_in_and_goes_off_and_on_duty(open_tab, live_server):
    phone = new_volunteer(live_server.app)
    page = open_tab("/").page
    _sign_in_as(page, phone)
    for heading in ("可接任务", "我的任务", "服务时长"):
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    expect(page.get_by_text("等待社区审核")).to_have_count(0)
    switch = page.get_by_role("checkbox", name="我在岗，可以接任务")
    expect(switch).to_be_checked()
    with page.expect_response("**/api/v1/volunteers/me/on-duty"):
        switch.uncheck()
    expect(page.locator("#status")).to_have_text("您已下岗。")
    assert stored(live_server.app, phone)["on_duty"] is False
    with page.expect_response("**/api/v1/volunteers/me/on-duty"):
        switch.check()
    expect(page.locator("#status")).to_have_text("您已上岗。")
    assert stored(live_server.app, phone)["on_duty"] is True


def test_volunteer_changes_skills_and_weekly_times_and_sees_an_overlap_refused(open_tab, live_server):
    phone = new_volunteer(live_server.app)
    page = open_tab("/").page
    _sign_in_as(page, phone)
    page.get_by_role("link", name="我的资料和技能").click()
    expect(_heading(page)).to_have_text("我的资料和技能")
    expect(page.get_by_role("checkbox", name="陪伴聊天")).to_be_checked()
    page.get_by_role("checkbox", name="送餐").check()
    page.get_by_role("checkbox", name="陪伴聊天").uncheck()
    with page.expect_response("**/api/v1/volunteers/me"):
        page.get_by_role("button", name="保存资料").click()
    expect(page.locator("#status")).to_have_text("已保存。")
    assert stored(live_server.app, phone)["skills"] == ["meal_delivery"]

    page.get_by_role("link", name="返回主页").click()
    page.get_by_role("link", name="我的空闲时间").click()
    expect(_heading(page)).to_have_text("每周什么时候有空")
    monday = page.get_by_role("group", name="周一")
    monday.get_by_role("button", name="添加时间段").click()
    monday.get_by_label("周一 第 2 段 开始").fill("08:00")
    monday.get_by_label("周一 第 2 段 结束").fill("10:00")
    with page.expect_response("**/api/v1/volunteers/me/availability"):
        page.get_by_role("button", name="保存空闲时间").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("周一 00:00–24:00 与 08:00–10:00 时间重叠。")
    expect(page.locator("[data-error-summary]:not([hidden])")).to_be_focused()
    assert page.title().startswith("错误：")
    assert (0, 480, 600) not in stored(live_server.app, phone)["slots"]

    monday.get_by_role("button", name="删除 周一 00:00–24:00").click()
    page.get_by_role("group", name="周日").get_by_label("周日 第 1 段 结束").fill("22:00")
    with page.expect_response("**/api/v1/volunteers/me/availability"):
        page.get_by_role("button", name="保存空闲时间").click()
    expect(page.locator("#status")).to_have_text("已保存。")
    expect(page.get_by_role("alert")).to_be_hidden()
    slots = stored(live_server.app, phone)["slots"]
    assert (0, 480, 600) in slots and (0, 0, 1440) not in slots and (6, 0, 1320) in slots


def test_volunteer_adds_and_deletes_a_day_off(open_tab, live_server):
    phone = new_volunteer(live_server.app)
    page = open_tab("/").page
    _sign_in_as(page, phone)
    page.get_by_role("link", name="我的空闲时间").click()
    expect(page.get_by_text("还没有例外的日子。")).to_be_visible()
    day_off = date.today() + timedelta(days=3)
    page.get_by_label("日期").fill(day_off.isoformat())
    page.get_by_label("备注（可不填）").fill("去医院复查")
    with page.expect_response("**/api/v1/volunteers/me/exceptions"):
        page.get_by_role("button", name="添加", exact=True).click()
    expect(page.locator("#status")).to_have_text("已添加。")
    entry = page.locator(".exception-list li")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(f"{day_off.month}月{day_off.day}日")
    expect(entry).to_contain_text("整天不在（去医院复查）")
    assert stored(live_server.app, phone)["exceptions"] == [(day_off, False)]
    with page.expect_response("**/api/v1/volunteers/me/exceptions/*"):
        entry.get_by_role("button").click()
    expect(page.locator("#status")).to_have_text("已删除。")
    expect(page.get_by_text("还没有例外的日子。")).to_be_visible()
    assert stored(live_server.app, phone)["exceptions"] == []


def _register(page, app, phone, area):
    """Sign up with the code the phone received (tests/e2e/registration.py)."""
    sign_up(page, app, phone, area)


def test_a_new_person_signs_up_waits_for_vetting_and_cannot_go_on_duty(open_tab, live_server, area):
    page = open_tab("/").page
    _register(page, live_server.app, "13700000801", area)
    expect(_heading(page)).to_have_text("已提交，等待社区工作者审核")
    assert stored(live_server.app, "13700000801")["status"] == "pending"
    page.get_by_role("link", name="去登录").click()
    _sign_in_as(page, "13700000801", NEW_PASSWORD)
    expect(page.get_by_text("等待社区审核")).to_be_visible()
    switch = page.get_by_role("checkbox", name="我在岗，可以接任务")
    expect(switch).not_to_be_checked()
    with page.expect_response("**/api/v1/volunteers/me/on-duty") as answer:
        switch.check()
    assert answer.value.status == 409
    message = answer.value.json()["message"]
    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(page.locator("[data-error-summary]:not([hidden])")).to_be_focused()
    expect(switch).not_to_be_checked()
    expect(page.locator("[data-outbox-failed]")).to_be_hidden()  # shown once, by the switch's form
    assert stored(live_server.app, "13700000801")["on_duty"] is False


def test_a_phone_already_registered_is_refused_with_the_servers_words(open_tab, live_server, area):
    phone = new_volunteer(live_server.app)
    page = open_tab("/").page
    _register(page, live_server.app, phone, area)
    expect(_heading(page)).to_have_text("报名当志愿者")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("[data-error-summary]:not([hidden])")).to_be_focused()


ELDER = """() => localStorage.setItem("linli.preferences", JSON.stringify({elder_mode: true}))"""
_counter = iter(range(900, 999))


def each_volunteer_screen(tab, live_server, area, elder):
    """Every new screen and opened state, from signing up to the volunteer's own screens."""
    page = tab.page
    if elder:
        page.evaluate(ELDER)
        page.reload()
    expect(page.get_by_role("link", name="我想当志愿者")).to_be_visible()
    yield "sign-in-with-sign-up"
    page.get_by_role("link", name="我想当志愿者").click()
    expect(_heading(page)).to_have_text("报名当志愿者")
    yield "register"
    page.get_by_role("button", name="提交报名").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "register-errors"
    page.get_by_role("link", name="返回登录").click()
    phone = f"13700000{next(_counter)}"
    _register(page, live_server.app, phone, area)
    expect(_heading(page)).to_have_text("已提交，等待社区工作者审核")
    yield "registered"
    page.get_by_role("link", name="去登录").click()
    if elder:
        with live_server.app.app_context():
            db.session.scalar(select(User).where(User.phone == phone)).elder_mode = True
            db.session.commit()
            db.session.remove()
    _sign_in_as(page, phone, NEW_PASSWORD)
    yield "volunteer-home-pending"
    with page.expect_response("**/api/v1/volunteers/me/on-duty"):
        page.get_by_role("checkbox", name="我在岗，可以接任务").check()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "volunteer-home-refused"
    page.get_by_role("link", name="我的资料和技能").click()
    expect(_heading(page)).to_have_text("我的资料和技能")
    yield "volunteer-profile"
    page.get_by_label("愿意走多远（公里）").fill("")
    page.get_by_role("button", name="保存资料").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "volunteer-profile-errors"
    page.get_by_role("link", name="返回主页").click()
    page.get_by_role("link", name="我的空闲时间").click()
    expect(_heading(page)).to_have_text("每周什么时候有空")
    page.get_by_role("group", name="周一").get_by_role("button", name="添加时间段").click()
    page.get_by_label("周一 第 1 段 开始").fill("09:00")
    page.get_by_label("周一 第 1 段 结束").fill("08:00")
    yield "volunteer-availability"
    with page.expect_response("**/api/v1/volunteers/me/availability"):
        page.get_by_role("button", name="保存空闲时间").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "volunteer-availability-errors"
    page.get_by_label("日期").fill((date.today() + timedelta(days=2)).isoformat())
    page.get_by_role("radio", name="只在这段时间有空").check()
    with page.expect_response("**/api/v1/volunteers/me/exceptions"):
        page.get_by_role("button", name="添加", exact=True).click()
    expect(page.locator('[data-form="exception"] [role="alert"]')).to_be_visible()
    yield "volunteer-exception-errors"
    page.get_by_label("开始", exact=True).fill("09:00")
    page.get_by_label("结束", exact=True).fill("12:00")
    with page.expect_response("**/api/v1/volunteers/me/exceptions"):
        page.get_by_role("button", name="添加", exact=True).click()
    expect(page.locator(".exception-list li")).to_have_count(1)
    yield "volunteer-availability-with-exception"


def _is_elder(page) -> bool:
    return "elder-mode" in (page.locator("html").get_attribute("class") or "").split()


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder-mode"])
def test_axe_finds_no_violations_on_the_volunteer_screens(open_tab, live_server, area, elder):
    tab = open_tab("/")
    axe = Axe()
    for screen in each_volunteer_screen(tab, live_server, area, elder):
        assert _is_elder(tab.page) is elder, screen
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
        if elder:
            options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
        results = axe.run(tab.page, options=options)
        assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"
    assert tab.csp_violations() == [] and tab.page_errors == []


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder-mode"])
def test_volunteer_screens_have_large_text_and_big_enough_controls(open_tab, live_server, area, elder):
    tab = open_tab("/", width=360, height=740)
    for screen in each_volunteer_screen(tab, live_server, area, elder):
        assert tab.page.evaluate(SIZE_SCAN) == [], screen
        tab.screenshot(f"volunteer-{'elder-' if elder else ''}{screen}")


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder-mode"])
def test_volunteer_screens_reflow_at_320_pixels_and_double_text(open_tab, live_server, area, elder):
    tab = open_tab("/", width=320, height=640)
    for screen in each_volunteer_screen(tab, live_server, area, elder):
        assert tab.page.evaluate(OVERFLOW) <= 0, f"320 px: {screen}"
        tab.page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert tab.page.evaluate(OVERFLOW) <= 0, f"200 %: {screen}"
        tab.page.evaluate("document.documentElement.style.fontSize = ''")
