"""The emergency sweep in Chromium (issue 8): a grid worker starts 高温天气排查 over the households
of her two grids whose residents live alone — two with the app, three without, one left out by the
filter — and watches the live board change while one resident answers 我平安 on her own phone,
another 我需要帮助, and the worker, who was given the households without the app, records what she
found on her list (tel: buttons, the outcome form); the counts add up, per grid and in total, at every
step; closing freezes the report, which shows what was found and prints without the app's
navigation. An answer made without signal is kept and sent later; a volunteer finds the households
given to her from her home. Every sweep screen passes axe (AAA contrast in elder mode for the
resident's prompt), the size scan and reflow, in both modes."""
import re
import secrets
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from backend.accounts.models import DeviceSession
from backend.community.models import Grid, GridWorker
from backend.extensions import db
from backend.safety.sweep_models import Sweep, SweepCheck
from tests.e2e.journeys import sign_out
from tests.e2e.test_accessibility import assert_accessible_screen
from tests.e2e.test_ask_for_help import heading, sign_in
from tests.e2e.test_worker_home import _set_elder_mode
from tests.factories import (
    make_building, make_community, make_grid, make_household, make_resident, make_user, make_volunteer, make_worker,
)

pytestmark = pytest.mark.browser

COUNTS = re.compile(r"共 (\d+) 户：平安 (\d+) 户，需要帮助 (\d+) 户，还没联系上 (\d+) 户。")


@dataclass(frozen=True)
class Street:
    worker_phone: str
    zhao_phone: str  # 赵奶奶, with the app: answers 我平安
    qian_phone: str  # 钱奶奶, with the app: answers 我需要帮助
    sun_id: int  # 孙爷爷, no app
    li_id: int  # 李爷爷, no app
    grid_name: str
    second_grid_name: str  # 吴奶奶's, no app: the same worker's second grid
    volunteer_phone: str  # on duty and vetted, next door


def _make_street(app, name: str) -> Street:
    with app.app_context():
        community = make_community(name)
        grid = make_grid(community, "排查第一网格")
        worker = make_worker(grid)
        worker.display_name = "排查网格员"
        building = make_building(grid, label="平安里3幢")
        phones = {}
        for family, given, address_as in (("赵", "桂英", "赵奶奶"), ("钱", "秀兰", "钱奶奶")):
            account = make_user(community, "resident", name=f"{family}{given}")
            account.elder_mode = True
            make_resident(make_household(building), family_name=family, given_name=given, address_as=address_as,
                          tags=("lives_alone",), user=account)
            # A phone still signed in: she has the app, so she is asked first.
            db.session.add(DeviceSession(user_id=account.id, token_hash=secrets.token_hex(32), device_label="手机",
                                         signed_in_with="password"))
            phones[address_as] = account.phone
        sun = make_resident(make_household(building), family_name="孙", given_name="大山", address_as="孙爷爷",
                            tags=("lives_alone",))
        li = make_resident(make_household(building), family_name="李", given_name="建国", address_as="李爷爷",
                           tags=("lives_alone",))
        make_resident(make_household(building), family_name="周", given_name="强", address_as="周叔叔", birth_year=1980)
        second = make_grid(community, "排查第二网格")
        db.session.add(GridWorker(grid_id=second.id, user_id=worker.id, is_primary=True))
        make_resident(make_household(make_building(second, label="平安里9幢")), family_name="吴", given_name="兰",
                      address_as="吴奶奶", tags=("lives_alone",))
        volunteer = make_volunteer(community)
        volunteer.display_name = "楼下志愿者"
        db.session.commit()
        street = Street(worker_phone=worker.phone, zhao_phone=phones["赵奶奶"], qian_phone=phones["钱奶奶"],
                        sun_id=sun.id, li_id=li.id, grid_name=grid.name, second_grid_name=second.name,
                        volunteer_phone=volunteer.phone)
        db.session.remove()
        return street


@pytest.fixture
def street(live_server, request, monkeypatch) -> Street:
    # The grid worker takes every household without the app (nearer than the volunteer); the
    # volunteer's own journey is test_a_volunteer_given_households_finds_them_from_her_home.
    monkeypatch.setitem(live_server.app.config, "SWEEP_VOLUNTEER_CAPACITY", 0)
    return _make_street(live_server.app, f"排查社区{request.node.name[-14:]}")


