"""Worker lists longer than one page of the API, in Chromium: a grid's buildings, a building's
households and the volunteers waiting for vetting never stop silently; 「更多」 reaches the rest."""
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from backend.community.models import Community
from backend.extensions import db
from backend.volunteers.models import Volunteer
from tests.e2e.test_worker_home import _heading, _sign_in_as, _with_app
from tests.factories import make_building, make_grid, make_household, make_user, make_worker

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Crowded:
    worker_phone: str
    grid_name: str
    tower: str
    last_pending: str


@pytest.fixture(scope="module")
def crowded(live_server) -> Crowded:
    """A grid of 101 buildings, the first a tower of 101 households; 21 more pending volunteers."""
    def make():
        community = db.session.scalar(select(Community).order_by(Community.id))
        grid = make_grid(community, "高楼网格")
        worker = make_worker(grid)
        buildings = [make_building(grid, f"高楼{number:03d}幢") for number in range(1, 102)]
        for number in range(1, 102):
            make_household(buildings[0], f"{number:03d}室")
        for number in range(1, 22):
            user = make_user(community, "volunteer", name=f"排队志愿者{number:02d}")
            db.session.add(Volunteer(user_id=user.id, community_id=community.id, gender="male", status="pending",
                                     home_lat=30.27, home_lng=120.15, travel_radius_km=3, load_cap=2))
        db.session.commit()
        return Crowded(worker_phone=worker.phone, grid_name=grid.name, tower=buildings[0].label,
                       last_pending=user.display_name)
    return _with_app(live_server, make)


def test_more_reaches_the_101st_building_and_the_101st_household(open_tab, crowded):
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, crowded.worker_phone, "您好，网格员")
    page.get_by_role("link", name=crowded.grid_name).click()
    expect(_heading(page)).to_have_text(crowded.grid_name)
    expect(page.get_by_text("共 101 栋，显示 100 栋。")).to_be_visible()
    expect(page.get_by_role("link", name="高楼100幢")).to_be_visible()
    expect(page.get_by_role("link", name="高楼101幢")).to_have_count(0)
    page.get_by_role("button", name="更多").click()
    expect(page.get_by_role("link", name="高楼101幢")).to_be_focused()
    expect(page.get_by_text("共 101 栋，显示 101 栋。")).to_be_visible()
    expect(page.get_by_role("button", name="更多")).to_be_hidden()
    assert page.locator(".worker-list a").count() == 101

    page.get_by_role("link", name=crowded.tower).click()
    expect(_heading(page)).to_have_text(crowded.tower)
    expect(page.get_by_text("共 101 户，显示 100 户。")).to_be_visible()
    page.get_by_role("button", name="更多").click()
    expect(page.get_by_role("link", name="101室（0 位居民）")).to_be_focused()
    expect(page.get_by_role("button", name="更多")).to_be_hidden()
    assert tab.page_errors == []


def test_more_reaches_every_volunteer_waiting_for_vetting(open_tab, crowded):
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, crowded.worker_phone, "您好，网格员")
    page.get_by_role("link", name="审核志愿者").click()
    expect(_heading(page)).to_have_text("待审核的志愿者")
    expect(page.get_by_text("显示 20 位", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", name=crowded.last_pending)).to_have_count(0)
    more = page.get_by_role("button", name="更多")
    while more.is_visible():
        shown = page.locator(".worker-list > li").count()
        more.click()
        expect(page.locator(".worker-list > li")).not_to_have_count(shown)
    expect(page.get_by_role("heading", name=crowded.last_pending)).to_be_visible()
    assert tab.page_errors == []
