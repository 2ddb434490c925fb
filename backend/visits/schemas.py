"""Visit rules, the due list and visit records: bodies and answers. The due list shows a worker the
building, door and how to address each resident — never tags (some are health-related)."""
import marshmallow as ma

from backend.common.fields import Latitude, Longitude, Text
from backend.common.ids import ID_RANGE
from backend.common.offline import OccurredAt
from backend.common.pagination import PageQuery
from backend.visits.models import CHECK_VALUES, CHECKLIST, DELEGATION_STATUSES, OUTCOMES, SERIOUS_CONCERNS

DAYS = ma.validate.Range(min=1, max=365)
MAX_RESIDENTS = 20


class RuleInSchema(ma.Schema):
    tags = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=40)), load_default=list,
                          validate=ma.validate.Length(max=10),
                          metadata={"description": "risk tag codes a resident must all have; [] = any tagged resident"})
    interval_days = ma.fields.Integer(required=True, strict=True, validate=DAYS)
    first_interval_days = ma.fields.Integer(strict=True, allow_none=True, load_default=None, validate=DAYS,
                                            metadata={"description": "staged: this interval at first …"})
    first_period_days = ma.fields.Integer(strict=True, allow_none=True, load_default=None, validate=DAYS,
                                          metadata={"description": "… for this many days after registration"})


class RulePatchSchema(ma.Schema):
    tags = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=40)),
                          validate=ma.validate.Length(max=10))
    interval_days = ma.fields.Integer(strict=True, validate=DAYS)
    first_interval_days = ma.fields.Integer(strict=True, allow_none=True, validate=DAYS)
    first_period_days = ma.fields.Integer(strict=True, allow_none=True, validate=DAYS)


class RuleSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    tags = ma.fields.List(ma.fields.String())
    interval_days = ma.fields.Integer(required=True)
    first_interval_days = ma.fields.Integer(allow_none=True)
    first_period_days = ma.fields.Integer(allow_none=True)
    updated_at = ma.fields.AwareDateTime()


class DueQuery(PageQuery):
    within_days = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=60),
                                    metadata={"description": "also households due within this many days"})
    grid_id = ma.fields.Integer(validate=ID_RANGE)
    overdue = ma.fields.Boolean(load_default=False, metadata={"description": "only households past their date"})


class DueResidentSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    address_as = ma.fields.String(required=True)


class DueHouseholdSchema(ma.Schema):
    household_id = ma.fields.Integer(required=True)
    grid_id = ma.fields.Integer(required=True)
    building_label = ma.fields.String(required=True)
    door_number = ma.fields.String(required=True)
    residents = ma.fields.List(ma.fields.Nested(DueResidentSchema))
    next_due_on = ma.fields.Date(required=True)
    days_overdue = ma.fields.Integer(required=True)
    overdue = ma.fields.Boolean(required=True)
    reason = ma.fields.String(required=True, metadata={"enum": ["interval", "new_resident", "asked"]})
    interval_days = ma.fields.Integer(allow_none=True, metadata={"description": "the household's most frequent interval"})
    last_visit_on = ma.fields.Date(allow_none=True)
    delegation_id = ma.fields.Integer(allow_none=True, metadata={"description": "an open delegated visit"})
    delegated_to = ma.fields.String(allow_none=True, metadata={"description": "its volunteer"})


class ResidentRecordInSchema(ma.Schema):
    resident_id = ma.fields.Integer(required=True, strict=True, validate=ID_RANGE)
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTCOMES))
    checklist = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.OneOf(CHECKLIST)),
                               values=ma.fields.String(validate=ma.validate.OneOf(CHECK_VALUES)), load_default=dict)
    needs = Text(max_length=500, allow_none=True, load_default=None)
    concerns = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(SERIOUS_CONCERNS)), load_default=list,
                              validate=ma.validate.Length(max=len(SERIOUS_CONCERNS)),
                              metadata={"description": "serious concerns: each raises a safety alert"})


