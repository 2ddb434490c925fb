"""The visit rules screen in Chromium (issue 7): an admin adds a staged rule and reads it back in
words, sees the server's refusal of a staged rule with one number in the error summary, changes a
rule and deletes one after a confirmation (and one another admin deleted meanwhile); a worker reads the rules, most frequent first, with
nothing to change them with, and the API refuses them anyway; offline the rules show from this
phone's cache and a new rule waits, as typed, for the network."""
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from backend.extensions import db
from backend.visits.models import VisitRule
from tests.e2e.test_install_and_offline import SERVICE_WORKER_ACTIVATED
from tests.e2e.test_worker_home import _heading, _sign_in_as, _with_app
from tests.factories import make_admin, make_community, make_grid, make_worker

pytestmark = pytest.mark.browser

LAST_UPDATED = re.compile(r"^最后更新 \d\d:\d\d$")


@dataclass(frozen=True)
class Office:
    community_id: int
    admin_phone: str
    worker_phone: str


@pytest.fixture
def office(live_server) -> Office:
    """A community of its own (so its rules are this test's alone) with an admin, a worker and two
    of the issue's rules."""
    def make():
        community = make_community("走访规则社区")
        admin = make_admin(community)
        admin.display_name = "规则管理员"
        worker = make_worker(make_grid(community))
        worker.display_name = "规则网格员"
        db.session.add_all([
            VisitRule(community_id=community.id, tags=["aged_80_plus", "lives_alone"], interval_days=7),
            VisitRule(community_id=community.id, tags=[], interval_days=30),
        ])
        db.session.commit()
        return Office(community_id=community.id, admin_phone=admin.phone, worker_phone=worker.phone)
    return _with_app(live_server, make)


def _rules(page) -> list[tuple]:
    return [(rule["tags"], rule["interval_days"], rule["first_interval_days"], rule["first_period_days"])
            for rule in page.request.get("/api/v1/visit-rules").json()]


def _rule_texts(page) -> list[str]:
    return page.locator(".visit-rule-words").all_inner_texts()


def test_an_admin_adds_a_staged_rule_is_refused_half_a_stage_changes_and_deletes_a_rule(open_tab, office):
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, office.admin_phone, "您好，规则管理员")
    page.get_by_role("link", name="走访规则").click()
    expect(_heading(page)).to_have_text("走访规则")
    expect(page.get_by_text("改了规则，下次查看待走访名单时就按新规则算。")).to_be_visible()
    expect(page.locator(".visit-rule-words")).to_have_text(["独居 + 高龄：每 7 天", "其他有标签的居民：每 30 天"])

    page.get_by_role("link", name="添加规则").click()
    expect(_heading(page)).to_have_text("添加规则")
    form = page.get_by_role("group", name="居民要同时有这些标签")
    form.get_by_label("留守妇女").check()
    page.get_by_label("每隔几天走访一次", exact=True).fill("14")
    page.get_by_label("这段时间每隔几天走访一次").fill("7")
    page.get_by_role("button", name="添加规则").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("分阶段的规则要同时填写前期间隔和前期天数（或都不填）。")
    assert page.title().startswith("错误：")
    expect(page.get_by_label("头多少天")).to_have_attribute("aria-invalid", "true")
    assert len(_rules(page)) == 2
    tab.screenshot("visit-rule-half-staged")

    page.get_by_label("头多少天").fill("30")
    page.get_by_role("button", name="添加规则").click()
    expect(page.locator("#status")).to_have_text("规则已添加。")
    expect(_heading(page)).to_have_text("走访规则")
    expect(page.locator(".visit-rule-words")).to_have_text([
        "独居 + 高龄：每 7 天", "留守妇女：头 30 天每 7 天，之后每 14 天", "其他有标签的居民：每 30 天"])
    assert (["left_behind_woman"], 14, 7, 30) in _rules(page)
    tab.screenshot("visit-rules-admin")

    # Change it: a plain fortnightly rule for 留守妇女 + 低保, without the staged start.
    page.get_by_role("link", name="修改「留守妇女」").click()
    expect(_heading(page)).to_have_text("修改规则：留守妇女：头 30 天每 7 天，之后每 14 天")
    expect(page.get_by_label("每隔几天走访一次", exact=True)).to_have_value("14")
    expect(page.get_by_label("留守妇女")).to_be_checked()
    page.get_by_label("低保").check()
    page.get_by_label("每隔几天走访一次", exact=True).fill("21")
    page.get_by_label("头多少天").fill("")
    page.get_by_label("这段时间每隔几天走访一次").fill("")
    page.get_by_role("button", name="保存规则").click()
    expect(page.locator("#status")).to_have_text("规则已保存。")
    expect(page.locator(".visit-rule-words")).to_have_text([
        "独居 + 高龄：每 7 天", "留守妇女 + 低保：每 21 天", "其他有标签的居民：每 30 天"])
    assert (["left_behind_woman", "low_income"], 21, None, None) in _rules(page)

    # Deleting asks first, under the rule; 不删了 keeps it and gives focus back.
    delete = page.get_by_role("button", name="删除「独居 + 高龄」")
    delete.click()
    question = page.get_by_role("form", name="删除这条规则？独居 + 高龄：每 7 天")
    expect(question).to_be_visible()
    expect(question.get_by_role("heading")).to_be_focused()
    question.get_by_role("button", name="不删了").click()
    expect(question).to_be_hidden()
    expect(delete).to_be_focused()
    assert len(_rules(page)) == 3
    delete.click()
    page.get_by_role("button", name="确认删除").click()
    expect(page.locator("#status")).to_have_text("规则已删除。")
    expect(page.locator(".visit-rule-words")).to_have_text(["留守妇女 + 低保：每 21 天", "其他有标签的居民：每 30 天"])
    assert [rule[0] for rule in _rules(page)] == [["left_behind_woman", "low_income"], []]

    # A rule another admin deleted meanwhile: deleting it too just shows the list as it is now.
    page.get_by_role("button", name="删除「其他有标签的居民」").click()
    [other] = [rule["id"] for rule in page.request.get("/api/v1/visit-rules").json() if rule["tags"] == []]
    token = page.request.get("/api/v1/auth/csrf").json()["csrf_token"]
    assert page.request.delete(f"/api/v1/visit-rules/{other}", headers={"X-CSRF-Token": token}).status == 204
    page.get_by_role("button", name="确认删除").click()
    expect(page.locator("#status")).to_have_text("规则已删除。")
    expect(page.locator(".visit-rule-words")).to_have_text(["留守妇女 + 低保：每 21 天"])
    assert tab.page_errors == [] and tab.foreign_requests() == [] and tab.csp_violations() == []


