"""The worker's help-request screens in Chromium (issue 5, PWA screens — Worker): an escalated
request with its ranked candidates and their reasons, assigning one (who then has the task), a
refusal when someone took it first, reassigning, a no-show, confirming on the resident's behalf and
the call-back list it opens; the address every help-request notification names
(/help-requests/<id>) for each role; the alert's link to its request; and the new screens under axe,
the computed-style scan and reflow, in the standard mode and in elder mode."""
from dataclasses import dataclass
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from backend.accounts.models import User
from backend.alerts.models import Alert
from backend.common.time import now
from backend.extensions import db
from backend.help_requests.models import CallbackTask, HelpRequest
from backend.help_requests.services.assigning import assign_volunteer
from backend.matching.services import dispatch
from backend.people.models import Resident
from backend.volunteers.models import Volunteer
from tests.e2e.journeys import submit_sign_in
from tests.e2e.test_accessibility import AXE_TAGS, OVERFLOW, SIZE_SCAN
from tests.e2e.test_worker_home import _heading, _set_elder_mode, _sign_in_as, _with_app
from tests.factories import (
    DEMO_PASSWORD, make_building, make_community, make_grid, make_household, make_proxy, make_resident, make_user, make_volunteer,
    make_worker,
)
from tests.help_requests.helpers import make_request, volunteer_id

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Street:
    """王奶奶 (with an account and a daughter who may ask for her) in 钱网格员's grid, and three
    errand volunteers next door: 张阿姨 helped her before and she rated it 5 stars."""
    resident_id: int
    resident_phone: str
    proxy_phone: str
    worker_phone: str
    building: str
    volunteers: dict  # name → (phone, volunteer id)


@pytest.fixture(scope="module")
def street(live_server) -> Street:
    def make():
        community = make_community("互助街坊社区")
        grid = make_grid(community, "互助网格")
        worker = make_worker(grid)
        worker.display_name = "钱网格员"
        account = make_user(community, "resident", name="王秀英")
        building = make_building(grid)
        resident = make_resident(make_household(building), user=account)
        proxy = make_proxy(resident, "view_status", "request_help")
        volunteers = {}
        for name in ("张阿姨", "李师傅", "赵大姐"):
            user = make_volunteer(community, skills=("errands", "companionship"))
            user.display_name = name
            volunteers[name] = (user.phone, volunteer_id(user))
            # Every test here gives them tasks: no load cap may take one out of the ranking.
            db.session.get(Volunteer, volunteers[name][1]).load_cap = 50
        zhang = db.session.scalar(select(User).where(User.phone == volunteers["张阿姨"][0]))
        make_request(resident, status="confirmed", volunteer=zhang, category="errands", rating=5, confirmed_at=now())
        db.session.commit()
        return Street(resident_id=resident.id, resident_phone=account.phone, proxy_phone=proxy.phone,
                      worker_phone=worker.phone, building=building.label, volunteers=volunteers)
    return _with_app(live_server, make)


def escalated_request(live_server, street) -> int:
    """An errand asked now, offered in a wave nobody answered, and escalated (the workers alerted)."""
    def make():
        request = make_request(_resident(street), category="errands")
        dispatch.send_wave(request, now(), 0)
        dispatch.escalate(request, "last_wave_closed")
        db.session.commit()
        return request.id
    return _with_app(live_server, make)


def request_in(live_server, street, status, volunteer=None, category="errands") -> int:
    def make():
        user = db.session.scalar(select(User).where(User.phone == street.volunteers[volunteer][0])) if volunteer else None
        request = make_request(_resident(street), status=status, volunteer=user, category=category)
        db.session.commit()
        return request.id
    return _with_app(live_server, make)


def _resident(street):
    return db.session.get(Resident, street.resident_id)


def row(live_server, request_id) -> HelpRequest:
    def read():
        found = db.session.get(HelpRequest, request_id)
        db.session.expunge(found)
        return found
    return _with_app(live_server, read)


