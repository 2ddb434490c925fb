"""Offline in real Chromium. After one online visit every role's screens render from the cached
shell and the data this phone cached in IndexedDB for that person, marked 最后更新 HH:MM (the
oldest fetch on the screen); one person's cached data is never shown to another; the residents
search answers offline only the searches made online; an urgent write that cannot be sent opens
the call screen at once."""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from backend.community.models import Community
from backend.extensions import db
from tests.e2e.care import make_family
from tests.e2e.journeys import submit_sign_in
from tests.e2e.test_accessibility import AXE_TAGS, SIZE_SCAN
from tests.e2e.test_install_and_offline import SERVICE_WORKER_ACTIVATED
from tests.factories import (
    DEMO_PASSWORD, make_admin, make_building, make_grid, make_household, make_resident, make_user, make_volunteer,
    make_worker,
)

pytestmark = pytest.mark.browser

LAST_UPDATED = re.compile(r"^最后更新 \d\d:\d\d$")
NEEDS_NETWORK = "需要联网：现在连不上服务器，请联网后再试。"
ELDER_AXE = {"runOnly": {"type": "tag", "values": AXE_TAGS},
             "rules": {"color-contrast-enhanced": {"enabled": True}}}

@pytest.fixture(scope="module")
def family(live_server):
    return make_family(live_server.app)


