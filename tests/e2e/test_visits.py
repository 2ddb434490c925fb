"""Household visits in Chromium (issue 7, PWA screens — Worker, Volunteer): a worker opens the
due list, plans a day (the route as an ordered list and a sketch drawn from coordinates), moves a
household down, exports the day as a calendar without names, records a visit offline, and once
online the visit arrives once with the time the worker pressed save and the household's next due
date moves on. A need becomes a help request in one tap and a serious concern raises an alert; a
visit handed to a volunteer is refused for an unvetted one and recorded by the vetted one through
the same form. The due list, the day plan and the form pass axe in the standard and elder modes,
with text and targets large enough and no sideways scrolling at 320 pixels."""
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import func, select

from backend.alerts.models import Alert
from backend.common.time import local_today
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.visits.models import DayPlanStop, Visit, VisitDelegation, VisitResident, VisitRule
from backend.volunteers.models import Volunteer
from tests.e2e.test_accessibility import AXE_TAGS, SIZE_SCAN, assert_accessible_screen
from tests.e2e.test_install_and_offline import SERVICE_WORKER_ACTIVATED
from tests.e2e.test_worker_home import _heading, _set_elder_mode, _sign_in_as, _with_app
from tests.factories import make_building, make_community, make_grid, make_household, make_resident, make_volunteer, make_worker

pytestmark = pytest.mark.browser
SHANGHAI = ZoneInfo("Asia/Shanghai")
CENTRE = (30.27, 120.15)
STEP = 0.0018  # about 200 m of latitude


@dataclass(frozen=True)
class Street:
    """One worker's grid with households due for a visit, and two volunteers (one not vetted)."""
    worker_phone: str
    households: dict  # building label → (household id, door, resident name, resident id)
    volunteer_phone: str
    volunteer_id: int
    unvetted_id: int


def _street(live_server, prefix: str, count: int = 3) -> Street:
    """`count` households in a row north of the office, each last visited 20 days ago (every 14 days
    for people living alone: 6 days overdue)."""
    def make():
        community = make_community(f"{prefix}社区")
        db.session.add(VisitRule(community_id=community.id, tags=["lives_alone"], interval_days=14))
        grid = make_grid(community, f"{prefix}网格")
        worker = make_worker(grid)
        worker.display_name = "周网格员"
        households = {}
        twenty_days_ago = local_today("Asia/Shanghai") - timedelta(days=20)
        for n in range(count):
            label = f"{prefix}{n + 1}幢"
            household = make_household(make_building(grid, label, lat=CENTRE[0] + STEP * (n + 1), lng=CENTRE[1]),
                                       door=f"{n + 1}0{n + 1}室")
            name = ("王奶奶", "李爷爷", "赵阿姨", "钱伯伯")[n % 4]
            resident = make_resident(household, tags=("lives_alone",), address_as=name, family_name=name[0])
            resident.created_at = datetime(2025, 1, 1, tzinfo=SHANGHAI)
            at = datetime.combine(twenty_days_ago, time(10), tzinfo=SHANGHAI)
            visit = Visit(community_id=community.id, grid_id=grid.id, household_id=household.id, occurred_at=at,
                          local_date=twenty_days_ago, recorded_at=at, seen=True)
            visit.residents.append(VisitResident(resident_id=resident.id, outcome="met"))
            db.session.add(visit)
            households[label] = (household.id, household.door_number, name, resident.id)
        helper = make_volunteer(community, grid=grid)
        helper.display_name = "张阿姨"
        unvetted = make_volunteer(community, grid=grid, vetted_until=None)
        unvetted.display_name = "刘新人"
        db.session.commit()
        volunteer_of = lambda user: db.session.scalar(select(Volunteer.id).where(Volunteer.user_id == user.id))  # noqa: E731
        return Street(worker_phone=worker.phone, households=households, volunteer_phone=helper.phone,
                      volunteer_id=volunteer_of(helper), unvetted_id=volunteer_of(unvetted))
    return _with_app(live_server, make)


