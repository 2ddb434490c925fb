"""Serving the PWA: the shell at / and at app paths, its files, and JSON 404s under /api/."""
import re

from backend import create_app
from backend.extensions import db
from tests.factories import make_community


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
