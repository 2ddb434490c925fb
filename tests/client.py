"""A test client that talks to the API the way the PWA does: JSON, CSRF header, session cookie."""
from tests.factories import DEMO_PASSWORD


class ApiClient:
    def __init__(self, flask_client):
        self.http = flask_client
        self._csrf: str | None = None

    def csrf(self) -> str:
        if self._csrf is None:
            self._csrf = self.http.get("/api/v1/auth/csrf").get_json()["csrf_token"]
        return self._csrf

    def get(self, path, **kwargs):
        return self.http.get(path, **kwargs)

    def _write(self, method, path, json=None, headers=None, **kwargs):
        headers = {"X-CSRF-Token": self.csrf(), **(headers or {})}
        if json is not None:
            kwargs["json"] = json
        return self.http.open(path, method=method, headers=headers, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self._write("POST", path, json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self._write("PUT", path, json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self._write("PATCH", path, json, **kwargs)

    def delete(self, path, **kwargs):
        return self._write("DELETE", path, **kwargs)

    def login(self, user_or_phone, password: str = DEMO_PASSWORD):
        phone = getattr(user_or_phone, "phone", user_or_phone)
        response = self.post("/api/v1/auth/login", {"phone": phone, "password": password})
        assert response.status_code == 200, response.get_json()
        return self

    def logout(self):
        response = self.post("/api/v1/auth/logout")
        self._csrf = None
        return response
