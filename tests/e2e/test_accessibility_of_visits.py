"""Accessibility of the visit rules and the family's visit summaries (ACCESSIBILITY.md), in the
standard mode and in elder mode: axe with WCAG 2.2 AA and best practice (AAA contrast in elder
mode), the computed-style scan of text and targets, and reflow at 320 px and at 200 % text — on
every state: the rules as a worker and as an admin, a delete confirmation open, the add form with
the server's refusal, the change form; a relative's summaries, her home with its link, and the
resident's own summaries."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.journeys import sign_out
from tests.e2e.test_accessibility import AXE_TAGS, OVERFLOW, SIZE_SCAN
from tests.e2e.test_worker_home import _heading, _set_elder_mode
from tests.e2e.visits import expect_both_summaries, make_kin, record_visits, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(params=[False, True], ids=["standard", "elder-mode"])
def elder(request):
    return request.param


@pytest.fixture
def kin(live_server, open_tab):
    made = make_kin(live_server.app)
    record_visits(open_tab, made)
    return made


def _as(page, phone, greeting, elder):
    sign_in(page, phone, greeting)
    _set_elder_mode(page, elder)


def each_screen(tab, kin, elder):
    """Every visit rules and summaries screen and state, yielding each name."""
    page = tab.page
    _as(page, kin.worker_phone, "您好，走访网格员", elder)
    page.get_by_role("link", name="走访规则").click()
    expect(page.get_by_text("只有社区管理员可以修改走访规则。")).to_be_visible()
    yield "rules-worker"
    page.goto("/")
    sign_out(page)
    _as(page, kin.admin_phone, "您好，走访管理员", elder)
    yield "admin-home"
    page.get_by_role("link", name="走访规则").click()
    expect(page.locator(".visit-rule-words")).to_have_count(3)
    yield "rules-admin"
    page.get_by_role("button", name="删除「留守妇女」").click()
    expect(page.get_by_role("button", name="确认删除")).to_be_visible()
    yield "rules-delete-question"
    page.get_by_role("link", name="添加规则").click()
    expect(page.get_by_label("独居")).to_be_visible()
    page.get_by_label("每隔几天走访一次", exact=True).fill("14")
    page.get_by_label("头多少天").fill("30")
    page.get_by_role("button", name="添加规则").click()
    expect(page.get_by_role("alert")).to_contain_text("分阶段的规则要同时填写前期间隔和前期天数（或都不填）。")
    yield "rule-refused"
    page.goto("/worker/visit-rules")
    page.get_by_role("link", name="修改「留守妇女」").click()
    expect(page.get_by_label("头多少天")).to_have_value("30")
    yield "rule-change"
    page.goto("/")
    sign_out(page)
    _as(page, kin.daughter_phone, "您好，王丽", elder)
    yield "relative-home"
    page.get_by_role("link", name="走访小结").click()
    expect_both_summaries(page)
    yield "relative-summaries"
    page.goto("/")
    sign_out(page)
    _as(page, kin.resident_phone, "您好，王奶奶", elder)
    page.get_by_role("link", name="走访小结").click()
    expect(_heading(page)).to_have_text("走访小结")
    expect_both_summaries(page)
    yield "own-summaries"


def test_axe_finds_no_violations_on_the_visit_rules_and_summaries(open_tab, kin, elder):
    tab = open_tab("/")
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    if elder:
        options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
    for screen in each_screen(tab, kin, elder):
        results = axe.run(tab.page, options=options)
        assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"
    assert tab.csp_violations() == [] and tab.page_errors == []


def test_visit_rules_and_summaries_have_large_text_and_big_controls(open_tab, kin, elder):
    tab = open_tab("/")
    for screen in each_screen(tab, kin, elder):
        assert tab.page.evaluate(SIZE_SCAN) == [], screen
        assert _heading(tab.page).count() == 1, screen
        tab.screenshot(f"visits-{'elder-' if elder else ''}{screen}")


def test_visit_rules_and_summaries_reflow_at_320_pixels_and_double_text(open_tab, kin, elder):
    tab = open_tab("/", width=320, height=640)
    for screen in each_screen(tab, kin, elder):
        assert tab.page.evaluate(OVERFLOW) <= 0, f"320px {screen}"
        tab.page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert tab.page.evaluate(OVERFLOW) <= 0, f"200% {screen}"
        tab.page.evaluate("document.documentElement.style.fontSize = ''")
