"""The PWA's weight on a first visit and its Lighthouse scores, against issue 3's budgets.

An old Android phone on a weak signal pays for every byte before 王奶奶 sees her SOS button:
this loads each screen in Debian's Chromium, signed in as the role that uses it, with an empty
cache and the service worker blocked, and counts what came over the wire, gzip-compressed.

Run: .venv/bin/python -m benchmarks.pwa_weight   → benchmarks/results/pwa_weight.json
Lighthouse needs `make bench` (it installs lighthouse into benchmarks/.node/ when missing).
"""
import gzip
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

from benchmarks.common import write_result
from tools.demo_app import CHROMIUM, CHROMIUM_ARGS, PHONE_SIZE, demo_app, heading, launch_chromium, sign_in

# screen → (who is signed in, the role the issue names, path). Later issues add their screens here
# under the role of the people who use them. Settings looks the same to everyone; it is loaded as
# the resident (elder mode, larger text: the heaviest layout).
SCREENS = {
    "sign_in": (None, "any", "/"),
    "settings": ("resident", "any", "/settings"),
    "resident_home": ("resident", "resident", "/"),
    "proxy_home": ("proxy", "proxy", "/"),
    "volunteer_home": ("volunteer", "volunteer", "/"),
    "worker_home": ("worker", "worker", "/"),
    "provider_home": ("provider", "provider", "/"),
    # The inbox is everyone's; measured as the resident's (elder mode), whose budget is the tightest.
    "inbox": ("resident", "resident", "/inbox"),
    # Issue 5: the first step of the resident's ask flow, and the volunteer's offers (on their home).
    "ask_for_help": ("resident", "resident", "/ask-for-help"),
    "offers": ("volunteer", "volunteer", "/"),
    # The worker's help requests that need them (escalated, nobody to offer them to).
    "worker_requests": ("worker", "worker", "/worker/requests"),
    # Issue 7: the resident's own visit summaries (a care screen) and the visit rules.
    "visit_summaries": ("resident", "resident", "/visits"),
    "visit_rules": ("worker", "worker", "/worker/visit-rules"),
    # Issue 7: the worker's due list (the households kept on the phone for the visit form).
    "worker_visits": ("worker", "worker", "/worker/visits"),
}
LIGHTHOUSE_SCREENS = ["resident_home", "volunteer_home", "worker_home", "inbox"]
LIGHTHOUSE_RUNS = 3
LIGHTHOUSE = Path(__file__).resolve().parent / ".node" / "node_modules" / ".bin" / "lighthouse"
REPORTS = Path(__file__).resolve().parent / "results" / "pwa_weight"  # each Lighthouse report, to read
GZIP_LEVEL = 6  # gzip's own default, and what a reverse proxy is usually set to
KB = 1000  # the unit: 1 KB = 1,000 bytes
TARGETS = {"care_js_gz": 50 * KB, "js_gz": 100 * KB, "total_gz": 200 * KB}
CARE_SCREENS = {"resident_home", "proxy_home", "inbox", "ask_for_help", "visit_summaries"}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Wire:
    """Every request one page made, and what came back by kind: gzip level 6 of each body (the
    budgets' unit, whatever the server sent) and the bytes on the wire."""

    def __init__(self, page, origin: str):
        self.origin = origin
        self.requests = []
        self.finished = []
        page.on("request", lambda request: self.requests.append(request))
        page.on("requestfinished", lambda request: self.finished.append(request))

    def weigh(self) -> tuple[dict, dict, dict]:
        figures = {"js_gz": 0, "css_html_gz": 0, "total_gz": 0}
        files, wire = {}, {"js_wire": 0, "total_wire": 0, "compressed_by_server": 0, "sent_uncompressed": 0}
        for request in self.finished:
            response = request.response()
            if response is None or 300 <= response.status < 400 or request.url.startswith(("data:", "blob:")):
                continue
            size = len(gzip.compress(response.body(), compresslevel=GZIP_LEVEL))
            on_wire = request.sizes()["responseBodySize"]
            wire["compressed_by_server" if response.headers.get("content-encoding") else "sent_uncompressed"] += 1
            figures["total_gz"] += size
            wire["total_wire"] += on_wire
            files[urlsplit(request.url).path] = files.get(urlsplit(request.url).path, 0) + size
            if request.resource_type == "script":
                figures["js_gz"] += size
                wire["js_wire"] += on_wire
            elif request.resource_type in ("document", "stylesheet"):
                figures["css_html_gz"] += size
        return figures, files, wire

    def fonts(self) -> list[str]:
        return [request.url for request in self.requests if request.resource_type == "font"]

    def foreign(self) -> list[str]:
        return [request.url for request in self.requests
                if not request.url.startswith(("data:", "blob:")) and _origin(request.url) != self.origin]


