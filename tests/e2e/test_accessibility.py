"""Accessibility and elder-friendliness of the placeholder, per /shared/ACCESSIBILITY.md:
axe-core's WCAG 2.2 AA and best-practice rules, computed text and target sizes, and reflow."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.journeys import each_link_screen, each_screen

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Every visible element with its own text, and every control: font size, line height, box size.
SIZE_SCAN = """
() => {
  const problems = [];
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "");
  for (const el of document.body.querySelectorAll("*")) {
    if (["SCRIPT", "TEMPLATE", "NOSCRIPT"].includes(el.tagName)) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || style.visibility === "hidden") continue;
    const control = el.matches("button, input, select, textarea");
    const ownText = [...el.childNodes].some((node) => node.nodeType === 3 && node.textContent.trim());
    if (ownText || control) {
      const size = parseFloat(style.fontSize);
      const lineHeight = style.lineHeight === "normal" ? NaN : parseFloat(style.lineHeight);
      if (size < 18) problems.push(`${describe(el)} font ${size}px`);
      if (!(lineHeight >= 1.3 * size - 0.05)) problems.push(`${describe(el)} line-height ${style.lineHeight} for ${size}px`);
    }
    if (control) {
      const least = el.hasAttribute("data-primary") ? 60 : 44;
      if (box.width < least || box.height < least) {
        problems.push(`${describe(el)} ${Math.round(box.width)}x${Math.round(box.height)} < ${least}`);
      }
    }
  }
  return problems;
}
"""

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def axe_options(elder: bool) -> dict:
    """WCAG 2.2 AA and best practice; in elder mode also AAA contrast (color-contrast-enhanced)."""
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    if elder:
        options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
    return options


def assert_accessible_screen(page, name: str, *, elder: bool) -> None:
    """The screen now on `page` passes axe, the size scan, and reflows at 320 px wide and at 200 %
    text (the page is put back to 360×740 and its own text size afterwards)."""
    results = Axe().run(page, options=axe_options(elder))
    assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"
    assert page.evaluate(SIZE_SCAN) == [], name
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate(OVERFLOW) <= 0, f"320px {name}"
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate(OVERFLOW) <= 0, f"200% {name}"
    page.evaluate("document.documentElement.style.fontSize = ''")
    page.set_viewport_size({"width": 360, "height": 740})


@pytest.fixture(params=["password", "link"])
def journey(request, open_tab):
    """open(width, height) -> (tab, screens): the password sign-in, or a phone linked with a code."""
    def _open(width=360, height=740):
        if request.param == "password":
            tab = open_tab("/", width=width, height=height)
            return tab, each_screen(tab)
        code = request.getfixturevalue("link_code")
        tab = open_tab(f"/link/{code}", width=width, height=height)
        return tab, each_link_screen(tab)
    return _open


def test_axe_finds_no_violations_on_any_screen(journey):
    tab, screens = journey()
    axe = Axe()
    for screen in screens:
        results = axe.run(tab.page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"
    assert tab.csp_violations() == []


def test_text_is_large_and_controls_are_big_enough_at_phone_size(journey):
    tab, screens = journey(360, 740)
    for screen in screens:
        assert tab.page.locator("[data-primary]").count() >= 1, screen
        assert tab.page.evaluate(SIZE_SCAN) == [], screen


def test_no_horizontal_scroll_at_320_pixels_wide(journey):
    tab, screens = journey(320, 640)
    for screen in screens:
        assert tab.page.evaluate(OVERFLOW) <= 0, screen
        tab.screenshot(f"reflow-320-{screen}")


def test_no_horizontal_scroll_at_double_text_size(journey):
    tab, screens = journey(360, 740)
    for screen in screens:
        tab.page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert tab.page.evaluate(OVERFLOW) <= 0, screen
        tab.screenshot(f"text-200-{screen}")
        tab.page.evaluate("document.documentElement.style.fontSize = ''")