def worker_tab(open_tab, street, width=360, height=740):
    tab = open_tab("/", width=width, height=height)
    _sign_in_as(tab.page, street.worker_phone, "您好，钱网格员")
    return tab


def state(page):
    return page.locator('[data-slot="state"]')


def test_a_worker_gives_an_escalated_request_to_the_best_candidate_then_to_another(open_tab, live_server, street):
    request_id = escalated_request(live_server, street)
    tab = worker_tab(open_tab, street)
    page = tab.page
    page.get_by_role("link", name="项等您安排", exact=False).click()
    expect(_heading(page)).to_have_text("待安排的求助")
    escalated = page.get_by_role("region", name="几轮邀请都没人接")
    entry = escalated.get_by_role("link", name=f"代购跑腿 · 尽快 · 王奶奶 · {street.building} · 已等", exact=False)
    expect(entry).to_be_visible()
    entry.click()
    expect(_heading(page)).to_have_text("代购跑腿 · 尽快")
    expect(state(page)).to_contain_text("几轮邀请都没人接，请您安排。")
    # Ranked with reasons: 张阿姨, who helped her before (rated 5), comes first.
    candidates = page.locator(".candidate")
    expect(candidates).to_have_count(3)
    expect(candidates.first).to_contain_text("1. 张阿姨")
    expect(candidates.first).to_contain_text("帮助过王奶奶 1 次")
    for index in range(3):
        expect(candidates.nth(index)).to_contain_text(" km")
        expect(candidates.nth(index)).to_contain_text("第 1 轮邀请过")
    timeline = page.locator('[data-slot="timeline"]')
    expect(timeline).to_contain_text("第 1 轮：邀请了 3 位志愿者")
    expect(timeline).to_contain_text("邀请都没人接，转给网格员（原因：最后一轮邀请到时间了）")

    # Assigning asks first; 「不派了」 changes nothing.
    page.get_by_role("button", name="派给 张阿姨").click()
    expect(page.get_by_role("heading", name="把这项求助派给 张阿姨？")).to_be_focused()
    page.get_by_role("button", name="不派了").click()
    expect(page.get_by_role("form", name="把这项求助派给 张阿姨？")).to_be_hidden()
    assert row(live_server, request_id).status == "escalated"
    page.get_by_role("button", name="派给 张阿姨").click()
    with page.expect_response(f"**/api/v1/help-requests/{request_id}/assign") as sent:
        page.get_by_role("button", name="确认派给 张阿姨").click()
    assert sent.value.status == 200
    expect(state(page)).to_contain_text("张阿姨 已接单")
    expect(page.locator("#status")).to_have_text("已派给 张阿姨。")
    expect(timeline).to_contain_text("钱网格员 派给 张阿姨")
    made = row(live_server, request_id)
    assert (made.status, made.volunteer_id) == ("accepted", street.volunteers["张阿姨"][1])

    # 张阿姨 has the task, with the address.
    volunteer = open_tab("/")
    _sign_in_as(volunteer.page, street.volunteers["张阿姨"][0], "您好，张阿姨")
    volunteer.page.locator(".request-link", has_text="代购跑腿 · 尽快").click()
    expect(volunteer.page.get_by_text("王秀英", exact=False)).to_be_visible()

    # Reassigning, with the reason, to 李师傅; 张阿姨 is not offered as her own replacement.
    expect(page.get_by_role("heading", name="换一位志愿者")).to_be_visible()
    expect(page.get_by_role("button", name="改派给 张阿姨")).to_have_count(0)
    page.get_by_role("button", name="改派给 李师傅").click()
    expect(page.get_by_role("heading", name="把这项求助从 张阿姨 改派给 李师傅？")).to_be_focused()
    page.get_by_label("为什么换人").fill("张阿姨临时有事")
    with page.expect_response(f"**/api/v1/help-requests/{request_id}/reassign") as sent:
        page.get_by_role("button", name="确认改派给 李师傅").click()
    assert sent.value.status == 200
    expect(state(page)).to_contain_text("李师傅 已接单")
    expect(timeline).to_contain_text("钱网格员 把 张阿姨 换下（原因：张阿姨临时有事）")
    expect(timeline.locator("li").last).to_contain_text("钱网格员 派给 李师傅")
    made = row(live_server, request_id)
    assert (made.status, made.volunteer_id) == ("accepted", street.volunteers["李师傅"][1])
    assert tab.page_errors == [] and tab.csp_violations() == []


