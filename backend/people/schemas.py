"""People request and response bodies: residents, emergency contacts, consents, proxies, "who am I"."""
import marshmallow as ma

from backend.common.fields import Phone, Text
from backend.common.i18n import LANGUAGES, pick
from backend.common.ids import ID_RANGE
from backend.common.pagination import PageQuery
from backend.common.time import now
from backend.people.models import CONSENT_GIVERS, CONSENT_PURPOSES, GENDERS, PROXY_SCOPES, RESIDENT_STATUSES

VOLUNTEER_GENDERS = ("female", "male")
MAX_CONTACTS = 10
MAX_CODES = 20


def _plausible_birth_year(value: int) -> None:
    if not 1900 <= value <= now().year:
        raise ma.ValidationError(pick({"zh-CN": "出生年份应在 1900 到今年之间。",
                                       "en": "The birth year must be between 1900 and this year."}))


def _distinct(values: list) -> None:
    if len(values) != len(set(values)):
        raise ma.ValidationError(pick({"zh-CN": "有重复的项目。", "en": "An item is listed twice."}))


def _codes(**kwargs):
    """A list of codes from one of the community's lists (checked against the database later)."""
    return ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=40)),
                          validate=[ma.validate.Length(max=MAX_CODES), _distinct], **kwargs)


class EmergencyContactInSchema(ma.Schema):
    name = Text(min_length=1, max_length=40, required=True)
    relation = Text(min_length=1, max_length=20, required=True)
    phone = Phone(required=True)
    language = ma.fields.String(load_default="zh-CN", validate=ma.validate.OneOf(LANGUAGES))


class EmergencyContactPatchSchema(ma.Schema):
    name = Text(min_length=1, max_length=40)
    relation = Text(min_length=1, max_length=20)
    phone = Phone()
    language = ma.fields.String(validate=ma.validate.OneOf(LANGUAGES))


class RegistryConsentInSchema(ma.Schema):
    given_by = ma.fields.String(required=True, validate=ma.validate.OneOf(CONSENT_GIVERS))
    giver_name = Text(min_length=1, max_length=40, required=True)


class ResidentCreateSchema(ma.Schema):
    household_id = ma.fields.Integer(validate=ID_RANGE, required=True)
    family_name = Text(min_length=1, max_length=20, required=True)
    given_name = Text(min_length=1, max_length=40, required=True)
    address_as = Text(min_length=1, max_length=20, required=True)
    gender = ma.fields.String(required=True, validate=ma.validate.OneOf(GENDERS))
    birth_year = ma.fields.Integer(required=True, validate=_plausible_birth_year)
    phone = Phone(allow_none=True, load_default=None)
    tags = _codes(load_default=list)
    languages = _codes(load_default=list)
    prefers_volunteer_gender = ma.fields.String(allow_none=True, load_default=None,
                                                validate=ma.validate.OneOf(VOLUNTEER_GENDERS))
    preference_notes = Text(max_length=500, allow_none=True, load_default=None)
    emergency_contacts = ma.fields.List(ma.fields.Nested(EmergencyContactInSchema), load_default=list,
                                        validate=ma.validate.Length(max=MAX_CONTACTS))
    consent = ma.fields.Nested(RegistryConsentInSchema, required=True)


class ResidentPatchSchema(ma.Schema):
    """Every field optional; which ones a caller may send depends on who they are (see services)."""

    household_id = ma.fields.Integer(validate=ID_RANGE)
    family_name = Text(min_length=1, max_length=20)
    given_name = Text(min_length=1, max_length=40)
    address_as = Text(min_length=1, max_length=20)
    gender = ma.fields.String(validate=ma.validate.OneOf(GENDERS))
    birth_year = ma.fields.Integer(validate=_plausible_birth_year)
    phone = Phone(allow_none=True)
    tags = _codes()
    languages = _codes()
    prefers_volunteer_gender = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(VOLUNTEER_GENDERS))
    preference_notes = Text(max_length=500, allow_none=True)