def _visit_once_online(open_tab, family):
    tab = open_tab("/")
    page = tab.page
    submit_sign_in(page, family.resident_phone, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，王奶奶")
    assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    return tab


def test_home_settings_and_sos_render_offline_from_the_cache(open_tab, family):
    tab = _visit_once_online(open_tab, family)
    page = tab.page
    page.context.set_offline(True)
    try:
        assert page.reload().from_service_worker
        expect(page.get_by_role("heading", level=1)).to_have_text("您好，王奶奶")
        expect(page.locator("[data-outbox-offline]")).to_have_text(LAST_UPDATED)
        expect(page.get_by_role("link", name=re.compile("打电话给网格员|给网格员打电话"))).to_be_visible()
        tab.screenshot("offline-resident-home")
        assert Axe().run(page, options=ELDER_AXE).violations_count == 0

        page.get_by_role("link", name="设置").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("设置")
        expect(page.get_by_role("button", name="退出登录")).to_be_visible()

        assert page.goto("/sos").from_service_worker
        expect(page.get_by_role("heading", level=1)).to_have_text("紧急求助")
        expect(page.get_by_role("link", name=re.compile("打给网格员"))).to_have_attribute("href", re.compile(r"^tel:1"))
        expect(page.get_by_role("link", name="打 120 急救")).to_have_attribute("href", "tel:120")
        tab.screenshot("offline-sos")
    finally:
        page.context.set_offline(False)
    assert tab.page_errors == [] and tab.foreign_requests() == []


def test_an_urgent_write_that_cannot_be_sent_opens_the_call_screen_at_once(open_tab, family):
    tab = _visit_once_online(open_tab, family)
    page = tab.page
    page.context.set_offline(True)
    try:
        # A test-only urgent write: SOS gets its own flow in the safety issue and will use this.
        state = page.evaluate("""async () => {
          const { queueWrite } = await import("/app/outbox.js");
          const result = await queueWrite({ method: "POST", path: "/api/v1/me/test-urgent", body: {},
                                            label: "SOS", urgent: true });
          return result.state;
        }""")
        assert state == "failed"
        expect(page.get_by_role("heading", level=1)).to_have_text("没有发出 — 请直接打电话")
        expect(page.get_by_role("link", name=re.compile("打给网格员"))).to_have_attribute("href", re.compile(r"^tel:1"))
        expect(page.get_by_role("link", name="打 120 急救")).to_have_attribute("href", "tel:120")
        # Nothing was left waiting silently in the outbox.
        expect(page.locator("[data-outbox-pending]")).to_be_hidden()
        assert Axe().run(page, options=ELDER_AXE).violations_count == 0
        assert page.evaluate(SIZE_SCAN) == []
        tab.screenshot("offline-urgent-not-sent")
    finally:
        page.context.set_offline(False)
    assert tab.page_errors == []


# Every role's screens, visited once online, then again offline: first by following the app's own
# links and Back (no reload), then by opening each address afresh (the page reloads from the
# service worker's shell and the person's cached /me).

@dataclass(frozen=True)
class Neighbourhood:
    worker_phone: str
    worker_id: int
    other_worker_phone: str
    admin_phone: str
    volunteer_phone: str
    provider_phone: str
    grid_id: int
    grid_name: str
    other_grid_id: int
    other_grid_name: str
    building_id: int
    building_label: str
    household_id: int
    door: str
    resident_id: int
    resident_line: str


@pytest.fixture(scope="module")
def hood(live_server):
    """南苑网格 with its worker, one building, household and resident; 北苑网格 with another
    worker; an admin, a volunteer and a provider."""
    with live_server.app.app_context():
        community = db.session.scalar(select(Community).order_by(Community.id))
        grid = make_grid(community, "南苑网格")
        worker = make_worker(grid)
        building = make_building(grid, "南苑3幢")
        household = make_household(building, "302室")
        resident = make_resident(household, family_name="周", given_name="桂香", address_as="周奶奶")
        other_grid = make_grid(community, "北苑网格")
        other_worker = make_worker(other_grid)
        make_resident(make_household(make_building(other_grid, "北苑1幢")), family_name="吴", given_name="兰英",
                      address_as="吴奶奶")
        admin = make_admin(community)
        volunteer = make_volunteer(community, skills=("companionship", "meal_delivery"))
        provider = make_user(community, "provider", name="南苑食堂")
        db.session.commit()
        made = Neighbourhood(
            worker_phone=worker.phone, worker_id=worker.id, other_worker_phone=other_worker.phone,
            admin_phone=admin.phone, volunteer_phone=volunteer.phone, provider_phone=provider.phone,
            grid_id=grid.id, grid_name=grid.name, other_grid_id=other_grid.id, other_grid_name=other_grid.name,
            building_id=building.id, building_label=building.label, household_id=household.id,
            door=household.door_number, resident_id=resident.id, resident_line="周桂香（周奶奶）")
        db.session.remove()
    return made


def _heading(page):
    return page.get_by_role("heading", level=1)


def _last_updated(page):
    return page.locator("[data-outbox-offline]")


@dataclass(frozen=True)
class Step:
    """Go somewhere the way a person does (`click` a link to that address, or "back"), then
    `check` that the screen shows its data. `reads`: the screen shows data fetched for it (not
    only the signed-in person's /me), so offline it carries 最后更新 even without a reload."""

    go: str
    check: object
    reads: bool = True


def _link(page, href):
    return page.locator(f'#screen a[href="{href}"]').first


def _take(page, step):
    if step.go == "back":
        page.go_back()
    elif step.go != "start":
        _link(page, step.go).click()
    step.check(page)
    return urlpath(page.url)


def urlpath(url):
    return "/" + url.split("/", 3)[3]


def _tour_online_then_offline(tab, phone, greeting, steps):
    page = tab.page
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(_heading(page)).to_have_text(greeting)
    assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    addresses = [_take(page, step) for step in steps]
    expect(_last_updated(page)).to_be_hidden()
    page.context.set_offline(True)
    try:
        # Offline, following links and Back: each screen shows its cached data, marked when it does.
        if urlpath(page.url) != "/":
            _link(page, "/").click()
        expect(_heading(page)).to_have_text(greeting)
        for step in steps:
            _take(page, step)
            if step.reads:
                expect(_last_updated(page)).to_have_text(LAST_UPDATED)
            else:
                expect(_last_updated(page)).to_be_hidden()  # nothing on this screen came from the cache
        # Offline, opening each address afresh: the page reloads; the cached /me marks every screen.
        for step, address in zip(steps, addresses):
            if step.go == "back":
                continue
            assert page.goto(address).from_service_worker
            step.check(page)
            expect(_last_updated(page)).to_have_text(LAST_UPDATED)
        # Personal data is only ever in IndexedDB: nothing of the API is in the service worker's cache.
        assert page.evaluate(API_IN_CACHE_STORAGE) == []
    finally:
        page.context.set_offline(False)
    assert tab.page_errors == []


API_IN_CACHE_STORAGE = """async () => {
  const found = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) {
      if (new URL(request.url).pathname.startsWith("/api")) found.push(request.url);
    }
  }
  return found;
}"""


def _shows(text):
    return lambda page: expect(page.locator("#screen")).to_contain_text(text)


def _titled(text):
    return lambda page: expect(_heading(page)).to_contain_text(text)


def _both(*checks):
    def check(page):
        for one in checks:
            one(page)
    return check


def _settings(page):
    """Settings, with the person's notification preferences (read for this screen: 最后更新 offline)."""
    expect(_heading(page)).to_have_text("设置")
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    expect(page.get_by_role("checkbox", name="也用短信提醒我")).to_be_enabled()


def _place_steps(hood):
    return [
        Step("start", _shows(hood.grid_name)),
        Step(f"/worker/grids/{hood.grid_id}", _both(_titled(hood.grid_name), _shows(hood.building_label))),
        Step(f"/worker/buildings/{hood.building_id}", _both(_titled(hood.building_label), _shows(hood.door))),
        Step(f"/worker/households/{hood.household_id}", _both(_titled(hood.door), _shows(f"幸福里 {hood.building_label}"))),
        Step("back", _titled(hood.building_label)),
        Step("back", _titled(hood.grid_name)),
        Step("back", _shows(hood.grid_name)),
    ]


def test_worker_screens_render_offline_from_the_cache(open_tab, hood):
    steps = [
        *_place_steps(hood),
        Step("/worker/residents", _shows(hood.resident_line)),
        Step(f"/worker/residents/{hood.resident_id}", _titled(hood.resident_line)),
        Step("back", _shows(hood.resident_line)),
        Step("back", _shows(hood.grid_name)),
        Step("/settings", _settings),
    ]
    _tour_online_then_offline(open_tab("/"), hood.worker_phone, "您好，网格员", steps)


def test_admin_screens_render_offline_from_the_cache(open_tab, hood):
    steps = [
        *_place_steps(hood),
        Step("/worker/residents", lambda page: expect(page.locator('#screen a[href^="/worker/residents/"]').first)
             .to_be_visible()),
        Step("back", _shows(hood.other_grid_name)),  # the admin's home: every grid of the community
        Step("/settings", _settings),
    ]
    _tour_online_then_offline(open_tab("/"), hood.admin_phone, "您好，社区管理员", steps)


def test_volunteer_screens_render_offline_from_the_cache(open_tab, hood):
    def on_duty(page):
        expect(page.get_by_role("checkbox", name="我在岗，可以接任务")).to_be_checked()

    def skills(page):
        expect(_heading(page)).to_have_text("我的资料和技能")
        expect(page.get_by_role("checkbox", name="陪伴聊天")).to_be_checked()
        expect(page.get_by_role("checkbox", name="送餐")).to_be_checked()

    def week(page):
        expect(_heading(page)).to_have_text("每周什么时候有空")
        expect(page.get_by_label("周一 第 1 段 开始")).to_have_value("00:00")
        expect(page.get_by_label("周日 第 1 段 结束")).to_have_value("24:00")

    steps = [
        Step("start", on_duty), Step("/volunteer/profile", skills), Step("back", on_duty),
        Step("/volunteer/availability", week), Step("back", on_duty), Step("/settings", _settings),
    ]
    _tour_online_then_offline(open_tab("/"), hood.volunteer_phone, "您好，志愿者", steps)


def test_provider_screens_render_offline_from_the_cache(open_tab, hood):
    phone = hood.provider_phone

    def home(page):
        facts = page.locator(".provider-facts")
        expect(facts.locator("dd").first).to_have_text("南苑食堂")
        expect(facts.locator("dd").nth(1)).to_have_text(f"{phone[:3]} {phone[3:7]} {phone[7:]}")

    steps = [Step("start", home, reads=False), Step("/settings", _settings)]
    _tour_online_then_offline(open_tab("/"), phone, "您好，南苑食堂", steps)


def test_resident_and_proxy_screens_render_offline_from_the_cache(open_tab, family):
    def call_grid_worker(page):
        expect(page.get_by_role("link", name=re.compile("打电话给网格员|给网格员打电话"))).to_be_visible()

    def sos(page):
        expect(_heading(page)).to_have_text("紧急求助")
        expect(page.get_by_role("link", name="打 120 急救")).to_have_attribute("href", "tel:120")

    # The home reads her requests (shown offline from the cache, with 最后更新); SOS reads nothing.
    steps = [Step("start", call_grid_worker), Step("/settings", _settings),
             Step("back", call_grid_worker), Step("/sos", sos, reads=False)]
    _tour_online_then_offline(open_tab("/"), family.resident_phone, "您好，王奶奶", steps)

    def acting_for(page):
        expect(page.locator("#screen")).to_contain_text("王奶奶")
        call_grid_worker(page)

    steps = [Step("start", acting_for), Step("/settings", _settings)]
    _tour_online_then_offline(open_tab("/"), family.proxy_phone, "您好，家属", steps)


OPEN_DB = """
  const db = await new Promise((done, fail) => {
    const request = indexedDB.open("linli");
    request.onsuccess = () => done(request.result);
    request.onerror = () => fail(request.error);
  });
"""
CACHED_ENTRIES = """async (userId) => {""" + OPEN_DB + """
  const index = db.transaction("cache").objectStore("cache").index("user_id");
  const entries = await new Promise((done) => { const r = index.getAll(userId); r.onsuccess = () => done(r.result); });
  db.close();
  return entries;
}"""
PUT_ENTRIES = """async (entries) => {""" + OPEN_DB + """
  const transaction = db.transaction("cache", "readwrite");
  for (const entry of entries) transaction.objectStore("cache").put(entry);
  await new Promise((done) => { transaction.oncomplete = done; });
  db.close();
}"""


def _cached_paths(page, user_id):
    return [entry["path"] for entry in page.evaluate(CACHED_ENTRIES, user_id)]


def test_one_persons_cached_data_is_never_shown_to_the_next_person_on_the_same_phone(open_tab, hood):
    tab = open_tab("/")
    page = tab.page
    submit_sign_in(page, hood.worker_phone, DEMO_PASSWORD)
    expect(page.locator("#screen")).to_contain_text(hood.grid_name)
    _link(page, f"/worker/grids/{hood.grid_id}").click()
    expect(_heading(page)).to_have_text(hood.grid_name)
    assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    first_workers = page.evaluate(CACHED_ENTRIES, hood.worker_id)
    assert f"/api/v1/grids/{hood.grid_id}" in [entry["path"] for entry in first_workers]
    # Her session ends on the server (expired, or this phone signed out from elsewhere): the next
    # start finds /me answering 401 and removes what the phone cached for her.
    page.context.clear_cookies()
    page.goto("/")
    submit_sign_in(page, hood.other_worker_phone, DEMO_PASSWORD)
    expect(page.locator("#screen")).to_contain_text(hood.other_grid_name)
    assert _cached_paths(page, hood.worker_id) == []
    # Even were her entries still on the phone, the colleague signed in now never reads them.
    page.evaluate(PUT_ENTRIES, first_workers)
    page.context.set_offline(True)
    try:
        page.goto("/")
        expect(page.locator("#screen")).to_contain_text(hood.other_grid_name)
        expect(_last_updated(page)).to_have_text(LAST_UPDATED)
        expect(page.locator("#screen")).not_to_contain_text(hood.grid_name)
        page.goto(f"/worker/grids/{hood.grid_id}")
        expect(page.locator("#status")).to_have_text(NEEDS_NETWORK)
        expect(page.locator("#screen")).not_to_contain_text(hood.grid_name)
        expect(page.locator("#screen")).not_to_contain_text(hood.building_label)
        assert f"/api/v1/grids/{hood.grid_id}" in _cached_paths(page, hood.worker_id)
    finally:
        page.context.set_offline(False)
    assert tab.page_errors == []


def test_signing_out_clears_the_cached_screens_of_that_person(open_tab, hood):
    tab = open_tab("/")
    page = tab.page
    submit_sign_in(page, hood.worker_phone, DEMO_PASSWORD)
    _link(page, f"/worker/grids/{hood.grid_id}").click()
    expect(page.locator("#screen")).to_contain_text(hood.building_label)
    assert f"/api/v1/grids/{hood.grid_id}" in _cached_paths(page, hood.worker_id)
    page.goto("/settings")
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()
    assert _cached_paths(page, hood.worker_id) == []
    assert tab.page_errors == []


def test_offline_the_residents_search_answers_only_searches_made_online(open_tab, hood):
    tab = open_tab("/")
    page = tab.page
    submit_sign_in(page, hood.worker_phone, DEMO_PASSWORD)
    assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    _link(page, "/worker/residents").click()
    expect(page.locator("#screen")).to_contain_text(hood.resident_line)
    page.get_by_label("姓名或称呼").fill("周")
    page.get_by_role("button", name="查找").click()
    expect(page.locator("#screen")).to_contain_text(hood.resident_line)
    page.context.set_offline(True)
    try:
        page.get_by_label("姓名或称呼").fill("周奶奶")  # never searched online
        page.get_by_role("button", name="查找").click()
        expect(page.locator("#status")).to_have_text(NEEDS_NETWORK)
        expect(page.locator("#screen")).not_to_contain_text(hood.resident_line)
        page.get_by_label("姓名或称呼").fill("周")  # searched online: its first page is on the phone
        page.get_by_role("button", name="查找").click()
        expect(page.locator("#screen")).to_contain_text(hood.resident_line)
        expect(_last_updated(page)).to_have_text(LAST_UPDATED)
    finally:
        page.context.set_offline(False)
    assert tab.page_errors == []


AGE_CACHED = """async ({userId, path, fetchedAt}) => {""" + OPEN_DB + """
  const store = db.transaction("cache", "readwrite").objectStore("cache");
  const entry = await new Promise((done) => { const r = store.get([userId, path]); r.onsuccess = () => done(r.result); });
  await new Promise((done) => { const r = store.put({ ...entry, fetched_at: fetchedAt }); r.onsuccess = done; });
  db.close();
}"""


def test_last_updated_names_the_oldest_cached_data_on_the_screen(open_tab, hood):
    tab = open_tab("/")
    page = tab.page
    submit_sign_in(page, hood.worker_phone, DEMO_PASSWORD)
    zone = ZoneInfo(page.request.get("/api/v1/me").json()["time_zone"])
    _link(page, f"/worker/grids/{hood.grid_id}").click()
    expect(page.locator("#screen")).to_contain_text(hood.building_label)
    # As if the grid were fetched at one time and everything else (its buildings) two hours later.
    grid_time = datetime(2026, 3, 2, 1, 5, tzinfo=ZoneInfo("UTC"))
    grid_path = f"/api/v1/grids/{hood.grid_id}"
    paths = _cached_paths(page, hood.worker_id)
    assert grid_path in paths and any(path.startswith("/api/v1/buildings?") for path in paths)
    for path in paths:
        moment = grid_time if path == grid_path else grid_time + timedelta(hours=2)
        page.evaluate(AGE_CACHED, {"userId": hood.worker_id, "path": path, "fetchedAt": moment.isoformat()})
    page.go_back()
    expect(page.locator("#screen")).to_contain_text(hood.grid_name)
    page.context.set_offline(True)
    try:
        _link(page, f"/worker/grids/{hood.grid_id}").click()
        expect(_heading(page)).to_have_text(hood.grid_name)
        expect(page.locator("#screen")).to_contain_text(hood.building_label)
        expect(_last_updated(page)).to_have_text(f"最后更新 {grid_time.astimezone(zone):%H:%M}")
        results = Axe().run(page, options=ELDER_AXE)
        assert results.violations_count == 0, results.generate_report()
        assert page.evaluate(SIZE_SCAN) == []
    finally:
        page.context.set_offline(False)
    assert tab.page_errors == []