class RecordInSchema(ma.Schema):
    """A visit record without its household (a delegated visit's household is the delegation's)."""

    occurred_at = OccurredAt(load_default=None, metadata={"description": "when the visit happened (offline: earlier)"})
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(("met", "not_home", "refused")),
                               metadata={"description": "at the door: met, not at home, or refused"})
    residents = ma.fields.List(ma.fields.Nested(ResidentRecordInSchema), load_default=list,
                               validate=ma.validate.Length(max=MAX_RESIDENTS))
    notes = Text(max_length=2000, allow_none=True, load_default=None)
    summary = Text(max_length=200, allow_none=True, load_default=None,
                   metadata={"description": "plain words for the residents' proxies with view_visit_summaries"})
    next_visit_on = ma.fields.Date(allow_none=True, load_default=None)


class VisitInSchema(RecordInSchema):
    household_id = ma.fields.Integer(required=True, strict=True, validate=ID_RANGE)


class ResidentRecordSchema(ma.Schema):
    resident_id = ma.fields.Integer(required=True)
    address_as = ma.fields.String(required=True)
    outcome = ma.fields.String(required=True, metadata={"enum": list(OUTCOMES)})
    checklist = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    needs = ma.fields.String(allow_none=True)
    concerns = ma.fields.List(ma.fields.String())


class VisitSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    household_id = ma.fields.Integer(required=True)
    grid_id = ma.fields.Integer(required=True)
    visitor_id = ma.fields.Integer(allow_none=True)
    visitor_name = ma.fields.String(allow_none=True)
    occurred_at = ma.fields.AwareDateTime(required=True)
    local_date = ma.fields.Date(required=True)
    recorded_at = ma.fields.AwareDateTime(required=True)
    seen = ma.fields.Boolean(required=True, metadata={"description": "someone was seen: counts for the cadence"})
    notes = ma.fields.String(allow_none=True)
    summary = ma.fields.String(allow_none=True)
    next_visit_on = ma.fields.Date(allow_none=True)
    residents = ma.fields.List(ma.fields.Nested(ResidentRecordSchema))


CLOCK = ma.validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error="HH:MM")


class StartPointSchema(ma.Schema):
    latitude = Latitude(required=True)
    longitude = Longitude(required=True)


class AppointmentInSchema(ma.Schema):
    household_id = ma.fields.Integer(required=True, strict=True, validate=ID_RANGE)
    earliest = ma.fields.String(required=True, validate=CLOCK, metadata={"description": "local HH:MM"})
    latest = ma.fields.String(validate=CLOCK, load_default=None, allow_none=True,
                              metadata={"description": "local HH:MM; the earliest if left out (a fixed time)"})


class DayPlanInSchema(ma.Schema):
    date = ma.fields.Date(required=True)
    household_ids = ma.fields.List(ma.fields.Integer(strict=True, validate=ID_RANGE), allow_none=True,
                                   load_default=None, validate=ma.validate.Length(max=60),
                                   metadata={"description": "the households of the day; the due ones by default"})
    appointments = ma.fields.List(ma.fields.Nested(AppointmentInSchema), load_default=list,
                                  validate=ma.validate.Length(max=60))
    start = ma.fields.Nested(StartPointSchema, allow_none=True, load_default=None,
                             metadata={"description": "where the day starts; the community's office by default"})
    start_time = ma.fields.String(validate=CLOCK, load_default=None, allow_none=True)
    end_time = ma.fields.String(validate=CLOCK, load_default=None, allow_none=True)


class DayPlanQuery(ma.Schema):
    date = ma.fields.Date()


class OrderInSchema(ma.Schema):
    household_ids = ma.fields.List(ma.fields.Integer(strict=True, validate=ID_RANGE), required=True,
                                   validate=ma.validate.Length(max=60),
                                   metadata={"description": "the worker's order; households left out are deferred"})


