"""`make screenshots`: regenerates docs/screenshots/ from the demo neighbourhood in Debian's Chromium.

Phone size (360×740 CSS px at device scale 2), whole page, zh-CN, the service worker blocked so
every picture is the app as the server sends it now. Text size is chosen in Settings, as a
resident would, so the pictures show the real preference applied, not a forced style.
"""
from pathlib import Path

from playwright.sync_api import sync_playwright

from tools.demo_app import PHONE_SIZE, demo_app, heading, launch_chromium, sign_in

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
# The demo's open alert about 王奶奶, reached as the worker would (home → 提醒 → the alert), taken
# once its phone numbers have arrived: (links to follow by their words, what shows when it is ready).
OPEN_ALERT = (("提醒：", "没有报平安（演示）"), '#screen a[href^="tel:"]')
# file → (who, text size label in Settings or None to keep theirs, where: an address, or a link
# on the home to follow by its words)
SHOTS = {
    "resident-home-standard.png": ("resident", "标准", "/"),
    "resident-home-extra-large.png": ("resident", "特大", "/"),
    "volunteer-home.png": ("volunteer", None, "/"),
    "worker-home.png": ("worker", None, "/"),
    "worker-alert.png": ("worker", None, OPEN_ALERT),
}


def choose_text_size(page, label: str) -> None:
    """Pick a text size in Settings and wait until the server has it (it follows the person)."""
    page.goto("/settings")
    heading(page)
    choice = page.get_by_label(label, exact=True)
    if not choice.is_checked():
        with page.expect_response("**/api/v1/me/preferences"):
            choice.check()


def follow(page, links, ready: str) -> None:
    """From the home, follow the links whose words contain each of `links` in turn, then wait
    until `ready` (a selector) shows."""
    page.goto("/", wait_until="networkidle")
    for words in links:
        page.locator("#screen a", has_text=words).first.click()
    page.locator(ready).first.wait_for()
    page.wait_for_load_state("networkidle")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with demo_app() as app, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for name, (who, text_size, where) in SHOTS.items():
            context = browser.new_context(base_url=app.url, viewport=PHONE_SIZE, device_scale_factor=2,
                                          has_touch=True, is_mobile=True, locale="zh-CN",
                                          service_workers="block")
            page = context.new_page()
            sign_in(page, app.url, app.phones[who])
            if text_size:
                choose_text_size(page, text_size)
            if isinstance(where, str):
                page.goto(where, wait_until="networkidle")
            else:
                follow(page, *where)
            shown = heading(page)
            page.screenshot(path=str(OUT / name), full_page=True)
            print(f"{OUT / name}: {who}, 「{shown}」")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
