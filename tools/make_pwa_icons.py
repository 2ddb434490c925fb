"""Renders the PWA's PNG icons from their SVG sources in pwa/icons/ with Debian's Chromium.

Run from the repository root after changing an SVG: `.venv/bin/python tools/make_pwa_icons.py`.
Needs /usr/bin/chromium and fonts-noto-cjk (the glyph is drawn with Noto Sans CJK SC Bold); the
PNGs are committed, so phones never depend on a font.
"""
from pathlib import Path

from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parents[1] / "pwa" / "icons"
# (source, output, pixel size): the manifest's 192 and 512, its maskable 512, iOS's 180, and the
# notification badge.
RENDERS = [
    ("icon.svg", "icon-192.png", 192),
    ("icon.svg", "icon-512.png", 512),
    ("icon-maskable.svg", "icon-maskable-512.png", 512),
    ("icon-maskable.svg", "apple-touch-icon.png", 180),  # iOS rounds the corners itself
    ("badge.svg", "badge-96.png", 96),  # the notification badge in Android's status bar (shape only)
]
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGE = """<!doctype html><html><head><style>
html, body {{ margin: 0; background: transparent; }}
svg {{ display: block; width: {size}px; height: {size}px; }}
</style></head><body>{svg}</body></html>"""


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for source, output, size in RENDERS:
            page = browser.new_page(viewport={"width": size, "height": size}, device_scale_factor=1)
            page.set_content(PAGE.format(size=size, svg=(ICONS / source).read_text(encoding="utf-8")))
            page.evaluate("document.fonts.ready")
            page.screenshot(path=str(ICONS / output), omit_background=True)
            page.close()
            print(f"pwa/icons/{output}: {size}×{size} from {source}")
        browser.close()


if __name__ == "__main__":
    main()
