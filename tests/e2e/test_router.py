"""The PWA's router in real Chromium: a screen belongs to its address."""
import pytest
from playwright.sync_api import expect

from tests.e2e.care import make_family
from tests.e2e.journeys import submit_sign_in
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# Stands for a request that takes long to load (the test holds its answer back).
SLOW_REQUEST = "/api/v1/help-requests/4242"


@pytest.fixture
def signed_in_tab(browser, live_server):
    """A resident's home in a tab whose requests page.route may hold (no service worker)."""
    family = make_family(live_server.app)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740},
                                  locale="zh-CN", service_workers="block")
    page = context.new_page()
    page.goto("/")
    submit_sign_in(page, family.resident_phone, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，王奶奶")
    yield page
    context.close()


def _open_slow_request(page):
    """Go forward to the slow request's screen, as a link or the Forward button would; returns
    its answer's route, held back until the test lets it go."""
    held = []
    page.route(f"**{SLOW_REQUEST}", lambda route: held.append(route))
    page.evaluate("""() => {
        history.pushState(null, "", "/requests/4242");
        dispatchEvent(new PopStateEvent("popstate"));
    }""")
    for _ in range(300):  # the route handler runs when Playwright next hears from the browser
        if held:
            return held[0]
        page.wait_for_timeout(50)
    raise AssertionError(f"the app never asked for {SLOW_REQUEST}")


def _wait_for_the_page_to_settle(page):
    # What follows asserts that nothing changed, so give the app's code after the answer its turn.
    page.evaluate("() => new Promise((done) => setTimeout(done, 300))")


def test_a_screen_still_loading_when_the_person_goes_back_does_not_replace_the_screen_they_are_on(
        signed_in_tab, live_server):
    page = signed_in_tab
    home_title = page.title()
    slow = _open_slow_request(page)
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("您好，王奶奶")
    with page.expect_response(f"**{SLOW_REQUEST}") as answer:
        slow.continue_()
    answer.value.finished()
    _wait_for_the_page_to_settle(page)
    expect(heading).to_have_text("您好，王奶奶")
    assert page.title() == home_title
    expect(page.get_by_role("link", name="我要求助")).to_be_visible()


def test_the_same_screen_shown_again_at_its_own_address_still_shows(signed_in_tab, live_server):
    page = signed_in_tab
    _open_slow_request(page).continue_()
    expect(page.get_by_role("heading", level=1)).to_have_text("求助详情")
    expect(page).to_have_url(f"{live_server.url}/requests/4242")
