"""Neighbourhood services request and response bodies: the catalogue entry, its hours, the list's filters."""
import re

import marshmallow as ma

from backend.common.fields import Latitude, Longitude, Text
from backend.common.i18n import pick
from backend.common.ids import ID_RANGE
from backend.common.pagination import PageQuery
from backend.providers.models import PROVIDER_KINDS
from backend.volunteers.schemas import WEEKDAY_NAMES, ClockTime, clock_text

MAX_CATEGORIES = 20
MAX_HOURS = 50
# A mobile (138…), a landline with its area code (021…, 0571…), or a short service number (12345).
_BUSINESS_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{9,11}|\d{5,8})$")


class BusinessPhone(ma.fields.String):
    """A business's number as people dial it, stored as digits only."""

    def _deserialize(self, value, attr, data, **kwargs):
        digits = re.sub(r"[\s\-()]", "", super()._deserialize(value, attr, data, **kwargs))
        if digits.startswith("+86"):
            digits = digits[3:]
        if not _BUSINESS_PHONE.match(digits):
            raise ma.ValidationError(pick({
                "zh-CN": "电话号码不对：手机号 11 位，座机请带区号（如 021-5555 1234）。",
                "en": "Enter a mobile number (11 digits) or a landline with its area code (e.g. 021-5555 1234).",
            }))
        return digits


def _weekday_name(weekday: int) -> str:
    return pick({language: names[weekday] for language, names in WEEKDAY_NAMES.items()})


class OpeningHoursSchema(ma.Schema):
    weekday = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=0, max=6))
    start = ClockTime(required=True, attribute="start_minute", data_key="start")
    end = ClockTime(required=True, end_of_day=True, attribute="end_minute", data_key="end")

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        if data["start_minute"] >= data["end_minute"]:
            raise ma.ValidationError(pick({
                "zh-CN": "结束时间应晚于开始时间。过了半夜的营业请分两段填：当天到 24:00，次日从 00:00 起。",
                "en": "The end must be after the start. For hours past midnight, give two ranges: "
                      "to 24:00 that day and from 00:00 the next.",
            }), "end")


def _hours_field(**kwargs):
    return ma.fields.List(ma.fields.Nested(OpeningHoursSchema), validate=ma.validate.Length(max=MAX_HOURS), **kwargs)


def _check_hours_overlap(hours: list[dict]) -> None:
    by_day: dict[int, list[dict]] = {}
    for hour_range in hours:
        by_day.setdefault(hour_range["weekday"], []).append(hour_range)
    problems = []
    for weekday, ranges in sorted(by_day.items()):
        ranges.sort(key=lambda r: r["start_minute"])
        for earlier, later in zip(ranges, ranges[1:]):
            if later["start_minute"] < earlier["end_minute"]:
                problems.append(pick({"zh-CN": "{day} {a}–{b} 与 {c}–{d} 时间重叠。",
                                      "en": "{day}: {a}–{b} overlaps {c}–{d}."},
                                     day=_weekday_name(weekday),
                                     a=clock_text(earlier["start_minute"]), b=clock_text(earlier["end_minute"]),
                                     c=clock_text(later["start_minute"]), d=clock_text(later["end_minute"])))
    if problems:
        raise ma.ValidationError(problems, "hours")


def _check_position(data: dict) -> None:
    if ("lat" in data) != ("lng" in data) or ((data.get("lat") is None) != (data.get("lng") is None)):
        raise ma.ValidationError(pick({"zh-CN": "请同时填写纬度和经度。", "en": "Give both latitude and longitude."}),
                                 "lat")


def _check_near(data: dict) -> None:
    if ("near_lat" in data) != ("near_lng" in data):
        raise ma.ValidationError(pick({"zh-CN": "请同时填写纬度和经度。", "en": "Give both latitude and longitude."}),
                                 "near_lat")


def _categories_field(**kwargs):
    return ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=40)),
                          validate=ma.validate.Length(min=1, max=MAX_CATEGORIES), **kwargs)


