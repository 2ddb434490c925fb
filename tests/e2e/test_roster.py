"""The on-duty roster in Chromium: an admin saves a day shift and a night shift that runs past
midnight (read back from the API), sees the server's overlap message named by day in the error
summary, adds an override of "nobody" and removes it; a worker reads the roster without any
control to change it, and the API refuses them anyway."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from backend.extensions import db
from tests.e2e.journeys import submit_sign_in
from tests.factories import DEMO_PASSWORD, make_admin, make_community, make_user

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Duty:
    admin_phone: str
    day_id: int
    night_id: int
    day_phone: str


@pytest.fixture
def duty(live_server) -> Duty:
    """A community of its own (so its roster is this test's alone) with an admin and two workers."""
    with live_server.app.app_context():
        community = make_community("值班社区")
        admin = make_admin(community)
        admin.display_name = "值班管理员"
        day = make_user(community, "worker", name="白班甲")
        night = make_user(community, "worker", name="夜班乙")
        db.session.commit()
        made = Duty(admin_phone=admin.phone, day_id=day.id, night_id=night.id, day_phone=day.phone)
        db.session.remove()
    return made


def _heading(page):
    return page.get_by_role("heading", level=1)


def _sign_in(page, phone, name):
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(_heading(page)).to_have_text(f"您好，{name}")


def _roster(page) -> dict:
    return page.request.get("/api/v1/roster").json()


def _add_shift(page, day, n, start, end, person):
    page.get_by_role("button", name=f"{day}添加一班").click()
    page.get_by_label(f"{day} 第 {n} 班 开始").fill(start)
    page.get_by_label(f"{day} 第 {n} 班 结束").fill(end)
    page.get_by_label(f"{day} 第 {n} 班 值班的人").select_option(label=person)


def test_the_admin_saves_a_day_and_a_night_shift_sees_an_overlap_and_adds_and_removes_an_override(
        open_tab, duty):
    tab = open_tab("/")
    page = tab.page
    _sign_in(page, duty.admin_phone, "值班管理员")
    page.get_by_role("link", name="值班表").click()
    expect(_heading(page)).to_have_text("值班表")
    expect(page.get_by_text("现在无人值班：没人接手的提醒会直接转给社区管理员。")).to_be_visible()
    expect(page.get_by_text("时间都按社区所在地的时间（Asia/Shanghai）。")).to_be_visible()
    week = page.get_by_role("region", name="每周排班")
    expect(week.get_by_text("周一：无人值班")).to_be_visible()

    save = page.get_by_role("button", name="保存每周排班")
    _add_shift(page, "周一", 1, "08:00", "20:00", "白班甲")
    _add_shift(page, "周一", 2, "20:00", "08:00", "夜班乙")
    save.click()
    expect(page.locator("#status")).to_have_text("每周排班已保存。")
    expect(week.get_by_text("周一：08:00–20:00 白班甲；20:00–次日 08:00 夜班乙")).to_be_visible()
    saved = [(s["weekday"], s["start"], s["end"], s["user"]["id"]) for s in _roster(page)["pattern"]]
    assert saved == [(0, "08:00", "20:00", duty.day_id), (0, "20:00", "08:00", duty.night_id)]

    # The night runs into Tuesday morning: a Tuesday shift from 07:00 overlaps it.
    _add_shift(page, "周二", 1, "07:00", "12:00", "白班甲")
    page.get_by_role("button", name="周三添加一班").click()  # a shift left empty is named by its day
    save.click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("周三 第 1 班：请填写开始和结束时间。")
    page.get_by_role("button", name="删除 周三 …–… 这一班").click()
    save.click()
    expect(summary).to_contain_text("周一 20:00–08:00 与 周二 07:00–12:00 时间重叠。")
    assert page.title().startswith("错误：")
    tab.screenshot("roster-overlap")
    assert len(_roster(page)["pattern"]) == 2
    page.get_by_role("button", name="删除 周二 07:00–12:00 这一班").click()

    tomorrow = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)
    overrides = page.get_by_role("region", name="调班")
    expect(overrides.get_by_text("没有待生效的调班。")).to_be_visible()
    form = page.get_by_role("form", name="添加调班")
    form.get_by_role("button", name="添加调班").click()
    expect(form.get_by_role("alert")).to_contain_text("请选择日期。")
    form.get_by_label("日期").fill(tomorrow.isoformat())
    form.get_by_label("开始", exact=True).fill("09:00")
    form.get_by_label("结束", exact=True).fill("18:00")
    form.get_by_label("值班的人", exact=True).select_option(label="无人值班")
    form.get_by_label("说明").fill("消防演练")
    form.get_by_role("button", name="添加调班").click()
    expect(page.locator("#status")).to_have_text("调班已添加。")
    expect(overrides.get_by_text("09:00–18:00 无人值班（消防演练）", exact=False)).to_be_visible()
    added = _roster(page)["overrides"]
    assert [(o["date"], o["start"], o["end"], o["user"], o["note"]) for o in added] == [
        (tomorrow.isoformat(), "09:00", "18:00", None, "消防演练")]

    overrides.get_by_role("button", name="删除", exact=False).click()
    expect(page.locator("#status")).to_have_text("调班已删除。")
    expect(overrides.get_by_text("没有待生效的调班。")).to_be_visible()
    assert _roster(page)["overrides"] == []
    assert tab.page_errors == [] and tab.foreign_requests() == []


def test_a_worker_reads_the_roster_but_has_nothing_to_change_it_with(open_tab, duty):
    admin = open_tab("/").page
    _sign_in(admin, duty.admin_phone, "值班管理员")
    admin.goto("/roster")
    _add_shift(admin, "周五", 1, "00:00", "24:00", "白班甲")
    admin.get_by_role("button", name="保存每周排班").click()
    expect(admin.locator("#status")).to_have_text("每周排班已保存。")

    tab = open_tab("/")
    page = tab.page
    _sign_in(page, duty.day_phone, "白班甲")
    page.get_by_role("link", name="值班表").click()
    expect(page.get_by_role("region", name="每周排班").get_by_text("周五：00:00–24:00 白班甲")).to_be_visible()
    expect(page.get_by_text("只有社区管理员可以修改值班表。")).to_be_visible()
    expect(page.get_by_role("button")).to_have_count(0)
    expect(page.locator("#screen input, #screen select")).to_have_count(0)
    token = page.request.get("/api/v1/auth/csrf").json()["csrf_token"]
    refused = page.request.put("/api/v1/roster/pattern", data={"shifts": []}, headers={"X-CSRF-Token": token})
    assert refused.status == 403 and refused.json()["reason"] not in ("csrf_missing", "csrf_invalid")
    assert len(_roster(page)["pattern"]) == 1
    assert tab.page_errors == []
