"""The volunteer's offers and tasks in Chromium (issue 5, PWA screens), the whole loop: a resident
asks in four taps, both volunteers see the offer, one accepts and the other learns
「已被其他志愿者接单」, the task shows the address, a call button and an Amap link, check-in offline
then check-out online gives the real hours on the server, and the resident confirms with stars.
Also: 这次不行 with a reason, withdrawing with a reason, and the GCJ-02 conversion in the browser."""
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.matching.models import Offer
from tests.e2e.test_ask_for_help import ask, heading, make_neighbourhood, requests_of, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def place(live_server):
    return make_neighbourhood(live_server.app, "友爱社区")


def offers_of(app, request_id: int) -> list[Offer]:
    with app.app_context():
        rows = list(db.session.scalars(select(Offer).where(Offer.help_request_id == request_id).order_by(Offer.id)))
        db.session.expunge_all()
        db.session.remove()
    return rows


def request_row(app, request_id: int) -> HelpRequest:
    with app.app_context():
        row = db.session.get(HelpRequest, request_id)
        db.session.expunge_all()
        db.session.remove()
    return row


def resident_asks(open_tab, place, category="代购跑腿"):
    """The resident's tab, after asking in four taps; returns (tab, request id)."""
    tab = open_tab("/")
    page = tab.page
    sign_in(page, place.resident_phone, "您好，王奶奶")
    ask(page, category, "现在")
    with page.expect_response("**/api/v1/help-requests") as sent:
        page.get_by_role("button", name="确认发送").click()
    return tab, sent.value.json()["id"]


def volunteer_tab(open_tab, phone):
    tab = open_tab("/")
    sign_in(tab.page, phone, "您好，志愿者")
    return tab


def offer_card(page, category="代购跑腿"):
    return page.locator(".offer-card", has_text=category)


def test_the_whole_loop_first_accept_wins_offline_check_in_and_stars(open_tab, live_server, place):
    resident, request_id = resident_asks(open_tab, place)
    first = volunteer_tab(open_tab, place.volunteer_phones[0])
    second = volunteer_tab(open_tab, place.volunteer_phones[1])
    for tab in (first, second):
        card = offer_card(tab.page)
        expect(card.get_by_role("heading", level=3)).to_have_text("代购跑腿 · 尽快")
        expect(card).to_contain_text("王奶奶 · ")
        expect(card).to_contain_text("离您 0.1 公里")
        expect(card).to_contain_text("为什么找您：0.1 km")
        expect(card.get_by_role("button", name="接单")).to_be_visible()
        expect(card.get_by_role("button", name="这次不行")).to_be_visible()
        # Before acceptance: no door, no phone, no full name.
        assert "王秀英" not in tab.page.content() and "tel:1" not in tab.page.locator("main").inner_html()

    page = first.page
    with page.expect_response("**/api/v1/offers/*/accept") as accepted:
        offer_card(page).get_by_role("button", name="接单").click()
    assert accepted.value.status == 200
    expect(heading(page)).to_have_text("代购跑腿 · 尽快")
    expect(page).to_have_url(f"{live_server.url}/tasks/{request_id}")
    expect(page.get_by_text("姓名：王秀英")).to_be_visible()
    expect(page.get_by_text("地址：")).to_be_visible()
    expect(page.locator('a[href^="https://uri.amap.com/marker?position="]')).to_have_text("在高德地图上看位置")
    expect(page.locator(".request-now")).to_have_text("已接单：到了以后请点“签到”。")
    assert request_row(live_server.app, request_id).status == "accepted"

    other = second.page
    with other.expect_response("**/api/v1/offers/*/accept") as lost:
        offer_card(other).get_by_role("button", name="接单").click()
    assert lost.value.status == 409
    expect(offer_card(other).locator(".offer-outcome")).to_have_text("已被其他志愿者接单。")
    expect(offer_card(other).get_by_role("button", name="接单")).to_have_count(0)

    # Check-in offline: kept with the tap's time, sent when the phone is back online.
    page.context.set_offline(True)
    page.get_by_role("button", name="签到").click()
    expect(page.locator(".request-now")).to_contain_text("联网后会自动发送")
    expect(page.get_by_role("button", name="签退")).to_be_visible()
    assert request_row(live_server.app, request_id).status == "accepted"
    time.sleep(2)
    with page.expect_response(f"**/api/v1/help-requests/{request_id}/check-in") as checked_in:
        page.context.set_offline(False)
    assert checked_in.value.status == 200
    with page.expect_response(f"**/api/v1/help-requests/{request_id}/check-out"):
        page.get_by_role("button", name="签退").click()
    expect(page.locator("#status")).to_have_text("已签退。")
    row = request_row(live_server.app, request_id)
    assert row.status == "completed"
    assert (row.check_in_received_at - row.checked_in_at).total_seconds() >= 1.5  # counted from the tap
    assert row.hours == round((row.checked_out_at - row.checked_in_at).total_seconds() / 3600, 2)
    expect(page.locator(".request-now")).to_have_text(f"已完成，服务时长 {row.hours:g} 小时。")

    # The resident confirms with big stars with words.
    home = resident.page
    home.reload()
    expect(home.locator(".request-now")).to_have_text("志愿者已经帮完了，请您评价")
    expect(home.get_by_role("radio")).to_have_count(5)
    home.get_by_role("button", name="提交评价").click()
    expect(home.get_by_role("alert")).to_contain_text("请选一个满意程度。")
    home.get_by_label("5 很满意").check()
    home.get_by_label("想说的话").fill("很准时，谢谢")
    with home.expect_response(f"**/api/v1/help-requests/{request_id}/confirm"):
        home.get_by_role("button", name="提交评价").click()
    expect(home.locator(".request-now")).to_have_text("已完成，谢谢您的评价")
    row = request_row(live_server.app, request_id)
    assert (row.status, row.rating, row.comment) == ("confirmed", 5, "很准时，谢谢")
    for tab in (resident, first, second):
        assert tab.foreign_requests() == [] and tab.page_errors == []


