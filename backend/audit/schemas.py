"""Audit log request and response bodies."""
import marshmallow as ma

from backend.common.ids import ID_RANGE
from backend.common.pagination import PageQuery


class AuditQuery(PageQuery):
    resident_id = ma.fields.Integer(validate=ID_RANGE)
    actor_id = ma.fields.Integer(validate=ID_RANGE)
    since = ma.fields.AwareDateTime()
    until = ma.fields.AwareDateTime()


class AuditActorSchema(ma.Schema):
    id = ma.fields.Integer()
    display_name = ma.fields.String()


class AuditEntrySchema(ma.Schema):
    id = ma.fields.Integer()
    at = ma.fields.AwareDateTime()
    actor = ma.fields.Nested(AuditActorSchema, allow_none=True)
    resident_id = ma.fields.Integer(allow_none=True)
    action = ma.fields.String()
    fields = ma.fields.List(ma.fields.String())
    reason = ma.fields.String()
    endpoint = ma.fields.String(allow_none=True)
