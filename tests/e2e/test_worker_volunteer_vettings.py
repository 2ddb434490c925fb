"""A worker's volunteer screens in Chromium: finding a vetted volunteer among all of them, revoking
the vetting with a reason (refused without one), and recording a new one; checked in the database."""
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from backend.community.models import Community
from backend.extensions import db
from backend.volunteers.models import Vetting, Volunteer
from tests.e2e.test_worker_home import _heading, _sign_in_as, _with_app
from tests.factories import make_grid, make_volunteer, make_worker

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Vetted:
    worker_phone: str
    worker_id: int
    grid_name: str
    volunteer_id: int
    name: str


@pytest.fixture
def vetted(live_server) -> Vetted:
    """An active volunteer with an identity vetting until 2030, living in a worker's grid."""
    def make():
        community = db.session.scalar(select(Community).order_by(Community.id))
        grid = make_grid(community)
        worker = make_worker(grid)
        user = make_volunteer(community, grid=grid)
        user.display_name = f"郑志愿{grid.id}"
        db.session.commit()
        volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
        return Vetted(worker_phone=worker.phone, worker_id=worker.id, grid_name=grid.name,
                      volunteer_id=volunteer.id, name=user.display_name)
    return _with_app(live_server, make)


def _vettings(live_server, volunteer_id):
    return _with_app(live_server, lambda: [
        (v.kind, v.expires_on, v.revoked_at is not None, v.revoke_reason, v.revoked_by_id)
        for v in db.session.scalars(select(Vetting).where(Vetting.volunteer_id == volunteer_id).order_by(Vetting.id))])


def test_worker_revokes_a_vetting_with_a_reason_and_records_a_new_one(open_tab, live_server, vetted):
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, vetted.worker_phone, "您好，网格员")
    page.get_by_role("link", name="审核志愿者").click()
    page.get_by_role("link", name="查看所有志愿者").click()
    expect(_heading(page)).to_have_text("所有志愿者")
    page.get_by_label("住在哪个网格").select_option(label=vetted.grid_name)
    page.get_by_label("状态").select_option(label="已启用")
    page.get_by_role("button", name="查找").click()
    expect(page.locator(".worker-list a")).to_have_count(1)
    expect(page.get_by_text("共 1 位，显示 1 位。")).to_be_visible()
    page.get_by_role("link", name=f"{vetted.name} ·", exact=False).click()
    expect(_heading(page)).to_have_text(vetted.name)
    expect(page.get_by_text("身份核验 · 有效期到 2030-01-01 · 有效")).to_be_visible()

    page.get_by_role("button", name="撤销身份核验").click()
    expect(page.get_by_role("alert")).to_contain_text("撤销原因：请填写撤销原因。")
    expect(page.get_by_label("撤销原因")).to_have_attribute("aria-invalid", "true")
    assert _vettings(live_server, vetted.volunteer_id)[0][2] is False
    page.get_by_label("撤销原因").fill("证件与本人不符")
    page.get_by_role("button", name="撤销身份核验").click()
    expect(page.locator("#status")).to_have_text(f"已撤销 {vetted.name} 的身份核验。")
    expect(page.get_by_text("已撤销，原因：证件与本人不符", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="撤销身份核验")).to_have_count(0)
    assert _vettings(live_server, vetted.volunteer_id) == [
        ("identity", date(2030, 1, 1), True, "证件与本人不符", vetted.worker_id)]

    form = page.get_by_role("form", name="记录一项核验")
    form.get_by_role("button", name="记录一项核验").click()
    expect(form.get_by_role("alert")).to_contain_text("请选择核验种类。")
    form.get_by_label("身份核验").check()
    form.get_by_label("有效期到").fill("2031-06-30")
    form.get_by_label("说明").fill("重新核对了身份证")
    form.get_by_role("button", name="记录一项核验").click()
    expect(page.locator("#status")).to_have_text(f"已记录 {vetted.name} 的身份核验。")
    expect(page.get_by_text("身份核验 · 有效期到 2031-06-30 · 有效 · 重新核对了身份证")).to_be_visible()
    assert _vettings(live_server, vetted.volunteer_id)[1] == ("identity", date(2031, 6, 30), False, None, None)
    assert tab.page_errors == [] and tab.csp_violations() == []