class ProviderChangesSchema(ma.Schema):
    """What an admin may change about a provider; absent fields stay as they are. `hours` and
    `categories` replace the whole list. `active: false` takes it out of the catalogue."""

    name = Text(min_length=1, max_length=100)
    kind = ma.fields.String(validate=ma.validate.OneOf(PROVIDER_KINDS))
    categories = _categories_field()
    hours = _hours_field()
    phone = BusinessPhone()
    address = Text(max_length=200, allow_none=True)
    building_id = ma.fields.Integer(strict=True, validate=ID_RANGE, allow_none=True)
    lat = Latitude(allow_none=True)
    lng = Longitude(allow_none=True)
    delivers = ma.fields.Boolean()
    daily_capacity = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=10000), allow_none=True)
    price_notes = Text(max_length=500, allow_none=True)
    about = Text(max_length=500, allow_none=True)
    active = ma.fields.Boolean()

    @ma.validates_schema
    def _consistent(self, data, **kwargs):
        _check_position(data)
        if "hours" in data:
            _check_hours_overlap(data["hours"])


class ProviderInSchema(ProviderChangesSchema):
    """A new catalogue entry. Opening hours are in the community's time zone."""

    name = Text(required=True, min_length=1, max_length=100)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(PROVIDER_KINDS))
    categories = _categories_field(required=True)
    hours = _hours_field(load_default=list)
    phone = BusinessPhone(required=True)
    delivers = ma.fields.Boolean(load_default=False)


class ProviderQuerySchema(PageQuery):
    """Filters of the catalogue. Distance is measured from near_lat/near_lng, else from the
    household of resident_id (yourself, or a resident you act for), else from your own household."""

    category = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
    kind = ma.fields.String(validate=ma.validate.OneOf(PROVIDER_KINDS))
    open_now = ma.fields.Boolean()
    delivers = ma.fields.Boolean()
    near_lat = Latitude()
    near_lng = Longitude()
    resident_id = ma.fields.Integer(validate=ID_RANGE)
    include_inactive = ma.fields.Boolean(load_default=False)  # admins only

    @ma.validates_schema
    def _near(self, data, **kwargs):
        _check_near(data)


class ProviderPlaceQuerySchema(ma.Schema):
    """Where to measure a provider's distance from (see ProviderQuerySchema)."""

    near_lat = Latitude()
    near_lng = Longitude()
    resident_id = ma.fields.Integer(validate=ID_RANGE)

    @ma.validates_schema
    def _near(self, data, **kwargs):
        _check_near(data)


class CategorySchema(ma.Schema):
    code = ma.fields.String(required=True)
    label = ma.fields.String(required=True)


class CategoryCountSchema(CategorySchema):
    providers = ma.fields.Integer(required=True)  # active providers serving it


class OpeningHoursOutSchema(ma.Schema):
    weekday = ma.fields.Integer()
    start = ma.fields.Function(lambda hours: clock_text(hours.start_minute))
    end = ma.fields.Function(lambda hours: clock_text(hours.end_minute))


class ProviderSchema(ma.Schema):
    """A catalogue entry as a reader sees it. `closes_at`/`opens_at` say when "open now" changes
    next; `daily_capacity` is shown to admins, workers and provider staff only."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String()
    categories = ma.fields.List(ma.fields.Nested(CategorySchema))
    phone = ma.fields.String()
    address = ma.fields.String(allow_none=True)
    building_id = ma.fields.Integer(allow_none=True)
    building_label = ma.fields.String(allow_none=True)
    lat = ma.fields.Float(allow_none=True)
    lng = ma.fields.Float(allow_none=True)
    distance_km = ma.fields.Float(allow_none=True)
    delivers = ma.fields.Boolean()
    price_notes = ma.fields.String(allow_none=True)
    about = ma.fields.String(allow_none=True)
    hours = ma.fields.List(ma.fields.Nested(OpeningHoursOutSchema))
    open_now = ma.fields.Boolean()
    closes_at = ma.fields.AwareDateTime(allow_none=True)
    opens_at = ma.fields.AwareDateTime(allow_none=True)
    time_zone = ma.fields.String()
    daily_capacity = ma.fields.Integer(allow_none=True)
    active = ma.fields.Boolean()


class StaffLinkInSchema(ma.Schema):
    user_id = ma.fields.Integer(required=True, strict=True, validate=ID_RANGE)


class ProviderStaffSchema(ma.Schema):
    id = ma.fields.Integer()
    provider_id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    display_name = ma.fields.String(attribute="user.display_name")
    phone = ma.fields.String(attribute="user.phone", allow_none=True)
    added_at = ma.fields.AwareDateTime()


class RouteSchema(ma.Schema):
    category = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    route = ma.fields.String(required=True, metadata={"description": "volunteers (default), providers or both"})


class RouteInSchema(ma.Schema):
    route = ma.fields.String(required=True, validate=ma.validate.OneOf(("volunteers", "providers", "both")))
