"""`make screenshots`: regenerates docs/screenshots/ from the demo neighbourhood in Debian's Chromium.

Phone size (360×740 CSS px at device scale 2), whole page, zh-CN, the service worker blocked so
every picture is the app as the server sends it now. Text size is chosen in Settings, as a
resident would, so the pictures show the real preference applied, not a forced style.
"""
from pathlib import Path

from playwright.sync_api import sync_playwright

from tools.demo_app import PHONE_SIZE, demo_app, heading, launch_chromium, sign_in

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
# file → (who, text size label in Settings or None to keep theirs)
SHOTS = {
    "resident-home-standard.png": ("resident", "标准"),
    "resident-home-extra-large.png": ("resident", "特大"),
    "volunteer-home.png": ("volunteer", None),
    "worker-home.png": ("worker", None),
}


def choose_text_size(page, label: str) -> None:
    """Pick a text size in Settings and wait until the server has it (it follows the person)."""
    page.goto("/settings")
    heading(page)
    choice = page.get_by_label(label, exact=True)
    if not choice.is_checked():
        with page.expect_response("**/api/v1/me/preferences"):
            choice.check()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with demo_app() as app, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for name, (who, text_size) in SHOTS.items():
            context = browser.new_context(base_url=app.url, viewport=PHONE_SIZE, device_scale_factor=2,
                                          has_touch=True, is_mobile=True, locale="zh-CN",
                                          service_workers="block")
            page = context.new_page()
            sign_in(page, app.url, app.phones[who])
            if text_size:
                choose_text_size(page, text_size)
            page.goto("/", wait_until="networkidle")
            shown = heading(page)
            page.screenshot(path=str(OUT / name), full_page=True)
            print(f"{OUT / name}: {who}, 「{shown}」")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
