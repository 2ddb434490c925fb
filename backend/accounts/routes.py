"""Sign-in, sign-out, CSRF token, PIN, own devices, password and preferences."""
from flask import current_app, request
from flask.views import MethodView
from flask_login import current_user

from backend.accounts import services
from backend.accounts.permissions import signed_in
from backend.accounts.schemas import (
    ChangePasswordSchema, CsrfTokenSchema, DeviceSessionSchema, LoginSchema, PinLoginSchema,
    PreferencesSchema, SetPinSchema, SignedInUserSchema,
)
from backend.common.csrf import csrf_token
from backend.common.fields import normalise_phone
from backend.common.pagination import PageQuery, page_of
from backend.extensions import Blueprint, limiter

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Sign-in and own account")


def _login_phone_key() -> str:
    body = request.get_json(silent=True)
    raw = body.get("phone") if isinstance(body, dict) else None
    phone = normalise_phone(raw) if isinstance(raw, str) else None
    return "phone:" + (phone or "invalid")


def _failed(response) -> bool:
    return response.status_code == 401


def _phone_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_PHONE"]


def _ip_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_IP"]


@blp.route("/auth/csrf")
class Csrf(MethodView):
    @blp.response(200, CsrfTokenSchema)
    def get(self):
        """The CSRF token to send as X-CSRF-Token on every write."""
        return {"csrf_token": csrf_token()}


@blp.route("/auth/login")
class Login(MethodView):
    @limiter.limit(_ip_limit, key_func=lambda: "ip:" + (request.remote_addr or ""), scope="login-ip")
    @limiter.limit(_phone_limit, key_func=_login_phone_key, deduct_when=_failed, scope="login-phone")
    @blp.arguments(LoginSchema)
    @blp.response(200, SignedInUserSchema)
    def post(self, body):
        """Sign in with a mobile number and password; starts a session for this device."""
        return services.sign_in_with_password(body["phone"], body["password"], body["device_label"])


@blp.route("/auth/pin-login")
class PinLogin(MethodView):
    @limiter.limit(_phone_limit, key_func=services.pin_sign_in_key, deduct_when=_failed, scope="login-pin")
    @blp.arguments(PinLoginSchema)
    @blp.response(200, SignedInUserSchema)
    def post(self, body):
        """Sign in with the 6-digit PIN, only on a phone linked by a worker's code."""
        return services.sign_in_with_pin(body["pin"], body["device_label"])


@blp.route("/auth/logout")
class Logout(MethodView):
    @signed_in
    @blp.response(204)
    def post(self):
        """Sign this device out; its cookie stops working at once."""
        services.sign_out(current_user)


@blp.route("/me/pin")
class Pin(MethodView):
    @signed_in
    @blp.arguments(SetPinSchema)
    @blp.response(204)
    def put(self, body):
        """Set the 6-digit PIN (on a phone linked by a worker's code)."""
        services.set_pin(current_user, body["pin"])


@blp.route("/me/password")
class Password(MethodView):
    @signed_in
    @blp.arguments(ChangePasswordSchema)
    @blp.response(204)
    def post(self, body):
        """Change the password; every other device is signed out."""
        services.change_password(current_user, body["current_password"], body["new_password"])


@blp.route("/me/preferences")
class Preferences(MethodView):
    @signed_in
    @blp.arguments(PreferencesSchema)
    @blp.response(200, SignedInUserSchema)
    def patch(self, body):
        """Change language, text size or display name."""
        return services.update_preferences(current_user, body)


@blp.route("/me/sessions")
class Sessions(MethodView):
    @signed_in
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(DeviceSessionSchema))
    def get(self, query):
        """The devices this account is signed in on."""
        return services.list_sessions(current_user, query["page"], query["per_page"])


@blp.route("/me/sessions/<int:session_id>")
class SessionItem(MethodView):
    @signed_in
    @blp.response(204)
    def delete(self, session_id):
        """Sign one of my devices out."""
        services.end_own_session(current_user, session_id)
