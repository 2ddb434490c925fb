"""Time bank bodies and answers. Hours are numbers of hours for people (two decimals); the
ledger keeps whole minutes."""
import marshmallow as ma

from backend.common.fields import Text
from backend.common.ids import ID_RANGE
from backend.common.pagination import PageQuery
from backend.timebank.models import BUCKETS

MAX_HOURS = 1000


def _hours(**kwargs) -> ma.fields.Float:
    return ma.fields.Float(required=True, allow_nan=False, validate=ma.validate.Range(min=0, min_inclusive=False, max=MAX_HOURS),
                           metadata={"description": "hours (kept as whole minutes)"}, **kwargs)


class GiftInSchema(ma.Schema):
    resident_id = ma.fields.Integer(required=True, validate=ID_RANGE,
                                    metadata={"description": "a family member (a resident the caller is linked to)"})
    hours = _hours()
    note = Text(max_length=200, allow_none=True)


class RecordedHoursInSchema(ma.Schema):
    hours = _hours()
    reason = Text(required=True, min_length=1, max_length=500, metadata={"description": "why they are added by hand"})
    service_date = ma.fields.Date(allow_none=True, metadata={"description": "the day of service; today by default"})
    category = ma.fields.String(allow_none=True, validate=ma.validate.Length(min=1, max=40))
    help_request_id = ma.fields.Integer(allow_none=True, validate=ID_RANGE,
                                        metadata={"description": "the task, if the hours are for one that earned none"})


class HistoryQuery(PageQuery):
    bucket = ma.fields.String(validate=ma.validate.OneOf(BUCKETS))


class YearQuery(ma.Schema):
    year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2999))


class VolunteerBalancesQuery(PageQuery):
    pass


# Answers

class TimebankWorkerSchema(ma.Schema):
    id = ma.fields.Integer()
    display_name = ma.fields.String()


class FamilyMemberSchema(ma.Schema):
    resident_id = ma.fields.Integer()
    address_as = ma.fields.String()


class TimebankTransferSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    hours = ma.fields.Float()
    service_date = ma.fields.Date()
    occurred_at = ma.fields.AwareDateTime()
    help_request_id = ma.fields.Integer(allow_none=True)
    category = ma.fields.String(allow_none=True)
    reason = ma.fields.String(allow_none=True)

    @ma.pre_dump
    def from_transfer(self, record, **kwargs):
        return {"id": record.id, "kind": record.kind, "hours": round(record.minutes / 60, 2),
                "service_date": record.service_date, "occurred_at": record.occurred_at,
                "help_request_id": record.help_request_id, "category": record.category, "reason": record.reason}


class HistoryLineSchema(ma.Schema):
    id = ma.fields.Integer(metadata={"description": "the movement"})
    transfer_id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"description": "verified, recorded, gift or spend"})
    bucket = ma.fields.String(metadata={"description": "verified or recorded: which balance it changed"})
    hours = ma.fields.Float(metadata={"description": "added (positive) or taken (negative)"})
    service_date = ma.fields.Date()
    occurred_at = ma.fields.AwareDateTime()
    help_request_id = ma.fields.Integer(allow_none=True)
    category = ma.fields.String(allow_none=True)
    confirmed_by = ma.fields.String(allow_none=True, metadata={"description": "resident, proxy or worker"})
    worker = ma.fields.Nested(TimebankWorkerSchema, allow_none=True, metadata={"description": "the worker who confirmed or added it"})
    reason = ma.fields.String(allow_none=True, metadata={"description": "a hand entry's reason or a gift's note"})
    family_member = ma.fields.Nested(FamilyMemberSchema, allow_none=True, metadata={"description": "a gift's recipient"})

    @ma.pre_dump
    def from_line(self, line, **kwargs):
        movement, record = line.movement, line.movement.transfer
        return {"id": movement.id, "transfer_id": record.id, "kind": record.kind, "bucket": line.bucket,
                "hours": round(movement.minutes / 60, 2), "service_date": record.service_date,
                "occurred_at": record.occurred_at, "help_request_id": record.help_request_id,
                "category": record.category, "confirmed_by": record.confirmed_by,
                "worker": ({"id": record.worker.id, "display_name": record.worker.display_name}
                           if record.worker is not None else None),
                "reason": record.reason if line.show_reason else None, "family_member": line.family_member}


class GiftsSummarySchema(ma.Schema):
    year = ma.fields.Integer()
    cap_hours = ma.fields.Float()
    given_hours = ma.fields.Float()
    left_hours = ma.fields.Float()


class FamilySchema(FamilyMemberSchema):
    relation = ma.fields.String()
    can_receive = ma.fields.Boolean()
    hours = ma.fields.Float(allow_none=True, metadata={"description": "their balance, when the link holds view_status"})


class MySummarySchema(ma.Schema):
    volunteer_id = ma.fields.Integer()
    verified_hours = ma.fields.Float()
    recorded_hours = ma.fields.Float(metadata={"description": "added by a worker by hand: kept apart, never given"})
    gifts = ma.fields.Nested(GiftsSummarySchema)
    family = ma.fields.List(ma.fields.Nested(FamilySchema))


class TimebankHistoryPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(HistoryLineSchema))
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()


class MemberAccountSchema(ma.Schema):
    resident_id = ma.fields.Integer()
    hours = ma.fields.Float()
    history = ma.fields.Nested(TimebankHistoryPageSchema)


class TimebankHeldSchema(ma.Schema):
    volunteers_verified_hours = ma.fields.Float()
    volunteers_recorded_hours = ma.fields.Float()
    members_hours = ma.fields.Float()
    volunteers_with_hours = ma.fields.Integer()
    members_with_hours = ma.fields.Integer()


class TimebankTotalsSchema(ma.Schema):
    community_id = ma.fields.Integer()
    year = ma.fields.Integer(allow_none=True)
    verified_hours = ma.fields.Float(metadata={"description": "service hours confirmed, all payers"})
    verified_from_members_hours = ma.fields.Float(metadata={"description": "of which paid from members' accounts"})
    recorded_hours = ma.fields.Float()
    gifted_hours = ma.fields.Float()
    held = ma.fields.Nested(TimebankHeldSchema, metadata={"description": "what accounts hold now"})


class VolunteerBalanceSchema(ma.Schema):
    volunteer_id = ma.fields.Integer()
    display_name = ma.fields.String()
    verified_hours = ma.fields.Float()
    recorded_hours = ma.fields.Float()
