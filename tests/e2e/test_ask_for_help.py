"""The resident's ask flow and requests in Chromium (issue 5, PWA screens): four taps from the home
send exactly one request; offline, the call screen opens instead of a silent wait; a proxy asks for
their resident; a request is cancelled with a confirmation; a finished visit is confirmed with
stars and words."""
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from backend.accounts.models import User
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.help_requests.services.assigning import assign_volunteer
from backend.volunteers.models import Volunteer
from tests.e2e.journeys import submit_sign_in
from tests.factories import (
    DEMO_PASSWORD, make_building, make_community, make_grid, make_household, make_proxy, make_resident, make_user,
    make_volunteer, make_worker,
)

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Neighbourhood:
    """A community of its own: a resident with an account, her grid worker, a daughter who may ask
    for her, and two volunteers who do errands, free all week, next door."""
    resident_id: int
    resident_phone: str
    worker_phone: str
    proxy_phone: str
    volunteer_phones: tuple[str, str]


def make_neighbourhood(app, name: str) -> Neighbourhood:
    with app.app_context():
        community = make_community(name)
        grid = make_grid(community)
        worker = make_worker(grid)
        account = make_user(community, "resident", name="王秀英")
        account.elder_mode, account.text_size = True, "large"
        resident = make_resident(make_household(make_building(grid)), user=account)
        proxy = make_proxy(resident, "view_status", "request_help")
        proxy.elder_mode = True
        volunteers = [make_volunteer(community, skills=("errands", "companionship")) for _ in range(2)]
        db.session.commit()
        made = Neighbourhood(resident_id=resident.id, resident_phone=account.phone, worker_phone=worker.phone,
                             proxy_phone=proxy.phone, volunteer_phones=tuple(user.phone for user in volunteers))
        db.session.remove()
    return made


def requests_of(app, resident_id: int) -> list[HelpRequest]:
    with app.app_context():
        rows = list(db.session.scalars(select(HelpRequest).where(HelpRequest.resident_id == resident_id)
                                       .order_by(HelpRequest.id)))
        db.session.expunge_all()
        db.session.remove()
    return rows


def count_requests(app, resident_id: int) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(HelpRequest)
                                  .where(HelpRequest.resident_id == resident_id))
        db.session.remove()
    return count


def heading(page):
    return page.get_by_role("heading", level=1)


def sign_in(page, phone: str, greeting: str):
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(heading(page)).to_have_text(greeting)


def ask(page, category: str = "代购跑腿", when: str = "现在"):
    """The four taps, up to the read-back (the fourth, 确认发送, is the caller's)."""
    page.get_by_role("link", name="我要求助").click()
    expect(heading(page)).to_have_text("您需要什么帮助？")
    page.get_by_role("button", name=category).click()
    expect(heading(page)).to_have_text("什么时候需要？")
    page.get_by_role("button", name=when, exact=True).click()
    expect(heading(page)).to_have_text("请确认")


@pytest.fixture(scope="module")
def place(live_server):
    return make_neighbourhood(live_server.app, "和睦社区")


def test_four_taps_send_exactly_one_request(open_tab, live_server, place):
    tab = open_tab("/")
    page = tab.page
    sign_in(page, place.resident_phone, "您好，王奶奶")
    before = count_requests(live_server.app, place.resident_id)
    page.get_by_role("link", name="我要求助").click()
    choices = page.locator(".ask-choices button")
    expect(choices).to_have_text(["陪伴聊天", "代购跑腿", "送餐", "维修", "其他"])
    assert page.locator(".ask-choices svg[aria-hidden=true]").count() == 5
    page.get_by_role("button", name="代购跑腿").click()
    page.get_by_role("button", name="明天", exact=True).click()
    expect(page.get_by_text("您要：代购跑腿，明天上午 — 确认发送？")).to_be_visible()
    with page.expect_response("**/api/v1/help-requests") as sent:
        page.get_by_role("button", name="确认发送").click()
    assert sent.value.status == 201
    expect(heading(page)).to_contain_text("代购跑腿 · ")
    expect(page.locator("#status")).to_contain_text("已发送")
    expect(page.locator(".request-now")).to_have_text("正在联系志愿者")
    rows = requests_of(live_server.app, place.resident_id)
    assert len(rows) == before + 1
    made = rows[-1]
    assert (made.category, made.asap, made.on_behalf) == ("errands", False, "resident")
    assert made.window_end - made.window_start == timedelta(hours=10)
    # On the home, in plain words.
    page.get_by_role("link", name="返回主页").click()
    expect(page.locator(".my-requests .request-state").first).to_have_text("正在联系志愿者")
    assert tab.foreign_requests() == [] and tab.page_errors == []


def test_cancel_on_any_step_sends_nothing(open_tab, live_server, place):
    page = open_tab("/").page
    sign_in(page, place.resident_phone, "您好，王奶奶")
    before = count_requests(live_server.app, place.resident_id)
    ask(page)
    page.get_by_role("link", name="取消，返回主页").click()
    expect(heading(page)).to_have_text("您好，王奶奶")
    page.get_by_role("link", name="我要求助").click()
    page.get_by_role("link", name="取消，返回主页").click()
    expect(heading(page)).to_have_text("您好，王奶奶")
    assert count_requests(live_server.app, place.resident_id) == before