def test_taken_meanwhile_is_said_in_plain_words_and_the_request_shows_who_has_it(open_tab, live_server, street):
    request_id = escalated_request(live_server, street)
    page = worker_tab(open_tab, street).page
    page.goto(f"/worker/requests/{request_id}")
    page.get_by_role("button", name="派给 张阿姨").click()
    # 赵大姐 accepts her offer while the worker reads the confirmation.
    _with_app(live_server, lambda: assign_volunteer(request_id, street.volunteers["赵大姐"][1], None, "offer"))
    with page.expect_response(f"**/api/v1/help-requests/{request_id}/assign") as sent:
        page.get_by_role("button", name="确认派给 张阿姨").click()
    assert sent.value.status == 409
    expect(page.get_by_role("alert")).to_contain_text("已被其他志愿者接单。")
    expect(state(page)).to_contain_text("赵大姐 已接单")
    assert row(live_server, request_id).volunteer_id == street.volunteers["赵大姐"][1]


def test_an_other_request_is_given_by_hand_to_one_of_the_communitys_volunteers(open_tab, live_server, street):
    request_id = request_in(live_server, street, "open", category="other")
    page = worker_tab(open_tab, street).page
    page.goto("/worker/requests")
    page.get_by_role("region", name="还没有志愿者可以邀请").get_by_role("link", name="其他 · 尽快", exact=False).click()
    expect(state(page)).to_contain_text("还没有志愿者：找不到可以邀请的人，请您安排。")
    expect(page.get_by_text("“其他”类的求助由您来安排", exact=False)).to_be_visible()
    expect(page.locator(".candidate")).to_have_count(3)
    zhao = page.locator(".candidate", has_text="赵大姐")
    expect(zhao.get_by_role("link", name="给 赵大姐 打电话", exact=False)).to_have_attribute(
        "href", f"tel:{street.volunteers['赵大姐'][0]}")
    zhao.get_by_role("button", name="派给 赵大姐").click()
    with page.expect_response(f"**/api/v1/help-requests/{request_id}/assign") as sent:
        page.get_by_role("button", name="确认派给 赵大姐").click()
    assert sent.value.status == 200
    expect(state(page)).to_contain_text("赵大姐 已接单")
    made = row(live_server, request_id)
    assert (made.status, made.volunteer_id) == ("accepted", street.volunteers["赵大姐"][1])


def test_an_assignment_made_offline_waits_on_the_phone_and_is_sent_once(open_tab, live_server, street):
    request_id = escalated_request(live_server, street)
    page = worker_tab(open_tab, street).page
    page.goto(f"/worker/requests/{request_id}")
    page.get_by_role("button", name="派给 李师傅").click()
    page.context.set_offline(True)
    try:
        page.get_by_role("button", name="确认派给 李师傅").click()
        note = page.get_by_text("已记下，还没发出：派给 李师傅", exact=False)
        expect(note).to_be_focused()
        expect(page.get_by_role("button", name="派给 张阿姨")).to_be_hidden()  # no second copy
        assert row(live_server, request_id).status == "escalated"
    finally:
        page.context.set_offline(False)
    expect(page.locator("[data-outbox-pending]")).to_be_hidden()
    made = row(live_server, request_id)
    assert (made.status, made.volunteer_id) == ("accepted", street.volunteers["李师傅"][1])
    steps = _with_app(live_server, lambda: [step.event for step in db.session.get(HelpRequest, request_id).events])
    assert steps.count("assigned") == 1
    page.reload()
    expect(state(page)).to_contain_text("李师傅 已接单")


