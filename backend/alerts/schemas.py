"""Alerts and roster request and response bodies."""
import marshmallow as ma

from backend.accounts.models import STAFF_ROLES
from backend.alerts import duty, kinds
from backend.alerts.models import ALERT_STATUSES
from backend.common.fields import Text
from backend.common.i18n import current_language, pick
from backend.common.ids import ID_RANGE
from backend.common.pagination import PageQuery
from backend.volunteers.schemas import WEEKDAY_NAMES, ClockTime, clock_text

MAX_SHIFTS = 100


class PersonSchema(ma.Schema):
    """A worker or admin as their colleagues see them in an alert or the roster."""

    id = ma.fields.Integer()
    display_name = ma.fields.String()


# Alerts

class AlertQuery(PageQuery):
    status = ma.fields.String(validate=ma.validate.OneOf(ALERT_STATUSES))


class AlertResidentSchema(ma.Schema):
    """Who the alert is about, as far as a list shows (the resident's page has the rest)."""

    id = ma.fields.Integer()
    address_as = ma.fields.String()
    building_label = ma.fields.String(attribute="household.building.label")
    status = ma.fields.String()


class AlertSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    label = ma.fields.Method("label_text", metadata={"description": "the kind's name in the reader's language"})
    status = ma.fields.String(metadata={"description": "open, acknowledged, resolved or closed"})
    level = ma.fields.Integer(metadata={"description": "0 first recipients, 1 on-duty worker, 2 admins"})
    reminders_sent = ma.fields.Integer()
    resident = ma.fields.Nested(AlertResidentSchema, allow_none=True)
    grid_id = ma.fields.Integer(allow_none=True)
    data = ma.fields.Dict()
    created_at = ma.fields.AwareDateTime()
    next_escalation_at = ma.fields.AwareDateTime(allow_none=True)
    owner = ma.fields.Nested(PersonSchema, allow_none=True)
    acknowledged_at = ma.fields.AwareDateTime(allow_none=True)
    resolved_by = ma.fields.Nested(PersonSchema, allow_none=True)
    resolved_at = ma.fields.AwareDateTime(allow_none=True)
    resolution_note = ma.fields.String(allow_none=True)

    def label_text(self, alert):
        return kinds.label(alert.kind, current_language())


class AlertStepSchema(ma.Schema):
    at = ma.fields.AwareDateTime()
    action = ma.fields.String(metadata={"description": "raised, escalated, reminded, acknowledged, resolved, closed"})
    level = ma.fields.Integer()
    reason = ma.fields.String(allow_none=True, metadata={"description": "why the system chose this (docs/alerts.md)"})
    actor = ma.fields.Nested(PersonSchema, allow_none=True, metadata={"description": "null: the system"})
    told = ma.fields.Method("told_people")
    note = ma.fields.String(allow_none=True)

    def told_people(self, step):
        return PersonSchema(many=True).dump([notice.user for notice in step.notices])


class AlertDetailSchema(AlertSchema):
    timeline = ma.fields.List(ma.fields.Nested(AlertStepSchema), attribute="steps")


class ResolutionSchema(ma.Schema):
    note = Text(required=True, min_length=1, max_length=1000,
                metadata={"description": "what was done, e.g. 已上门，老人无恙"})


# The roster

def _weekday_name(weekday: int) -> str:
    return pick({language: names[weekday] for language, names in WEEKDAY_NAMES.items()})


def _range_text(shift: duty.Shift) -> str:
    return f"{_weekday_name(shift.weekday)} {clock_text(shift.start_minute)}–{clock_text(shift.end_minute)}"


def _check_range(data: dict) -> None:
    if data["start_minute"] == data["end_minute"]:
        raise ma.ValidationError(pick({
            "zh-CN": "结束时间不能与开始时间相同（全天请填 00:00–24:00）。",
            "en": "The end cannot equal the start (for a whole day, use 00:00–24:00).",
        }), "end")