def _visits_today(live_server, household_id):
    today = local_today("Asia/Shanghai")
    return _with_app(live_server, lambda: [(visit.occurred_at, visit.recorded_at, visit.summary) for visit in db.session.scalars(
        select(Visit).where(Visit.household_id == household_id, Visit.local_date == today))])


def _posted(page, path):
    """Wait for the page's POST (or PUT) to `path`, not a read of the same address."""
    return page.expect_response(lambda response: response.request.method in ("POST", "PUT")
                                and response.url.split("?")[0].endswith(path))


def _stop_titles(page):
    return page.locator(".route-stop h3").all_inner_texts()


def test_a_worker_plans_a_day_reorders_exports_and_records_a_visit_offline(open_tab, live_server):
    street = _street(live_server, "走访路")
    (first, (first_id, first_door, first_name, first_resident)), (second, (_, _, second_name, _)), (third, _) = (
        street.households.items())
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, street.worker_phone, "您好，周网格员")
    page.get_by_role("link", name="走访：3 户已逾期").click()
    expect(_heading(page)).to_have_text("走访名单")
    row = page.locator(".visit-card", has_text=first)
    expect(row).to_contain_text("已逾期 6 天")
    expect(row).to_contain_text("按规定每 14 天走访一次。")
    expect(row).to_contain_text(first_name)

    page.get_by_role("link", name="安排一天的走访路线").click()
    expect(_heading(page)).to_have_text("走访路线")
    with _posted(page, "/api/v1/visit-day-plans") as made:
        page.get_by_role("button", name="排路线").click()
    assert made.value.status == 201
    plan_id = made.value.json()["id"]
    expect(page).to_have_url(re.compile(rf"/worker/visits/plan/{plan_id}$"))
    expect(_heading(page)).to_contain_text("的走访路线")
    expect(page.locator('[data-slot="summary"]')).to_contain_text("共走访 3 户")
    # Out along the street, in order; the sketch has the start and three numbered stops.
    assert _stop_titles(page) == [f"第 1 户：{first} {first_door}", *(
        f"第 {n} 户：{label} {street.households[label][1]}" for n, label in ((2, second), (3, third)))]
    sketch = page.locator(".route-svg")
    expect(sketch).to_have_attribute("aria-hidden", "true")
    expect(sketch.locator("circle")).to_have_count(3)
    expect(sketch.locator("polyline")).to_have_count(1)
    tab.screenshot("worker-visit-plan")

    # Reorder by hand: the first household moves down; the times are worked out again.
    with page.expect_response(f"**/api/v1/visit-day-plans/{plan_id}/order") as reordered:
        page.get_by_role("button", name=f"把 {first} {first_door} · {first_name} 往后移").click()
    assert reordered.value.status == 200
    expect(page.locator(".route-stop h3").first).to_have_text(re.compile(rf"^第 1 户：{second}"))
    expect(page.locator(".route-stop h3").nth(1)).to_have_text(re.compile(rf"^第 2 户：{first}"))
    expect(page.get_by_role("button", name=f"把 {first} {first_door} · {first_name} 往后移")).to_be_focused()
    expect(page.locator("#status")).to_have_text(f"{first} {first_door} · {first_name} 移到了第 2 户。")

    # The calendar: building labels and times, no names or doors.
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="导出到手机日历").click()
    calendar = Path(downloaded.value.path()).read_text(encoding="utf-8")
    assert calendar.count("BEGIN:VEVENT") == 3 and f"入户走访 · {first}" in calendar
    assert f"/worker/visits/plan/{plan_id}" in calendar
    assert first_name not in calendar and first_door not in calendar

    # Printed, the day is one page: the route's stops with their times and names, no buttons,
    # navigation or sketch.
    page.emulate_media(media="print")
    expect(page.locator(".masthead")).to_be_hidden()
    expect(page.get_by_role("button", name="打印这一天")).to_be_hidden()
    expect(page.locator(".route-svg")).to_be_hidden()
    expect(page.locator(".route-stop").first.get_by_role("link", name="记录走访")).to_be_hidden()
    expect(page.locator(".route-stop").first).to_contain_text(second_name)
    expect(page.locator(".route-stop .route-time").first).to_be_visible()
    assert len(re.findall(rb"/Type\s*/Page[^s]", page.pdf(format="A4"))) == 1  # one A4 page
    page.emulate_media(media="screen")

    # Into the field: no signal in the stairwell. The day opens from this phone, and the visit is
    # recorded all the same.
    assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    page.context.set_offline(True)
    try:
        assert page.reload().from_service_worker
        expect(page.locator(".route-stop h3").first).to_have_text(re.compile(rf"^第 1 户：{second}"))
        expect(page.locator("[data-outbox-offline]")).to_contain_text("最后更新")
        page.locator(".route-stop", has_text=first).get_by_role("link", name="记录走访").click()
        expect(_heading(page)).to_have_text(f"记录走访：{first} {first_door}")
        page.get_by_label("见到了人").check()
        page.get_by_label(f"{first_name} 的情况").select_option("met")
        page.locator(".visit-resident").get_by_label("吃饭").select_option("concern")
        page.locator(".visit-resident").get_by_label("身体").select_option("ok")
        page.get_by_label("给家属的几句话").fill(f"{first_name}今天精神不错。")
        pressed = datetime.now(UTC)
        page.get_by_role("button", name="保存走访记录").click()
        expect(page.get_by_role("heading", name="走访记录已保存")).to_be_focused()
        expect(page.get_by_text("已保存，联网后发送。").first).to_be_visible()
        expect(page.locator("[data-outbox-pending]")).to_have_text("有 1 条待发送")
        expect(page.get_by_role("button", name="保存走访记录")).to_be_hidden()  # no second copy
        assert _visits_today(live_server, first_id) == []
        tab.screenshot("worker-visit-saved-offline")
    finally:
        page.context.set_offline(False)
    expect(page.locator("[data-outbox-pending]")).to_be_hidden()
    [(occurred_at, recorded_at, summary)] = _visits_today(live_server, first_id)
    assert pressed - timedelta(seconds=2) <= occurred_at <= pressed + timedelta(seconds=5) < recorded_at + timedelta(seconds=5)
    assert occurred_at < recorded_at and summary == f"{first_name}今天精神不错。"

    # The household's next due date moved on: not due this week any more, due in 14 days.
    page.goto("/worker/visits")
    expect(page.locator(".visit-card", has_text=second)).to_be_visible()
    expect(page.locator(".visit-card", has_text=first)).to_have_count(0)
    page.get_by_label("显示哪些住户").select_option("30")
    due_on = local_today("Asia/Shanghai") + timedelta(days=14)
    expect(page.locator(".visit-card", has_text=first)).to_contain_text(f"{due_on.month}月{due_on.day}日 到期")
    assert tab.page_errors == [] and tab.csp_violations() == [] and tab.foreign_requests() == []


