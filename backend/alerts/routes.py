"""Alerts that need an owner ("我来处理"), and the on-duty roster their escalation follows."""
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import requires_roles
from backend.alerts.schemas import (
    AlertDetailSchema, AlertQuery, AlertSchema, OnDutyQuery, OnDutySchema, OverrideInSchema, OverrideSchema,
    ResolutionSchema, RosterPatternSchema, RosterPersonSchema, RosterSchema,
)
from backend.alerts.services import alerts, roster
from backend.common.pagination import PageQuery, page_of
from backend.extensions import Blueprint

blp = Blueprint("alerts", __name__, url_prefix="/api/v1", description="Alerts and the on-duty roster")

STAFF = ("worker", "admin")


@blp.route("/alerts")
class Alerts(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(AlertQuery, location="query")
    @blp.response(200, page_of(AlertSchema))
    def get(self, query):
        """Alerts in my scope: open ones first, then those being handled, then ended ones."""
        return alerts.list_alerts(current_user, query.get("status"), query["page"], query["per_page"])


@blp.route("/alerts/<int:alert_id>")
class AlertItem(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, AlertDetailSchema)
    def get(self, alert_id):
        """One alert with its timeline: who was told when, escalations, who took it, how it ended."""
        return alerts.get_alert(current_user, alert_id)


@blp.route("/alerts/<int:alert_id>/ack")
class AlertAcknowledgement(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, AlertDetailSchema)
    def post(self, alert_id):
        """我来处理: take the alert on; escalation stops and the others are told who has it."""
        return alerts.acknowledge(current_user, alert_id)


@blp.route("/alerts/<int:alert_id>/resolve")
class AlertResolution(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(ResolutionSchema)
    @blp.response(200, AlertDetailSchema)
    def post(self, body, alert_id):
        """End the alert with a note on what was done (its owner, or an admin)."""
        return alerts.resolve(current_user, alert_id, body["note"])


@blp.route("/roster")
class Roster(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, RosterSchema)
    def get(self):
        """The community's on-duty roster: the weekly pattern and the overrides not over yet."""
        return roster.get_roster(current_user)


@blp.route("/roster/pattern")
class RosterPattern(MethodView):
    @requires_roles("admin")
    @blp.arguments(RosterPatternSchema)
    @blp.response(200, RosterSchema)
    def put(self, body):
        """Replace the whole weekly pattern (times in the community's time zone; no overlaps)."""
        return roster.replace_pattern(current_user, body["shifts"])


@blp.route("/roster/overrides")
class RosterOverrides(MethodView):
    @requires_roles("admin")
    @blp.arguments(OverrideInSchema)
    @blp.response(201, OverrideSchema)
    def post(self, body):
        """Put someone, or nobody, on duty for a dated range instead of the pattern."""
        return roster.add_override(current_user, body)


@blp.route("/roster/overrides/<int:override_id>")
class RosterOverrideItem(MethodView):
    @requires_roles("admin")
    @blp.response(204)
    def delete(self, override_id):
        """Remove an override that is not over yet."""
        roster.delete_override(current_user, override_id)


@blp.route("/roster/people")
class RosterPeople(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(RosterPersonSchema))
    def get(self, query):
        """Who can be on the roster: the community's enabled workers and admins, by name."""
        return roster.list_people(current_user, query["page"], query["per_page"])


@blp.route("/roster/on-duty")
class OnDuty(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(OnDutyQuery, location="query")
    @blp.response(200, OnDutySchema)
    def get(self, query):
        """Who is on duty at `at` (default now)."""
        return roster.on_duty(current_user, query.get("at"))