def _context(browser, base_url: str, **options):
    return browser.new_context(base_url=base_url, viewport=PHONE_SIZE, device_scale_factor=2, has_touch=True,
                               is_mobile=True, locale="zh-CN", service_workers="block", **options)


def measure_screens(browser, app) -> dict:
    """Each screen on a first visit: a fresh context (empty cache) holding only the sign-in."""
    sessions = {}
    results = {"screens": {}, "shown": {}, "files_gz": {}, "wire": {}, "font_urls": [], "foreign_urls": []}
    for screen, (who, role, path) in SCREENS.items():
        if who and who not in sessions:
            signing_in = _context(browser, app.url)
            sign_in(signing_in.new_page(), app.url, app.phones[who])
            sessions[who] = signing_in.storage_state()
            signing_in.close()
        context = _context(browser, app.url, storage_state=sessions.get(who))
        page = context.new_page()
        wire = Wire(page, app.origin)
        page.goto(path, wait_until="networkidle")
        shown = heading(page)
        if who and page.get_by_label("密码", exact=True).is_visible():
            raise RuntimeError(f"{screen}: the sign-in form is showing, not the {role}'s screen")
        page.wait_for_load_state("networkidle")
        figures, files, on_wire = wire.weigh()
        results["screens"][screen] = {"role": role, **figures}
        results["files_gz"][screen] = dict(sorted(files.items(), key=lambda item: -item[1]))
        results["shown"][screen] = f"{path} as {who or 'nobody signed in'}: 「{shown}」"
        results["font_urls"] += wire.fonts()
        results["foreign_urls"] += wire.foreign()
        results["wire"][screen] = on_wire
        context.close()
    return results


def _devtools_port(profile: Path, process) -> int:
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if marker.exists() and marker.read_text().strip():
            return int(marker.read_text().splitlines()[0])
        if process.poll() is not None:
            raise RuntimeError("Chromium for Lighthouse exited at start-up")
        time.sleep(0.1)
    raise RuntimeError("Chromium for Lighthouse did not open its DevTools port")