def test_a_worker_changes_the_day_what_does_not_fit_is_listed_and_a_late_order_is_said(open_tab, live_server):
    street = _street(live_server, "短日路", count=4)
    labels = list(street.households)
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, street.worker_phone, "您好，周网格员")
    page.goto("/worker/visits/plan")
    page.get_by_label("出发时间（可不填）").fill("8点半")
    page.get_by_role("button", name="排路线").click()
    expect(page.get_by_role("alert")).to_contain_text("时间请写成 08:30 这样。")
    page.get_by_label("出发时间（可不填）").fill("08:30")
    page.get_by_label("下班时间（可不填）").fill("09:20")  # room for two visits
    with _posted(page, "/api/v1/visit-day-plans") as made:
        page.get_by_role("button", name="排路线").click()
    assert made.value.status == 201
    summary = page.locator('[data-slot="summary"]')
    expect(summary).to_contain_text("共走访 2 户")
    expect(summary).to_contain_text("2 户这天排不下，列在下面。")
    deferred = page.locator('[data-slot="deferred"] li')
    expect(deferred).to_have_count(2)
    expect(deferred.first).to_contain_text("这一天时间不够")

    # Put a deferred household last anyway: the route says in words that the day runs over.
    third = f"{labels[2]} {street.households[labels[2]][1]}"
    with _posted(page, "/order"):
        page.get_by_role("button", name=f"把 {third} 排到最后").click()
    expect(page.locator(".route-stop")).to_have_count(3)
    expect(page.locator(".route-stop").last).to_contain_text(re.compile(r"按这个顺序会超过下班时间 \d+ 分钟。"))
    expect(summary).to_contain_text("按现在的顺序，有 1 户会迟到或超过下班时间。")

    # Not this household today: planned again without it; it is offered back under 加上别的住户.
    first = f"{labels[0]} {street.households[labels[0]][1]}"
    with _posted(page, "/api/v1/visit-day-plans"):
        page.get_by_role("button", name=f"这天不去 {first}").click()
    expect(page.locator("#status")).to_have_text(f"这天不去 {first} 了，路线已重排。")
    expect(page.locator(".route-stop", has_text=first)).to_have_count(0)
    expect(deferred.filter(has_text=first)).to_have_count(0)
    add = page.get_by_role("button", name=re.compile(f"^加上 {first}"))
    expect(add).to_be_visible()

    # An appointment at 08:45 for the second household: the visit starts then, not at 08:37.
    second = f"{labels[1]} {street.households[labels[1]][1]}"
    stop = page.locator(".route-stop", has_text=second)
    stop.get_by_role("button", name=f"{second} 的预约时间").click()
    expect(stop.get_by_label(f"{second} 的预约时间（可不填）")).to_be_focused()
    stop.get_by_label(f"{second} 的预约时间（可不填）").fill("08:45")
    with _posted(page, "/api/v1/visit-day-plans") as appointed:
        stop.get_by_role("button", name=f"定 {second} 的预约时间").click()
    assert appointed.value.status == 201
    expect(page.locator("#status")).to_have_text(f"{second} 预约在 08:45，路线已重排。")
    stop = page.locator(".route-stop", has_text=second)
    expect(stop).to_contain_text("预约 08:45")
    expect(stop).to_contain_text("08:45–09:05")

    with _posted(page, "/api/v1/visit-day-plans"):
        add.click()
    expect(page.locator("#status")).to_have_text(f"加上了 {first}，路线已重排。")
    expect(page.locator(".route-stop", has_text=first).or_(deferred.filter(has_text=first))).to_have_count(1)
    # The appointment survived the change.
    assert _with_app(live_server, lambda: [stop.household_id for stop in db.session.scalars(select(DayPlanStop).where(
        DayPlanStop.plan_id == made.value.json()["id"], DayPlanStop.earliest.is_not(None)))]) == [
        street.households[labels[1]][0]]
    assert tab.page_errors == [] and tab.csp_violations() == []


