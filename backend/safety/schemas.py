"""Daily check-in and SOS bodies and answers."""
import marshmallow as ma

from backend.common.fields import Text
from backend.common.ids import ID_RANGE
from backend.common.offline import OccurredAt
from backend.common.pagination import MAX_PER_PAGE, PageQuery
from backend.people.models import CONSENT_GIVERS
from backend.safety.models import SOS_STATUSES
from backend.safety.services.check_in_lists import STATES

CLOCK = ma.validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error="HH:MM")
GRACE = ma.validate.Range(min=10, max=12 * 60)


class CheckInConsentSchema(ma.Schema):
    given_by = ma.fields.String(required=True, validate=ma.validate.OneOf(CONSENT_GIVERS))
    giver_name = Text(required=True, min_length=1, max_length=40)


class EnrolInSchema(ma.Schema):
    deadline = ma.fields.String(load_default="10:00", validate=CLOCK,
                                metadata={"description": "check in by this local time every day"})
    grace_minutes = ma.fields.Integer(load_default=60, strict=True, validate=GRACE,
                                      metadata={"description": "after the reminder, until the welfare check and family"})
    second_grace_minutes = ma.fields.Integer(load_default=60, strict=True, validate=GRACE,
                                             metadata={"description": "then until the grid's workers are alerted"})
    consent = ma.fields.Nested(CheckInConsentSchema, load_default=None, allow_none=True,
                               metadata={"description": "who consented (needed unless a consent is on record)"})


class CheckInInSchema(ma.Schema):
    occurred_at = OccurredAt(load_default=None, metadata={"description": "when the tap (or call) happened"})


class CheckInStatusSchema(ma.Schema):
    resident_id = ma.fields.Integer(required=True)
    enrolled = ma.fields.Boolean(required=True)
    deadline = ma.fields.String(allow_none=True)
    grace_minutes = ma.fields.Integer(allow_none=True)
    second_grace_minutes = ma.fields.Integer(allow_none=True)
    checked_in_today = ma.fields.Boolean(required=True)
    checked_in_at = ma.fields.AwareDateTime(allow_none=True, metadata={"description": "今天已报平安 HH:MM"})
    today = ma.fields.Date(required=True)


# Today's list for the grid's staff (services/check_in_lists.py)
class TodayQuery(PageQuery):
    grid_id = ma.fields.Integer(validate=ID_RANGE)
    state = ma.fields.String(validate=ma.validate.OneOf(STATES),
                             metadata={"description": "only this state: missed, waiting, checked_in, paused"})
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE))


class DayEntrySchema(ma.Schema):
    resident_id = ma.fields.Integer(required=True)
    address_as = ma.fields.String(required=True)
    grid_id = ma.fields.Integer(required=True)
    building_label = ma.fields.String(required=True)
    door_number = ma.fields.String(required=True)
    deadline = ma.fields.String(required=True)
    state = ma.fields.String(required=True, metadata={"description": "missed, waiting, checked_in or paused"})
    chain_stage = ma.fields.String(allow_none=True,
                                   metadata={"description": "while missed: reminded, welfare_check or workers_alerted"})
    checked_in_at = ma.fields.AwareDateTime(allow_none=True)
    via = ma.fields.String(allow_none=True, metadata={"description": "app or phone_call"})
    resident_status = ma.fields.String(required=True)


class DayCountsSchema(ma.Schema):
    missed = ma.fields.Integer(required=True)
    waiting = ma.fields.Integer(required=True)
    checked_in = ma.fields.Integer(required=True)
    paused = ma.fields.Integer(required=True)


class DayListSchema(ma.Schema):
    today = ma.fields.Date(required=True)
    counts = ma.fields.Nested(DayCountsSchema, required=True)
    items = ma.fields.List(ma.fields.Nested(DayEntrySchema), required=True)
    total = ma.fields.Integer(required=True)
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)


# SOS

class SosPressInSchema(ma.Schema):
    occurred_at = OccurredAt(load_default=None, metadata={"description": "when the countdown ran out on the phone"})


class SosCancelInSchema(ma.Schema):
    occurred_at = OccurredAt(load_default=None, metadata={"description": "when 我没事了 was tapped"})


class SosCloseInSchema(ma.Schema):
    note = Text(required=True, min_length=1, max_length=1000,
                metadata={"description": "what the worker found and did, e.g. 已电话确认，老人无恙"})


class SosQuery(PageQuery):
    status = ma.fields.String(validate=ma.validate.OneOf(SOS_STATUSES))


class SosPersonSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    at = ma.fields.AwareDateTime(allow_none=True)


class SosComingSchema(ma.Schema):
    name = ma.fields.String(metadata={"description": "the volunteer's name as residents see it"})
    accepted_at = ma.fields.AwareDateTime(allow_none=True)
    distance_km = ma.fields.Float(allow_none=True)
    eta_minutes = ma.fields.Integer(allow_none=True, metadata={"description": "walking, from their home; null once arrived"})
    arrived = ma.fields.Boolean()


class SosToldSchema(ma.Schema):
    grid_workers = ma.fields.Integer(metadata={"description": "workers and admins the alert reached so far"})
    family = ma.fields.Integer(metadata={"description": "proxies with receive_alerts"})
    emergency_contacts = ma.fields.Integer(metadata={"description": "by SMS"})
    volunteers = ma.fields.Integer(metadata={"description": "offered the SOS's request so far"})


class SosStepSchema(ma.Schema):
    at = ma.fields.AwareDateTime()
    action = ma.fields.String(metadata={"description": "pressed, joined, cancelled, closed"})
    actor = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)


class SosSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    resident_id = ma.fields.Integer(required=True)
    address_as = ma.fields.String()
    building_label = ma.fields.String()
    status = ma.fields.String(metadata={"description": "open, cancelled (误按了, still to close), closed"})
    occurred_at = ma.fields.AwareDateTime()
    received_at = ma.fields.AwareDateTime()
    presses = ma.fields.Integer()
    told = ma.fields.Nested(SosToldSchema)
    acknowledged = ma.fields.Nested(SosPersonSchema, allow_none=True, metadata={"description": "who said 我来处理"})
    coming = ma.fields.Nested(SosComingSchema, allow_none=True)
    help_request_id = ma.fields.Integer(allow_none=True)
    help_request_status = ma.fields.String(allow_none=True)
    alert_id = ma.fields.Integer(allow_none=True)
    grid_worker_phone = ma.fields.String(allow_none=True)
    cancelled_at = ma.fields.AwareDateTime(allow_none=True)
    closed_at = ma.fields.AwareDateTime(allow_none=True)
    closed_by = ma.fields.Nested(SosPersonSchema, allow_none=True)
    close_note = ma.fields.String(allow_none=True, metadata={"description": "staff only"})
    timeline = ma.fields.List(ma.fields.Nested(SosStepSchema))
