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
from backend.providers import orders

blp = Blueprint("matching", __name__, url_prefix="/api/v1", description="Offers and matching")

STAFF = ("worker", "admin")
ANSWERERS = ("volunteer", "provider")  # a provider's staff answer its offers (docs/providers.md)


def _for_provider() -> bool:
    return current_user.has_role("provider") and not current_user.has_role("volunteer")
BLOCKERS = ("resident", "proxy", "worker", "admin")


@blp.route("/offers")
class Offers(MethodView):
    @requires_roles(*ANSWERERS)
    @blp.arguments(OfferQuery, location="query")
    @blp.response(200, page_of(OfferSchema))
    def get(self, query):
        """My open offers: category, time, building, distance, how to address them, why me. Provider
        staff: their provider's offers (`state`: open, taken, done)."""
        if _for_provider():
            return orders.list_offers(current_user, page=query["page"], per_page=query["per_page"],
                                      state=query["state"])
        return offers.list_offers(current_user, page=query["page"], per_page=query["per_page"])


@blp.route("/offers/<int:offer_id>")
class OfferItem(MethodView):
    @requires_roles(*ANSWERERS)
    @blp.response(200, OfferSchema)
    def get(self, offer_id):
        """One of my offers, open or answered (what an Idempotency-Key replay shows again)."""
        if _for_provider():
            return orders.get_offer(current_user, offer_id)
        return offers.get_offer(current_user, offer_id)


@blp.route("/offers/<int:offer_id>/accept")
class Acceptance(MethodView):
    @requires_roles(*ANSWERERS)
    @blp.response(200, OfferSchema)
    def post(self, offer_id):
        """接单: the first volunteer (or provider) to accept gets the task; later ones get 409
        task_already_taken; a provider whose day is full, 409 provider_at_capacity."""
        if _for_provider():
            return orders.accept_offer(current_user, offer_id)
        return offers.accept_offer(current_user, offer_id)


@blp.route("/offers/<int:offer_id>/decline")
class Declining(MethodView):
    @requires_roles(*ANSWERERS)
    @blp.arguments(DeclineSchema)
    @blp.response(200, OfferSchema)
    def post(self, body, offer_id):
        """这次不行: decline, with an optional reason."""
        if _for_provider():
            return orders.decline_offer(current_user, offer_id, body.get("reason"))
        return offers.decline_offer(current_user, offer_id, body.get("reason"))


@blp.route("/offers/<int:offer_id>/complete")
class Completion(MethodView):
    @requires_roles("provider")
    @blp.response(200, OfferSchema)
    def post(self, offer_id):
        """已完成: a provider's staff mark the order they took done (the request is completed)."""
        return orders.complete_offer(current_user, offer_id)


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
