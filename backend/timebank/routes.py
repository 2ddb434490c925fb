"""The time bank: my balance and history, giving hours to a family member, a family member's
account, a worker's hand entries, and the admin's totals and CSV export."""
from flask import Response
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import requires_roles
from backend.common.pagination import page_of
from backend.extensions import Blueprint
from backend.timebank.schemas import (
    GiftInSchema, HistoryLineSchema, HistoryQuery, MemberAccountSchema, MySummarySchema, RecordedHoursInSchema,
    TimebankTotalsSchema, TimebankTransferSchema, VolunteerBalanceSchema, VolunteerBalancesQuery, YearQuery,
)
from backend.timebank.services import earning, gifts, reports

blp = Blueprint("timebank", __name__, url_prefix="/api/v1/timebank", description="Time bank")

STAFF = ("worker", "admin")


@blp.route("/me")
class MySummary(MethodView):
    @requires_roles("volunteer")
    @blp.response(200, MySummarySchema)
    def get(self):
        """My verified and recorded hours (apart), this year's gifts against the cap, my family members."""
        return reports.my_summary(current_user)


@blp.route("/me/history")
class MyHistory(MethodView):
    @requires_roles("volunteer")
    @blp.arguments(HistoryQuery, location="query")
    @blp.response(200, page_of(HistoryLineSchema))
    def get(self, query):
        """My movements, newest first (both balances, or `bucket`)."""
        return reports.my_history(current_user, bucket=query.get("bucket"), page=query["page"],
                                  per_page=query["per_page"])


@blp.route("/gifts")
class Gifts(MethodView):
    @requires_roles("volunteer")
    @blp.arguments(GiftInSchema)
    @blp.response(201, TimebankTransferSchema)
    def post(self, body):
        """Give some of my verified hours to a family member's account, within the yearly cap."""
        return gifts.give(current_user, body)


@blp.route("/members/<int:resident_id>")
class MemberAccount(MethodView):
    @requires_roles("resident", "proxy", "worker", "admin")
    @blp.arguments(HistoryQuery, location="query")
    @blp.response(200, MemberAccountSchema)
    def get(self, query, resident_id):
        """A family member's hours and history: themself, a proxy with view_status, their grid's staff."""
        return reports.member_account(current_user, resident_id, query["page"], query["per_page"])


@blp.route("/volunteers/<int:volunteer_id>/recorded-hours")
class RecordedHours(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(RecordedHoursInSchema)
    @blp.response(201, TimebankTransferSchema)
    def post(self, body, volunteer_id):
        """Add hours by hand, with a reason: recorded, kept apart from verified hours."""
        return earning.add_recorded_hours(current_user, volunteer_id, body)


@blp.route("/totals")
class Totals(MethodView):
    @requires_roles("admin")
    @blp.arguments(YearQuery, location="query")
    @blp.response(200, TimebankTotalsSchema)
    def get(self, query):
        """My community's hours issued, given and spent (one year, or ever) and held now."""
        return reports.totals(current_user, query.get("year"))


@blp.route("/volunteers")
class VolunteerBalances(MethodView):
    @requires_roles("admin")
    @blp.arguments(VolunteerBalancesQuery, location="query")
    @blp.response(200, page_of(VolunteerBalanceSchema))
    def get(self, query):
        """My community's volunteers with their verified and recorded hours, most verified first."""
        return reports.volunteer_balances(current_user, query["page"], query["per_page"])


@blp.route("/volunteers/<int:volunteer_id>/verified-hours.csv")
class VerifiedHoursExport(MethodView):
    @requires_roles("admin")
    @blp.arguments(YearQuery, location="query")
    @blp.response(200, content_type="text/csv", description="one line per confirmed task (UTF-8 with BOM)")
    def get(self, query, volunteer_id):
        """One volunteer's verified service hours as CSV, for the national volunteer-record systems."""
        filename, text = reports.verified_hours_csv(current_user, volunteer_id, query.get("year"))
        return Response(text, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
