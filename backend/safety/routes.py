"""Keeping people safe: the daily "I'm OK" — enrolment by a worker, the resident's one tap, a
check-in a worker records from a phone call, and today's state — and SOS: pressing it, its status,
"我没事了", and the workers' list and close."""
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import requires_roles
from backend.common.pagination import page_of
from backend.extensions import Blueprint
from backend.safety.schemas import (
    CheckInInSchema, CheckInStatusSchema, DayListSchema, EnrolInSchema, SosCancelInSchema, SosCloseInSchema,
    SosPressInSchema, SosQuery, SosSchema, TodayQuery,
)
from backend.safety.services import check_in_lists, check_ins, sos

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


@blp.route("/residents/<int:resident_id>/sos")
class ResidentSos(MethodView):
    @requires_roles("resident", "proxy")
    @blp.arguments(SosPressInSchema)
    @blp.response(200, SosSchema)
    def post(self, body, resident_id):
        """紧急求助, after the countdown: a new SOS, or a repeated press joining the open one."""
        return sos.press(current_user, resident_id, body)

    @requires_roles("resident", "proxy", *STAFF)
    @blp.response(200, SosSchema)
    def get(self, resident_id):
        """The resident's SOS not yet closed (404 sos_not_found when there is none)."""
        return sos.current_event(current_user, resident_id)


@blp.route("/sos")
class SosList(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(SosQuery, location="query")
    @blp.response(200, page_of(SosSchema))
    def get(self, query):
        """SOS events of my grids: open first, then called off (still to close), then closed."""
        return sos.list_events(current_user, query.get("status"), query["page"], query["per_page"])


@blp.route("/sos/<int:sos_id>")
class SosItem(MethodView):
    @requires_roles("resident", "proxy", *STAFF)
    @blp.response(200, SosSchema)
    def get(self, sos_id):
        """Who has been told, who took it on, who is coming and how far; the timeline."""
        return sos.get_event(current_user, sos_id)


@blp.route("/sos/<int:sos_id>/cancel")
class SosCancel(MethodView):
    @requires_roles("resident", "proxy")
    @blp.arguments(SosCancelInSchema)
    @blp.response(200, SosSchema)
    def post(self, body, sos_id):
        """我没事了，误按了: everyone told hears it; a worker still closes the event."""
        return sos.cancel(current_user, sos_id, body)


@blp.route("/sos/<int:sos_id>/close")
class SosClose(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(SosCloseInSchema)
    @blp.response(200, SosSchema)
    def post(self, body, sos_id):
        """A worker closes the SOS with a note on what was found (its alert is resolved with it)."""
        return sos.close(current_user, sos_id, body["note"])
