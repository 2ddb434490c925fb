"""Household visits: the community's cadence rules (admins edit, staff read), the due and overdue
households of my grids, and visit records."""
from flask import Response
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import requires_roles
from backend.common.pagination import PageQuery, page_of
from backend.extensions import Blueprint
from backend.visits.schemas import (
    DayPlanInSchema, DayPlanQuery, DayPlanSchema, DelegationInSchema, DelegationQuery, DelegationSchema,
    DueHouseholdSchema, DueQuery, OrderInSchema, RecordInSchema, RuleInSchema, RulePatchSchema, RuleSchema, SummarySchema,
    VisitInSchema, VisitSchema,
)
from backend.visits.services import cadence, day_plans, delegations, records, summaries

blp = Blueprint("visits", __name__, url_prefix="/api/v1", description="Household visits")

STAFF = ("worker", "admin")


@blp.route("/visit-rules")
class Rules(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, RuleSchema(many=True))
    def get(self):
        """The community's visit rules, most frequent first."""
        return cadence.list_rules(current_user)

    @requires_roles("admin")
    @blp.arguments(RuleInSchema)
    @blp.response(201, RuleSchema)
    def post(self, body):
        """Add a rule: residents with these tags are visited every so many days (staged if given)."""
        return cadence.create_rule(current_user, body)


@blp.route("/visit-rules/<int:rule_id>")
class Rule(MethodView):
    @requires_roles("admin")
    @blp.arguments(RulePatchSchema)
    @blp.response(200, RuleSchema)
    def patch(self, body, rule_id):
        """Change a rule; it applies from the next computation (every due list computes afresh)."""
        return cadence.update_rule(current_user, rule_id, body)

    @requires_roles("admin")
    @blp.response(204)
    def delete(self, rule_id):
        """Remove a rule."""
        cadence.delete_rule(current_user, rule_id)


@blp.route("/visits/due")
class Due(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(DueQuery, location="query")
    @blp.response(200, page_of(DueHouseholdSchema))
    def get(self, query):
        """Households of my grids due (by today + within_days) or overdue: overdue first, by risk
        and days overdue."""
        return cadence.due_households(current_user, within_days=query["within_days"], grid_id=query.get("grid_id"),
                                      overdue_only=query["overdue"], page=query["page"], per_page=query["per_page"])


@blp.route("/visits")
class Visits(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(VisitInSchema)
    @blp.response(201, VisitSchema)
    def post(self, body):
        """Record a visit (offline: with occurred_at and an Idempotency-Key, it arrives once)."""
        return records.record_visit(current_user, body)


@blp.route("/visits/<int:visit_id>")
class VisitDetail(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, VisitSchema)
    def get(self, visit_id):
        """One visit record (read is audited: it holds residents' wellbeing)."""
        return records.get_visit(current_user, visit_id)


@blp.route("/households/<int:household_id>/visits")
class HouseholdVisits(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(VisitSchema))
    def get(self, query, household_id):
        """A household's visits, newest first."""
        return records.household_visits(current_user, household_id, query["page"], query["per_page"])


@blp.route("/visit-day-plans")
class DayPlans(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(DayPlanQuery, location="query")
    @blp.response(200, DayPlanSchema(many=True))
    def get(self, query):
        """My day plans (of one date, if given), newest first."""
        return day_plans.day_plans(current_user, query.get("date"))

    @requires_roles(*STAFF)
    @blp.arguments(DayPlanInSchema)
    @blp.response(201, DayPlanSchema)
    def post(self, body):
        """Plan a day: the due households (or the ones named) in a walking route; what does not fit is deferred."""
        return day_plans.make_day_plan(current_user, body)


@blp.route("/visit-day-plans/<int:plan_id>")
class DayPlanDetail(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, DayPlanSchema)
    def get(self, plan_id):
        """One of my day plans."""
        return day_plans.get_day_plan(current_user, plan_id)


@blp.route("/visit-day-plans/<int:plan_id>/order")
class DayPlanOrder(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(OrderInSchema)
    @blp.response(200, DayPlanSchema)
    def put(self, body, plan_id):
        """My own order (left-out households are deferred); a late start or a late finish is shown."""
        return day_plans.reorder(current_user, plan_id, body["household_ids"])


@blp.route("/visit-day-plans/<int:plan_id>/calendar.ics")
class DayPlanCalendar(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, content_type="text/calendar")
    def get(self, plan_id):
        """The day as iCalendar: building labels, times and a link — no names, addresses or tags."""
        body = day_plans.calendar(current_user, plan_id)
        return Response(body, mimetype="text/calendar",
                        headers={"Content-Disposition": f'attachment; filename="linli-visits-{plan_id}.ics"'})


@blp.route("/visit-delegations")
class Delegations(MethodView):
    @requires_roles(*STAFF, "volunteer")
    @blp.arguments(DelegationQuery, location="query")
    @blp.response(200, page_of(DelegationSchema))
    def get(self, query):
        """Staff: the delegated visits of my grids; a volunteer: mine. Open ones by due date."""
        return delegations.list_delegations(current_user, query.get("status"), query["page"], query["per_page"])

    @requires_roles(*STAFF)
    @blp.arguments(DelegationInSchema)
    @blp.response(201, DelegationSchema)
    def post(self, body):
        """Hand a household's visit to a vetted volunteer (a companionship visit); they are told."""
        return delegations.delegate(current_user, body)


@blp.route("/visit-delegations/<int:delegation_id>")
class DelegationDetail(MethodView):
    @requires_roles(*STAFF, "volunteer")
    @blp.response(200, DelegationSchema)
    def get(self, delegation_id):
        """One delegated visit (its volunteer sees the door and address while it is open)."""
        return delegations.get_delegation(current_user, delegation_id)


@blp.route("/visit-delegations/<int:delegation_id>/record")
class DelegationRecord(MethodView):
    @requires_roles("volunteer")
    @blp.arguments(RecordInSchema)
    @blp.response(200, DelegationSchema)
    def post(self, body, delegation_id):
        """The volunteer's record of the visit (as a worker's, offline with occurred_at): it now counts."""
        return delegations.record(current_user, delegation_id, body)


@blp.route("/visit-delegations/<int:delegation_id>/cancel")
class DelegationCancel(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, DelegationSchema)
    def post(self, delegation_id):
        """Take an open delegated visit back."""
        return delegations.cancel(current_user, delegation_id)


@blp.route("/residents/<int:resident_id>/visit-summaries")
class Summaries(MethodView):
    @requires_roles("proxy", "resident", *STAFF)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(SummarySchema))
    def get(self, query, resident_id):
        """The plain visit summaries for the family (a proxy with view_visit_summaries), newest first."""
        return summaries.summaries_for(current_user, resident_id, query["page"], query["per_page"])