class ShiftInSchema(ma.Schema):
    weekday = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=0, max=6),
                                metadata={"description": "0 Monday … 6 Sunday"})
    start = ClockTime(required=True, attribute="start_minute", data_key="start")
    end = ClockTime(required=True, end_of_day=True, attribute="end_minute", data_key="end",
                    metadata={"description": "not after the start: the shift ends the next day",
                              "example": "08:00"})
    user_id = ma.fields.Integer(validate=ID_RANGE, required=True, strict=True)

    @ma.validates_schema
    def _range(self, data, **kwargs):
        _check_range(data)


class RosterPatternSchema(ma.Schema):
    """The whole week at once; it replaces the previous pattern. Shifts must not overlap."""

    shifts = ma.fields.List(ma.fields.Nested(ShiftInSchema), required=True,
                            validate=ma.validate.Length(max=MAX_SHIFTS))

    @ma.validates_schema
    def _no_overlap(self, data, **kwargs):
        shifts = [duty.Shift(s["weekday"], s["start_minute"], s["end_minute"], s["user_id"]) for s in data["shifts"]]
        problems = [pick({"zh-CN": "{a} 与 {b} 时间重叠。", "en": "{a} overlaps {b}."},
                         a=_range_text(first), b=_range_text(second))
                    for first, second in duty.pattern_overlaps(shifts)]
        if problems:
            raise ma.ValidationError(problems, "shifts")


class OverrideInSchema(ma.Schema):
    date = ma.fields.Date(required=True, attribute="on_date", data_key="date")
    start = ClockTime(required=True, attribute="start_minute", data_key="start")
    end = ClockTime(required=True, end_of_day=True, attribute="end_minute", data_key="end",
                    metadata={"description": "not after the start: the range ends the next day",
                              "example": "08:00"})
    user_id = ma.fields.Integer(validate=ID_RANGE, required=True, strict=True, allow_none=True,
                                metadata={"description": "null: nobody on duty then"})
    note = Text(max_length=200)

    @ma.validates_schema
    def _range(self, data, **kwargs):
        _check_range(data)


class ShiftSchema(ma.Schema):
    id = ma.fields.Integer()
    weekday = ma.fields.Integer()
    start = ClockTime(attribute="start_minute")
    end = ClockTime(attribute="end_minute")
    user = ma.fields.Nested(PersonSchema)


class OverrideSchema(ma.Schema):
    id = ma.fields.Integer()
    date = ma.fields.Date(attribute="on_date")
    start = ClockTime(attribute="start_minute")
    end = ClockTime(attribute="end_minute")
    user = ma.fields.Nested(PersonSchema, allow_none=True, metadata={"description": "null: nobody on duty"})
    note = ma.fields.String(allow_none=True)
    created_by_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.AwareDateTime()


class RosterSchema(ma.Schema):
    time_zone = ma.fields.String(metadata={"description": "the community's; every time here is in it"})
    pattern = ma.fields.List(ma.fields.Nested(ShiftSchema))
    overrides = ma.fields.List(ma.fields.Nested(OverrideSchema), metadata={"description": "those not over yet"})


class RosterPersonSchema(PersonSchema):
    """Someone who can be put on the roster."""

    roles = ma.fields.Method("staff_roles", metadata={"description": "worker, admin or both"})

    def staff_roles(self, user):
        return sorted(user.roles & STAFF_ROLES)


class OnDutyQuery(ma.Schema):
    at = ma.fields.AwareDateTime(metadata={"description": "ISO-8601 with offset; default now"})


class OnDutySchema(ma.Schema):
    at = ma.fields.AwareDateTime()
    time_zone = ma.fields.String()
    user = ma.fields.Nested(PersonSchema, allow_none=True, metadata={"description": "null: nobody on duty"})
    source = ma.fields.String(metadata={"description": "override, pattern or none"})
    shift_id = ma.fields.Integer(allow_none=True)
    override_id = ma.fields.Integer(allow_none=True)
