"""Keeping people safe: the daily "I'm OK" — enrolment by a worker, the resident's one tap, a
check-in a worker records from a phone call, and today's state."""
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import requires_roles
from backend.extensions import Blueprint
from backend.safety.schemas import CheckInInSchema, CheckInStatusSchema, DayListSchema, EnrolInSchema, TodayQuery
from backend.safety.services import check_in_lists, check_ins

blp = Blueprint("safety", __name__, url_prefix="/api/v1", description="Keeping people safe")

STAFF = ("worker", "admin")


@blp.route("/residents/<int:resident_id>/check-in-enrolment")
class Enrolment(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(EnrolInSchema)
    @blp.response(201, CheckInStatusSchema)
    def post(self, body, resident_id):
        """Enrol a resident (with their consent) to check in every day by a deadline."""
        return check_ins.enrol(current_user, resident_id, body)

    @requires_roles(*STAFF)
    @blp.response(200, CheckInStatusSchema)
    def delete(self, resident_id):
        """End the enrolment: no more deadlines, reminders or chains."""
        return check_ins.end_enrolment(current_user, resident_id)


@blp.route("/residents/<int:resident_id>/check-in")
class ResidentCheckIn(MethodView):
    @requires_roles("proxy", *STAFF)
    @blp.response(200, CheckInStatusSchema)
    def get(self, resident_id):
        """Today's state: enrolled, the deadline, checked in (and when)."""
        return check_ins.get_status(current_user, resident_id)

    @requires_roles(*STAFF)
    @blp.arguments(CheckInInSchema)
    @blp.response(200, CheckInStatusSchema)
    def post(self, body, resident_id):
        """A check-in the worker took by phone; it stops a missed day's chain like a tap."""
        return check_ins.check_in(current_user, resident_id, body)


@blp.route("/me/check-in")
class MyCheckIn(MethodView):
    @requires_roles("resident")
    @blp.response(200, CheckInStatusSchema)
    def get(self):
        """今天已报平安 HH:MM — or not yet."""
        return check_ins.get_status(current_user, None)

    @requires_roles("resident")
    @blp.arguments(CheckInInSchema)
    @blp.response(200, CheckInStatusSchema)
    def post(self, body):
        """我很好: one tap (through the outbox with occurred_at); a second tap the same day changes nothing."""
        return check_ins.check_in(current_user, None, body)


# Today's list for the grid's staff
@blp.route("/check-ins/today")
class TodaysCheckIns(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(TodayQuery, location="query")
    @blp.response(200, DayListSchema)
    def get(self, query):
        """Enrolled residents of my grids and their day: missed first (the chain furthest on first),
        then still to come, checked in, and not chased (away, in hospital…); counts per state."""
        return check_in_lists.today_list(current_user, grid_id=query.get("grid_id"), state=query.get("state"),
                                         page=query["page"], per_page=query["per_page"])