class PlannedStopSchema(ma.Schema):
    household_id = ma.fields.Integer(required=True)
    building_label = ma.fields.String(required=True)
    door_number = ma.fields.String(required=True)
    residents = ma.fields.List(ma.fields.String())
    people = ma.fields.List(ma.fields.Nested(DueResidentSchema),
                            metadata={"description": "the active residents with their ids (the visit form's, offline)"})
    latitude = ma.fields.Float(allow_none=True, metadata={"description": "where the household is (the route's sketch)"})
    longitude = ma.fields.Float(allow_none=True)
    appointment_earliest = ma.fields.AwareDateTime(allow_none=True)
    appointment_latest = ma.fields.AwareDateTime(allow_none=True)
    position = ma.fields.Integer()
    arrival = ma.fields.AwareDateTime()
    start = ma.fields.AwareDateTime()
    finish = ma.fields.AwareDateTime()
    walk_minutes = ma.fields.Float()
    wait_minutes = ma.fields.Float()
    violation = ma.fields.String(allow_none=True, metadata={"enum": ["late", "after_day_end"]})
    violation_minutes = ma.fields.Float(allow_none=True)
    reason = ma.fields.String(metadata={"enum": ["unreachable", "no_room", "no_position"]})


class DayPlanSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    date = ma.fields.Date(required=True)
    start_latitude = ma.fields.Float(required=True)
    start_longitude = ma.fields.Float(required=True)
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    service_minutes = ma.fields.Integer(required=True)
    method = ma.fields.String(required=True, metadata={"enum": ["exact", "heuristic", "given"]})
    travel_minutes = ma.fields.Float(required=True)
    stops = ma.fields.List(ma.fields.Nested(PlannedStopSchema), metadata={"description": "the route, in order"})
    deferred = ma.fields.List(ma.fields.Nested(PlannedStopSchema),
                              metadata={"description": "households that do not fit the day, with why"})


class DelegationInSchema(ma.Schema):
    household_id = ma.fields.Integer(required=True, strict=True, validate=ID_RANGE)
    volunteer_id = ma.fields.Integer(required=True, strict=True, validate=ID_RANGE)
    due_on = ma.fields.Date(required=True, metadata={"description": "visit by this date"})
    note = Text(max_length=500, allow_none=True, load_default=None,
                metadata={"description": "for the volunteer: what to look at (no health details needed)"})


class DelegationQuery(PageQuery):
    status = ma.fields.String(validate=ma.validate.OneOf(DELEGATION_STATUSES))


class DelegationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    household_id = ma.fields.Integer(required=True)
    grid_id = ma.fields.Integer(required=True)
    volunteer_id = ma.fields.Integer(required=True)
    volunteer_name = ma.fields.String(required=True)
    due_on = ma.fields.Date(required=True)
    note = ma.fields.String(allow_none=True)
    status = ma.fields.String(required=True, metadata={"enum": list(DELEGATION_STATUSES)})
    created_at = ma.fields.AwareDateTime(required=True)
    ended_at = ma.fields.AwareDateTime(allow_none=True)
    visit_id = ma.fields.Integer(allow_none=True, metadata={"description": "the record, once the volunteer made it"})
    building_label = ma.fields.String(required=True)
    door_number = ma.fields.String(allow_none=True, metadata={"description": "the volunteer's while the visit is open"})
    address = ma.fields.String(allow_none=True)
    residents = ma.fields.List(ma.fields.Nested(DueResidentSchema))


class SummarySchema(ma.Schema):
    visit_id = ma.fields.Integer(required=True)
    date = ma.fields.Date(required=True)
    occurred_at = ma.fields.AwareDateTime(required=True)
    summary = ma.fields.String(required=True)
    visitor_name = ma.fields.String(allow_none=True)
    by_volunteer = ma.fields.Boolean(required=True, metadata={"description": "a delegated (companionship) visit"})
