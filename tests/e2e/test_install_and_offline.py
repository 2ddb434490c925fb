"""Installing the PWA and running it offline in real Chromium: the manifest and service worker make
it installable, the shell starts from cache without a network, and a new version waits for a tap."""
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Response, request
from playwright.sync_api import expect

from backend import create_app
from config import BASE_DIR
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, RECORD_CSP_VIOLATIONS, Tab, serving

pytestmark = pytest.mark.browser

UPDATE_OFFER = "新版本可用 — 点击刷新"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Resolves once this page's service worker has finished activating.
SERVICE_WORKER_ACTIVATED = """
async () => {
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  if (worker.state !== "activated") {
    await new Promise((done) => worker.addEventListener("statechange", () => {
      if (worker.state === "activated") done();
    }));
  }
  return worker.state;
}
"""

# Asks the server for sw.js again and resolves with the fate of what it found: "unchanged",
# "installed" (waiting for the tap) or "redundant" (the install failed).
CHECK_FOR_UPDATE = """
async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  await registration.update();
  const worker = registration.installing || registration.waiting;
  if (!worker) return "unchanged";
  while (!["installed", "redundant"].includes(worker.state)) {
    await new Promise((done) => worker.addEventListener("statechange", done, { once: true }));
  }
  return worker.state;
}
"""

CACHED_URLS = """
async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
  }
  return urls;
}
"""


def _sign_in_button(page):
    return page.get_by_role("button", name="登录", exact=True)


def test_app_is_installable_from_a_persistent_profile(browser, live_server, tmp_path):
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
        base_url=live_server.url, viewport={"width": 360, "height": 740}, has_touch=True, locale="zh-CN",
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto("/")
        assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == []
        assert manifest["url"] == f"{live_server.url}/manifest.webmanifest"
    finally:
        context.close()


def test_after_one_visit_the_shell_and_app_paths_open_offline(open_tab):
    tab = open_tab("/")
    page = tab.page
    _sign_in_button(page).wait_for()
    assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    page.context.set_offline(True)
    try:
        response = page.reload()
        assert response.from_service_worker
        expect(_sign_in_button(page)).to_be_visible()
        expect(page.locator("footer")).to_contain_text("0571 8888 0000")  # the shell as the server rendered it
        tab.screenshot("offline-sign-in")
        response = page.goto("/link/ABCD2345")
        assert response.from_service_worker
        expect(page.get_by_role("button", name="在这部手机上登录")).to_be_visible()
        tab.screenshot("offline-link")
    finally:
        page.context.set_offline(False)
    assert tab.page_errors == []
    assert tab.csp_violations() == []
    assert tab.foreign_requests() == []


def test_the_api_never_comes_from_the_service_worker(open_tab):
    tab = open_tab("/")
    page = tab.page
    page.evaluate(SERVICE_WORKER_ACTIVATED)
    page.reload()
    with page.expect_response("**/api/v1/auth/csrf") as answer:
        page.evaluate("fetch('/api/v1/auth/csrf')")
    assert not answer.value.from_service_worker
    assert answer.value.headers["cache-control"] == "no-store"
    page.context.set_offline(True)
    try:
        assert page.evaluate("fetch('/api/v1/auth/csrf').then(() => 'answered', () => 'failed')") == "failed"
    finally:
        page.context.set_offline(False)
    cached = {url.removeprefix(tab.origin) for url in page.evaluate(CACHED_URLS)}
    assert {"/", "/app/main.js", "/manifest.webmanifest"} <= cached
    assert not [url for url in cached if url.startswith("/api")]


@dataclass
class ShellServer:
    """A second Linli on the live server's database, serving its own copy of pwa/ so a test can
    deploy a new version by editing files."""

    url: str
    pwa: Path
    tamper: dict

    def deploy(self, marker: str) -> None:
        index = self.pwa / "index.html"
        html = index.read_text(encoding="utf-8")
        index.write_text(html.replace("</head>", f'<meta name="linli-version" content="{marker}">\n</head>'),
                         encoding="utf-8")