def test_a_need_becomes_a_help_request_and_a_serious_concern_raises_an_alert(open_tab, live_server):
    street = _street(live_server, "关爱街", count=1)
    [(label, (household_id, door, name, resident_id))] = street.households.items()
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, street.worker_phone, "您好，周网格员")
    page.goto("/worker/visits")
    page.locator(".visit-card", has_text=label).get_by_role("link", name="记录走访").click()
    expect(_heading(page)).to_have_text(f"记录走访：{label} {door}")
    # Nothing chosen at the door: said before anything is sent.
    page.get_by_role("button", name="保存走访记录").click()
    expect(page.get_by_role("alert")).to_contain_text("请选一项：见到了人、家里没人，还是不愿意。")
    page.get_by_label("见到了人").check()
    page.get_by_label(f"{name} 需要什么帮助").fill("冰箱里菜不多，想有人帮忙买菜")
    page.get_by_label("家里没有吃的").check()
    with _posted(page, "/api/v1/visits") as sent:
        page.get_by_role("button", name="保存走访记录").click()
    assert sent.value.status == 201
    expect(page.get_by_role("heading", name="走访记录已发送")).to_be_focused()
    expect(page.get_by_text(f"已向网格员和社区管理员发出安全提醒：{name}（家里没有吃的）。")).to_be_visible()
    alerts = _with_app(live_server, lambda: db.session.scalar(select(func.count()).select_from(Alert).where(
        Alert.kind == "visit_serious_concern", Alert.resident_id == resident_id)))
    assert alerts == 1

    page.get_by_label(f"为 {name} 求助的类别").select_option(label="代购跑腿")
    with _posted(page, "/api/v1/help-requests") as asked:
        page.get_by_role("button", name=f"为 {name} 发起求助").click()
    assert asked.value.status == 201
    expect(page.get_by_text(f"已为 {name} 发起求助。")).to_be_focused()
    [(category, description)] = _with_app(live_server, lambda: [(request.category, request.description) for request in
                                                                  db.session.scalars(select(HelpRequest).where(
                                                                      HelpRequest.resident_id == resident_id))])
    assert (category, description) == ("errands", "冰箱里菜不多，想有人帮忙买菜")
    # A household this phone never saw in a list or a route, and not due: the form says where to start.
    page.goto("/worker/visits/record/999999")
    expect(page.get_by_text("这部手机上还没有这一户的资料。请先联网打开走访名单或当天路线，再记录。")).to_be_visible()
    expect(page.get_by_role("button", name="保存走访记录")).to_be_hidden()
    assert tab.page_errors == [] and tab.csp_violations() == []


