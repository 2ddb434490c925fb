"""Community request and response bodies: the community and its lists, grids, buildings, households."""
import re
import zoneinfo

import marshmallow as ma

from backend.common.fields import Latitude, Longitude, Text, normalise_phone
from backend.common.i18n import pick
from backend.common.ids import ID_RANGE
from backend.common.pagination import PageQuery
from backend.community.models import TERM_VOCABULARIES

TERM_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
MAX_GRID_WORKERS = 20
MAX_IMPORT_CHARS = 1_000_000  # the request body limit (MAX_CONTENT_LENGTH) usually bites first


class ContactPhone(ma.fields.String):
    """A mobile or landline number (the service desk, a household's phone), kept as digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        mobile = normalise_phone(raw)
        if mobile:
            return mobile
        digits = re.sub(r"[\s\-()]", "", raw)
        if not re.fullmatch(r"\d{5,20}", digits):
            raise ma.ValidationError(pick({
                "zh-CN": "电话应为 5 到 20 位数字，例如 0571-88880000。",
                "en": "Enter a phone number of 5 to 20 digits, e.g. 0571-88880000.",
            }))
        return digits


def _both_or_neither(data: dict) -> None:
    """Latitude and longitude come together (both numbers, or both null to clear)."""
    if ("latitude" in data) != ("longitude" in data) or (
            "latitude" in data and (data["latitude"] is None) != (data["longitude"] is None)):
        message = pick({"zh-CN": "纬度和经度要一起填写。", "en": "Give latitude and longitude together."})
        raise ma.ValidationError({"latitude": [message], "longitude": [message]})


def _known_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ma.ValidationError(pick({"zh-CN": "不认识的时区，例如 Asia/Shanghai。",
                                       "en": "Unknown time zone; e.g. Asia/Shanghai."}))


def _term_code(value: str) -> None:
    if not TERM_CODE.match(value):
        raise ma.ValidationError(pick({
            "zh-CN": "代码应为 2 到 40 个小写字母、数字或下划线，以字母开头，例如 hearing_loss。",
            "en": "Use 2 to 40 lowercase letters, digits or underscores, starting with a letter, e.g. hearing_loss.",
        }))


# Community and its lists

class TermSchema(ma.Schema):
    id = ma.fields.Integer()
    vocabulary = ma.fields.String()
    code = ma.fields.String()
    label_zh = ma.fields.String()
    label_en = ma.fields.String()
    is_health_related = ma.fields.Boolean()


class PositionSchema(ma.Schema):
    latitude = Latitude(required=True)
    longitude = Longitude(required=True)


class CommunitySchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    timezone = ma.fields.String()
    centre = ma.fields.Method("centre_of")
    phone = ma.fields.String(allow_none=True)
    risk_tags = ma.fields.Method("risk_tags_of")
    skills = ma.fields.Method("skills_of")
    languages = ma.fields.Method("languages_of")

    def centre_of(self, community):
        if community.centre_lat is None:
            return None
        return {"latitude": community.centre_lat, "longitude": community.centre_lng}

    def _terms(self, community, vocabulary):
        return TermSchema(many=True, exclude=("vocabulary",)).dump(
            [term for term in community.terms if term.vocabulary == vocabulary])

    def risk_tags_of(self, community):
        return self._terms(community, "risk_tag")

    def skills_of(self, community):
        return self._terms(community, "skill")

    def languages_of(self, community):
        return self._terms(community, "language")


class SignUpAreaSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class CommunitySignUpChoicesSchema(ma.Schema):
    """What anyone may see before signing up as a volunteer: the areas (grids) to live in, by name
    only, and the skills and languages lists. No worker, building or household appears here."""

    name = ma.fields.String()
    areas = ma.fields.List(ma.fields.Nested(SignUpAreaSchema), attribute="grids")
    skills = ma.fields.Method("skills_of")
    languages = ma.fields.Method("languages_of")

    def _terms(self, community, vocabulary):
        return TermSchema(many=True, only=("code", "label_zh", "label_en")).dump(
            [term for term in community.terms if term.vocabulary == vocabulary])

    def skills_of(self, community):
        return self._terms(community, "skill")

    def languages_of(self, community):
        return self._terms(community, "language")


class CommunityChangesSchema(ma.Schema):
    name = Text(min_length=1, max_length=100)
    timezone = ma.fields.String(validate=_known_time_zone)
    centre = ma.fields.Nested(PositionSchema, allow_none=True)
    phone = ContactPhone(allow_none=True)


class TermQuery(PageQuery):
    vocabulary = ma.fields.String(validate=ma.validate.OneOf(TERM_VOCABULARIES))


class NewTermSchema(ma.Schema):
    vocabulary = ma.fields.String(required=True, validate=ma.validate.OneOf(TERM_VOCABULARIES))
    code = ma.fields.String(required=True, validate=_term_code)
    label_zh = Text(required=True, min_length=1, max_length=40)
    label_en = Text(required=True, min_length=1, max_length=60)
    is_health_related = ma.fields.Boolean(load_default=False)

    @ma.validates_schema
    def _health_only_for_risk_tags(self, data, **kwargs):
        if data.get("is_health_related") and data.get("vocabulary") != "risk_tag":
            raise ma.ValidationError(pick({"zh-CN": "只有风险标签可以标为健康相关。",
                                           "en": "Only risk tags can be health-related."}), "is_health_related")


class TermLabelsSchema(ma.Schema):
    label_zh = Text(min_length=1, max_length=40)
    label_en = Text(min_length=1, max_length=60)


# Grids

class GridWorkerSchema(ma.Schema):
    user_id = ma.fields.Integer()
    name = ma.fields.String(attribute="user.display_name")
    phone = ma.fields.String(attribute="user.phone", allow_none=True)
    is_primary = ma.fields.Boolean()


class GridSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    workers = ma.fields.List(ma.fields.Nested(GridWorkerSchema), attribute="worker_rows")


class NewGridSchema(ma.Schema):
    name = Text(required=True, min_length=1, max_length=60)


class GridChangesSchema(ma.Schema):
    name = Text(min_length=1, max_length=60)


class GridWorkerChoiceSchema(ma.Schema):
    user_id = ma.fields.Integer(validate=ID_RANGE, required=True, strict=True)
    is_primary = ma.fields.Boolean(load_default=False)


class GridWorkersSchema(ma.Schema):
    workers = ma.fields.List(ma.fields.Nested(GridWorkerChoiceSchema), required=True,
                             validate=ma.validate.Length(max=MAX_GRID_WORKERS))

    @ma.validates_schema
    def _one_primary_and_no_repeats(self, data, **kwargs):
        workers = data.get("workers", [])
        user_ids = [worker["user_id"] for worker in workers]
        if len(set(user_ids)) != len(user_ids):
            raise ma.ValidationError(pick({"zh-CN": "同一位网格员只能列一次。",
                                           "en": "List each worker only once."}), "workers")
        if workers and sum(worker["is_primary"] for worker in workers) != 1:
            raise ma.ValidationError(pick({"zh-CN": "请指定且只指定一位主责网格员。",
                                           "en": "Mark exactly one worker as primary."}), "workers")


# Buildings and households

class BuildingSchema(ma.Schema):
    id = ma.fields.Integer()
    grid_id = ma.fields.Integer()
    label = ma.fields.String()
    address = ma.fields.String(allow_none=True)
    latitude = ma.fields.Float(attribute="lat", allow_none=True)
    longitude = ma.fields.Float(attribute="lng", allow_none=True)
    position_source = ma.fields.String(allow_none=True)
    position_set_at = ma.fields.AwareDateTime(allow_none=True)
    position_set_by_id = ma.fields.Integer(allow_none=True)
    position_accuracy_m = ma.fields.Float(allow_none=True)


class BuildingQuery(PageQuery):
    grid_id = ma.fields.Integer(validate=ID_RANGE)
    q = Text(max_length=60)  # an empty search box means no filter


class NewBuildingSchema(ma.Schema):
    grid_id = ma.fields.Integer(validate=ID_RANGE, required=True, strict=True)
    label = Text(required=True, min_length=1, max_length=60)
    address = Text(max_length=200, allow_none=True)
    latitude = Latitude()
    longitude = Longitude()

    @ma.validates_schema
    def _position_together(self, data, **kwargs):
        _both_or_neither(data)


class BuildingChangesSchema(ma.Schema):
    label = Text(min_length=1, max_length=60)
    address = Text(max_length=200, allow_none=True)
    latitude = Latitude(allow_none=True)
    longitude = Longitude(allow_none=True)

    @ma.validates_schema
    def _position_together(self, data, **kwargs):
        _both_or_neither(data)


class BuildingImportSchema(ma.Schema):
    grid_id = ma.fields.Integer(validate=ID_RANGE, required=True, strict=True)
    csv = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_IMPORT_CHARS))


class BuildingImportResultSchema(ma.Schema):
    created = ma.fields.Integer()
    updated = ma.fields.Integer()
    gps_positions_kept = ma.fields.Integer()


class PositionFixSchema(ma.Schema):
    """A fix from the phone's GPS at the door; `occurred_at` when it was taken offline."""

    latitude = Latitude(required=True)
    longitude = Longitude(required=True)
    accuracy_m = ma.fields.Float(validate=ma.validate.Range(min=0, max=100_000), allow_nan=False)
    occurred_at = ma.fields.AwareDateTime()


