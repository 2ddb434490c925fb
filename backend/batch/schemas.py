"""Batch plan bodies and answers. A plan shows a worker each request's category, time, building
and how to address the resident — never an address or phone."""
import marshmallow as ma

from backend.common.i18n import pick
from backend.common.ids import ID_RANGE
from backend.common.pagination import PageQuery
from backend.batch.models import MADE_BY, OUTCOMES, PLAN_STATUSES

MAX_GRIDS = 100


class PlanInSchema(ma.Schema):
    date = ma.fields.Date(required=True, metadata={"description": "the community's local date to plan (tomorrow or later)"})
    grid_ids = ma.fields.List(ma.fields.Integer(strict=True, validate=ID_RANGE), allow_none=True, load_default=None,
                              validate=ma.validate.Length(min=1, max=MAX_GRIDS),
                              metadata={"description": "the grids to plan; all of the caller's by default"})


class PlanQuery(PageQuery):
    date = ma.fields.Date()


class ItemInSchema(ma.Schema):
    """Exactly one of the two: {"volunteer_id": 12}, {"worker_id": 7} (a kind workers may take), or
    {"volunteer_id": null}: nobody (the task goes to the waves)."""

    volunteer_id = ma.fields.Integer(allow_none=True, strict=True, validate=ID_RANGE,
                                     metadata={"description": "an eligible volunteer, or null: nobody (the waves)"})
    worker_id = ma.fields.Integer(strict=True, validate=ID_RANGE,
                                  metadata={"description": "an eligible worker (users.id), for a kind workers may take"})

    @ma.validates_schema
    def _one(self, data, **kwargs):
        if ("volunteer_id" in data) == ("worker_id" in data):
            raise ma.ValidationError(pick({"zh-CN": "请只选一位：志愿者（volunteer_id）或工作人员（worker_id）。",
                                           "en": "Give exactly one of volunteer_id or worker_id."}), "volunteer_id")

    @ma.post_load
    def _assignee(self, data, **kwargs):
        if "worker_id" in data:
            return {"assignee": ("worker", data["worker_id"])}
        return {"assignee": ("volunteer", data["volunteer_id"]) if data["volunteer_id"] is not None else None}


class PlanCandidateSchema(ma.Schema):
    assignee = ma.fields.String(required=True, metadata={"enum": ["volunteer", "worker"]})
    volunteer_id = ma.fields.Integer(allow_none=True)
    worker_id = ma.fields.Integer(allow_none=True, metadata={"description": "users.id of a worker candidate"})
    name = ma.fields.String(required=True)
    score = ma.fields.Float(required=True)
    distance_km = ma.fields.Float(allow_none=True)
    reasons = ma.fields.String(required=True)


class PlanItemSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    plan_id = ma.fields.Integer(required=True)
    task_kind = ma.fields.String(required=True, metadata={"description": "what the task is: help_request, …"})
    task_id = ma.fields.Integer(required=True)
    help_request_id = ma.fields.Integer(allow_none=True, metadata={"description": "the task, when a help request"})
    category = ma.fields.String(required=True)
    category_label = ma.fields.String(required=True)
    when = ma.fields.String(required=True, metadata={"description": "the window in the community's time, for people"})
    window_start = ma.fields.AwareDateTime(required=True)
    window_end = ma.fields.AwareDateTime(required=True)
    building_label = ma.fields.String(required=True)
    address_as = ma.fields.String(required=True)
    assignee = ma.fields.String(allow_none=True, metadata={"enum": ["volunteer", "worker"],
                                                           "description": "who is proposed: a volunteer, a worker or nobody"})
    volunteer_id = ma.fields.Integer(allow_none=True)
    worker_id = ma.fields.Integer(allow_none=True)
    assignee_name = ma.fields.String(allow_none=True)
    volunteer_name = ma.fields.String(allow_none=True)
    score = ma.fields.Float(allow_none=True)
    reasons = ma.fields.String(required=True, metadata={"description": "why them, as ranking explains it"})
    reason_codes = ma.fields.List(ma.fields.String())
    candidates = ma.fields.List(ma.fields.Nested(PlanCandidateSchema),
                                metadata={"description": "the request's best eligible candidates when planned"})
    fcfs_volunteer_id = ma.fields.Integer(allow_none=True,
                                          metadata={"description": "who first come, first served would have sent"})
    fcfs_worker_id = ma.fields.Integer(allow_none=True)
    fcfs_assignee_name = ma.fields.String(allow_none=True)
    fcfs_volunteer_name = ma.fields.String(allow_none=True)
    edited_by_id = ma.fields.Integer(allow_none=True)
    edited_at = ma.fields.AwareDateTime(allow_none=True)
    outcome = ma.fields.String(allow_none=True, metadata={"enum": list(OUTCOMES)})
    outcome_reason = ma.fields.String(allow_none=True)


class PlanSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    community_id = ma.fields.Integer(required=True)
    date = ma.fields.Date(required=True)
    grid_ids = ma.fields.List(ma.fields.Integer())
    status = ma.fields.String(required=True, metadata={"enum": list(PLAN_STATUSES)})
    made_by = ma.fields.String(required=True, metadata={"enum": list(MADE_BY)})
    created_by_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.AwareDateTime(required=True)
    sent_at = ma.fields.AwareDateTime(allow_none=True)
    total_score = ma.fields.Float(required=True, metadata={"description": "the items' scores now (after edits)"})
    matched = ma.fields.Integer(required=True)
    proposed_total_score = ma.fields.Float(required=True, metadata={"description": "the optimum as proposed"})
    proposed_matched = ma.fields.Integer(required=True)
    fcfs_total_score = ma.fields.Float(required=True)
    fcfs_matched = ma.fields.Integer(required=True)
    requests = ma.fields.Integer(required=True)
    items = ma.fields.List(ma.fields.Nested(PlanItemSchema), allow_none=True)
