"""明天的安排 in Chromium (issue 6, PWA screens — Worker): a worker plans tomorrow's two held
requests, reads that the plan serves both where first come, first served serves one, is refused a
volunteer already busy at that time, changes one proposal and back, sends the plan; the planned
volunteer finds the offer and accepts it. The screen passes axe in the standard mode and in elder
mode, and reflows at 320 pixels."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from backend.batch.tasks import KINDS, register
from backend.common.time import local_today, now
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.matching.models import Offer
from backend.matching.services import dispatch
from backend.people.models import Resident
from tests.batch.doorstep_kind import DoorstepChecks
from tests.e2e.test_accessibility import AXE_TAGS, OVERFLOW
from tests.e2e.test_worker_home import _heading, _set_elder_mode, _sign_in_as, _with_app
from tests.factories import (
    make_building, make_community, make_grid, make_household, make_resident, make_user, make_volunteer, make_worker,
)
from tests.help_requests.helpers import make_request, volunteer_id

pytestmark = pytest.mark.browser
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Lane:
    """王奶奶 in 孙网格员's grid; 张阿姨 runs errands and keeps company, 李师傅 only keeps company."""
    resident_id: int
    worker_phone: str
    volunteers: dict  # name → (phone, volunteer id)
    grid_id: int
    worker_id: int


@pytest.fixture(scope="module")
def lane(live_server):
    config = live_server.app.config
    saved = {key: config[key] for key in ("BATCH_HOLD", "BATCH_GRACE_MINUTES")}
    # Held whatever the hour of the run: tomorrow's waves would only start tomorrow evening.
    config.update(BATCH_HOLD=True, BATCH_GRACE_MINUTES=24 * 60)

    def make():
        community = make_community("安排明天社区")
        grid = make_grid(community, "明天网格")
        worker = make_worker(grid)
        worker.display_name = "孙网格员"
        resident = make_resident(make_household(make_building(grid)), user=make_user(community, "resident"))
        volunteers = {}
        for name, skills in (("张阿姨", ("companionship", "errands")), ("李师傅", ("companionship",))):
            user = make_volunteer(community, skills=skills)
            user.display_name = name
            volunteers[name] = (user.phone, volunteer_id(user))
        db.session.commit()
        return Lane(resident_id=resident.id, worker_phone=worker.phone, volunteers=volunteers, grid_id=grid.id,
                    worker_id=worker.id)
    yield _with_app(live_server, make)
    config.update(saved)


def held_requests(live_server, lane) -> list[int]:
    """Tomorrow: keeping company 14:00–16:00, asked first; an errand 15:00–17:00, asked second."""
    def make():
        resident = db.session.get(Resident, lane.resident_id)
        tomorrow = local_today("Asia/Shanghai") + timedelta(days=1)
        ids = []
        for category, start, end in (("companionship", 14, 16), ("errands", 15, 17)):
            request = make_request(resident, category=category,
                                   window_start=datetime.combine(tomorrow, time(start), tzinfo=SHANGHAI),
                                   window_end=datetime.combine(tomorrow, time(end), tzinfo=SHANGHAI))
            request.asap = False
            dispatch.stage_dispatch(request, now())
            ids.append(request.id)
        db.session.commit()
        return ids
    return _with_app(live_server, make)


def offers_of(live_server, request_id) -> list[tuple[int, int, str]]:
    return _with_app(live_server, lambda: [(offer.volunteer_id, offer.wave, offer.status) for offer in db.session.scalars(
        select(Offer).where(Offer.help_request_id == request_id))])


def card(page, category):
    return page.locator(".plan-card", has_text=category)