class HouseholdSummarySchema(ma.Schema):
    """A household in a list: where it is in the tree, without its address or phone."""

    id = ma.fields.Integer()
    building_id = ma.fields.Integer()
    building_label = ma.fields.String(attribute="building.label")
    grid_id = ma.fields.Integer(attribute="building.grid_id")
    door_number = ma.fields.String()
    resident_count = ma.fields.Method("count_residents")

    def count_residents(self, household):
        return len(household.residents)


class HouseholdSchema(HouseholdSummarySchema):
    """A household in full; reading it is audited for each of its residents."""

    address_text = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    latitude = ma.fields.Method("latitude_of")
    longitude = ma.fields.Method("longitude_of")
    position_source = ma.fields.Method("position_source_of")
    position_set_at = ma.fields.AwareDateTime(allow_none=True)
    position_accuracy_m = ma.fields.Float(allow_none=True)
    resident_ids = ma.fields.Method("resident_ids_of")
    created_at = ma.fields.AwareDateTime()

    def latitude_of(self, household):
        return household.lat if household.lat is not None else household.building.lat

    def longitude_of(self, household):
        return household.lng if household.lat is not None else household.building.lng

    def position_source_of(self, household):
        if household.lat is not None:
            return household.position_source
        return "building" if household.building.lat is not None else None

    def resident_ids_of(self, household):
        return [resident.id for resident in household.residents]


class HouseholdPositionSchema(ma.Schema):
    """A household's new position, without its address or phone."""

    id = ma.fields.Integer()
    latitude = ma.fields.Float(attribute="lat")
    longitude = ma.fields.Float(attribute="lng")
    position_source = ma.fields.String()
    position_set_at = ma.fields.AwareDateTime()
    position_accuracy_m = ma.fields.Float(allow_none=True)


class HouseholdQuery(PageQuery):
    grid_id = ma.fields.Integer(validate=ID_RANGE)
    building_id = ma.fields.Integer(validate=ID_RANGE)


class NewHouseholdSchema(ma.Schema):
    building_id = ma.fields.Integer(validate=ID_RANGE, required=True, strict=True)
    door_number = Text(required=True, min_length=1, max_length=20)
    address_text = Text(min_length=1, max_length=200)
    phone = ContactPhone(allow_none=True)


class HouseholdChangesSchema(ma.Schema):
    door_number = Text(min_length=1, max_length=20)
    address_text = Text(min_length=1, max_length=200)
    phone = ContactPhone(allow_none=True)
