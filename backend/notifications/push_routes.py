"""Web Push: the server's public key and each person's browser subscriptions."""
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import signed_in
from backend.common.pagination import PageQuery, page_of
from backend.extensions import Blueprint
from backend.notifications import push_services as services
from backend.notifications.push_schemas import PublicKeySchema, PushSubscriptionInSchema, PushSubscriptionSchema

blp = Blueprint("push", __name__, url_prefix="/api/v1/push", description="Web Push subscriptions")


@blp.route("/public-key")
class PublicKey(MethodView):
    @blp.response(200, PublicKeySchema)
    def get(self):
        """The VAPID public key (applicationServerKey) that browsers subscribe with."""
        return services.public_key()


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    @signed_in
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(PushSubscriptionSchema))
    def get(self, query):
        """My browsers' push subscriptions."""
        return services.own_subscriptions(current_user, query)

    @signed_in
    @blp.arguments(PushSubscriptionInSchema)
    @blp.response(201, PushSubscriptionSchema)
    @blp.alt_response(200, schema=PushSubscriptionSchema, description="This browser was already subscribed: updated.")
    def post(self, body):
        """Subscribe this browser (on this signed-in device) to Web Push; posting again updates it."""
        subscription, created = services.subscribe(current_user, body)
        return subscription, 201 if created else 200


@blp.route("/subscriptions/<int:subscription_id>")
class SubscriptionItem(MethodView):
    @signed_in
    @blp.response(204)
    def delete(self, subscription_id):
        """Remove one of my push subscriptions."""
        services.unsubscribe(current_user, subscription_id)