@pytest.fixture
def shell_server(live_server, tmp_path):
    pwa = tmp_path / "pwa"
    shutil.copytree(BASE_DIR / "pwa", pwa)
    app = create_app({"SQLALCHEMY_DATABASE_URI": live_server.app.config["SQLALCHEMY_DATABASE_URI"],
                      "PWA_DIR": pwa})
    tamper = {}

    @app.before_request
    def _changed_on_disk_meanwhile():
        # A deployment caught half-way: this file is no longer what sw.js said it would be.
        if request.path in tamper:
            content = (pwa / request.path.lstrip("/")).read_bytes() + tamper[request.path]
            return Response(content, mimetype="text/css", headers={"Cache-Control": "no-store"})
        return None

    with serving(app, "linli-shell-server") as url:
        yield ShellServer(url=url, pwa=pwa, tamper=tamper)


@pytest.fixture
def shell_tab(browser, shell_server):
    context = browser.new_context(base_url=shell_server.url, viewport={"width": 360, "height": 740},
                                  has_touch=True, locale="zh-CN")
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    tab = Tab(page=page, origin=shell_server.url)
    page.on("pageerror", lambda error: tab.page_errors.append(str(error)))
    page.on("request", lambda request: tab.requests.append(request.url))
    page.goto("/")
    _sign_in_button(page).wait_for()
    assert page.evaluate(SERVICE_WORKER_ACTIVATED) == "activated"
    yield tab
    context.close()


def _cache_names(page) -> list:
    return page.evaluate("caches.keys()")


def test_a_new_version_installs_in_the_background_and_waits_for_a_tap(shell_tab, shell_server):
    page = shell_tab.page
    [first_cache] = _cache_names(page)
    page.get_by_label("手机号").fill("138")  # someone is typing when the new version arrives
    page.evaluate("window.__sameDocument = true")
    shell_server.deploy("2")

    assert page.evaluate(CHECK_FOR_UPDATE) == "installed"
    offer = page.get_by_role("button", name=UPDATE_OFFER)
    expect(offer).to_be_visible()
    expect(page.get_by_role("status").filter(has=offer)).to_have_count(1)
    # Nothing moved under the user's fingers: same page, same input, old version in charge.
    assert page.evaluate("window.__sameDocument") is True
    assert page.get_by_label("手机号").input_value() == "138"
    assert page.locator('meta[name="linli-version"]').count() == 0
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, results.generate_report()
    shell_tab.screenshot("update-offered")

    with page.expect_navigation():
        offer.click()
    expect(page.locator('meta[name="linli-version"]')).to_have_attribute("content", "2")
    expect(_sign_in_button(page)).to_be_visible()
    assert page.evaluate("window.__sameDocument") is None
    assert page.get_by_role("button", name=UPDATE_OFFER).count() == 0
    [second_cache] = _cache_names(page)  # the old version's files are gone with its cache
    assert second_cache != first_cache
    assert shell_tab.page_errors == []
    assert shell_tab.csp_violations() == []
    assert shell_tab.foreign_requests() == []


def test_a_version_whose_files_do_not_match_is_never_installed(shell_tab, shell_server):
    page = shell_tab.page
    [first_cache] = _cache_names(page)
    shell_server.deploy("3")
    shell_server.tamper["/styles/main.css"] = b"\n/* a newer file than sw.js named */\n"

    assert page.evaluate(CHECK_FOR_UPDATE) == "redundant"
    assert page.get_by_role("button", name=UPDATE_OFFER).count() == 0
    assert _cache_names(page) == [first_cache]
    page.context.set_offline(True)
    try:
        page.reload()
        expect(_sign_in_button(page)).to_be_visible()
        assert page.locator('meta[name="linli-version"]').count() == 0
    finally:
        page.context.set_offline(False)

    shell_server.tamper.clear()  # the deployment finished: the next check installs it whole
    assert page.evaluate(CHECK_FOR_UPDATE) == "installed"
    expect(page.get_by_role("button", name=UPDATE_OFFER)).to_be_visible()