def _checks(app, sweep_id) -> dict[str, str]:
    with app.app_context():
        rows = db.session.scalars(select(SweepCheck).where(SweepCheck.sweep_id == sweep_id)).all()
        found = {check.household_id: check.status for check in rows}
        db.session.remove()
        return found


def _counts(text: str) -> tuple[int, int, int, int]:
    total, safe, needs_help, not_reached = map(int, COUNTS.search(text).groups())
    assert safe + needs_help + not_reached == total, text
    return total, safe, needs_help, not_reached


def _adds_up(page) -> None:
    """The board's totals add up, each grid's add up, and the grids add up to the totals; the bar
    has one part per count that is not zero."""
    totals = _counts(page.locator("[data-slot=totals]").text_content())
    grids = [_counts(text) for text in page.locator(".sweep-grid p").all_text_contents()]
    assert tuple(map(sum, zip(*grids))) == totals
    assert page.locator("[data-slot=total-bar] .sweep-bar > span").count() == sum(1 for n in totals[1:] if n)
    unreached = page.locator("[data-slot=page]").text_content()
    assert (f"（{totals[3]} 户）" in unreached) if totals[3] else unreached == ""


def _start_sweep(page, name="高温天气排查"):
    page.get_by_role("link", name="应急排查").click()
    expect(heading(page)).to_have_text("应急排查")
    page.get_by_role("link", name="开始新的排查").click()
    expect(heading(page)).to_have_text("开始应急排查")
    page.get_by_label("排查名称").fill(name)
    page.get_by_label("独居").check()
    page.get_by_role("button", name="开始排查").click()
    expect(heading(page)).to_have_text(name)