def test_a_worker_reads_the_rules_but_has_nothing_to_change_them_with(open_tab, office):
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, office.worker_phone, "您好，规则网格员")
    page.get_by_role("link", name="走访规则").click()
    expect(page.locator(".visit-rule-words")).to_have_text(["独居 + 高龄：每 7 天", "其他有标签的居民：每 30 天"])
    expect(page.get_by_text("只有社区管理员可以修改走访规则。")).to_be_visible()
    expect(page.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("link", name="添加规则")).to_have_count(0)
    expect(page.get_by_role("link", name="修改", exact=False)).to_have_count(0)
    page.goto("/worker/visit-rules/new")  # typed by hand: the list, not a form
    expect(_heading(page)).to_have_text("走访规则")
    expect(page).to_have_url(f"{page.url.split('/worker')[0]}/worker/visit-rules")
    expect(page.locator("#screen input")).to_have_count(0)
    token = page.request.get("/api/v1/auth/csrf").json()["csrf_token"]
    refused = page.request.post("/api/v1/visit-rules", data={"tags": [], "interval_days": 3},
                                headers={"X-CSRF-Token": token})
    assert refused.status == 403 and refused.json()["reason"] not in ("csrf_missing", "csrf_invalid")
    assert len(_rules(page)) == 2
    assert tab.page_errors == []


def test_offline_the_rules_show_from_the_cache_and_a_new_rule_waits_for_the_network(open_tab, office):
    tab = open_tab("/")
    page = tab.page
    _sign_in_as(page, office.admin_phone, "您好，规则管理员")
    assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    page.get_by_role("link", name="走访规则").click()
    expect(page.locator(".visit-rule-words")).to_have_count(2)
    page.get_by_role("link", name="添加规则").click()
    expect(page.get_by_label("独居")).to_be_visible()  # the community's tags, read once online
    page.get_by_role("link", name="返回走访规则").click()
    page.context.set_offline(True)
    try:
        assert page.reload().from_service_worker
        expect(page.locator(".visit-rule-words")).to_have_text(["独居 + 高龄：每 7 天", "其他有标签的居民：每 30 天"])
        expect(page.locator("[data-outbox-offline]")).to_have_text(LAST_UPDATED)
        page.get_by_role("link", name="添加规则").click()
        page.get_by_label("失能").check()
        page.get_by_label("每隔几天走访一次", exact=True).fill("7")
        page.get_by_role("button", name="添加规则").click()
        expect(page.get_by_role("alert")).to_contain_text("需要联网")
        expect(page.get_by_label("每隔几天走访一次", exact=True)).to_have_value("7")  # kept as typed
    finally:
        page.context.set_offline(False)
    page.get_by_role("button", name="添加规则").click()
    expect(page.locator("#status")).to_have_text("规则已添加。")
    expect(page.locator(".visit-rule-words")).to_have_text([
        "独居 + 高龄：每 7 天", "失能：每 7 天", "其他有标签的居民：每 30 天"])
    assert [rule[0] for rule in _rules(page)].count(["disabled"]) == 1
    assert tab.page_errors == []
