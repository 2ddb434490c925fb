"""Matching: a volunteer's offers (list, accept, decline), a worker's ranked candidates for a
request, and volunteers blocked from a resident."""
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import requires_roles
from backend.common.pagination import page_of
from backend.extensions import Blueprint
from backend.matching import kinds  # noqa: F401 (registers the offer notifications and the alert kind)
from backend.matching.schemas import (
    BlockInSchema, BlockSchema, CandidatesSchema, DeclineSchema, OfferQuery, OfferSchema,
)
from backend.matching.services import blocks, dispatch, offers  # noqa: F401 (dispatch: the wave timer)

blp = Blueprint("matching", __name__, url_prefix="/api/v1", description="Offers and matching")

STAFF = ("worker", "admin")
BLOCKERS = ("resident", "proxy", "worker", "admin")


@blp.route("/offers")
class Offers(MethodView):
    @requires_roles("volunteer")
    @blp.arguments(OfferQuery, location="query")
    @blp.response(200, page_of(OfferSchema))
    def get(self, query):
        """My open offers: category, time, building, distance, how to address them, why me."""
        return offers.list_offers(current_user, page=query["page"], per_page=query["per_page"])


@blp.route("/offers/<int:offer_id>")
class OfferItem(MethodView):
    @requires_roles("volunteer")
    @blp.response(200, OfferSchema)
    def get(self, offer_id):
        """One of my offers, open or answered (what an Idempotency-Key replay shows again)."""
        return offers.get_offer(current_user, offer_id)


@blp.route("/offers/<int:offer_id>/accept")
class Acceptance(MethodView):
    @requires_roles("volunteer")
    @blp.response(200, OfferSchema)
    def post(self, offer_id):
        """接单: the first volunteer to accept gets the task; later ones get 409 task_already_taken."""
        return offers.accept_offer(current_user, offer_id)


@blp.route("/offers/<int:offer_id>/decline")
class Declining(MethodView):
    @requires_roles("volunteer")
    @blp.arguments(DeclineSchema)
    @blp.response(200, OfferSchema)
    def post(self, body, offer_id):
        """这次不行: decline, with an optional reason."""
        return offers.decline_offer(current_user, offer_id, body.get("reason"))


@blp.route("/help-requests/<int:request_id>/candidates")
class Candidates(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, CandidatesSchema)
    def get(self, request_id):
        """The ranked eligible volunteers with scores and reasons, and the latest dispatch record."""
        return offers.candidates_for(current_user, request_id)


@blp.route("/residents/<int:resident_id>/blocked-volunteers")
class Blocks(MethodView):
    @requires_roles(*BLOCKERS)
    @blp.arguments(BlockInSchema)
    @blp.response(201, BlockSchema)
    def post(self, body, resident_id):
        """Never offer this resident's requests to a volunteer again."""
        return blocks.block_volunteer(current_user, resident_id, body["volunteer_id"], body.get("reason"))


@blp.route("/residents/<int:resident_id>/blocked-volunteers/<int:volunteer_id>")
class Block(MethodView):
    @requires_roles(*BLOCKERS)
    @blp.response(204)
    def delete(self, resident_id, volunteer_id):
        """Lift a block."""
        blocks.unblock_volunteer(current_user, resident_id, volunteer_id)
