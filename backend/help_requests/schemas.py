"""Help request bodies and answers. What a caller sees is decided by the services (a
RequestView); the answer schema only shows what the view allows."""
import marshmallow as ma

from backend.common.fields import Latitude, Longitude, Text
from backend.common.ids import ID_RANGE
from backend.common.i18n import pick
from backend.common.offline import OccurredAt
from backend.common.pagination import PageQuery
from backend.extensions import db
from backend.help_requests.models import CALLBACK_STATUSES, STATUSES, URGENCIES
from backend.providers.models import Provider

GENDERS = ("female", "male")


def _message(zh: str, en: str) -> str:
    return pick({"zh-CN": zh, "en": en})


def _check_position(data: dict) -> None:
    if (data.get("lat") is None) != (data.get("lng") is None):
        raise ma.ValidationError(_message("经纬度要一起提供。", "Give latitude and longitude together."), "lat")


class HelpRequestInSchema(ma.Schema):
    resident_id = ma.fields.Integer(validate=ID_RANGE, metadata={"description": "whom it is for; a resident asking for themself may leave it out"})
    category = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40),
                                metadata={"description": "a skill's code of the community, other or welfare_check"})
    description = Text(max_length=500, allow_none=True)
    asap = ma.fields.Boolean(metadata={"description": "as soon as possible; false (or a window given): window_start–window_end"})
    window_start = ma.fields.AwareDateTime(allow_none=True)
    window_end = ma.fields.AwareDateTime(allow_none=True)
    urgency = ma.fields.String(load_default="normal", validate=ma.validate.OneOf(URGENCIES))
    lat = Latitude(allow_none=True, metadata={"description": "WGS-84; the household's by default"})
    lng = Longitude(allow_none=True)
    preferred_gender = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(GENDERS))
    preferred_language = ma.fields.String(allow_none=True, validate=ma.validate.Length(min=1, max=40))
    timebank_service = ma.fields.Boolean(load_default=False, metadata={
        "description": "time-bank service: the resident's time-bank hours pay for it when it is confirmed"})

    @ma.validates_schema
    def check_when(self, data, **kwargs):
        _check_position(data)
        start, end = data.get("window_start"), data.get("window_end")
        asap = data.get("asap")
        if asap is None:
            asap = start is None and end is None
        if asap and (start is not None or end is not None):
            raise ma.ValidationError(_message("“尽快”的求助不要再填时间段。", "An as-soon-as-possible request takes no window."),
                                     "window_start")
        if not asap and (start is None or end is None):
            raise ma.ValidationError(_message("请填写开始和结束时间。", "Give the window's start and end."),
                                     "window_start" if start is None else "window_end")
        if not asap and end <= start:
            raise ma.ValidationError(_message("结束时间要晚于开始时间。", "The end must be after the start."), "window_end")

    @ma.post_load
    def settle_asap(self, data, **kwargs):
        if data.get("asap") is None:
            data["asap"] = data.get("window_start") is None
        return data


class HelpRequestQuery(PageQuery):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    grid_id = ma.fields.Integer(validate=ID_RANGE)
    resident_id = ma.fields.Integer(validate=ID_RANGE)
    needs_worker = ma.fields.Boolean(load_default=False, metadata={
        "description": "only requests nobody will take without a worker: escalated, or open with no wave to come"})
    order = ma.fields.String(load_default="newest", validate=ma.validate.OneOf(("newest", "oldest")),
                             metadata={"description": "by when they were asked; oldest: a worker's triage"})


class HelpRequestReasonSchema(ma.Schema):
    reason = Text(max_length=500, allow_none=True)


class HelpRequestWithdrawalSchema(ma.Schema):
    reason = Text(required=True, min_length=1, max_length=500, metadata={"description": "why they cannot come"})


class HelpRequestAssignmentSchema(ma.Schema):
    volunteer_id = ma.fields.Integer(required=True, validate=ID_RANGE)


class HelpRequestReassignmentSchema(HelpRequestAssignmentSchema):
    reason = Text(max_length=500, allow_none=True)


