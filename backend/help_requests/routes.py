"""Help requests: asking, the lists, a request with its timeline, every step of the state machine,
and the call-back list."""
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import requires_roles
from backend.common.pagination import page_of
from backend.extensions import Blueprint
from backend.help_requests.schemas import (
    CallbackDoneSchema, CallbackQuery, CallbackTaskSchema, HelpRequestAssignmentSchema, HelpRequestCheckSchema, HelpRequestConfirmationSchema, HelpRequestDetailSchema, HelpRequestInSchema,
    HelpRequestQuery, HelpRequestSchema, HelpRequestReasonSchema, HelpRequestReassignmentSchema, HelpRequestWithdrawalSchema,
)
from backend.help_requests.services import asking, assigning, callbacks, visiting

blp = Blueprint("help_requests", __name__, url_prefix="/api/v1", description="Help requests")

REQUESTERS = ("resident", "proxy", "worker", "admin")
READERS = ("resident", "proxy", "volunteer", "worker", "admin")
STAFF = ("worker", "admin")


@blp.route("/help-requests")
class HelpRequests(MethodView):
    @requires_roles(*READERS)
    @blp.arguments(HelpRequestQuery, location="query")
    @blp.response(200, page_of(HelpRequestSchema))
    def get(self, query):
        """My requests: my own or my resident's, my tasks as a volunteer, my grids' as a worker."""
        return asking.list_requests(current_user, status=query.get("status"), grid_id=query.get("grid_id"),
                                    resident_id=query.get("resident_id"), needs_worker=query["needs_worker"],
                                    order=query["order"], page=query["page"], per_page=query["per_page"])

    @requires_roles(*REQUESTERS)
    @blp.arguments(HelpRequestInSchema)
    @blp.response(201, HelpRequestDetailSchema)
    def post(self, body):
        """Ask for help: for myself, for the resident I act for, or (a worker) for a resident of my grid."""
        return asking.create_request(current_user, body)


@blp.route("/help-requests/<int:request_id>")
class HelpRequestItem(MethodView):
    @requires_roles(*READERS)
    @blp.response(200, HelpRequestDetailSchema)
    def get(self, request_id):
        """One request with its timeline; its assigned volunteer also sees whom and where (audited)."""
        return asking.get_request(current_user, request_id)


@blp.route("/help-requests/<int:request_id>/cancel")
class Cancellation(MethodView):
    @requires_roles(*REQUESTERS)
    @blp.arguments(HelpRequestReasonSchema)
    @blp.response(200, HelpRequestDetailSchema)
    def post(self, body, request_id):
        """Cancel: freely before acceptance or within 10 minutes, later with a reason."""
        return asking.cancel_request(current_user, request_id, body.get("reason"))


@blp.route("/help-requests/<int:request_id>/withdraw")
class Withdrawal(MethodView):
    @requires_roles("volunteer")
    @blp.arguments(HelpRequestWithdrawalSchema)
    @blp.response(200, HelpRequestDetailSchema)
    def post(self, body, request_id):
        """The assigned volunteer cannot come after all (with a reason): the request is open again."""
        return assigning.withdraw(current_user, request_id, body["reason"])


@blp.route("/help-requests/<int:request_id>/assign")
class Assignment(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(HelpRequestAssignmentSchema)
    @blp.response(200, HelpRequestDetailSchema)
    def post(self, body, request_id):
        """A worker of the grid gives the request to an active volunteer (first one wins)."""
        return assigning.assign(current_user, request_id, body["volunteer_id"])


@blp.route("/help-requests/<int:request_id>/reassign")
class Reassignment(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(HelpRequestReassignmentSchema)
    @blp.response(200, HelpRequestDetailSchema)
    def post(self, body, request_id):
        """A worker of the grid gives an accepted request to another active volunteer."""
        return assigning.reassign(current_user, request_id, body["volunteer_id"], body.get("reason"))


@blp.route("/help-requests/<int:request_id>/check-in")
class CheckIn(MethodView):
    @requires_roles("volunteer")
    @blp.arguments(HelpRequestCheckSchema)
    @blp.response(200, HelpRequestDetailSchema)
    def post(self, body, request_id):
        """The assigned volunteer arrives (optionally where and, offline, when)."""
        return visiting.check_in(current_user, request_id, body)


@blp.route("/help-requests/<int:request_id>/check-out")
class CheckOut(MethodView):
    @requires_roles("volunteer")
    @blp.arguments(HelpRequestCheckSchema)
    @blp.response(200, HelpRequestDetailSchema)
    def post(self, body, request_id):
        """The assigned volunteer leaves; the visit's hours are counted."""
        return visiting.check_out(current_user, request_id, body)


@blp.route("/help-requests/<int:request_id>/confirm")
class Confirmation(MethodView):
    @requires_roles(*REQUESTERS)
    @blp.arguments(HelpRequestConfirmationSchema)
    @blp.response(200, HelpRequestDetailSchema)
    def post(self, body, request_id):
        """The resident's side confirms the visit and rates it 1–5 (2 or less: a call-back)."""
        return visiting.confirm(current_user, request_id, body["rating"], body.get("comment"))


@blp.route("/help-requests/<int:request_id>/no-show")
class NoShow(MethodView):
    @requires_roles(*REQUESTERS)
    @blp.arguments(HelpRequestReasonSchema)
    @blp.response(200, HelpRequestDetailSchema)
    def post(self, body, request_id):
        """Nobody came: the request is open again, and it counts against the volunteer."""
        return assigning.report_no_show(current_user, request_id, body.get("reason"))


@blp.route("/callbacks")
class Callbacks(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(CallbackQuery, location="query")
    @blp.response(200, page_of(CallbackTaskSchema))
    def get(self, query):
        """The call-backs (回访) of my grids (an admin: of the community), open ones first."""
        return callbacks.list_callbacks(current_user, status=query.get("status"), page=query["page"],
                                        per_page=query["per_page"])


@blp.route("/callbacks/<int:task_id>/done")
class CallbackDone(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(CallbackDoneSchema)
    @blp.response(200, CallbackTaskSchema)
    def post(self, body, task_id):
        """I called the resident back: the call-back is done, with what I found."""
        return callbacks.mark_done(current_user, task_id, body["note"])