def run_lighthouse(playwright, app) -> dict:
    """Median of 3 Lighthouse runs (mobile defaults) per screen, in a Chromium profile signed in as the role.

    A session cookie alone (--extra-headers) is not enough: the app asks who is signed in only
    when this browser remembers a sign-in (localStorage), so Lighthouse would score the sign-in
    form. So Lighthouse drives a Chromium we started, whose profile signed in through the form;
    storage reset is off (it would sign the profile out), and before each run we empty the HTTP
    cache and remove the service worker and its caches ourselves, so every run is a first visit.
    """
    scores, shown = {}, {}
    with tempfile.TemporaryDirectory(prefix="linli-lighthouse-") as directory:
        profile = Path(directory) / "profile"
        chromium = subprocess.Popen([CHROMIUM, *CHROMIUM_ARGS, "--remote-debugging-port=0",
                                     f"--user-data-dir={profile}", "about:blank"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port = _devtools_port(profile, chromium)
            browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
            context = browser.contexts[0]
            page = context.new_page()
            page_cdp = context.new_cdp_session(page)
            REPORTS.mkdir(parents=True, exist_ok=True)
            for screen in LIGHTHOUSE_SCREENS:
                who, _, path = SCREENS[screen]
                page_cdp.send("Storage.clearDataForOrigin", {"origin": app.origin, "storageTypes": "all"})
                context.clear_cookies()
                sign_in(page, app.url, app.phones[who])
                page.goto("about:blank")
                runs = []
                for run in range(LIGHTHOUSE_RUNS):
                    page_cdp.send("Storage.clearDataForOrigin",
                                     {"origin": app.origin, "storageTypes": "service_workers,cache_storage"})
                    page_cdp.send("Network.clearBrowserCache")
                    report_path = REPORTS / f"lighthouse-{screen}-{run + 1}.json"
                    subprocess.run(
                        [str(LIGHTHOUSE), f"{app.url}{path}", f"--port={port}", "--disable-storage-reset",
                         "--only-categories=performance,accessibility", "--output=json",
                         f"--output-path={report_path}", "--quiet"],
                        check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=300)
                    report = json.loads(report_path.read_text(encoding="utf-8"))
                    runs.append({name: report["categories"][name]["score"]
                                 for name in ("performance", "accessibility")})
                    if run == 0:
                        _keep_final_screenshot(page, report, screen)
                scores[screen] = {name: statistics.median(run[name] for run in runs)
                                  for name in ("performance", "accessibility")}
                shown[screen] = runs
            browser.close()
        finally:
            chromium.terminate()
            chromium.wait(timeout=30)
    return {"lighthouse": scores, "lighthouse_runs": shown}


def _keep_final_screenshot(page, report: dict, screen: str) -> None:
    """Lighthouse's last frame as a PNG, so a person can check it scored the signed-in screen."""
    data = report["audits"].get("final-screenshot", {}).get("details", {}).get("data")
    if data:
        page.set_content(f'<img alt="" src="{data}" style="display:block">')
        page.locator("img").screenshot(path=str(REPORTS / f"lighthouse-{screen}.png"))
        page.goto("about:blank")


def _verdicts(figures: dict) -> list[tuple[str, bool]]:
    lines = []
    for screen, weight in figures["screens"].items():
        if screen in CARE_SCREENS:
            lines.append((f"{screen} js_gz {weight['js_gz'] / KB:.1f} KB ≤ 50 KB", weight["js_gz"] <= TARGETS["care_js_gz"]))
        else:
            lines.append((f"{screen} js_gz {weight['js_gz'] / KB:.1f} KB ≤ 100 KB", weight["js_gz"] <= TARGETS["js_gz"]))
        lines.append((f"{screen} total_gz {weight['total_gz'] / KB:.1f} KB ≤ 200 KB",
                      weight["total_gz"] <= TARGETS["total_gz"]))
    lines.append((f"web fonts: {figures['web_fonts']} (target 0)", figures["web_fonts"] == 0))
    lines.append((f"third-party requests: {figures['third_party_requests']} (target 0)",
                  figures["third_party_requests"] == 0))
    for screen, score in figures["lighthouse"].items():
        lines.append((f"{screen} Lighthouse accessibility {score['accessibility']:.2f} (target 1.0)",
                      score["accessibility"] == 1))
        lines.append((f"{screen} Lighthouse performance {score['performance']:.2f} (target ≥ 0.9)",
                      score["performance"] >= 0.9))
    return lines


def main() -> dict:
    with demo_app() as app, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        measured = measure_screens(browser, app)
        browser.close()
        if LIGHTHOUSE.exists():
            lighthouse = run_lighthouse(playwright, app)
        else:
            print(f"Lighthouse is not installed ({LIGHTHOUSE}); `make bench` installs it. Skipping its scores.")
            lighthouse = {"lighthouse": {}, "lighthouse_runs": {}}
    figures = {
        "screens": measured["screens"],
        "web_fonts": len(measured["font_urls"]),
        "third_party_requests": len(measured["foreign_urls"]),
        "lighthouse": lighthouse["lighthouse"],
        "compression": (f"*_gz: each body gzipped here at level {GZIP_LEVEL} (the budgets' unit); "
                        "wire: bytes as the server sent them (the app's files Brotli-compressed by "
                        "the server, API answers uncompressed)"),
        "wire": measured["wire"],
        "shown": measured["shown"],
        "files_gz": measured["files_gz"],  # what to trim first when a budget is not met
        "third_party_urls": measured["foreign_urls"],
        "font_urls": measured["font_urls"],
        "lighthouse_runs": lighthouse["lighthouse_runs"],
        "lighthouse_version": "12.2.3" if lighthouse["lighthouse"] else None,
    }
    path = write_result("pwa_weight", figures)
    for screen, weight in figures["screens"].items():
        print(f"{screen:15} ({weight['role']:9}) js {weight['js_gz'] / KB:6.1f} KB  css+html "
              f"{weight['css_html_gz'] / KB:5.1f} KB  total {weight['total_gz'] / KB:6.1f} KB   {figures['shown'][screen]}")
    for text, met in _verdicts(figures):
        print(f"  {'met    ' if met else 'NOT MET'}  {text}")
    for screen, on_wire in figures["wire"].items():
        print(f"{screen:15} on the wire: js {on_wire['js_wire'] / KB:6.1f} KB  total {on_wire['total_wire'] / KB:6.1f} KB  "
              f"({on_wire['compressed_by_server']} compressed by the server, {on_wire['sent_uncompressed']} not)")
    print(f"({figures['compression']}) → {path}")
    return figures


if __name__ == "__main__":
    main()
