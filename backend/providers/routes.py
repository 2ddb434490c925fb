"""The neighbourhood services catalogue: everyone in the community browses it; admins keep it."""
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.models import ROLES
from backend.accounts.permissions import requires_roles
from backend.common.pagination import PageQuery, page_of
from backend.extensions import Blueprint
from backend.providers import routing, services
from backend.providers.schemas import (
    CategoryCountSchema, ProviderChangesSchema, ProviderInSchema, ProviderPlaceQuerySchema, ProviderQuerySchema,
    ProviderSchema, ProviderStaffSchema, RouteInSchema, RouteSchema, StaffLinkInSchema,
)

blp = Blueprint("providers", __name__, url_prefix="/api/v1/providers", description="Neighbourhood services")

READERS = ROLES  # residents, proxies, volunteers, workers, admins and provider staff


@blp.route("")
class Providers(MethodView):
    @requires_roles(*READERS)
    @blp.arguments(ProviderQuerySchema, location="query")
    @blp.response(200, page_of(ProviderSchema))
    def get(self, query):
        """The community's services by category, open now and distance (nearest first)."""
        return services.list_providers(current_user, query)

    @requires_roles("admin")
    @blp.arguments(ProviderInSchema)
    @blp.response(201, ProviderSchema)
    def post(self, body):
        """Add a provider to the catalogue (hours in the community's time zone)."""
        return services.create_provider(current_user, body)


@blp.route("/categories")
class Categories(MethodView):
    @requires_roles(*READERS)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(CategoryCountSchema))
    def get(self, query):
        """The request categories some provider serves, with how many serve each."""
        return services.list_categories(current_user, query["page"], query["per_page"])


@blp.route("/routing")
class Routes(MethodView):
    @requires_roles("admin", "worker")
    @blp.response(200, RouteSchema(many=True))
    def get(self):
        """Per request category: whether its requests go to volunteers, providers or both."""
        return routing.list_routes(current_user)


@blp.route("/routing/<string:category>")
class Route(MethodView):
    @requires_roles("admin")
    @blp.arguments(RouteInSchema)
    @blp.response(200, RouteSchema)
    def put(self, body, category):
        """Route a category's requests to volunteers (the default), providers or both (audited)."""
        return routing.set_route(current_user, category, body["route"])


@blp.route("/mine")
class OwnProvider(MethodView):
    @requires_roles("provider")
    @blp.response(200, ProviderSchema)
    def get(self):
        """The provider I work for."""
        return services.own_provider(current_user)


@blp.route("/<int:provider_id>")
class ProviderItem(MethodView):
    @requires_roles(*READERS)
    @blp.arguments(ProviderPlaceQuerySchema, location="query")
    @blp.response(200, ProviderSchema)
    def get(self, place, provider_id):
        """One provider: hours, open now, distance, phone, delivery and prices."""
        return services.get_provider(current_user, provider_id, place)

    @requires_roles("admin")
    @blp.arguments(ProviderChangesSchema)
    @blp.response(200, ProviderSchema)
    def patch(self, body, provider_id):
        """Change a provider, or take it out of the catalogue with `active: false`."""
        return services.update_provider(current_user, provider_id, body)


@blp.route("/<int:provider_id>/staff")
class Staff(MethodView):
    @requires_roles("admin")
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(ProviderStaffSchema))
    def get(self, query, provider_id):
        """The provider-role accounts working for this provider."""
        return services.list_staff(current_user, provider_id, query["page"], query["per_page"])

    @requires_roles("admin")
    @blp.arguments(StaffLinkInSchema)
    @blp.response(201, ProviderStaffSchema)
    def post(self, body, provider_id):
        """Link a provider-role account of the community to this provider (one provider each)."""
        return services.add_staff(current_user, provider_id, body["user_id"])


@blp.route("/<int:provider_id>/staff/<int:user_id>")
class StaffMember(MethodView):
    @requires_roles("admin")
    @blp.response(204)
    def delete(self, provider_id, user_id):
        """Unlink an account from this provider."""
        services.remove_staff(current_user, provider_id, user_id)