def test_offline_ask_opens_the_call_screen(open_tab, live_server, place):
    tab = open_tab("/")
    page = tab.page
    sign_in(page, place.resident_phone, "您好，王奶奶")
    before = count_requests(live_server.app, place.resident_id)
    ask(page, "陪伴聊天", "现在")
    expect(page.get_by_text("您要：陪伴聊天，现在 — 确认发送？")).to_be_visible()
    page.context.set_offline(True)
    page.get_by_role("button", name="确认发送").click()
    expect(heading(page)).to_have_text("没有发出 — 请直接打电话")
    call = page.get_by_role("link", name="打给网格员")
    expect(call).to_have_attribute("href", f"tel:{place.worker_phone}")
    page.context.set_offline(False)
    assert count_requests(live_server.app, place.resident_id) == before


def test_a_proxy_asks_for_their_resident(open_tab, live_server, place):
    page = open_tab("/").page
    sign_in(page, place.proxy_phone, "您好，家属")
    before = count_requests(live_server.app, place.resident_id)
    ask(page, "送餐", "现在")
    expect(page).to_have_url(f"{page.url.split('/for/')[0]}/for/{place.resident_id}/ask-for-help")
    expect(page.get_by_text("正在代 王奶奶 操作")).to_be_visible()
    with page.expect_response("**/api/v1/help-requests"):
        page.get_by_role("button", name="确认发送").click()
    expect(page.locator(".request-now")).to_have_text("正在联系志愿者")
    rows = requests_of(live_server.app, place.resident_id)
    assert len(rows) == before + 1
    assert (rows[-1].category, rows[-1].asap, rows[-1].on_behalf) == ("meal_delivery", True, "proxy")


def test_resident_cancels_a_sent_request_after_confirming(open_tab, live_server, place):
    page = open_tab("/").page
    sign_in(page, place.resident_phone, "您好，王奶奶")
    ask(page, "维修", "现在")
    with page.expect_response("**/api/v1/help-requests"):
        page.get_by_role("button", name="确认发送").click()
    expect(page.locator(".request-now")).to_have_text("正在联系志愿者")
    made = requests_of(live_server.app, place.resident_id)[-1]
    page.get_by_role("button", name="取消这次求助").click()
    expect(heading(page)).to_have_text("确定要取消吗？")
    page.get_by_role("link", name="不取消，返回").click()
    expect(page.locator(".request-now")).to_have_text("正在联系志愿者")
    assert requests_of(live_server.app, place.resident_id)[-1].status != "cancelled"
    page.get_by_role("button", name="取消这次求助").click()
    with page.expect_response(f"**/api/v1/help-requests/{made.id}/cancel"):
        page.get_by_role("button", name="确定取消").click()
    expect(page.locator(".request-now")).to_have_text("已取消")
    expect(page.locator("#status")).to_have_text("已取消。")
    assert requests_of(live_server.app, place.resident_id)[-1].status == "cancelled"
    expect(page.get_by_role("button", name="取消这次求助")).to_be_hidden()


def test_cancelling_late_asks_for_a_reason(open_tab, live_server, place):
    """Accepted more than 10 minutes after asking: the server asks why, and the field appears."""
    page = open_tab("/").page
    sign_in(page, place.resident_phone, "您好，王奶奶")
    ask(page, "维修", "现在")
    with page.expect_response("**/api/v1/help-requests"):
        page.get_by_role("button", name="确认发送").click()
    made = requests_of(live_server.app, place.resident_id)[-1]
    _accept_long_ago(live_server.app, made.id)
    page.reload()
    expect(page.locator(".request-now")).to_contain_text("已接单")
    page.get_by_role("button", name="取消这次求助").click()
    with page.expect_response(f"**/api/v1/help-requests/{made.id}/cancel"):
        page.get_by_role("button", name="确定取消").click()
    expect(page.get_by_role("alert")).to_contain_text("原因")
    assert requests_of(live_server.app, place.resident_id)[-1].status == "accepted"
    page.get_by_label("为什么取消").fill("家里人回来了")
    with page.expect_response(f"**/api/v1/help-requests/{made.id}/cancel"):
        page.get_by_role("button", name="确定取消").click()
    expect(page.locator(".request-now")).to_have_text("已取消")
    assert requests_of(live_server.app, place.resident_id)[-1].status == "cancelled"


def _accept_long_ago(app, request_id: int):
    """A volunteer accepted the request (through the real assignment), asked 20 minutes ago."""
    with app.app_context():
        request = db.session.get(HelpRequest, request_id)
        request.created_at = datetime.now(UTC) - timedelta(minutes=20)
        db.session.commit()
        volunteer = db.session.scalar(select(Volunteer).where(Volunteer.community_id == request.community_id))
        worker = db.session.scalar(select(User).where(User.display_name == "网格员", User.community_id == request.community_id))
        assign_volunteer(request_id, volunteer.id, worker, via="worker")
        db.session.remove()
