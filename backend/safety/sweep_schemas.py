"""Emergency sweep bodies and answers. The board shows how to address the residents and their
building, never an address or a phone; only an assignee's own list carries those."""
import marshmallow as ma

from backend.common.fields import Text
from backend.common.i18n import pick
from backend.common.ids import ID_RANGE
from backend.common.offline import OccurredAt
from backend.common.pagination import PageQuery
from backend.people.models import RESIDENT_STATUSES
from backend.safety.sweep_models import ATTEMPT_OUTCOMES, CHECK_STATUSES, SWEEP_STATUSES

MAX_GRIDS = 100
MAX_TAGS = 20


class SweepInSchema(ma.Schema):
    name = Text(required=True, min_length=1, max_length=60, metadata={"description": "e.g. 高温天气排查"})
    grid_ids = ma.fields.List(ma.fields.Integer(strict=True, validate=ID_RANGE), allow_none=True, load_default=None,
                              validate=ma.validate.Length(min=1, max=MAX_GRIDS),
                              metadata={"description": "the grids to sweep; all of the caller's by default"})
    tags = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=40)), load_default=list,
                          validate=ma.validate.Length(max=MAX_TAGS),
                          metadata={"description": "risk tag codes: residents with any of them (none: everyone)"})
    min_age = ma.fields.Integer(strict=True, allow_none=True, load_default=None, validate=ma.validate.Range(min=0, max=120),
                                metadata={"description": "residents at least this old (by birth year)"})
    statuses = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(RESIDENT_STATUSES)), load_default=lambda: ["active"],
                              metadata={"description": "only active residents are ever swept"})
    answer_minutes = ma.fields.Integer(strict=True, load_default=30, validate=ma.validate.Range(min=5, max=24 * 60),
                                       metadata={"description": "how long residents with the app have to answer "
                                                                "before their household is assigned"})

    @ma.validates("statuses")
    def _only_active(self, value, **kwargs):
        if set(value) != {"active"}:
            raise ma.ValidationError(pick({
                "zh-CN": "排查只包括在家的居民：外出、住院、搬走或去世的居民不会被排查。",
                "en": "Only active residents are checked: those away, in hospital, moved away or deceased never are."}))


class SweepQuery(PageQuery):
    status = ma.fields.String(validate=ma.validate.OneOf(SWEEP_STATUSES))


class AnswerInSchema(ma.Schema):
    answer = ma.fields.String(required=True, validate=ma.validate.OneOf(("safe", "needs_help")),
                              metadata={"description": "我平安 (safe) / 我需要帮助 (needs_help)"})
    occurred_at = OccurredAt(load_default=None, metadata={"description": "when the tap happened"})


class OutcomeInSchema(ma.Schema):
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(ATTEMPT_OUTCOMES))
    via = ma.fields.String(required=True, validate=ma.validate.OneOf(("phone", "in_person")))
    note = Text(max_length=500, load_default=None, allow_none=True)
    occurred_at = OccurredAt(load_default=None, metadata={"description": "when the call or visit happened"})
    resident_id = ma.fields.Integer(strict=True, validate=ID_RANGE, load_default=None, allow_none=True,
                                    metadata={"description": "whom the finding is about (default: the first matched)"})
    follow_up = ma.fields.String(load_default="alert", validate=ma.validate.OneOf(("alert", "help_request")),
                                 metadata={"description": "needs help: a safety alert to the grid's workers, or "
                                                          "(staff) a help request dispatched at once"})
    category = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(min=1, max=40),
                                metadata={"description": "the help request's category (default: other)"})


class CountsSchema(ma.Schema):
    total = ma.fields.Integer(required=True)
    safe = ma.fields.Integer(required=True)
    needs_help = ma.fields.Integer(required=True)
    not_reached = ma.fields.Integer(required=True, metadata={"description": "prompted + unassigned + assigned"})
    prompted = ma.fields.Integer(required=True)
    unassigned = ma.fields.Integer(required=True)
    assigned = ma.fields.Integer(required=True)


class GridCountsSchema(CountsSchema):
    grid_id = ma.fields.Integer(required=True)
    grid_name = ma.fields.String(required=True)


class SweepSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(SWEEP_STATUSES)})
    grid_ids = ma.fields.List(ma.fields.Integer(), required=True)
    tags = ma.fields.List(ma.fields.String(), required=True)
    min_age = ma.fields.Integer(allow_none=True)
    answer_minutes = ma.fields.Integer(required=True)
    households = ma.fields.Integer(required=True)
    started_at = ma.fields.AwareDateTime(required=True)
    answer_due_at = ma.fields.AwareDateTime(required=True)
    closed_at = ma.fields.AwareDateTime(allow_none=True)
    totals = ma.fields.Nested(CountsSchema, required=True, metadata={"description": "the caller's grids of it"})
    grids = ma.fields.List(ma.fields.Nested(GridCountsSchema), required=True)


class ResidentNameSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    address_as = ma.fields.String(required=True)


class UnreachedSchema(ma.Schema):
    check_id = ma.fields.Integer(required=True)
    household_id = ma.fields.Integer(required=True)
    grid_id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, metadata={"enum": ["prompted", "unassigned", "assigned"]})
    building_label = ma.fields.String(required=True)
    residents = ma.fields.List(ma.fields.Nested(ResidentNameSchema), required=True)
    assignee = ma.fields.String(allow_none=True, metadata={"enum": ["volunteer", "worker", None]})
    assignee_id = ma.fields.Integer(allow_none=True, metadata={"description": "volunteers.id or users.id"})
    assignee_name = ma.fields.String(allow_none=True)
    attempts = ma.fields.Integer(required=True)
    last_attempt_at = ma.fields.AwareDateTime(allow_none=True)
    note = ma.fields.String(allow_none=True)


class UnreachedPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(UnreachedSchema), required=True)
    total = ma.fields.Integer(required=True)
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)


class BoardSchema(ma.Schema):
    sweep = ma.fields.Nested(SweepSchema, required=True)
    unreached = ma.fields.Nested(UnreachedPageSchema, required=True)


class CheckSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    sweep_id = ma.fields.Integer(required=True)
    household_id = ma.fields.Integer(required=True)
    grid_id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(CHECK_STATUSES)})
    assignee = ma.fields.String(allow_none=True)
    assignee_id = ma.fields.Integer(allow_none=True)
    attempts = ma.fields.Integer(required=True)
    last_attempt_at = ma.fields.AwareDateTime(allow_none=True)
    reached_at = ma.fields.AwareDateTime(allow_none=True)
    reached_via = ma.fields.String(allow_none=True)
    reached_by_id = ma.fields.Integer(allow_none=True)
    resident_id = ma.fields.Integer(allow_none=True)
    note = ma.fields.String(allow_none=True)
    help_request_id = ma.fields.Integer(allow_none=True)
    alert_id = ma.fields.Integer(allow_none=True)


class MyCheckSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    sweep_id = ma.fields.Integer(required=True)
    sweep_name = ma.fields.String(required=True)
    sweep_open = ma.fields.Boolean(required=True)
    status = ma.fields.String(required=True)
    answered = ma.fields.String(allow_none=True, metadata={"enum": ["safe", "needs_help", None]})
    answered_at = ma.fields.AwareDateTime(allow_none=True)


class AssignedResidentSchema(ResidentNameSchema):
    phone = ma.fields.String(allow_none=True)


class AssignmentSchema(ma.Schema):
    check_id = ma.fields.Integer(required=True)
    sweep_id = ma.fields.Integer(required=True)
    sweep_name = ma.fields.String(required=True)
    grid_id = ma.fields.Integer(required=True)
    building_label = ma.fields.String(required=True)
    address = ma.fields.String(required=True)
    household_phone = ma.fields.String(allow_none=True)
    attempts = ma.fields.Integer(required=True)
    note = ma.fields.String(allow_none=True)
    residents = ma.fields.List(ma.fields.Nested(AssignedResidentSchema), required=True)


class ReportSchema(ma.Schema):
    """Frozen at closing: the counts, and every household's finding (who was reached, when, how, by
    whom, what was found; whom it was assigned to)."""

    sweep_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    grid_ids = ma.fields.List(ma.fields.Integer(), required=True)
    resident_filter = ma.fields.Dict(required=True)
    started_at = ma.fields.String(required=True)
    started_by_id = ma.fields.Integer(allow_none=True)
    closed_at = ma.fields.String(required=True)
    closed_by_id = ma.fields.Integer(required=True)
    closed_by_name = ma.fields.String(required=True)
    totals = ma.fields.Nested(CountsSchema, required=True)
    grids = ma.fields.List(ma.fields.Nested(GridCountsSchema), required=True)
    checks = ma.fields.List(ma.fields.Dict(), required=True)