def test_not_this_time_with_a_reason_and_withdrawing_with_one(open_tab, live_server, place):
    resident, request_id = resident_asks(open_tab, place, "陪伴聊天")
    first = volunteer_tab(open_tab, place.volunteer_phones[0])
    card = offer_card(first.page, "陪伴聊天")
    card.get_by_role("button", name="这次不行").click()
    card.get_by_label("原因（可以不填）").fill("今天在外地")
    with first.page.expect_response("**/api/v1/offers/*/decline"):
        card.get_by_role("button", name="确定不接").click()
    expect(card.locator(".offer-outcome")).to_have_text("好的，这次不接。")
    mine = [offer for offer in offers_of(live_server.app, request_id) if offer.status == "declined"]
    assert len(mine) == 1

    second = volunteer_tab(open_tab, place.volunteer_phones[1])
    page = second.page
    with page.expect_response("**/api/v1/offers/*/accept"):
        offer_card(page, "陪伴聊天").get_by_role("button", name="接单").click()
    expect(page).to_have_url(f"{live_server.url}/tasks/{request_id}")
    page.get_by_role("button", name="我来不了").click()
    expect(heading(page)).to_have_text("来不了了吗？")
    page.get_by_role("button", name="确定来不了").click()
    expect(page.get_by_role("alert")).to_contain_text("请写一下原因。")
    assert request_row(live_server.app, request_id).status == "accepted"
    page.get_by_label("原因").fill("家里有急事")
    with page.expect_response(f"**/api/v1/help-requests/{request_id}/withdraw"):
        page.get_by_role("button", name="确定来不了").click()
    expect(page.locator("#status")).to_have_text("已告诉社区，会另找志愿者。")
    assert request_row(live_server.app, request_id).status in ("open", "offered", "escalated")
    resident.page.reload()
    expect(resident.page.get_by_text("志愿者来不了，重新联系")).to_be_visible()
    assert requests_of(live_server.app, place.resident_id)[-1].id == request_id


@pytest.mark.parametrize("wgs, gcj", [
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((35.6812, 139.7671), (35.6812, 139.7671)),  # Tokyo: outside, unchanged
])
def test_gcj02_in_the_browser_matches_the_server_formula(open_tab, wgs, gcj):
    page = open_tab("/").page
    lat, lng = page.evaluate("async ([lat, lng]) => (await import('/app/gcj02.js')).wgs84ToGcj02(lat, lng)", list(wgs))
    assert lat == pytest.approx(gcj[0], abs=1e-9)
    assert lng == pytest.approx(gcj[1], abs=1e-9)
