"""The inbox, notification preferences, the SMS log, verification codes and the health check.

(Web Push's public key and subscriptions are in push_routes.py.)"""
from flask import current_app, jsonify, request
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import requires_roles, signed_in
from backend.common.pagination import PageQuery, page_of
from backend.extensions import Blueprint, limiter
from backend.notifications.schemas import (
    HealthSchema, IssuedCodeSchema, MarkedReadSchema, NotificationPreferencesPatchSchema,
    NotificationPreferencesSchema, NotificationSchema, SmsMessageSchema, SmsQuery, UnreadCountSchema,
    VerificationCodeRequestSchema,
)
from backend.notifications.services import health, inbox, preferences, sms_log, verification_codes

blp = Blueprint("notifications", __name__, url_prefix="/api/v1",
                description="Inbox, notification preferences, SMS log, verification codes, health")


def _revalidated(body: dict):
    """A JSON answer with an ETag, 304 when the caller already has it (If-None-Match)."""
    response = jsonify(body)
    response.headers["Cache-Control"] = "private, no-cache"
    response.add_etag()
    return response.make_conditional(request)


@blp.route("/notifications")
class Notifications(MethodView):
    @signed_in
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(NotificationSchema))
    def get(self, query):
        """My notifications, unread first, then newest."""
        return inbox.list_notifications(current_user, query["page"], query["per_page"])


@blp.route("/notifications/unread-count")
class UnreadCount(MethodView):
    @signed_in
    @blp.response(200, UnreadCountSchema)
    @blp.alt_response(304, description="Not modified: the If-None-Match ETag is still current")
    def get(self):
        """How many of my notifications are unread (send If-None-Match to get a 304 when unchanged)."""
        return _revalidated(UnreadCountSchema().dump(inbox.unread_count(current_user)))


@blp.route("/notifications/<int:notification_id>/read")
class NotificationRead(MethodView):
    @signed_in
    @blp.response(200, NotificationSchema)
    def post(self, notification_id):
        """Mark one of my notifications read."""
        return inbox.mark_read(current_user, notification_id)


@blp.route("/notifications/read-all")
class NotificationsReadAll(MethodView):
    @signed_in
    @blp.response(200, MarkedReadSchema)
    def post(self):
        """Mark all my notifications read."""
        return {"marked": inbox.mark_all_read(current_user)}


@blp.route("/me/notification-preferences")
class NotificationPreferences(MethodView):
    @signed_in
    @blp.response(200, NotificationPreferencesSchema)
    def get(self):
        """My notification channels, quiet hours and language."""
        return preferences.get_preferences(current_user)

    @signed_in
    @blp.arguments(NotificationPreferencesPatchSchema)
    @blp.response(200, NotificationPreferencesSchema)
    def patch(self, body):
        """Change my notification channels, quiet hours or language."""
        return preferences.update_preferences(current_user, body)


@blp.route("/sms/messages")
class SmsMessages(MethodView):
    @requires_roles("admin")
    @blp.arguments(SmsQuery, location="query")
    @blp.response(200, page_of(SmsMessageSchema))
    def get(self, query):
        """SMS the log provider sent (development and trials), newest first."""
        return sms_log.list_messages(current_user, query["page"], query["per_page"], query.get("phone"))


def _code_limit() -> str:
    return current_app.config["VERIFICATION_CODE_LIMIT_PER_IP"]


@blp.route("/verification-codes")
class VerificationCodes(MethodView):
    @limiter.limit(_code_limit, key_func=lambda: "ip:" + (request.remote_addr or ""), scope="verification-code")
    @blp.arguments(VerificationCodeRequestSchema)
    @blp.response(202, IssuedCodeSchema)
    def post(self, body):
        """Send a 6-digit code by SMS to prove a mobile number (valid 5 minutes)."""
        return verification_codes.request_code(body["phone"], body["purpose"])


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="The database, the worker or safety delivery is not well")
    def get(self):
        """Can Linli reach people? Database, worker heartbeat, oldest waiting safety delivery (no auth)."""
        result = health.check()
        return result, 200 if result.healthy else 503
