"""Serving the PWA: the shell at / and at app paths, its files, the manifest and service worker,
and JSON 404s under /api/."""
import base64
import gzip
import hashlib
import json
import re
import shutil
import struct

import brotli

from backend import create_app
from backend.extensions import db
from config import BASE_DIR
from tests.factories import make_community, make_user


def test_home_serves_the_chinese_shell_under_a_strict_content_security_policy(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert '<script type="module" src="/app/main.js"></script>' in html
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_shell_has_no_inline_script_or_style(client):
    html = client.get("/").get_data(as_text=True)
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_shell_without_javascript_shows_the_community_service_phone(client):
    community = make_community()
    community.phone = "0571-8888 0000"
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    noscript = html[html.index("<noscript>"):html.index("</noscript>")]
    assert '<a class="phone" href="tel:057188880000">0571 8888 0000</a>' in noscript


def test_shell_before_any_community_exists_gives_a_neutral_sentence(client):
    html = client.get("/").get_data(as_text=True)
    assert "请联系您所在社区的居委会。" in html
    assert "linli:service-phone" not in html


def test_shell_on_a_database_not_yet_migrated_shows_the_configured_phone():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "COMMUNITY_PHONE_FALLBACK": "12345"})
    response = app.test_client().get("/")
    assert response.status_code == 200
    assert 'href="tel:12345">12345</a>' in response.get_data(as_text=True)


def test_shell_carries_the_sos_countdown_kept_within_five_to_ten_seconds(app, client, monkeypatch):
    """SOS_COUNTDOWN_SECONDS reaches the page in a meta tag; outside 5–10 it is held to the nearest end
    (the one thing that moves on by itself must leave time to cancel, and not keep someone waiting)."""
    for configured, served in ((5, "5"), (8, "8"), (30, "10"), (1, "5")):
        monkeypatch.setitem(app.config, "SOS_COUNTDOWN_SECONDS", configured)
        html = client.get("/").get_data(as_text=True)
        assert f'<meta name="linli-sos-countdown-seconds" content="{served}">' in html, configured


def test_app_paths_get_the_shell(client):
    make_community()
    for path in ("/link/ABCD2345", "/index.html"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert '<html lang="zh-CN">' in html and "tel:057188880000" in html, path
        assert response.headers["Cache-Control"] == "no-cache"


def test_modules_and_styles_are_served_with_their_types(client):
    with client.get("/app/main.js") as script:
        assert script.status_code == 200
        assert script.mimetype in ("text/javascript", "application/javascript")
        assert "Content-Security-Policy" in script.headers
    with client.get("/styles/main.css") as styles:
        assert styles.mimetype == "text/css"


def test_missing_file_is_not_found(client):
    response = client.get("/nope.js")
    assert response.status_code == 404
    assert client.get("/app/../../config.py").status_code == 404


def test_unknown_api_path_is_a_json_not_found_in_the_error_shape(client):
    response = client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"code", "status", "reason", "message", "errors"}
    assert body["code"] == 404 and body["reason"] == "not_found"


def test_wrong_method_on_an_api_path_is_not_swallowed_by_the_shell(client):
    response = client.get("/api/v1/auth/login")
    assert response.status_code == 405
    assert response.get_json()["reason"] == "method_not_allowed"
    assert client.get("/api").status_code == 404


def test_phone_numbers_are_shown_in_spoken_groups():
    from backend.pwa import spoken_groups

    assert spoken_groups("13800000001") == "138 0000 0001"
    assert spoken_groups("057188880000") == "0571 8888 0000"
    assert spoken_groups("01088880000") == "010 8888 0000"
    assert spoken_groups("12345") == "12345"


def _served_shell(client) -> dict:
    """The shell version and files written into /sw.js."""
    source = client.get("/sw.js").get_data(as_text=True)
    start = source.index("const SHELL = ") + len("const SHELL = ")
    return json.JSONDecoder().raw_decode(source, start)[0]


def _manifest(client) -> dict:
    with client.get("/manifest.webmanifest") as response:
        return json.loads(response.get_data())


def _png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR", path
    return struct.unpack(">II", header[16:24])


def _sri(content: bytes) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(content).digest()).decode("ascii")


