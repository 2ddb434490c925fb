"""The sign-up screen's code states pass axe, the computed-style scan and reflow, with elder mode off
and on: a code sent (the status line and the button counting down), too many codes refused at the
phone field, and a wrong code refused at its own field."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.registration import (
    ask_for_code, code_received, fill_the_rest, make_area, room_to_register, submit_registration,
)
from tests.e2e.test_accessibility import AXE_TAGS, OVERFLOW, SIZE_SCAN

pytestmark = pytest.mark.browser

ELDER = """() => localStorage.setItem("linli.preferences", JSON.stringify({elder_mode: true}))"""
_phones = iter(range(830, 900))


@pytest.fixture(autouse=True)
def _room_to_register(live_server):
    with room_to_register(live_server.app):
        yield


@pytest.fixture(scope="module")
def area(live_server):
    return make_area(live_server.app, "北园网格")


def each_code_state(tab, live_server, area, elder):
    """The sign-up screen in each state the SMS code brings."""
    page = tab.page
    if elder:
        page.evaluate(ELDER)
        page.reload()
    page.get_by_role("link", name="我想当志愿者").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("报名当志愿者")
    phone = f"13700000{next(_phones)}"
    assert ask_for_code(page, phone).status == 202
    expect(page.get_by_text("验证码已发到")).to_be_visible()
    yield "register-code-sent"
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("报名当志愿者")
    assert ask_for_code(page, phone).status == 429
    expect(page.get_by_role("alert")).to_be_visible()
    yield "register-too-many-codes"
    code = code_received(live_server.app, phone)
    page.get_by_label("短信验证码").fill(f"{(int(code) + 1) % 10 ** 6:06d}")
    fill_the_rest(page, area)
    assert submit_registration(page).status == 422
    expect(page.locator("#register-code-error")).to_be_visible()
    yield "register-code-refused"


def _is_elder(page) -> bool:
    return "elder-mode" in (page.locator("html").get_attribute("class") or "").split()


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder-mode"])
def test_axe_finds_no_violations_in_the_code_states(open_tab, live_server, area, elder):
    tab = open_tab("/")
    axe = Axe()
    for screen in each_code_state(tab, live_server, area, elder):
        assert _is_elder(tab.page) is elder, screen
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
        if elder:
            options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
        results = axe.run(tab.page, options=options)
        assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"
    assert tab.csp_violations() == [] and tab.page_errors == []


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder-mode"])
def test_code_states_have_large_text_and_big_enough_controls(open_tab, live_server, area, elder):
    tab = open_tab("/", width=360, height=740)
    for screen in each_code_state(tab, live_server, area, elder):
        assert tab.page.evaluate(SIZE_SCAN) == [], screen
        tab.screenshot(f"volunteer-{'elder-' if elder else ''}{screen}")


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder-mode"])
def test_code_states_reflow_at_320_pixels_and_double_text(open_tab, live_server, area, elder):
    tab = open_tab("/", width=320, height=640)
    for screen in each_code_state(tab, live_server, area, elder):
        assert tab.page.evaluate(OVERFLOW) <= 0, f"320 px: {screen}"
        tab.page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert tab.page.evaluate(OVERFLOW) <= 0, f"200 %: {screen}"
        tab.page.evaluate("document.documentElement.style.fontSize = ''")
