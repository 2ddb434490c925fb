"""What changes behind HTTPS in production: host-only secure cookies, the client's real address."""
import pytest

from backend import create_app
from backend.extensions import db
from config import ProductionConfig
from tests.client import ApiClient
from tests.factories import make_community, make_user

COOKIE_SETTINGS = ("SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "DEVICE_COOKIE_NAME")


@pytest.fixture
def own_app(tmp_path):
    apps = []

    def build(**settings):
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / f'app{len(apps)}.db'}", **settings})
        with app.app_context():
            db.create_all()
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_production_session_cookie_is_host_only_secure_httponly_and_lax(own_app):
    app = own_app(**{name: getattr(ProductionConfig, name) for name in COOKIE_SETTINGS})
    with app.app_context():
        phone = make_user(make_community(), "volunteer").phone
        db.session.commit()
    https = app.test_client()
    https.environ_base.update({"wsgi.url_scheme": "https", "HTTP_HOST": "linli.example.cn"})
    client = ApiClient(https)
    response = client.post("/api/v1/auth/login", {"phone": phone, "password": "linli-demo-2026"})
    assert response.status_code == 200
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("__Host-"))
    assert cookie.startswith("__Host-linli_session=")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert "Domain=" not in cookie
    assert client.get("/api/v1/me").status_code == 200


def test_behind_one_proxy_each_phone_is_limited_by_its_own_address(own_app):
    app = own_app(TRUSTED_PROXY_HOPS=1, LOGIN_LIMIT_PER_IP="3 per 15 minutes")
    client = ApiClient(app.test_client())

    def attempt(address):
        return client.post("/api/v1/auth/login", {"phone": "13900000001", "password": "whatever-it-is"},
                           headers={"X-Forwarded-For": address}).status_code

    assert [attempt("10.1.0.1") for _ in range(4)][-1] == 429
    assert attempt("10.1.0.2") == 401
