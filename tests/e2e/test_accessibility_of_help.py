"""Accessibility of the help request screens (ACCESSIBILITY.md): every new screen of the resident
(in elder mode) and of the volunteer passes axe with WCAG 2.2 AA and best practice (plus AAA
contrast in elder mode), the computed-style size scan, and reflow at 320 px and at 200 % text; so
does the proxy's ask flow for their resident, with elder mode on and off."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from backend.accounts.models import User
from backend.extensions import db
from backend.help_requests.services.asking import create_request
from backend.help_requests.services.assigning import assign_volunteer
from backend.help_requests.services.visiting import check_in, check_out
from backend.people.models import Resident
from backend.volunteers.models import Volunteer
from tests.e2e.journeys import sign_out
from tests.e2e.test_accessibility import AXE_TAGS, OVERFLOW, SIZE_SCAN
from tests.e2e.test_ask_for_help import heading, make_neighbourhood, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def place(live_server):
    """A neighbourhood where the resident has a request out (offered to both volunteers), one
    finished and waiting for her stars, and one the first volunteer has accepted."""
    made = make_neighbourhood(live_server.app, "安康社区")
    app = live_server.app
    with app.test_request_context():
        resident = db.session.scalar(select(Resident).where(Resident.id == made.resident_id))
        account = db.session.get(User, resident.user_id)
        worker = db.session.scalar(select(User).where(User.phone == made.worker_phone))
        volunteer_user = db.session.scalar(select(User).where(User.phone == made.volunteer_phones[0]))
        volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == volunteer_user.id))
        create_request(account, {"category": "errands", "asap": True, "urgency": "normal"})
        done = create_request(account, {"category": "companionship", "asap": True, "urgency": "normal"}).request.id
        assign_volunteer(done, volunteer.id, worker, via="worker")
        check_in(volunteer_user, done, {})
        check_out(volunteer_user, done, {})
        accepted = create_request(account, {"category": "meal_delivery", "asap": True, "urgency": "normal"}).request.id
        assign_volunteer(accepted, volunteer.id, worker, via="worker")
        db.session.remove()
    return made


def each_help_screen(tab, place):
    page = tab.page
    sign_in(page, place.resident_phone, "您好，王奶奶")
    expect(page.locator(".my-requests .request-link")).to_have_count(3)
    yield "resident-home-with-requests"
    page.get_by_role("link", name="我要求助").click()
    expect(heading(page)).to_have_text("您需要什么帮助？")
    yield "ask-category"
    page.get_by_role("button", name="代购跑腿").click()
    expect(heading(page)).to_have_text("什么时候需要？")
    yield "ask-when"
    page.get_by_role("button", name="选时间").click()
    expect(heading(page)).to_have_text("选一个时间")
    yield "ask-time"
    page.get_by_label("几点").fill("")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "ask-time-errors"
    page.get_by_label("几点").fill("10:00")
    page.get_by_role("button", name="下一步").click()
    expect(heading(page)).to_have_text("请确认")
    yield "ask-confirm"
    page.get_by_role("link", name="取消，返回主页").click()
    page.get_by_role("link", name="看全部求助").click()
    expect(heading(page)).to_have_text("我的求助")
    yield "requests"
    page.get_by_role("link", name="陪伴聊天").click()
    expect(page.get_by_role("button", name="提交评价")).to_be_visible()
    yield "request-to-rate"
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "request-to-rate-errors"
    page.get_by_role("link", name="看全部求助").click()
    page.get_by_role("link", name="代购跑腿").click()
    expect(page.locator(".request-now")).to_have_text("正在联系志愿者")
    yield "request-seeking"
    page.get_by_role("button", name="取消这次求助").click()
    expect(heading(page)).to_have_text("确定要取消吗？")
    yield "request-cancel"
    page.get_by_role("link", name="不取消，返回").click()
    page.get_by_role("link", name="返回主页").click()
    sign_out(page)
    sign_in(page, place.volunteer_phones[0], "您好，志愿者")
    expect(page.locator(".offer-card")).to_have_count(1)
    expect(page.locator(".volunteer .request-link")).to_have_count(2)
    yield "volunteer-home-with-offers-and-tasks"
    page.get_by_role("button", name="这次不行").click()
    expect(page.get_by_label("原因（可以不填）")).to_be_visible()
    yield "offer-decline-open"
    page.get_by_role("link", name="送餐").click()
    expect(page.get_by_text("姓名：王秀英")).to_be_visible()
    yield "task"
    page.get_by_role("button", name="我来不了").click()
    page.get_by_role("button", name="确定来不了").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "task-withdraw-errors"
    page.get_by_role("link", name="我能来，返回").click()
    expect(page.get_by_role("button", name="签到")).to_be_visible()
    page.get_by_role("link", name="返回主页").click()
    sign_out(page)
    sign_in(page, place.proxy_phone, "您好，家属")
    yield from each_proxy_ask_screen(page, place, "elder")
    _switch_elder_mode(page, on=False)
    yield from each_proxy_ask_screen(page, place, "plain")
    _switch_elder_mode(page, on=True)  # as the proxy's account began, for the next test
    sign_out(page)


def each_proxy_ask_screen(page, place, mode):
    """The daughter asks for 王奶奶 (/for/{resident}/ask-for-help), in elder mode or not."""
    page.get_by_role("link", name="我要求助").click()
    expect(page).to_have_url(re.compile(f"/for/{place.resident_id}/ask-for-help$"))
    expect(heading(page)).to_have_text("您需要什么帮助？")
    expect(page.get_by_text("正在代 王奶奶 操作")).to_be_visible()
    yield f"proxy-{mode}-ask-category"
    page.get_by_role("button", name="代购跑腿").click()
    expect(heading(page)).to_have_text("什么时候需要？")
    yield f"proxy-{mode}-ask-when"
    page.get_by_role("button", name="选时间").click()
    expect(heading(page)).to_have_text("选一个时间")
    yield f"proxy-{mode}-ask-time"
    page.get_by_label("几点").fill("")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield f"proxy-{mode}-ask-time-errors"
    page.get_by_label("几点").fill("10:00")
    page.get_by_role("button", name="下一步").click()
    expect(heading(page)).to_have_text("请确认")
    yield f"proxy-{mode}-ask-confirm"
    page.get_by_role("link", name="取消，返回主页").click()
    expect(heading(page)).to_have_text("您好，家属")


def _switch_elder_mode(page, *, on: bool):
    """The 长辈版 switch on the home, saved on the server before the next screen."""
    switch = page.get_by_role("checkbox", name="长辈版")
    with page.expect_response("**/api/v1/me/preferences"):
        switch.set_checked(on)
    assert _elder_mode(page) is on


def _elder_mode(page) -> bool:
    return "elder-mode" in (page.locator("html").get_attribute("class") or "").split()


def test_axe_finds_no_violations_and_elder_screens_reach_aaa_contrast(open_tab, place):
    tab = open_tab("/")
    axe = Axe()
    seen = {}
    for screen in each_help_screen(tab, place):
        elder = _elder_mode(tab.page)
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
        if elder:
            options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
        results = axe.run(tab.page, options=options)
        assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"
        seen[screen] = elder
    assert len(seen) == 25
    assert all(elder for screen, elder in seen.items()
               if not screen.startswith(("volunteer", "offer", "task", "proxy-plain")))
    assert not any(elder for screen, elder in seen.items() if screen.startswith("proxy-plain"))
    assert tab.csp_violations() == [] and tab.page_errors == [] and tab.foreign_requests() == []


def test_text_is_large_and_controls_are_big_enough_at_phone_size(open_tab, place):
    tab = open_tab("/", width=360, height=740)
    for screen in each_help_screen(tab, place):
        if screen.startswith("ask") or "-ask-" in screen or screen in ("request-cancel", "request-to-rate", "task"):
            assert tab.page.locator("main [data-primary]").count() >= 1, screen
        assert tab.page.evaluate(SIZE_SCAN) == [], screen
        tab.screenshot(f"help-{screen}")


def test_no_horizontal_scroll_at_320_pixels_wide(open_tab, place):
    tab = open_tab("/", width=320, height=640)
    for screen in each_help_screen(tab, place):
        assert tab.page.evaluate(OVERFLOW) <= 0, screen
        tab.screenshot(f"reflow-320-help-{screen}")


def test_no_horizontal_scroll_at_double_text_size(open_tab, place):
    tab = open_tab("/", width=360, height=740)
    for screen in each_help_screen(tab, place):
        tab.page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert tab.page.evaluate(OVERFLOW) <= 0, screen
        tab.screenshot(f"text-200-help-{screen}")
        tab.page.evaluate("document.documentElement.style.fontSize = ''")