class ResidentStatusChangeSchema(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(RESIDENT_STATUSES))
    away_until = ma.fields.Date(allow_none=True, load_default=None)

    @ma.validates_schema
    def _away_needs_a_date(self, data, **kwargs):
        if data["status"] == "away" and data.get("away_until") is None:
            raise ma.ValidationError(pick({"zh-CN": "外出时请填写预计回来的日期。",
                                           "en": "Give the date they are expected back."}), "away_until")
        if data["status"] != "away" and data.get("away_until") is not None:
            raise ma.ValidationError(pick({"zh-CN": "只有外出状态才填写回来日期。",
                                           "en": "Only an away status takes a return date."}), "away_until")


class ResidentQuery(PageQuery):
    grid_id = ma.fields.Integer(validate=ID_RANGE)
    tag = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
    status = ma.fields.String(validate=ma.validate.OneOf(RESIDENT_STATUSES))
    name = Text(min_length=1, max_length=40)


class ConsentInSchema(ma.Schema):
    purpose = ma.fields.String(required=True, validate=ma.validate.OneOf(CONSENT_PURPOSES))
    given_by = ma.fields.String(required=True, validate=ma.validate.OneOf(CONSENT_GIVERS))
    giver_name = Text(min_length=1, max_length=40, required=True)
    note = Text(max_length=200, allow_none=True, load_default=None)


class ConsentQuery(PageQuery):
    include_withdrawn = ma.fields.Boolean(load_default=True)


class ProxyLinkInSchema(ma.Schema):
    phone = Phone(required=True)
    display_name = Text(min_length=1, max_length=60)  # only when creating the account
    password = ma.fields.String(validate=ma.validate.Length(max=256))  # only when creating the account
    relation = Text(min_length=1, max_length=20, required=True)
    is_guardian = ma.fields.Boolean(load_default=False)
    scopes = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(PROXY_SCOPES)), required=True,
                            validate=[ma.validate.Length(min=1), _distinct])
    consented_by = ma.fields.String(required=True, validate=ma.validate.OneOf(CONSENT_GIVERS))
    giver_name = Text(min_length=1, max_length=40)


class ProxyScopesInSchema(ma.Schema):
    """The scopes the proxy should hold from now on; missing ones are withdrawn, new ones granted."""

    scopes = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(PROXY_SCOPES)), required=True,
                            validate=_distinct)
    consented_by = ma.fields.String(validate=ma.validate.OneOf(CONSENT_GIVERS))


class ProxyQuery(PageQuery):
    include_ended = ma.fields.Boolean(load_default=False)


class ResidentTermSchema(ma.Schema):
    code = ma.fields.String()
    label_zh = ma.fields.String()
    label_en = ma.fields.String()
    is_health_related = ma.fields.Boolean()


class EmergencyContactSchema(ma.Schema):
    id = ma.fields.Integer()
    resident_id = ma.fields.Integer()
    name = ma.fields.String()
    relation = ma.fields.String()
    phone = ma.fields.String()
    language = ma.fields.String()


class ResidentHouseholdSchema(ma.Schema):
    id = ma.fields.Integer()
    grid_id = ma.fields.Integer(attribute="building.grid_id")
    building_label = ma.fields.String(attribute="building.label")
    door_number = ma.fields.String()
    address = ma.fields.String(attribute="address_text")
    phone = ma.fields.String(allow_none=True)


class ResidentSchema(ma.Schema):
    """A resident as the caller may see them: the service's view names the fields shown."""

    id = ma.fields.Integer()
    household = ma.fields.Nested(ResidentHouseholdSchema)
    building_label = ma.fields.String(attribute="household.building.label")
    family_name = ma.fields.String()
    given_name = ma.fields.String()
    address_as = ma.fields.String()
    gender = ma.fields.String()
    birth_year = ma.fields.Integer()
    is_child = ma.fields.Boolean()
    phone = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    away_until = ma.fields.Date(allow_none=True)
    tags = ma.fields.List(ma.fields.Nested(ResidentTermSchema))
    languages = ma.fields.List(ma.fields.Nested(ResidentTermSchema))
    prefers_volunteer_gender = ma.fields.String(allow_none=True)
    preference_notes = ma.fields.String(allow_none=True)
    emergency_contacts = ma.fields.List(ma.fields.Nested(EmergencyContactSchema))
    has_account = ma.fields.Boolean()
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()

    @ma.pre_dump
    def _unwrap(self, view, **kwargs):
        return view.resident

    @ma.post_dump(pass_original=True)
    def _only_visible(self, data, view, **kwargs):
        return {key: value for key, value in data.items() if key in view.fields}