def test_manifest_makes_the_app_installable_in_chinese_and_standalone(client):
    with client.get("/manifest.webmanifest") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/manifest+json"
        assert response.headers["Cache-Control"] == "no-cache"
    manifest = _manifest(client)
    assert "邻里" in manifest["name"] and "Linli" in manifest["name"]
    assert manifest["short_name"] == "邻里"
    assert manifest["lang"] == "zh-CN"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    icons = {(icon["sizes"], icon.get("purpose", "any")): icon["src"] for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= set(icons)


def test_every_icon_the_app_names_exists_with_its_pixel_size(client):
    manifest = _manifest(client)
    for icon in manifest["icons"]:
        width, height = (int(n) for n in icon["sizes"].split("x"))
        assert _png_size(BASE_DIR / "pwa" / icon["src"].lstrip("/")) == (width, height), icon["src"]
        with client.get(icon["src"]) as response:
            assert response.status_code == 200 and response.mimetype == "image/png"
    assert _png_size(BASE_DIR / "pwa/icons/apple-touch-icon.png") == (180, 180)


def test_shell_links_the_manifest_theme_colour_and_touch_icon(client):
    html = client.get("/").get_data(as_text=True)
    theme = _manifest(client)["theme_color"]
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert f'<meta name="theme-color" content="{theme}">' in html
    assert '<link rel="apple-touch-icon" href="/icons/apple-touch-icon.png">' in html


def test_service_worker_is_never_taken_from_an_http_cache(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "linli:shell" not in response.get_data(as_text=True)


def test_precache_holds_the_whole_shell_as_the_server_serves_it(client):
    make_community()
    db.session.commit()
    shell = _served_shell(client)
    assert shell["cache"] == "linli-shell-" + shell["version"]
    urls = [file["url"] for file in shell["files"]]
    app_files = {"/" + path.relative_to(BASE_DIR / "pwa").as_posix()
                 for pattern in ("app/*.js", "styles/*.css", "icons/*.png")
                 for path in (BASE_DIR / "pwa").glob(pattern)}
    assert {"/", "/manifest.webmanifest", "/app/main.js", "/app/update.js"} <= set(urls)
    assert app_files <= set(urls)
    assert not {"/sw.js", "/index.html"} & set(urls)
    assert all(url.startswith("/") and not url.startswith(("//", "/api")) for url in urls)
    for file in shell["files"]:
        with client.get(file["url"]) as response:
            assert _sri(response.get_data()) == file["integrity"], file["url"]
    # "/" is precached as rendered, with the community's phone in it.
    assert "tel:057188880000" in client.get("/").get_data(as_text=True)


def test_a_changed_file_or_phone_number_changes_the_service_worker(client, tmp_path):
    pwa = tmp_path / "pwa"
    shutil.copytree(BASE_DIR / "pwa", pwa)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "PWA_DIR": pwa})
    other = app.test_client()
    before = other.get("/sw.js").get_data(as_text=True)
    assert other.get("/sw.js").get_data(as_text=True) == before  # stable while nothing changes
    (pwa / "styles" / "main.css").write_text((pwa / "styles" / "main.css").read_text() + "\n/* v2 */\n")
    after_css = other.get("/sw.js").get_data(as_text=True)
    assert after_css != before
    app.config["COMMUNITY_PHONE_FALLBACK"] = "12345"
    assert other.get("/sw.js").get_data(as_text=True) != after_css


def test_api_answers_with_personal_data_are_kept_out_of_http_caches(client):
    user = make_user(make_community(), "resident", name="王奶奶")
    client.login(user)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_shell_preloads_every_module_the_app_starts_with_and_no_screen_module(client):
    """One round trip for the start-up modules, not one per import level: each module reached
    from main.js through static imports is preloaded, however deep (i18n.js → zh-CN.js); the
    screens a role fetches with import() when needed are not."""
    html = client.get("/").get_data(as_text=True)
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)">', html)
    assert "<!--linli:modulepreload-->" not in html
    assert len(preloaded) == len(set(preloaded))
    assert {"/app/router.js", "/app/session.js", "/app/api.js", "/i18n/zh-CN.js"} <= set(preloaded)
    assert not {"/app/main.js", "/app/worker.js", "/app/push.js", "/app/inbox-screen.js", "/i18n/en.js"} & set(preloaded)
    for url in preloaded:
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert response.mimetype in ("text/javascript", "application/javascript"), url
    # Every relative `import … from` in a preloaded module (or main.js) is preloaded too.
    pwa = BASE_DIR / "pwa"
    for url in ["/app/main.js", *preloaded]:
        source = (pwa / url.lstrip("/")).read_text(encoding="utf-8")
        for specifier in re.findall(r'^\s*import\s[^;()]*?from\s+"(\.[^"]+)"', source, re.MULTILINE):
            target = "/" + str((pwa / url.lstrip("/")).parent.joinpath(specifier).resolve().relative_to(pwa))
            assert target in preloaded, f"{url} imports {specifier}, which is not preloaded"