class HelpRequestCheckSchema(ma.Schema):
    occurred_at = OccurredAt(allow_none=True, metadata={"description": "when it happened, if sent later (offline)"})
    lat = Latitude(allow_none=True)
    lng = Longitude(allow_none=True)

    @ma.validates_schema
    def check_position(self, data, **kwargs):
        _check_position(data)


class HelpRequestConfirmationSchema(ma.Schema):
    rating = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=5))
    comment = Text(max_length=500, allow_none=True)


# Answers

class HelpRequestPersonSchema(ma.Schema):
    id = ma.fields.Integer()
    display_name = ma.fields.String()


class HelpRequestResidentSchema(ma.Schema):
    """How any volunteer may see the resident: how to address them and their building."""

    id = ma.fields.Integer()
    address_as = ma.fields.String()
    building_label = ma.fields.String()


class HelpRequestContactSchema(ma.Schema):
    """Only for the assigned volunteer, from acceptance until 24 h after check-out (audited)."""

    full_name = ma.fields.String()
    address = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    household_phone = ma.fields.String(allow_none=True)


class HelpRequestStepSchema(ma.Schema):
    id = ma.fields.Integer()
    event = ma.fields.String()
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String()
    actor = ma.fields.Nested(HelpRequestPersonSchema, allow_none=True, metadata={"description": "null: the system"})
    occurred_at = ma.fields.AwareDateTime()
    recorded_at = ma.fields.AwareDateTime()
    reason = ma.fields.String(allow_none=True)
    data = ma.fields.Dict()
    volunteer = ma.fields.Method("volunteer_named", allow_none=True, metadata={
        "description": "the volunteer the step concerns (offered, accepted, withdrew…), by the name the app shows; "
                       "null: none"})

    def volunteer_named(self, event):
        volunteer = event.volunteer
        return {"id": volunteer.id, "display_name": volunteer.user.display_name} if volunteer is not None else None


# Fields of the request itself everyone who may see it gets; the rest only with a full view.
BRIEF_FIELDS = ("id", "category", "asap", "window_start", "window_end", "urgency", "status", "created_at")


