"""Offer, candidate and block bodies and answers. An offer shows a volunteer nothing that names or
locates the resident exactly (no address, phone or full name): its fields are the whole answer."""
import marshmallow as ma

from backend.common.fields import Text
from backend.common.ids import ID_RANGE
from backend.common.pagination import PageQuery


class OfferContactSchema(ma.Schema):
    full_name = ma.fields.String(allow_none=True)
    address = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    household_phone = ma.fields.String(allow_none=True)


class OfferSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    help_request_id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True)
    wave = ma.fields.Integer(required=True)
    category = ma.fields.String(required=True)
    category_label = ma.fields.String(required=True)
    asap = ma.fields.Boolean(required=True)
    urgency = ma.fields.String(required=True)
    window_start = ma.fields.AwareDateTime(allow_none=True)
    window_end = ma.fields.AwareDateTime(allow_none=True)
    building_label = ma.fields.String(required=True, metadata={"description": "the building or area, never the door"})
    distance_km = ma.fields.Float(allow_none=True)
    address_as = ma.fields.String(required=True, metadata={"description": "how to address the resident (王奶奶)"})
    reasons = ma.fields.String(required=True, metadata={"description": "why you: 0.6 km · 帮助过王奶奶 3 次"})
    reason_codes = ma.fields.List(ma.fields.String())
    created_at = ma.fields.AwareDateTime()
    # A provider's offers only (docs/providers.md, "Requests to providers"):
    request_status = ma.fields.String(metadata={"description": "provider offers: the request's status"})
    provider_id = ma.fields.Integer(metadata={"description": "provider offers: the provider offered it"})
    provider_name = ma.fields.String()
    description = ma.fields.String(allow_none=True, metadata={"description": "provider offers, once theirs"})
    contact = ma.fields.Nested(OfferContactSchema, allow_none=True, metadata={
        "description": "provider offers, while theirs and not done: what a delivery needs (audited)"})


class OfferQuery(PageQuery):
    state = ma.fields.String(load_default="open", validate=ma.validate.OneOf(("open", "taken", "done")), metadata={
        "description": "provider staff: open offers, taken (to deliver) or done; volunteers: open only"})


class DeclineSchema(ma.Schema):
    reason = Text(max_length=200, allow_none=True, load_default=None)


class CandidateSchema(ma.Schema):
    volunteer_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    distance_km = ma.fields.Float(required=True)
    score = ma.fields.Float(required=True)
    breakdown = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float())
    reasons = ma.fields.String(required=True)
    reason_codes = ma.fields.List(ma.fields.String())


class DispatchSchema(ma.Schema):
    wave = ma.fields.Integer(required=True)
    at = ma.fields.AwareDateTime(required=True)
    offered_volunteer_ids = ma.fields.List(ma.fields.Integer())
    record = ma.fields.Dict(metadata={"description": "inputs, weights, every candidate's facts and refusals, ranking"})


class CandidatesSchema(ma.Schema):
    help_request_id = ma.fields.Integer(required=True)
    candidates = ma.fields.List(ma.fields.Nested(CandidateSchema))
    latest_dispatch = ma.fields.Nested(DispatchSchema, allow_none=True)


class BlockInSchema(ma.Schema):
    volunteer_id = ma.fields.Integer(validate=ID_RANGE, required=True, strict=True)
    reason = Text(max_length=200, allow_none=True, load_default=None)


class BlockSchema(ma.Schema):
    resident_id = ma.fields.Integer(required=True)
    volunteer_id = ma.fields.Integer(required=True)
    reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