def _catalogue_keys(name: str) -> set[str]:
    text = (BASE_DIR / "pwa" / "i18n" / name).read_text(encoding="utf-8")
    return set(re.findall(r'^\s+"([^"]+)":', text, re.MULTILINE))


def test_both_languages_have_every_text_and_the_staff_texts_are_apart():
    """en.js has every key; zh-CN.js, zh-CN-staff.js, zh-CN-visits.js and zh-CN-sweep-checks.js
    share them out, the staff file holding the workers' screens only (worker.*, alerts.*, roster.*),
    which residents never download; no resident, proxy or volunteer screen may use one of them. The visit record form's
    strings (visit.*, zh-CN-visits.js) are used by that form alone, which fetches them; a sweep's
    assignee list's (sweepcheck.*, zh-CN-sweep-checks.js) by that list and the volunteer home's link."""
    chinese, staff, visits, sweep_checks, english = (_catalogue_keys(name) for name in (
        "zh-CN.js", "zh-CN-staff.js", "zh-CN-visits.js", "zh-CN-sweep-checks.js", "en.js"))
    parts = (chinese, staff, visits, sweep_checks)
    assert all(not a & b for i, a in enumerate(parts) for b in parts[i + 1:])
    assert chinese | staff | visits | sweep_checks == english
    assert staff and all(key.split(".")[0] in ("worker", "alerts", "roster") for key in staff)
    assert visits and all(key.split(".")[0] == "visit" for key in visits)
    assert sweep_checks and all(key.split(".")[0] == "sweepcheck" for key in sweep_checks)
    assert not any(key.split(".")[0] in ("worker", "alerts", "roster", "visit", "sweepcheck") for key in chinese)
    pwa = BASE_DIR / "pwa"
    staff_modules = {"worker", "alerts", "roster"}
    for module in sorted((pwa / "app").glob("*.js")):
        source = module.read_text(encoding="utf-8")
        used_visits = set(re.findall(r'"(visit\.[a-z_.]+)"', source)) & visits
        assert module.name == "visit-record.js" or not used_visits, f"{module.name} uses the form's texts {sorted(used_visits)}"
        used_sweep = set(re.findall(r'"(sweepcheck\.[a-z_.]+)"', source)) & sweep_checks
        # The volunteer home loads them before its link to the list (volunteer.js).
        assert module.name in ("sweep-checks.js", "volunteer.js") or not used_sweep, f"{module.name} uses {sorted(used_sweep)}"
        if module.stem.split("-")[0] in staff_modules:
            continue
        used = set(re.findall(r'"((?:worker|alerts|roster)\.[a-z_.]+)"', source))
        assert not used & staff, f"{module.name} uses staff texts {sorted(used & staff)}"
    html = (pwa / "index.html").read_text(encoding="utf-8")
    for template, body in re.findall(r'<template id="([^"]+)">(.*?)</template>', html, re.DOTALL):
        used = set(re.findall(r'data-i18n="([^"]+)"', body))
        if template not in VISIT_FORM_TEMPLATES:
            assert not used & visits, f"template {template} uses the visit form's texts {sorted(used & visits)}"
        if template not in SWEEP_CHECK_TEMPLATES:
            assert not used & sweep_checks, f"template {template} uses the sweep list's texts {sorted(used & sweep_checks)}"
        if template == SHELL_STAFF_TEMPLATE:  # drawn after the staff texts have loaded
            continue
        assert not used & staff, f"template {template} uses staff texts {sorted(used & staff)}"


VISIT_FORM_TEMPLATES = {"screen-visit-record", "visit-resident"}  # drawn after the form's texts have loaded
SWEEP_CHECK_TEMPLATES = {"screen-sweep-checks", "sweep-check-card"}  # drawn after the list's texts have loaded


STAFF_TEMPLATE = re.compile(r"(screen-)?(worker|alert|roster)")
SHELL_STAFF_TEMPLATE = "screen-worker-home"  # the worker home is drawn from the shell, without waiting for staff.html


