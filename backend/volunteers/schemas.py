"""Volunteers request and response bodies: registration, own profile, availability, staff views."""
import re
import unicodedata

import marshmallow as ma

from backend.common.fields import Latitude, Longitude, Phone, Text
from backend.common.i18n import pick
from backend.common.ids import ID_RANGE
from backend.common.pagination import PageQuery
from backend.people.models import GENDERS
from backend.volunteers.models import VETTING_KINDS, VOLUNTEER_STATUSES

MAX_CODES = 20
MAX_SLOTS = 50
MINUTES_PER_DAY = 1440
WEEKDAY_NAMES = {
    "zh-CN": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def clock_text(minutes: int | None) -> str | None:
    """Minutes from midnight as "HH:MM" ("24:00" for the end of the day)."""
    if minutes is None:
        return None
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class ClockTime(ma.fields.String):
    """A time of day "HH:MM" in the community's time zone, held as minutes from midnight.
    `end_of_day` also accepts "24:00", so a range can run to midnight."""

    def __init__(self, end_of_day: bool = False, **kwargs):
        kwargs.setdefault("metadata", {"example": "24:00" if end_of_day else "09:30"})
        super().__init__(**kwargs)
        self.end_of_day = end_of_day

    def _serialize(self, value, attr, obj, **kwargs):
        return clock_text(value)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            if self.end_of_day and value == "24:00":
                return MINUTES_PER_DAY
            match = _CLOCK.match(value)
            if match:
                return int(match.group(1)) * 60 + int(match.group(2))
        raise ma.ValidationError(pick({
            "zh-CN": "时间格式不对（应为 HH:MM，如 09:30）。",
            "en": "Enter a time as HH:MM, e.g. 09:30.",
        }))


def _codes(**kwargs):
    return ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=40)),
                          validate=ma.validate.Length(max=MAX_CODES), **kwargs)


def _check_position(data: dict) -> None:
    """A home position is both coordinates or neither."""
    if ("home_lat" in data) != ("home_lng" in data) or (
            (data.get("home_lat") is None) != (data.get("home_lng") is None)):
        raise ma.ValidationError(pick({
            "zh-CN": "请同时填写纬度和经度。", "en": "Give both latitude and longitude.",
        }), "home_lat")


def _range_problem(start: int, end: int) -> str | None:
    if start >= end:
        return pick({"zh-CN": "结束时间应晚于开始时间。", "en": "The end must be after the start."})
    return None


class VerificationCodeField(ma.fields.String):
    """The 6 digits from the SMS. Full-width digits (a Chinese keyboard's １２３) count as digits and
    spaces typed between them ("123 456") are dropped."""

    def _deserialize(self, value, attr, data, **kwargs):
        typed = unicodedata.normalize("NFKC", super()._deserialize(value, attr, data, **kwargs))
        code = re.sub(r"\s", "", typed)
        if not re.fullmatch(r"[0-9]{6}", code):
            raise ma.ValidationError(pick({
                "zh-CN": "验证码是短信里的 6 位数字。",
                "en": "The code is the 6 digits in the text message.",
            }))
        return code


class VolunteerRegistrationSchema(ma.Schema):
    """A sign-up: the phone is proven by the code sent to it (POST /verification-codes)."""

    phone = Phone(required=True)
    verification_code = VerificationCodeField(required=True, metadata={"example": "042917"})
    display_name = Text(required=True, min_length=1, max_length=60)
    password = ma.fields.String(required=True, validate=ma.validate.Length(max=256))
    gender = ma.fields.String(required=True, validate=ma.validate.OneOf(GENDERS))
    grid_id = ma.fields.Integer(validate=ID_RANGE, required=True, strict=True)
    skills = _codes(load_default=list)
    languages = _codes(load_default=list)
    home_lat = Latitude()
    home_lng = Longitude()
    travel_radius_km = ma.fields.Float(allow_nan=False, validate=ma.validate.Range(min=0.1, max=50))

    @ma.validates_schema
    def _position(self, data, **kwargs):
        _check_position(data)