class ResidentListItemSchema(ma.Schema):
    """A row of the staff list: no address, phone or contacts (open the record for those)."""

    id = ma.fields.Integer()
    household_id = ma.fields.Integer()
    grid_id = ma.fields.Integer(attribute="household.building.grid_id")
    building_label = ma.fields.String(attribute="household.building.label")
    family_name = ma.fields.String()
    given_name = ma.fields.String()
    address_as = ma.fields.String()
    gender = ma.fields.String()
    birth_year = ma.fields.Integer()
    is_child = ma.fields.Boolean()
    status = ma.fields.String()
    away_until = ma.fields.Date(allow_none=True)
    tags = ma.fields.List(ma.fields.Nested(ResidentTermSchema))


class ConsentSchema(ma.Schema):
    id = ma.fields.Integer()
    resident_id = ma.fields.Integer()
    purpose = ma.fields.String()
    given_by = ma.fields.String()
    giver_name = ma.fields.String()
    recorded_by_id = ma.fields.Integer(allow_none=True)
    granted_at = ma.fields.AwareDateTime()
    withdrawn_at = ma.fields.AwareDateTime(allow_none=True)
    note = ma.fields.String(allow_none=True)


class ProxyScopeSchema(ma.Schema):
    scope = ma.fields.String()
    consented_by = ma.fields.String()
    recorded_by_id = ma.fields.Integer(allow_none=True)
    granted_at = ma.fields.AwareDateTime()
    withdrawn_at = ma.fields.AwareDateTime(allow_none=True)
    withdrawn_by_id = ma.fields.Integer(allow_none=True)


class ProxyUserSchema(ma.Schema):
    id = ma.fields.Integer()
    display_name = ma.fields.String()
    phone = ma.fields.String(allow_none=True)


class ProxyLinkSchema(ma.Schema):
    id = ma.fields.Integer()
    resident_id = ma.fields.Integer()
    proxy = ma.fields.Nested(ProxyUserSchema, attribute="proxy_user")
    relation = ma.fields.String()
    is_guardian = ma.fields.Boolean()
    active_scopes = ma.fields.List(ma.fields.String())
    scope_history = ma.fields.List(ma.fields.Nested(ProxyScopeSchema), attribute="scopes")
    created_by_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    ended_at = ma.fields.AwareDateTime(allow_none=True)


class MyResidentSchema(ma.Schema):
    id = ma.fields.Integer()
    address_as = ma.fields.String()
    building_label = ma.fields.String()
    status = ma.fields.String()
    away_until = ma.fields.Date(allow_none=True)
    grid_worker_phone = ma.fields.String(allow_none=True)


class ProxiedResidentSchema(ma.Schema):
    resident_id = ma.fields.Integer()
    link_id = ma.fields.Integer()
    address_as = ma.fields.String()
    relation = ma.fields.String()
    is_guardian = ma.fields.Boolean()
    scopes = ma.fields.List(ma.fields.String())
    status = ma.fields.String(allow_none=True)  # only with the view_status scope
    away_until = ma.fields.Date(allow_none=True)
    grid_worker_phone = ma.fields.String(allow_none=True)


class MeSchema(ma.Schema):
    id = ma.fields.Integer()
    display_name = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    roles = ma.fields.List(ma.fields.String())
    language = ma.fields.String()
    text_size = ma.fields.String()
    elder_mode = ma.fields.Boolean()
    high_contrast = ma.fields.Boolean()
    read_aloud = ma.fields.Boolean()
    community_phone = ma.fields.String(allow_none=True)
    time_zone = ma.fields.String()
    resident = ma.fields.Nested(MyResidentSchema, allow_none=True)
    proxy_for = ma.fields.List(ma.fields.Nested(ProxiedResidentSchema))
