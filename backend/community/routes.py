"""The community, its lists, grids and their workers, buildings and households."""
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import requires_roles, signed_in
from backend.common.pagination import PageQuery, page_of
from backend.extensions import Blueprint
from backend.community.services import buildings, grids, households, lists
from backend.community.schemas import (
    BuildingChangesSchema, BuildingImportResultSchema, BuildingImportSchema, BuildingQuery, BuildingSchema,
    CommunityChangesSchema, CommunitySchema, CommunitySignUpChoicesSchema, GridChangesSchema, GridSchema, GridWorkersSchema,
    HouseholdChangesSchema, HouseholdPositionSchema, HouseholdQuery, HouseholdSchema, HouseholdSummarySchema,
    NewBuildingSchema, NewGridSchema, NewHouseholdSchema, NewTermSchema, PositionFixSchema, TermLabelsSchema,
    TermQuery, TermSchema,
)

blp = Blueprint("community", __name__, url_prefix="/api/v1",
                description="The community, its lists, grids, buildings and households")

STAFF = ("worker", "admin")


@blp.route("/communities/current")
class CurrentCommunity(MethodView):
    @signed_in
    @blp.response(200, CommunitySchema)
    def get(self):
        """My community: name, time zone, centre, service phone and its lists."""
        return lists.current_community(current_user)

    @requires_roles("admin")
    @blp.arguments(CommunityChangesSchema)
    @blp.response(200, CommunitySchema)
    def patch(self, changes):
        """Change the community's name, time zone, centre or service phone."""
        return lists.update_community(current_user, changes)


@blp.route("/communities/current/sign-up-choices")
class SignUpChoices(MethodView):
    @blp.response(200, CommunitySignUpChoicesSchema)
    def get(self):
        """Areas, skills and languages to choose from when signing up as a volunteer (no sign-in)."""
        return lists.sign_up_choices()


@blp.route("/terms")
class Terms(MethodView):
    @signed_in
    @blp.arguments(TermQuery, location="query")
    @blp.response(200, page_of(TermSchema))
    def get(self, query):
        """Entries of the community's lists: risk tags, skills, languages."""
        return lists.list_terms(current_user, query.get("vocabulary"), query["page"], query["per_page"])

    @requires_roles("admin")
    @blp.arguments(NewTermSchema)
    @blp.response(201, TermSchema)
    def post(self, entry):
        """Add an entry to one of the community's lists."""
        return lists.add_term_to_list(current_user, entry)


@blp.route("/terms/<int:term_id>")
class TermItem(MethodView):
    @requires_roles("admin")
    @blp.arguments(TermLabelsSchema)
    @blp.response(200, TermSchema)
    def patch(self, labels, term_id):
        """Correct an entry's Chinese or English label."""
        return lists.relabel_term(current_user, term_id, labels)


@blp.route("/grids")
class Grids(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(GridSchema))
    def get(self, query):
        """The grids I serve (all of them for an admin), with their workers."""
        return grids.list_grids(current_user, query["page"], query["per_page"])

    @requires_roles("admin")
    @blp.arguments(NewGridSchema)
    @blp.response(201, GridSchema)
    def post(self, body):
        """Add a grid to the community."""
        return grids.create_grid(current_user, body["name"])


@blp.route("/grids/<int:grid_id>")
class GridItem(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, GridSchema)
    def get(self, grid_id):
        """One grid with its workers."""
        return grids.get_grid(current_user, grid_id)

    @requires_roles("admin")
    @blp.arguments(GridChangesSchema)
    @blp.response(200, GridSchema)
    def patch(self, changes, grid_id):
        """Rename a grid."""
        return grids.rename_grid(current_user, grid_id, changes)


@blp.route("/grids/<int:grid_id>/workers")
class GridWorkers(MethodView):
    @requires_roles("admin")
    @blp.arguments(GridWorkersSchema)
    @blp.response(200, GridSchema)
    def put(self, body, grid_id):
        """Set the grid's workers, exactly one of them primary."""
        return grids.set_grid_workers(current_user, grid_id, body["workers"])


@blp.route("/buildings")
class Buildings(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(BuildingQuery, location="query")
    @blp.response(200, page_of(BuildingSchema))
    def get(self, query):
        """Buildings of my grids, by grid and by label or address."""
        return buildings.list_buildings(current_user, query.get("grid_id"), query.get("q"),
                                        query["page"], query["per_page"])

    @requires_roles(*STAFF)
    @blp.arguments(NewBuildingSchema)
    @blp.response(201, BuildingSchema)
    def post(self, body):
        """Add a building to one of my grids."""
        return buildings.create_building(current_user, body)


@blp.route("/buildings/import")
class BuildingImport(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(BuildingImportSchema)
    @blp.response(200, BuildingImportResultSchema)
    def post(self, body):
        """Import a grid's building list from CSV text: every row or none."""
        return buildings.import_buildings(current_user, body["grid_id"], body["csv"])


@blp.route("/buildings/<int:building_id>")
class BuildingItem(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, BuildingSchema)
    def get(self, building_id):
        """One building of my grids."""
        return buildings.get_building(current_user, building_id)

    @requires_roles(*STAFF)
    @blp.arguments(BuildingChangesSchema)
    @blp.response(200, BuildingSchema)
    def patch(self, changes, building_id):
        """Correct a building's label, address or position."""
        return buildings.update_building(current_user, building_id, changes)


@blp.route("/buildings/<int:building_id>/position")
class BuildingPosition(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(PositionFixSchema)
    @blp.response(200, BuildingSchema)
    def put(self, fix, building_id):
        """Record the building's position from my phone's GPS at its door."""
        return buildings.set_building_position(current_user, building_id, fix)


@blp.route("/households")
class Households(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(HouseholdQuery, location="query")
    @blp.response(200, page_of(HouseholdSummarySchema))
    def get(self, query):
        """Households of my grids, by grid or building (without address or phone)."""
        return households.list_households(current_user, query.get("grid_id"), query.get("building_id"),
                                          query["page"], query["per_page"])

    @requires_roles(*STAFF)
    @blp.arguments(NewHouseholdSchema)
    @blp.response(201, HouseholdSchema)
    def post(self, body):
        """Register a household at a door of one of my buildings."""
        return households.create_household(current_user, body)


@blp.route("/households/<int:household_id>")
class HouseholdItem(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, HouseholdSchema)
    def get(self, household_id):
        """One household with its address and phone (the read is audited)."""
        return households.get_household(current_user, household_id)

    @requires_roles(*STAFF)
    @blp.arguments(HouseholdChangesSchema)
    @blp.response(200, HouseholdSchema)
    def patch(self, changes, household_id):
        """Correct a household's door number, address or phone (audited)."""
        return households.update_household(current_user, household_id, changes)


@blp.route("/households/<int:household_id>/position")
class HouseholdPosition(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(PositionFixSchema)
    @blp.response(200, HouseholdPositionSchema)
    def put(self, fix, household_id):
        """Record the household's position from my phone's GPS at its door (audited)."""
        return households.set_household_position(current_user, household_id, fix)