class VolunteerProfileChangesSchema(ma.Schema):
    """What a volunteer may change about themself; absent fields stay as they are."""

    gender = ma.fields.String(validate=ma.validate.OneOf(GENDERS))
    skills = _codes()
    languages = _codes()
    home_lat = Latitude(allow_none=True)
    home_lng = Longitude(allow_none=True)
    travel_radius_km = ma.fields.Float(allow_nan=False, validate=ma.validate.Range(min=0.1, max=50))
    load_cap = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=10))
    about = Text(max_length=500, allow_none=True)

    @ma.validates_schema
    def _position(self, data, **kwargs):
        _check_position(data)


class VolunteerOnDutySchema(ma.Schema):
    on_duty = ma.fields.Boolean(required=True)


class AvailabilitySlotSchema(ma.Schema):
    weekday = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=0, max=6))
    start = ClockTime(required=True, attribute="start_minute", data_key="start")
    end = ClockTime(required=True, end_of_day=True, attribute="end_minute", data_key="end")

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        problem = _range_problem(data["start_minute"], data["end_minute"])
        if problem:
            raise ma.ValidationError(problem, "end")


class VolunteerAvailabilitySchema(ma.Schema):
    """The whole weekly pattern; it replaces the previous one."""

    slots = ma.fields.List(ma.fields.Nested(AvailabilitySlotSchema), required=True,
                           validate=ma.validate.Length(max=MAX_SLOTS))

    @ma.validates_schema
    def _no_overlap(self, data, **kwargs):
        by_day: dict[int, list[dict]] = {}
        for slot in data["slots"]:
            by_day.setdefault(slot["weekday"], []).append(slot)
        problems = []
        for weekday, slots in sorted(by_day.items()):
            slots.sort(key=lambda slot: slot["start_minute"])
            for earlier, later in zip(slots, slots[1:]):
                if later["start_minute"] < earlier["end_minute"]:
                    problems.append(pick({
                        "zh-CN": "{day} {a}–{b} 与 {c}–{d} 时间重叠。",
                        "en": "{day}: {a}–{b} overlaps {c}–{d}.",
                    }, day=pick({lang: names[weekday] for lang, names in WEEKDAY_NAMES.items()}),
                        a=clock_text(earlier["start_minute"]), b=clock_text(earlier["end_minute"]),
                        c=clock_text(later["start_minute"]), d=clock_text(later["end_minute"])))
        if problems:
            raise ma.ValidationError(problems, "slots")


class AvailabilityExceptionInSchema(ma.Schema):
    """A dated change: away all day (available false), or available only from start to end."""

    date = ma.fields.Date(required=True, attribute="on_date", data_key="date")
    available = ma.fields.Boolean(required=True)
    start = ClockTime(attribute="start_minute", data_key="start")
    end = ClockTime(end_of_day=True, attribute="end_minute", data_key="end")
    note = Text(max_length=200)

    @ma.validates_schema
    def _times_fit(self, data, **kwargs):
        has_times = "start_minute" in data or "end_minute" in data
        if not data["available"]:
            if has_times:
                raise ma.ValidationError(pick({
                    "zh-CN": "整天不在时不用填时间。", "en": "Leave the times out when away all day.",
                }), "start")
            return
        missing = {field: [pick({"zh-CN": "必填项。", "en": "Missing data for required field."})]
                   for field, attribute in (("start", "start_minute"), ("end", "end_minute"))
                   if attribute not in data}
        if missing:
            raise ma.ValidationError(missing)
        problem = _range_problem(data["start_minute"], data["end_minute"])
        if problem:
            raise ma.ValidationError(problem, "end")


class VolunteerStaffChangesSchema(ma.Schema):
    """What staff may change: status (with a reason, kept in the status history) and load cap."""

    status = ma.fields.String(validate=ma.validate.OneOf(("active", "suspended")))
    reason = Text(min_length=1, max_length=200)
    load_cap = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=10))

    @ma.validates_schema
    def _reason_with_status(self, data, **kwargs):
        if "status" in data and not data.get("reason"):
            raise ma.ValidationError(pick({
                "zh-CN": "更改状态时请写明原因。", "en": "Give a reason for the status change.",
            }), "reason")


class VettingInSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(VETTING_KINDS))
    expires_on = ma.fields.Date(required=True)
    note = Text(max_length=200)


class RevokeVettingSchema(ma.Schema):
    reason = Text(required=True, min_length=1, max_length=200)


class VolunteerQuerySchema(PageQuery):
    skill = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
    vetting = ma.fields.String(validate=ma.validate.OneOf(VETTING_KINDS))
    status = ma.fields.String(validate=ma.validate.OneOf(VOLUNTEER_STATUSES))
    on_duty = ma.fields.Boolean()
    grid_id = ma.fields.Integer(validate=ID_RANGE)


class AvailabilitySlotOutSchema(ma.Schema):
    weekday = ma.fields.Integer()
    start = ClockTime(attribute="start_minute")
    end = ClockTime(attribute="end_minute")


class AvailabilityExceptionSchema(ma.Schema):
    id = ma.fields.Integer()
    date = ma.fields.Date(attribute="on_date")
    available = ma.fields.Boolean()
    start = ClockTime(attribute="start_minute")
    end = ClockTime(attribute="end_minute")
    note = ma.fields.String(allow_none=True)


class VolunteerOwnVettingSchema(ma.Schema):
    """A vetting as the volunteer sees it: what, until when, whether it counts today."""

    id = ma.fields.Integer()
    kind = ma.fields.String()
    expires_on = ma.fields.Date()
    is_valid = ma.fields.Boolean()
    revoked_at = ma.fields.AwareDateTime(allow_none=True)


class VolunteerVettingSchema(VolunteerOwnVettingSchema):
    """A vetting as staff see it: also who checked, their note, and any revocation."""

    verified_by_id = ma.fields.Integer(allow_none=True)
    verified_at = ma.fields.AwareDateTime()
    note = ma.fields.String(allow_none=True)
    revoked_by_id = ma.fields.Integer(allow_none=True)
    revoke_reason = ma.fields.String(allow_none=True)


class VolunteerStatusChangeSchema(ma.Schema):
    from_status = ma.fields.String()
    to_status = ma.fields.String()
    reason = ma.fields.String()
    changed_by_id = ma.fields.Integer(allow_none=True)
    changed_at = ma.fields.AwareDateTime()


class VolunteerTermCodeSchema(ma.Schema):
    code = ma.fields.String()


def _term_codes():
    return ma.fields.Pluck(VolunteerTermCodeSchema, "code", many=True)


class VolunteerSummarySchema(ma.Schema):
    """A volunteer in the staff list; the phone is for staff only."""

    id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    display_name = ma.fields.String(attribute="user.display_name")
    phone = ma.fields.String(attribute="user.phone")
    gender = ma.fields.String()
    status = ma.fields.String()
    home_grid_id = ma.fields.Integer(allow_none=True)
    skills = _term_codes()
    languages = _term_codes()
    on_duty = ma.fields.Boolean()
    load_cap = ma.fields.Integer()
    valid_vettings = ma.fields.List(ma.fields.String(), attribute="valid_vetting_kinds")


class _ProfileSchema(VolunteerSummarySchema):
    home_lat = ma.fields.Float(allow_none=True)
    home_lng = ma.fields.Float(allow_none=True)
    travel_radius_km = ma.fields.Float()
    about = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    availability = ma.fields.List(ma.fields.Nested(AvailabilitySlotOutSchema))
    exceptions = ma.fields.List(ma.fields.Nested(AvailabilityExceptionSchema), attribute="upcoming_exceptions")


class VolunteerOwnProfileSchema(_ProfileSchema):
    """The volunteer's own profile (their own phone included); upcoming exceptions only."""

    vettings = ma.fields.List(ma.fields.Nested(VolunteerOwnVettingSchema))


class VolunteerStaffProfileSchema(_ProfileSchema):
    """A volunteer as staff see them: vetting details and the latest status change."""

    vettings = ma.fields.List(ma.fields.Nested(VolunteerVettingSchema))
    last_status_change = ma.fields.Nested(VolunteerStatusChangeSchema, allow_none=True)