class HelpRequestSchema(ma.Schema):
    id = ma.fields.Integer()
    category = ma.fields.String()
    asap = ma.fields.Boolean()
    window_start = ma.fields.AwareDateTime(allow_none=True)
    window_end = ma.fields.AwareDateTime(allow_none=True)
    urgency = ma.fields.String()
    status = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    resident = ma.fields.Nested(HelpRequestResidentSchema)
    full = ma.fields.Boolean(metadata={"description": "false: a volunteer's brief view (no description, place or history)"})
    resident_id = ma.fields.Integer(allow_none=True)
    grid_id = ma.fields.Integer(allow_none=True)
    on_behalf = ma.fields.String(allow_none=True)
    created_by = ma.fields.Nested(HelpRequestPersonSchema, allow_none=True)
    description = ma.fields.String(allow_none=True)
    lat = ma.fields.Float(allow_none=True)
    lng = ma.fields.Float(allow_none=True)
    preferred_gender = ma.fields.String(allow_none=True)
    preferred_language = ma.fields.String(allow_none=True)
    volunteer = ma.fields.Nested(HelpRequestPersonSchema, allow_none=True)
    volunteer_id = ma.fields.Integer(allow_none=True)
    provider = ma.fields.Dict(allow_none=True, metadata={
        "description": "the neighbourhood service that took it: {id, name, phone} (docs/providers.md)"})
    accepted_at = ma.fields.AwareDateTime(allow_none=True)
    checked_in_at = ma.fields.AwareDateTime(allow_none=True)
    check_in_received_at = ma.fields.AwareDateTime(allow_none=True)
    check_in_lat = ma.fields.Float(allow_none=True)
    check_in_lng = ma.fields.Float(allow_none=True)
    check_in_far = ma.fields.Boolean(allow_none=True)
    checked_out_at = ma.fields.AwareDateTime(allow_none=True)
    check_out_received_at = ma.fields.AwareDateTime(allow_none=True)
    hours = ma.fields.Float(allow_none=True)
    timebank_service = ma.fields.Boolean(allow_none=True)
    rating = ma.fields.Integer(allow_none=True)
    comment = ma.fields.String(allow_none=True)
    confirmed_at = ma.fields.AwareDateTime(allow_none=True)
    updated_at = ma.fields.AwareDateTime(allow_none=True)
    contact = ma.fields.Nested(HelpRequestContactSchema, allow_none=True)

    FULL_ONLY = ("resident_id", "grid_id", "on_behalf", "created_by", "description", "lat", "lng",
                 "preferred_gender", "preferred_language", "volunteer", "volunteer_id", "accepted_at",
                 "checked_in_at", "check_in_received_at", "check_in_lat", "check_in_lng", "check_in_far",
                 "checked_out_at", "check_out_received_at", "hours", "timebank_service", "rating", "comment", "confirmed_at",
                 "updated_at")

    @ma.pre_dump
    def from_view(self, view, **kwargs):
        request = view.request
        answer = {name: getattr(request, name) for name in BRIEF_FIELDS}
        answer["resident"] = {"id": request.resident_id, "address_as": request.resident.address_as,
                              "building_label": request.resident.household.building.label}
        answer["full"] = view.full
        answer["contact"] = view.contact
        if view.full:
            answer.update({name: getattr(request, name) for name in self.FULL_ONLY if name != "volunteer"})
            volunteer = request.volunteer
            answer["volunteer"] = ({"id": volunteer.id, "display_name": volunteer.user.display_name}
                                   if volunteer is not None else None)
            provider = db.session.get(Provider, request.provider_id) if request.provider_id is not None else None
            answer["provider"] = ({"id": provider.id, "name": provider.name, "phone": provider.phone}
                                  if provider is not None else None)
        if view.timeline:
            answer["timeline"] = list(request.events)
        return answer


class HelpRequestDetailSchema(HelpRequestSchema):
    timeline = ma.fields.List(ma.fields.Nested(HelpRequestStepSchema),
                              metadata={"description": "every step; empty in a volunteer's brief view"})

    @ma.post_dump
    def always_a_timeline(self, data, **kwargs):
        data.setdefault("timeline", [])
        return data


# Call-backs (回访)

class CallbackQuery(PageQuery):
    status = ma.fields.String(validate=ma.validate.OneOf(CALLBACK_STATUSES))


class CallbackDoneSchema(ma.Schema):
    note = Text(required=True, min_length=1, max_length=500, metadata={"description": "what the call-back found"})


class CallbackTaskSchema(ma.Schema):
    """A call-back for grid staff: the request and its rating, whom to call, and how it ended."""

    id = ma.fields.Integer()
    help_request_id = ma.fields.Integer()
    grid_id = ma.fields.Integer()
    status = ma.fields.String()
    rating = ma.fields.Integer(allow_none=True)
    category = ma.fields.String()
    resident = ma.fields.Nested(HelpRequestResidentSchema)
    created_at = ma.fields.AwareDateTime()
    done_at = ma.fields.AwareDateTime(allow_none=True)
    done_by = ma.fields.Nested(HelpRequestPersonSchema, allow_none=True)
    note = ma.fields.String(allow_none=True)
    comment = ma.fields.String(allow_none=True, metadata={"description": "what the resident's side said with the rating"})

    @ma.pre_dump
    def from_task(self, task, **kwargs):
        request = task.help_request
        return {"id": task.id, "help_request_id": task.help_request_id, "grid_id": task.grid_id,
                "status": task.status, "rating": request.rating, "comment": request.comment,
                "category": request.category,
                "resident": {"id": request.resident_id, "address_as": request.resident.address_as,
                             "building_label": request.resident.household.building.label},
                "created_at": task.created_at, "done_at": task.done_at, "note": task.note,
                "done_by": ({"id": task.done_by.id, "display_name": task.done_by.display_name}
                            if task.done_by is not None else None)}
