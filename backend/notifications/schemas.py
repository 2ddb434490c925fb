"""Notifications request and response bodies: inbox, preferences, SMS log, health, codes."""
import marshmallow as ma

from backend.common.fields import Phone
from backend.common.i18n import LANGUAGES
from backend.common.pagination import PageQuery
from backend.notifications.services.outbox import rendered, url_of
from backend.notifications.services.verification_codes import PURPOSES
from backend.volunteers.schemas import ClockTime


class NotificationSchema(ma.Schema):
    """An inbox entry, in the reader's language; `data` holds ids only."""

    id = ma.fields.Integer()
    kind = ma.fields.String()
    title = ma.fields.Method("title_text")
    body = ma.fields.Method("body_text")
    url = ma.fields.Method("screen_url")
    data = ma.fields.Dict()
    urgency = ma.fields.String()
    safety = ma.fields.Boolean(attribute="is_safety")
    created_at = ma.fields.AwareDateTime()
    read_at = ma.fields.AwareDateTime(allow_none=True)

    def title_text(self, notification):
        return rendered(notification)[0]

    def body_text(self, notification):
        return rendered(notification)[1]

    def screen_url(self, notification):
        return url_of(notification)


class UnreadCountSchema(ma.Schema):
    unread = ma.fields.Integer(required=True)
    latest_unread_id = ma.fields.Integer(allow_none=True)


class MarkedReadSchema(ma.Schema):
    marked = ma.fields.Integer(required=True)


class NotificationPreferencesSchema(ma.Schema):
    push_enabled = ma.fields.Boolean()
    sms_opt_in = ma.fields.Boolean(metadata={"description": "SMS for ordinary notifications too "
                                                            "(safety alerts always go by SMS when push cannot)"})
    quiet_hours_start = ClockTime(metadata={"description": "HH:MM in `time_zone`; equal to the end: no quiet hours"})
    quiet_hours_end = ClockTime()
    language = ma.fields.String()
    time_zone = ma.fields.String(dump_only=True)
    has_phone = ma.fields.Boolean(dump_only=True)


class NotificationPreferencesPatchSchema(ma.Schema):
    push_enabled = ma.fields.Boolean()
    sms_opt_in = ma.fields.Boolean()
    quiet_hours_start = ClockTime()
    quiet_hours_end = ClockTime()
    language = ma.fields.String(validate=ma.validate.OneOf(LANGUAGES))


class SmsQuery(PageQuery):
    phone = Phone()


class SmsMessageSchema(ma.Schema):
    id = ma.fields.Integer()
    provider = ma.fields.String()
    phone = ma.fields.String()
    template_id = ma.fields.String()
    params = ma.fields.Dict()
    text = ma.fields.String()
    language = ma.fields.String()
    delivery_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.AwareDateTime()


class VerificationCodeRequestSchema(ma.Schema):
    phone = Phone(required=True)
    purpose = ma.fields.String(required=True, validate=ma.validate.OneOf(PURPOSES))


class IssuedCodeSchema(ma.Schema):
    phone = ma.fields.String()
    purpose = ma.fields.String()
    expires_at = ma.fields.AwareDateTime()
    resend_after = ma.fields.AwareDateTime()


class HealthSchema(ma.Schema):
    """No personal data: enough for a monitoring probe and a person on call."""

    status = ma.fields.Method("status_word")
    database = ma.fields.String()
    worker_last_heartbeat_at = ma.fields.AwareDateTime(allow_none=True)
    worker_heartbeat_age_s = ma.fields.Float(allow_none=True)
    oldest_undelivered_safety_age_s = ma.fields.Float(allow_none=True)
    undelivered_safety_deliveries = ma.fields.Integer(allow_none=True)
    problems = ma.fields.List(ma.fields.String())

    def status_word(self, health):
        return "ok" if health.healthy else "unhealthy"
