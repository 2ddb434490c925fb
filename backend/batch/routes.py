"""Batch plans: a worker plans a date's held requests for their grids (an admin for the
community), sees the plan beside first come, first served, changes it, and sends it."""
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import requires_roles
from backend.batch.schemas import ItemInSchema, PlanInSchema, PlanItemSchema, PlanQuery, PlanSchema
from backend.batch.services import planning, sending  # noqa: F401 (sending: the nightly timer)
from backend.common.pagination import page_of
from backend.extensions import Blueprint

blp = Blueprint("batch", __name__, url_prefix="/api/v1/batch-plans", description="Batch plans")

STAFF = ("worker", "admin")


@blp.route("")
class Plans(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(PlanQuery, location="query")
    @blp.response(200, page_of(PlanSchema))
    def get(self, query):
        """The plans of my grids, newest first (without their items)."""
        return planning.list_plans(current_user, query.get("date"), query["page"], query["per_page"])

    @requires_roles(*STAFF)
    @blp.arguments(PlanInSchema)
    @blp.response(201, PlanSchema)
    def post(self, body):
        """明天的安排: a draft plan of the date's held requests, with first come, first served beside it."""
        return planning.make_plan(current_user, body["date"], body["grid_ids"])


@blp.route("/<int:plan_id>")
class PlanDetail(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, PlanSchema)
    def get(self, plan_id):
        """One plan with its requests, proposed volunteers, reasons and candidates."""
        return planning.get_plan(current_user, plan_id)


@blp.route("/<int:plan_id>/items/<int:item_id>")
class PlanItem(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, PlanItemSchema)
    def get(self, plan_id, item_id):
        """One request of a plan."""
        return planning.get_item(current_user, plan_id, item_id)

    @requires_roles(*STAFF)
    @blp.arguments(ItemInSchema)
    @blp.response(200, PlanItemSchema)
    def patch(self, body, plan_id, item_id):
        """Propose another eligible volunteer or worker, or nobody (the task then goes to the waves)."""
        return planning.change_item(current_user, plan_id, item_id, body["assignee"])


@blp.route("/<int:plan_id>/send")
class Sending(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, PlanSchema)
    def post(self, plan_id):
        """发出: offers to the proposed volunteers, the waves for the rest; changed requests skipped."""
        return sending.send_plan(current_user, plan_id)


@blp.route("/<int:plan_id>/discard")
class Discarding(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, PlanSchema)
    def post(self, plan_id):
        """Discard a draft: its requests stay held until another plan or their waves."""
        return sending.discard_plan(current_user, plan_id)