def test_a_no_show_sends_the_request_out_again(open_tab, live_server, street):
    request_id = request_in(live_server, street, "accepted", volunteer="赵大姐")
    page = worker_tab(open_tab, street).page
    page.goto(f"/worker/requests/{request_id}")
    expect(state(page)).to_contain_text("赵大姐 已接单")
    page.get_by_role("button", name="报告志愿者没有来").click()
    page.get_by_label("情况说明").fill("等了一小时没人来")
    with page.expect_response(f"**/api/v1/help-requests/{request_id}/no-show") as sent:
        page.get_by_role("button", name="确认：志愿者没有来").click()
    assert sent.value.status == 200
    expect(page.locator('[data-slot="timeline"]')).to_contain_text("钱网格员 报告 赵大姐 没有来（原因：等了一小时没人来）")
    made = row(live_server, request_id)
    assert made.volunteer_id is None and made.status in ("open", "offered")
    expect(state(page)).not_to_contain_text("已接单")


def test_a_worker_cancels_for_the_resident_with_a_reason_once_a_volunteer_has_it(open_tab, live_server, street):
    request_id = request_in(live_server, street, "accepted", volunteer="李师傅")

    def asked_an_hour_ago():
        db.session.get(HelpRequest, request_id).created_at = now() - timedelta(hours=1)
        db.session.commit()
    _with_app(live_server, asked_an_hour_ago)
    page = worker_tab(open_tab, street).page
    page.goto(f"/worker/requests/{request_id}")
    expect(state(page)).to_contain_text("李师傅 已接单")
    page.get_by_role("button", name="替居民取消这项求助").click()
    expect(page.get_by_label("取消原因")).to_be_focused()
    with page.expect_response(f"**/api/v1/help-requests/{request_id}/cancel") as refused:
        page.get_by_role("button", name="确认取消").click()
    assert refused.value.status == 422
    expect(page.get_by_role("alert")).to_contain_text("取消请说明原因")
    page.screenshot(path="test-artifacts/worker-request-cancel-needs-a-reason.png", full_page=True)
    assert row(live_server, request_id).status == "accepted"
    page.get_by_label("取消原因").fill("儿子回来了")
    with page.expect_response(f"**/api/v1/help-requests/{request_id}/cancel") as sent:
        page.get_by_role("button", name="确认取消").click()
    assert sent.value.status == 200
    expect(page.locator("#status")).to_have_text("已取消。")
    expect(state(page)).to_have_text("已取消。")
    expect(page.locator('[data-slot="timeline"]')).to_contain_text("钱网格员 取消了求助（原因：儿子回来了）")
    expect(page.get_by_role("button", name="替居民取消这项求助")).to_be_hidden()
    assert row(live_server, request_id).status == "cancelled"