def test_a_worker_plans_tomorrow_changes_a_volunteer_sends_and_the_volunteer_accepts(open_tab, live_server, lane):
    company, errand = held_requests(live_server, lane)
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, lane.worker_phone, "您好，孙网格员")
    page.get_by_role("link", name="明天的安排").click()
    expect(_heading(page)).to_have_text("明天的安排")
    with page.expect_response("**/api/v1/batch-plans") as made:
        page.get_by_role("button", name="安排明天").click()
    assert made.value.status == 201
    summary = page.locator('[data-slot="summary"]')
    expect(summary).to_contain_text("共 2 项求助，这份安排派出 2 项；先到先得只能派出 1 项。")
    expect(summary).to_contain_text("一起安排多派出 1 项。")
    keeping_company, errands = card(page, "陪伴聊天"), card(page, "代购跑腿")
    expect(keeping_company).to_contain_text("派给 李师傅：")
    expect(keeping_company).to_contain_text("先到先得会派给 张阿姨。")
    expect(errands).to_contain_text("派给 张阿姨：")
    expect(errands).to_contain_text("先到先得时没人可派。")
    expect(keeping_company).to_contain_text("14:00–16:00")

    # 张阿姨 already has the errand at 15:00: refused in plain words, the plan unchanged.
    keeping_company.get_by_label("换一位志愿者").select_option(label=keeping_company.locator("option", has_text="张阿姨")
                                                            .inner_text())
    with page.expect_response("**/items/*") as refused:
        keeping_company.get_by_role("button", name="改派").click()
    assert refused.value.status == 409
    expect(keeping_company.get_by_role("alert")).to_contain_text("这位志愿者在这份安排里同一时间已有别的任务。")
    # Nobody, then 李师傅 again.
    keeping_company.get_by_label("换一位志愿者").select_option(label="不派人（发出时交给逐轮邀请）")
    with page.expect_response("**/items/*") as changed:
        keeping_company.get_by_role("button", name="改派").click()
    assert changed.value.status == 200
    expect(page.locator("#status")).to_have_text("已改为不派人。")
    keeping_company = card(page, "陪伴聊天")
    expect(keeping_company).to_contain_text("您选了不派人：发出时交给逐轮邀请。")
    expect(summary).to_contain_text("这份安排派出 1 项")
    keeping_company.get_by_label("换一位志愿者").select_option(label=keeping_company.locator("option", has_text="李师傅")
                                                            .inner_text())
    with page.expect_response("**/items/*") as changed:
        keeping_company.get_by_role("button", name="改派").click()
    assert changed.value.status == 200
    expect(card(page, "陪伴聊天")).to_contain_text("派给 李师傅：")

    with page.expect_response("**/send") as sent:
        page.get_by_role("button", name="发出安排").click()
    assert sent.value.status == 200
    expect(page.locator("#status")).to_have_text(
        "已发出：2 项邀请了安排的志愿者，0 项交给逐轮邀请，0 项已有变化没有发出。")
    expect(card(page, "陪伴聊天")).to_contain_text("已邀请 李师傅。")
    expect(page.get_by_role("button", name="发出安排")).to_be_hidden()
    li = lane.volunteers["李师傅"][1]
    assert offers_of(live_server, company) == [(li, 0, "offered")]
    assert offers_of(live_server, errand) == [(lane.volunteers["张阿姨"][1], 0, "offered")]
    assert tab.page_errors == [] and tab.csp_violations() == []
    # The request's own timeline says the plan invited him, not "wave  : 1 volunteer".
    page.goto(f"/worker/requests/{company}")
    expect(page.get_by_text("按明天的安排：邀请了 李师傅")).to_be_visible()

    # 李师傅 finds the offer and takes it.
    volunteer = open_tab("/").page
    _sign_in_as(volunteer, lane.volunteers["李师傅"][0], "您好，李师傅")
    offer = volunteer.locator(".offer-card", has_text="陪伴聊天")
    with volunteer.expect_response("**/api/v1/offers/*/accept") as accepted:
        offer.get_by_role("button", name="接单").click()
    assert accepted.value.status == 200
    taken = _with_app(live_server, lambda: db.session.get(HelpRequest, company).status)
    assert taken == "accepted"


def test_a_task_of_a_kind_workers_may_take_is_planned_for_the_worker_and_given_to_them(open_tab, live_server, lane):
    """A task kind that allows workers (the test-only doorstep check, as the safety domain's welfare
    checks will): the plan gives it to the worker, the card names them, sending assigns it."""
    kind = register(DoorstepChecks())
    try:
        tomorrow = local_today("Asia/Shanghai") + timedelta(days=1)
        task = kind.add(lane.grid_id, datetime.combine(tomorrow, time(9), tzinfo=SHANGHAI),
                        datetime.combine(tomorrow, time(10), tzinfo=SHANGHAI), [("worker", lane.worker_id, 0.8)])
        tab = open_tab("/")
        page = tab.page
        _sign_in_as(page, lane.worker_phone, "您好，孙网格员")
        page.goto("/worker/plan")
        with page.expect_response("**/api/v1/batch-plans") as made:
            page.get_by_role("button", name="安排明天").click()
        assert made.value.status == 201
        doorstep = card(page, "上门看看")
        expect(doorstep).to_contain_text("派给 孙网格员")
        expect(doorstep).to_contain_text("先到先得会派给 孙网格员。")
        with page.expect_response("**/send") as sent:
            page.get_by_role("button", name="发出安排").click()
        assert sent.value.status == 200
        expect(page.locator("#status")).to_contain_text("1 项派给了工作人员。")
        expect(card(page, "上门看看")).to_contain_text("已派给工作人员 孙网格员。")
        assert kind.sent == [(task, ("worker", lane.worker_id), "assigned")]
        assert tab.page_errors == [] and tab.csp_violations() == []
    finally:
        KINDS.pop(kind.name)


@pytest.fixture(params=[False, True], ids=["standard", "elder-mode"])
def elder(request):
    return request.param


def test_the_plan_screen_passes_axe_and_reflows(open_tab, live_server, lane, elder):
    held_requests(live_server, lane)
    tab = open_tab("/", width=320, height=640)
    page = tab.page
    _sign_in_as(page, lane.worker_phone, "您好，孙网格员")
    _set_elder_mode(page, elder)
    page.goto("/worker/plan")
    expect(_heading(page)).to_have_text("明天的安排")
    with page.expect_response("**/api/v1/batch-plans"):
        page.get_by_role("button", name="安排明天").click()
    expect(page.locator(".plan-card").first).to_be_visible()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    if elder:
        options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
    results = Axe().run(page, options=options)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate(OVERFLOW) <= 0
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate(OVERFLOW) <= 0
    tab.screenshot(f"worker-{'elder-' if elder else ''}plan-tomorrow")
    assert tab.page_errors == [] and tab.csp_violations() == []
    _set_elder_mode(page, False)