def test_a_visit_handed_to_a_volunteer_is_recorded_through_the_same_form(open_tab, live_server):
    street = _street(live_server, "陪伴巷", count=1)
    [(label, (household_id, door, name, resident_id))] = street.households.items()
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, street.worker_phone, "您好，周网格员")
    page.goto("/worker/visits")
    card = page.locator(".visit-card", has_text=label)
    card.get_by_role("button", name="交给志愿者").click()
    expect(card.get_by_role("heading", name=f"把 {label} {door} · {name} 的走访交给志愿者")).to_be_focused()
    # A volunteer without identity vetting is refused, in the server's words.
    card.get_by_label("志愿者", exact=True).select_option(label="刘新人")
    with _posted(page, "/api/v1/visit-delegations") as refused:
        card.get_by_role("button", name="交给这位志愿者").click()
    assert refused.value.status == 409
    expect(card.get_by_role("alert")).to_contain_text(refused.value.json()["message"])
    card.get_by_label("志愿者", exact=True).select_option(label="张阿姨")
    with _posted(page, "/api/v1/visit-delegations") as delegated:
        card.get_by_role("button", name="交给这位志愿者").click()
    assert delegated.value.status == 201
    expect(page.locator("#status")).to_have_text("已交给 张阿姨。")
    expect(page.locator(".visit-card", has_text=label)).to_contain_text("已交给志愿者 张阿姨 去看望")
    delegation_id = delegated.value.json()["id"]

    volunteer = open_tab("/")
    vpage = volunteer.page
    _sign_in_as(vpage, street.volunteer_phone, "您好，张阿姨")
    visits = vpage.locator('[data-slot="visits"]')
    expect(visits.get_by_role("heading", name="交给我的走访")).to_be_visible()
    expect(visits.get_by_role("link", name=re.compile(label))).to_contain_text(name)
    results = Axe().run(vpage, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, results.generate_report()
    assert vpage.evaluate(SIZE_SCAN) == []
    volunteer.screenshot("volunteer-home-delegated-visit")
    # Opened once online, with its date, the address (revealed while the visit is open) and the note.
    visits.get_by_role("link", name=re.compile(label)).click()
    expect(_heading(vpage)).to_have_text(f"记录走访：{label} {door}")
    expect(vpage.locator('[data-slot="delegation-note"]')).to_contain_text("地址：")
    expect(vpage.get_by_label("下次走访日期（可不填）")).to_have_count(0)
    # At the door without signal: the form opens from this phone and the record waits.
    assert vpage.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    vpage.context.set_offline(True)
    try:
        assert vpage.reload().from_service_worker
        expect(_heading(vpage)).to_have_text(f"记录走访：{label} {door}")
        vpage.get_by_label("见到了人").check()
        vpage.locator(".visit-resident").get_by_label("精神和心情").select_option("ok")
        vpage.get_by_label("给家属的几句话").fill("陪王奶奶聊了一会儿，她很开心。")
        vpage.get_by_label("给工作人员的备注").fill("冰箱里菜不多。")
        vpage.get_by_role("button", name="保存走访记录").click()
        expect(vpage.get_by_role("heading", name="走访记录已保存")).to_be_focused()
        expect(vpage.locator("[data-outbox-pending]")).to_have_text("有 1 条待发送")
    finally:
        vpage.context.set_offline(False)
    expect(vpage.locator("[data-outbox-pending]")).to_be_hidden()
    status, visit_id = _with_app(live_server, lambda: (lambda d: (d.status, d.visit_id))(
        db.session.get(VisitDelegation, delegation_id)))
    assert status == "completed" and visit_id is not None
    assert len(_visits_today(live_server, household_id)) == 1
    assert volunteer.page_errors == [] and volunteer.csp_violations() == [] and tab.page_errors == []


@pytest.fixture(params=[False, True], ids=["standard", "elder-mode"])
def elder(request):
    return request.param


def _accessible(tab, elder, name):
    assert_accessible_screen(tab.page, name, elder=elder)
    tab.screenshot(f"visits-{'elder-' if elder else ''}{name}")


def test_the_visit_screens_pass_axe_and_reflow(open_tab, live_server, elder):
    street = _street(live_server, "无障碍路", count=2)
    label, (household_id, door, name, resident_id) = next(iter(street.households.items()))
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, street.worker_phone, "您好，周网格员")
    _set_elder_mode(page, elder)
    page.goto("/worker/visits")
    card = page.locator(".visit-card", has_text=label)
    expect(card).to_contain_text("已逾期")
    card.get_by_role("button", name="交给志愿者").click()
    expect(card.get_by_label("志愿者", exact=True).locator("option", has_text="张阿姨")).to_be_attached()
    _accessible(tab, elder, "due-list")

    page.goto("/worker/visits/plan")
    expect(_heading(page)).to_have_text("走访路线")
    _accessible(tab, elder, "day-plans")
    with _posted(page, "/api/v1/visit-day-plans"):
        page.get_by_role("button", name="排路线").click()
    expect(page.locator(".route-svg")).to_be_visible()
    _accessible(tab, elder, "day-plan")

    page.goto(f"/worker/visits/record/{household_id}")
    expect(_heading(page)).to_have_text(f"记录走访：{label} {door}")
    page.get_by_label("见到了人").check()
    page.get_by_role("button", name="保存走访记录").click()
    expect(page.get_by_role("heading", name="走访记录已发送")).to_be_visible()
    page.goto(f"/worker/visits/record/{household_id}")
    page.get_by_role("button", name="保存走访记录").click()
    expect(page.get_by_role("alert")).to_be_visible()
    _accessible(tab, elder, "record-form-errors")
    assert tab.page_errors == [] and tab.csp_violations() == []
    _set_elder_mode(page, False)