def test_a_worker_confirms_for_the_resident_and_calls_back_after_two_stars(open_tab, live_server, street):
    request_id = request_in(live_server, street, "completed", volunteer="李师傅", category="companionship")
    page = worker_tab(open_tab, street).page
    page.goto(f"/worker/requests/{request_id}")
    expect(state(page)).to_contain_text("李师傅 已帮完")
    form = page.get_by_role("form", name="替居民确认")
    form.get_by_role("button", name="确认完成").click()
    expect(page.get_by_role("alert")).to_contain_text("请选择居民的评价。")
    expect(page.get_by_role("alert")).to_contain_text("请写下电话里居民对这次帮助怎么说。")
    form.get_by_text("2 不满意").click()
    form.get_by_label("电话里居民怎么说（时间银行会记下这条说明）").fill("来晚了一个小时")
    with page.expect_response(f"**/api/v1/help-requests/{request_id}/confirm") as sent:
        form.get_by_role("button", name="确认完成").click()
    assert sent.value.status == 200
    expect(state(page)).to_contain_text("已确认完成，评价 2 星")
    assert row(live_server, request_id).status == "confirmed"

    expect(page.get_by_role("link", name="评分低，需要回访：打开回访列表")).to_be_visible()
    # The grid's workers are told in the inbox; its 「查看」 opens this request through /help-requests/<id>.
    page.goto("/inbox")
    message = page.locator(".message").filter(has=page.get_by_role("heading", name="需要回访")).first
    expect(message).to_contain_text("2 星")
    message.get_by_role("link", name="查看").click()
    expect(page).to_have_url(f"{live_server.url}/worker/requests/{request_id}")
    expect(state(page)).to_contain_text("已确认完成，评价 2 星")
    page.goto("/")
    page.get_by_role("link", name="位居民等您回电话", exact=False).click()
    expect(_heading(page)).to_have_text("回访")
    card = page.locator(".callback-card").filter(has=page.locator(f'a[href="/worker/requests/{request_id}"]'))
    expect(card).to_contain_text("陪伴聊天 · 评了 2 星")
    expect(card).to_contain_text("居民说：来晚了一个小时")
    expect(card.get_by_role("link", name="给 王奶奶 打电话", exact=False)).to_have_attribute("href", "tel:13700000001")
    expect(page.get_by_text("查看会被记录", exact=False)).to_be_visible()
    card.get_by_role("button", name="已回访").click()
    expect(card.get_by_role("alert")).to_contain_text("请写下回访情况。")
    card.get_by_label("回访情况").fill("已电话联系，老人说志愿者迟到，已提醒")
    with page.expect_response("**/api/v1/callbacks/*/done") as sent:
        card.get_by_role("button", name="已回访").click()
    assert sent.value.status == 200
    expect(card.locator('[data-slot="outcome"]')).to_contain_text("已电话联系，老人说志愿者迟到，已提醒")
    task = _with_app(live_server, lambda: db.session.scalar(
        select(CallbackTask).where(CallbackTask.help_request_id == request_id)))
    assert (task.status, task.note) == ("done", "已电话联系，老人说志愿者迟到，已提醒")


def test_every_role_opens_a_notifications_address_on_its_own_screen(open_tab, live_server, street):
    request_id = request_in(live_server, street, "accepted", volunteer="张阿姨")
    for phone, greeting, expected in (
        (street.resident_phone, "您好，王奶奶", f"/requests/{request_id}"),
        (street.proxy_phone, "您在帮 王奶奶", f"/for/{street.resident_id}/requests/{request_id}"),
        (street.volunteers["张阿姨"][0], "您好，张阿姨", f"/tasks/{request_id}"),
        (street.worker_phone, "您好，钱网格员", f"/worker/requests/{request_id}"),
    ):
        tab = open_tab("/")
        page = tab.page
        submit_and_wait(page, phone)
        page.goto(f"/help-requests/{request_id}")
        expect(page).to_have_url(f"{live_server.url}{expected}")
        expect(_heading(page)).to_contain_text("代购跑腿")
        assert tab.page_errors == [], greeting


def submit_and_wait(page, phone):
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(page.get_by_role("link", name="设置")).to_be_visible()


def test_the_alert_about_a_request_nobody_took_leads_to_the_request(open_tab, live_server, street):
    request_id = escalated_request(live_server, street)
    alert_id = _with_app(live_server, lambda: next(
        alert.id for alert in db.session.scalars(select(Alert).where(Alert.kind == "help_request_unmatched"))
        if alert.data.get("help_request_id") == request_id))
    page = worker_tab(open_tab, street).page
    page.goto(f"/alerts/{alert_id}")
    page.get_by_role("link", name="打开这项求助").click()
    expect(page).to_have_url(f"{live_server.url}/worker/requests/{request_id}")
    expect(state(page)).to_contain_text("几轮邀请都没人接")