def test_the_staff_screens_templates_are_apart_and_every_screen_has_its_template():
    """The workers' and admins' templates are in staff.html (fetched for them only), the rest in
    the shell with the worker home; every template a module stamps by name exists in one of the two."""
    pwa = BASE_DIR / "pwa"
    shell_ids = re.findall(r'<template id="([^"]+)">', (pwa / "index.html").read_text(encoding="utf-8"))
    staff_ids = re.findall(r'<template id="([^"]+)">', (pwa / "staff.html").read_text(encoding="utf-8"))
    assert staff_ids and all(STAFF_TEMPLATE.match(name) for name in staff_ids)
    assert [name for name in shell_ids if STAFF_TEMPLATE.match(name)] == [SHELL_STAFF_TEMPLATE]
    assert not set(shell_ids) & set(staff_ids)
    known = set(shell_ids) | set(staff_ids)
    for module in sorted((pwa / "app").glob("*.js")):
        source = module.read_text(encoding="utf-8")
        for name in re.findall(r'showScreen\(\s*"([a-z0-9-]+)"', source) + re.findall(r'workerScreen\(\s*"([a-z0-9-]+)"', source):
            assert name in known or f"screen-{name}" in known, f"{module.name} shows {name}, which has no template"


def test_staff_html_is_served_and_precached(client):
    with client.get("/staff.html") as answer:
        assert answer.status_code == 200 and answer.mimetype == "text/html"
        assert b'<template id="screen-worker-requests">' in answer.data
    worker = client.get("/sw.js").get_data(as_text=True)
    assert '"/staff.html"' in worker


def test_every_catalogue_entry_is_one_well_formed_string():
    """Each text is one line, `"key": "text",` with the text a valid string literal: a stray quote
    (e.g. "Tomorrow"s plan") breaks the whole catalogue, and with it every screen in that language."""
    for name in ("zh-CN.js", "zh-CN-staff.js", "zh-CN-visits.js", "zh-CN-sweep-checks.js", "en.js"):
        text = (BASE_DIR / "pwa" / "i18n" / name).read_text(encoding="utf-8")
        entries = [line for line in text.splitlines() if re.match(r'\s+"', line)]
        assert entries, name
        for line in entries:
            found = re.fullmatch(r'\s+"([a-z0-9_.]+)": (".*"),?', line)
            assert found, f"{name}: {line.strip()}"
            try:
                json.loads(found.group(2))
            except ValueError as error:
                raise AssertionError(f"{name}: {line.strip()}: {error}") from None


def test_the_apps_files_are_sent_compressed_to_a_browser_that_asks(client):
    make_community()
    db.session.commit()
    for path, algorithm, decompress in (("/app/main.js", "br", brotli.decompress),
                                        ("/styles/main.css", "gzip", gzip.decompress),
                                        ("/", "br", brotli.decompress),
                                        ("/sw.js", "br", brotli.decompress)):
        plain = client.get(path).get_data()
        with client.get(path, headers={"Accept-Encoding": algorithm}) as response:
            assert response.status_code == 200, path
            assert response.headers["Content-Encoding"] == algorithm, path
            assert "Accept-Encoding" in response.headers["Vary"], path
            body = response.get_data()
            assert int(response.headers["Content-Length"]) == len(body) < len(plain) / 2, path
            assert decompress(body) == plain, path
    # A browser that asks for none gets the bytes as they are.
    with client.get("/app/main.js", headers={"Accept-Encoding": "identity"}) as response:
        assert "Content-Encoding" not in response.headers
        assert response.get_data() == (BASE_DIR / "pwa" / "app" / "main.js").read_bytes()


def test_a_file_the_browser_already_has_is_answered_not_modified(client):
    for accept in ("br, gzip", "identity"):
        first = client.get("/app/router.js", headers={"Accept-Encoding": accept})
        etag = first.headers["ETag"]
        again = client.get("/app/router.js", headers={"Accept-Encoding": accept, "If-None-Match": etag})
        assert again.status_code == 304, accept
        assert again.get_data() == b""
        changed = client.get("/app/router.js", headers={"Accept-Encoding": accept, "If-None-Match": '"other"'})
        assert changed.status_code == 200 and changed.get_data() == first.get_data(), accept
    # An image is not worth compressing but is revalidated all the same.
    icon = client.get("/icons/icon-192.png", headers={"Accept-Encoding": "br"})
    assert "Content-Encoding" not in icon.headers
    assert client.get("/icons/icon-192.png", headers={"If-None-Match": icon.headers["ETag"]}).status_code == 304


def test_api_answers_are_never_compressed(client):
    user = make_user(make_community(), "resident", name="王奶奶")
    client.login(user)
    response = client.get("/api/v1/me", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.get_json()["display_name"] == "王奶奶"
