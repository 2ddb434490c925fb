"""The emergency sweep (应急排查): a worker or admin starts one, watches the live board, shares out
what is left and closes it (the report is frozen); residents answer 我平安 / 我需要帮助; assignees
see their households and record what they found."""
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import requires_roles
from backend.common.pagination import PageQuery, page_of
from backend.extensions import Blueprint
from backend.safety import sweep_tasks  # noqa: F401 (welfare checks as a batch task kind)
from backend.safety.services import sweep_board, sweeps
from backend.safety.sweep_schemas import (
    AnswerInSchema, AssignmentSchema, BoardSchema, CheckSchema, MyCheckSchema, OutcomeInSchema, ReportSchema,
    SweepInSchema, SweepQuery, SweepSchema,
)

blp = Blueprint("sweeps", __name__, url_prefix="/api/v1", description="Emergency sweeps")

STAFF = ("worker", "admin")


@blp.route("/sweeps")
class Sweeps(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(SweepQuery, location="query")
    @blp.response(200, page_of(SweepSchema))
    def get(self, query):
        """The sweeps of my grids, newest first, with their counts."""
        return sweep_board.list_sweeps(current_user, query.get("status"), query["page"], query["per_page"])

    @requires_roles(*STAFF)
    @blp.arguments(SweepInSchema)
    @blp.response(201, SweepSchema)
    def post(self, body):
        """Start a sweep: one check per matching household; app users asked, the rest assigned at once."""
        return sweeps.start_sweep(current_user, body)


@blp.route("/sweeps/<int:sweep_id>")
class SweepDetail(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, SweepSchema)
    def get(self, sweep_id):
        """One sweep with its counts (of my grids)."""
        return sweep_board.get_sweep(current_user, sweep_id)


@blp.route("/sweeps/<int:sweep_id>/board")
class Board(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, BoardSchema)
    def get(self, query, sweep_id):
        """The live board: safe / needs help / not yet reached per grid and in total; who has the rest."""
        return sweep_board.board(current_user, sweep_id, query["page"], query["per_page"])


@blp.route("/sweeps/<int:sweep_id>/assign")
class Assigning(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, SweepSchema)
    def post(self, sweep_id):
        """Share out the households nobody could take yet."""
        return sweeps.reassign(current_user, sweep_id)


@blp.route("/sweeps/<int:sweep_id>/close")
class Closing(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, ReportSchema)
    def post(self, sweep_id):
        """Close the sweep: the report is frozen as it stands."""
        return sweep_board.close(current_user, sweep_id)


@blp.route("/sweeps/<int:sweep_id>/report")
class Report(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, ReportSchema)
    def get(self, sweep_id):
        """The report frozen at closing (for printing)."""
        return sweep_board.get_report(current_user, sweep_id)


@blp.route("/sweeps/<int:sweep_id>/checks/<int:check_id>/outcome")
class Outcome(MethodView):
    @requires_roles("volunteer", *STAFF)
    @blp.arguments(OutcomeInSchema)
    @blp.response(200, CheckSchema)
    def post(self, body, sweep_id, check_id):
        """What the assignee found: safe, needs help, or not reached (by phone or in person)."""
        return sweeps.record_outcome(current_user, sweep_id, check_id, body)


@blp.route("/me/sweep-checks")
class MyChecks(MethodView):
    @requires_roles("resident")
    @blp.response(200, page_of(MyCheckSchema))
    def get(self):
        """我平安 / 我需要帮助: the open sweeps asking about me, and what I answered."""
        return sweep_board.my_checks(current_user)


@blp.route("/me/sweep-checks/<int:check_id>")
class MyCheck(MethodView):
    @requires_roles("resident")
    @blp.arguments(AnswerInSchema)
    @blp.response(200, MyCheckSchema)
    def post(self, body, check_id):
        """My answer (through the outbox with occurred_at): safe closes the check; needs help alerts."""
        return sweeps.answer(current_user, check_id, body)


@blp.route("/me/sweep-assignments")
class MyAssignments(MethodView):
    @requires_roles("volunteer", *STAFF)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(AssignmentSchema))
    def get(self, query):
        """The households given to me in open sweeps: whom to call or visit."""
        return sweep_board.my_assignments(current_user, query["page"], query["per_page"])