# Accessibility of the new screens, in each state

@pytest.fixture(params=[False, True], ids=["standard", "elder-mode"])
def elder(request):
    return request.param


def each_screen(tab, live_server, street):
    page = tab.page
    escalated = escalated_request(live_server, street)
    taken = escalated_request(live_server, street)
    completed = request_in(live_server, street, "completed", volunteer="李师傅")
    page.goto("/")
    expect(page.get_by_role("link", name="项等您安排", exact=False)).to_be_visible()
    yield "home"
    page.goto("/worker/requests")
    expect(page.get_by_role("region", name="几轮邀请都没人接").get_by_role("link").first).to_be_visible()
    yield "requests"
    page.goto(f"/worker/requests/{escalated}")
    expect(page.locator(".candidate").first).to_be_visible()
    yield "request-escalated"
    page.get_by_role("button", name="派给 张阿姨").click()
    yield "request-assign-confirm"
    page.get_by_role("button", name="确认派给 张阿姨").click()
    expect(state(page)).to_contain_text("张阿姨 已接单")
    page.get_by_role("button", name="报告志愿者没有来").click()
    yield "request-accepted-no-show"
    page.goto(f"/worker/requests/{taken}")
    page.get_by_role("button", name="派给 张阿姨").click()
    _with_app(live_server, lambda: assign_volunteer(taken, street.volunteers["赵大姐"][1], None, "offer"))
    page.get_by_role("button", name="确认派给 张阿姨").click()
    expect(page.get_by_role("alert")).to_contain_text("已被其他志愿者接单。")
    yield "request-taken-meanwhile"
    page.goto(f"/worker/requests/{completed}")
    form = page.get_by_role("form", name="替居民确认")
    form.get_by_role("button", name="确认完成").click()
    expect(page.get_by_role("alert")).to_contain_text("请选择居民的评价。")
    yield "request-confirm-errors"
    form.get_by_text("1 很不满意").click()
    form.get_by_label("电话里居民怎么说（时间银行会记下这条说明）").fill("说等了很久")
    form.get_by_role("button", name="确认完成").click()
    expect(state(page)).to_contain_text("已确认完成")
    yield "request-confirmed"
    other = request_in(live_server, street, "open", category="other")
    page.goto(f"/worker/requests/{other}")
    expect(page.get_by_role("link", name="给 赵大姐 打电话", exact=False)).to_be_visible()
    yield "request-other"
    page.goto("/worker/callbacks")
    expect(page.locator(".callback-card").first).to_be_visible()
    expect(page.get_by_role("link", name="给 王奶奶 打电话", exact=False).first).to_be_visible()
    yield "callbacks"


def test_the_worker_request_screens_pass_axe_the_size_scan_and_reflow(open_tab, live_server, street, elder):
    tab = open_tab("/")
    _sign_in_as(tab.page, street.worker_phone, "您好，钱网格员")
    _set_elder_mode(tab.page, elder)
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    if elder:
        options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
    page = tab.page
    for screen in each_screen(tab, live_server, street):
        results = axe.run(page, options=options)
        assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"
        assert page.evaluate(SIZE_SCAN) == [], screen
        assert _heading(page).count() == 1, screen
        tab.screenshot(f"worker-requests-{'elder-' if elder else ''}{screen}")
        page.set_viewport_size({"width": 320, "height": 640})
        assert page.evaluate(OVERFLOW) <= 0, f"320px {screen}"
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert page.evaluate(OVERFLOW) <= 0, f"200% {screen}"
        page.evaluate("document.documentElement.style.fontSize = ''")
        page.set_viewport_size({"width": 360, "height": 740})
    assert tab.csp_violations() == [] and tab.page_errors == []