def test_a_worker_runs_a_sweep_and_watches_the_board_change_as_residents_answer(
        open_tab, live_server, street):
    app = live_server.app
    tab = open_tab("/")
    page = tab.page
    sign_in(page, street.worker_phone, "您好，排查网格员")
    # Starting with nothing filled in says what is missing, in the error summary.
    page.get_by_role("link", name="应急排查").click()
    page.get_by_role("link", name="开始新的排查").click()
    expect(page.get_by_label(street.grid_name)).to_be_checked()
    expect(page.get_by_label(street.second_grid_name)).to_be_checked()
    page.get_by_role("button", name="开始排查").click()
    expect(page.get_by_role("alert")).to_contain_text("请填写排查名称。")
    page.get_by_label("排查名称").fill("高温天气排查")
    page.get_by_label("独居").check()
    page.get_by_role("button", name="开始排查").click()
    expect(heading(page)).to_have_text("高温天气排查")
    expect(page.locator("#status")).to_have_text("排查已开始：共 5 户。")
    sweep_id = int(re.search(r"/worker/sweeps/(\d+)$", page.url).group(1))
    totals = page.locator("[data-slot=totals]")
    expect(totals).to_have_text("共 5 户：平安 0 户，需要帮助 0 户，还没联系上 5 户。")
    grids = page.locator(".sweep-grid")
    expect(grids).to_have_count(2)
    expect(grids.nth(0)).to_contain_text(street.grid_name)
    expect(grids.nth(0)).to_contain_text("共 4 户：平安 0 户，需要帮助 0 户，还没联系上 4 户。")
    expect(grids.nth(1)).to_contain_text(street.second_grid_name)
    expect(grids.nth(1)).to_contain_text("共 1 户：平安 0 户，需要帮助 0 户，还没联系上 1 户。")
    unreached = page.locator(".sweep-household")
    expect(unreached).to_have_count(5)
    _adds_up(page)
    expect(page.locator(".sweep-household", has_text="孙爷爷")).to_contain_text("由 排查网格员 负责联系")
    expect(page.locator(".sweep-household", has_text="赵奶奶")).to_contain_text("等居民在手机上回答")
    assert sorted(_checks(app, sweep_id).values()) == ["assigned", "assigned", "assigned", "prompted", "prompted"]
    tab.screenshot("sweep-board-started")

    # 赵奶奶 on her own phone: the prompt's notification leads to /sweep-prompt/<sweep id>; so does her home.
    zhao_tab = open_tab("/")
    zhao = zhao_tab.page
    sign_in(zhao, street.zhao_phone, "您好，赵奶奶")
    zhao.get_by_role("link", name="社区在问您是否平安，请点这里回答").click()
    expect(heading(zhao)).to_have_text("社区在确认大家是否平安")
    expect(zhao.locator("[data-slot=name]")).to_have_text("这次排查：高温天气排查")
    zhao_tab.screenshot("sweep-prompt")
    zhao.get_by_role("button", name="我平安").click()
    expect(zhao.locator("[data-slot=answered-text]")).to_have_text(re.compile(r"^已告诉社区：您平安（\d\d:\d\d）$"))
    expect(zhao.get_by_text("谢谢您。这次排查不会再为您打电话了。")).to_be_visible()
    zhao_tab.screenshot("sweep-prompt-safe")
    expect(totals).to_have_text("共 5 户：平安 1 户，需要帮助 0 户，还没联系上 4 户。", timeout=15_000)
    expect(grids.nth(0)).to_contain_text("共 4 户：平安 1 户，需要帮助 0 户，还没联系上 3 户。")
    _adds_up(page)

    # 钱奶奶 opens the notification's address and asks for help.
    qian = open_tab("/").page
    sign_in(qian, street.qian_phone, "您好，钱奶奶")
    qian.goto(f"/sweep-prompt/{sweep_id}")
    qian.get_by_role("button", name="我需要帮助").click()
    expect(qian.locator("[data-slot=answered-text]")).to_have_text(re.compile(r"^已告诉社区：您需要帮助"))
    expect(qian.get_by_role("link", name=re.compile("打给网格员"))).to_have_attribute(
        "href", f"tel:{street.worker_phone}")
    expect(totals).to_have_text("共 5 户：平安 1 户，需要帮助 1 户，还没联系上 3 户。", timeout=15_000)
    expect(page.locator("[data-slot=needs-help-text]")).to_contain_text("1 户需要帮助")
    help_entry = page.locator("[data-slot=help-list] a")
    expect(help_entry).to_have_text("钱奶奶 · 平安里3幢：还没有人接手")
    expect(unreached).to_have_count(3)
    _adds_up(page)
    tab.screenshot("sweep-board-answers")

    # The worker's own list: the households given to her, with tel: buttons and the outcome form.
    page.goto("/")
    page.get_by_role("link", name="我的排查任务").click()
    expect(heading(page)).to_have_text("请联系这些住户")
    cards = page.locator(".sweep-check-card")
    expect(cards).to_have_count(3)
    sun = page.locator(".sweep-check-card", has_text="孙爷爷")
    expect(sun.get_by_role("link", name=re.compile("打家里电话"))).to_have_attribute("href", "tel:057188881234")
    expect(sun.get_by_role("link", name=re.compile("打给孙爷爷"))).to_have_attribute("href", "tel:13700000001")
    sun.get_by_role("button", name="记下结果").click()
    expect(sun.get_by_role("alert")).to_contain_text("请选择结果。")
    sun.get_by_label("没联系上").check()
    sun.get_by_label("打电话").check()
    sun.get_by_label("备注（可以不填）").fill("没人接")
    sun.get_by_role("button", name="记下结果").click()
    expect(sun.locator("[data-slot=outcome]")).to_have_text("已记下：第 1 次没联系上。这一户还请您过一会儿再试。")
    sun.get_by_label("联系上了，平安").check()
    sun.get_by_label("上门").check()
    sun.get_by_role("button", name="记下结果").click()
    expect(sun.locator("[data-slot=outcome]")).to_have_text("已记下：平安。谢谢您！")
    tab.screenshot("sweep-checks")

    page.goto(f"/worker/sweeps/{sweep_id}")
    expect(totals).to_have_text("共 5 户：平安 2 户，需要帮助 1 户，还没联系上 2 户。")
    help_entry.click()
    page.get_by_role("button", name="我来处理").click()
    expect(page.get_by_role("button", name="我来处理")).to_be_hidden()
    page.goto(f"/worker/sweeps/{sweep_id}")
    expect(help_entry).to_have_text("钱奶奶 · 平安里3幢：排查网格员 已接手")
    expect(unreached).to_have_count(2)
    expect(unreached.nth(0)).to_contain_text("李爷爷")
    expect(unreached.nth(1)).to_contain_text(f"吴奶奶 · 平安里9幢（{street.second_grid_name}）")
    _adds_up(page)
    statuses = _checks(app, sweep_id)
    assert sorted(statuses.values()) == ["assigned", "assigned", "needs_help", "safe", "safe"]

    page.get_by_role("button", name="结束排查").click()
    expect(heading(page)).to_have_text("排查报告：高温天气排查")
    expect(page.locator("#status")).to_have_text("排查已结束，报告已生成。")
    expect(page.locator("[data-slot=totals]")).to_have_text("共 5 户：平安 2 户，需要帮助 1 户，还没联系上 2 户。")
    expect(page.locator("[data-slot=grids] li").nth(1)).to_have_text(
        f"{street.second_grid_name}：共 1 户：平安 0 户，需要帮助 0 户，还没联系上 1 户。")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(5)
    expect(page.locator("tbody tr", has_text="赵奶奶")).to_contain_text("居民在应用里回答")
    expect(page.locator("tbody tr", has_text="钱奶奶")).to_contain_text("需要帮助")
    expect(page.locator("tbody tr", has_text="孙爷爷")).to_contain_text("上门，排查网格员")
    expect(page.locator("tbody tr", has_text="李爷爷")).to_contain_text("由 排查网格员 负责联系")
    expect(page.locator("tbody")).not_to_contain_text("周叔叔")
    tab.screenshot("sweep-report")
    # Printed: the report alone, no header, footer or buttons.
    page.emulate_media(media="print")
    for hidden in ("header", "footer", "[data-slot=print]", "[data-slot=back]"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(rows.first).to_be_visible()
    tab.screenshot("sweep-report-print")
    page.emulate_media(media="screen")
    with app.app_context():
        assert db.session.get(Sweep, sweep_id).status == "closed"
        db.session.remove()

    # Closed: answers change nothing, and her prompt says there is nothing to answer.
    zhao.goto(f"/sweep-prompt/{sweep_id}")
    expect(zhao.get_by_text("现在没有需要您回答的排查。")).to_be_visible()
    page.goto("/worker/sweeps")
    expect(page.locator("[data-slot=closed-list]")).to_contain_text("高温天气排查（已结束）")
    for each in (tab, zhao_tab):
        assert each.page_errors == [] and each.csp_violations() == [] and each.foreign_requests() == []


def test_an_answer_without_signal_is_kept_and_sent_when_back(open_tab, live_server, street):
    app = live_server.app
    tab = open_tab("/")
    sign_in(tab.page, street.worker_phone, "您好，排查网格员")
    _start_sweep(tab.page)
    sweep_id = int(re.search(r"/worker/sweeps/(\d+)$", tab.page.url).group(1))
    zhao_tab = open_tab("/")
    zhao = zhao_tab.page
    sign_in(zhao, street.zhao_phone, "您好，赵奶奶")
    zhao.goto(f"/sweep-prompt/{sweep_id}")
    expect(zhao.get_by_role("button", name="我平安")).to_be_visible()
    zhao.context.set_offline(True)
    zhao.get_by_role("button", name="我平安").click()
    expect(zhao.get_by_text("已经记下了。手机有信号时会自动发出去，时间还是您按的时候。")).to_be_visible()
    assert "safe" not in _checks(app, sweep_id).values()
    zhao.context.set_offline(False)
    expect(zhao.locator("[data-outbox-pending]")).to_be_hidden(timeout=15_000)
    assert sorted(_checks(app, sweep_id).values()) == ["assigned", "assigned", "assigned", "prompted", "safe"]
    assert zhao_tab.page_errors == [] and zhao_tab.csp_violations() == []


def test_a_volunteer_given_households_finds_them_from_her_home(open_tab, live_server, street, monkeypatch):
    monkeypatch.setitem(live_server.app.config, "SWEEP_VOLUNTEER_CAPACITY", 15)
    monkeypatch.setitem(live_server.app.config, "SWEEP_WORKER_CAPACITY", 0)
    tab = open_tab("/")
    page = tab.page
    sign_in(page, street.worker_phone, "您好，排查网格员")
    _start_sweep(page)
    expect(page.locator(".sweep-household", has_text="孙爷爷")).to_contain_text("由 楼下志愿者 负责联系")
    page.goto("/")
    sign_out(page)
    sign_in(page, street.volunteer_phone, "您好，楼下志愿者")
    page.get_by_role("link", name="排查任务：3 户要联系").click()
    expect(heading(page)).to_have_text("请联系这些住户")
    li = page.locator(".sweep-check-card", has_text="李爷爷")
    expect(li).to_contain_text("地址：")
    li.get_by_label("联系上了，平安").check()
    li.get_by_label("打电话").check()
    li.get_by_role("button", name="记下结果").click()
    expect(li.locator("[data-slot=outcome]")).to_have_text("已记下：平安。谢谢您！")
    page.goto("/")
    expect(page.get_by_role("link", name="排查任务：2 户要联系")).to_be_visible()
    assert tab.page_errors == [] and tab.csp_violations() == [] and tab.foreign_requests() == []


def test_the_households_not_reached_are_shown_a_page_at_a_time(open_tab, live_server, street):
    with live_server.app.app_context():
        grid = db.session.scalar(select(Grid).where(Grid.name == street.grid_name).order_by(Grid.id.desc()))
        building = make_building(grid, label="平安里5幢")
        for n in range(20):
            make_resident(make_household(building), family_name="郑", given_name=f"{n}", address_as=f"郑{n + 1}号",
                          tags=("lives_alone",))
        db.session.commit()
        db.session.remove()
    tab = open_tab("/")
    page = tab.page
    sign_in(page, street.worker_phone, "您好，排查网格员")
    _start_sweep(page)
    households = page.locator(".sweep-household")
    expect(households).to_have_count(20)
    expect(page.locator("[data-slot=page]")).to_have_text("第 1 页，共 2 页（25 户）")
    expect(page.get_by_role("button", name="上一页")).to_be_hidden()
    page.get_by_role("button", name="下一页").click()
    expect(households).to_have_count(5)
    expect(page.locator("[data-slot=page]")).to_have_text("第 2 页，共 2 页（25 户）")
    expect(page.get_by_role("heading", name="还没联系上的住户")).to_be_focused()
    expect(page.get_by_role("button", name="下一页")).to_be_hidden()
    page.get_by_role("button", name="上一页").click()
    expect(households).to_have_count(20)
    _adds_up(page)
    assert tab.page_errors == [] and tab.csp_violations() == []


@pytest.fixture(params=[False, True], ids=["standard", "elder-mode"])
def elder(request):
    return request.param


def each_screen(tab, street, elder):
    page = tab.page
    sign_in(page, street.worker_phone, "您好，排查网格员")
    _set_elder_mode(page, elder)
    page.goto("/worker/sweeps/new")
    expect(page.get_by_label("独居")).to_be_visible()
    yield "sweep-new"
    page.get_by_role("button", name="开始排查").click()
    expect(page.get_by_role("alert")).to_be_visible()
    yield "sweep-new-refused"
    page.get_by_label("排查名称").fill("台风排查")
    page.get_by_label("独居").check()
    page.get_by_role("button", name="开始排查").click()
    expect(page.locator(".sweep-household")).to_have_count(5)
    sweep_path = page.url
    yield "sweep-board"
    page.goto("/sweep-checks")
    expect(page.locator(".sweep-check-card")).to_have_count(3)
    yield "sweep-checks"
    page.goto("/")
    sign_out(page)
    sign_in(page, street.zhao_phone, "您好，赵奶奶")
    _set_elder_mode(page, elder)
    page.goto("/sweep-prompt")
    expect(page.get_by_role("button", name="我平安")).to_be_visible()
    yield "sweep-prompt"
    page.get_by_role("button", name="我平安").click()
    expect(page.locator("[data-slot=answered-text]")).to_be_visible()
    yield "sweep-prompt-answered"
    page.goto("/")
    sign_out(page)
    sign_in(page, street.worker_phone, "您好，排查网格员")
    page.goto(sweep_path)
    page.get_by_role("button", name="结束排查").click()
    expect(page.locator("tbody tr")).to_have_count(5)
    yield "sweep-report"
    page.goto("/worker/sweeps")
    expect(page.locator("[data-slot=closed-list] a")).to_have_count(1)
    yield "sweeps"


def test_sweep_screens_pass_axe_the_size_scan_and_reflow(open_tab, street, elder):
    tab = open_tab("/")
    for screen in each_screen(tab, street, elder):
        assert_accessible_screen(tab.page, screen, elder=elder)
        assert heading(tab.page).count() == 1, screen
    assert tab.csp_violations() == [] and tab.page_errors == []
