"""Residents, their emergency contacts, consents and family proxies, and "who am I"."""
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import requires_roles, signed_in
from backend.common.pagination import page_of
from backend.extensions import Blueprint
from backend.people.services import consents, me, proxies, residents
from backend.people.schemas import (
    ConsentInSchema, ConsentQuery, ConsentSchema, EmergencyContactInSchema, EmergencyContactPatchSchema,
    EmergencyContactSchema, MeSchema, ProxyLinkInSchema, ProxyLinkSchema, ProxyQuery, ProxyScopesInSchema,
    ResidentCreateSchema, ResidentListItemSchema, ResidentPatchSchema, ResidentQuery, ResidentSchema,
    ResidentStatusChangeSchema,
)

blp = Blueprint("people", __name__, url_prefix="/api/v1", description="Residents, consents and family proxies")

STAFF = ("worker", "admin")


@blp.route("/me")
class Me(MethodView):
    @signed_in
    @blp.response(200, MeSchema)
    def get(self):
        """Who am I: roles, my resident record, the residents I act for, whom to call."""
        return me.who_am_i(current_user)


@blp.route("/residents")
class Residents(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(ResidentQuery, location="query")
    @blp.response(200, page_of(ResidentListItemSchema))
    def get(self, query):
        """Residents of my grids, filtered by grid, risk tag, status or name."""
        return residents.list_residents(current_user, **query)

    @requires_roles(*STAFF)
    @blp.arguments(ResidentCreateSchema)
    @blp.response(201, ResidentSchema)
    def post(self, body):
        """Register a resident in a household of my grids, with their registry consent."""
        return residents.create_resident(current_user, body)


@blp.route("/residents/<int:resident_id>")
class ResidentItem(MethodView):
    @requires_roles(*STAFF, "resident", "proxy")
    @blp.response(200, ResidentSchema)
    def get(self, resident_id):
        """One resident, as much as I may see of them."""
        return residents.get_resident(current_user, resident_id)

    @requires_roles(*STAFF, "resident", "proxy")
    @blp.arguments(ResidentPatchSchema)
    @blp.response(200, ResidentSchema)
    def patch(self, body, resident_id):
        """Change a resident's record (the resident and proxies only their part)."""
        return residents.update_resident(current_user, resident_id, body)


@blp.route("/residents/<int:resident_id>/status")
class ResidentStatus(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(ResidentStatusChangeSchema)
    @blp.response(200, ResidentSchema)
    def post(self, body, resident_id):
        """Set a resident active, away until a date, in hospital, moved away or deceased."""
        return residents.change_status(current_user, resident_id, body["status"], body["away_until"])


@blp.route("/residents/<int:resident_id>/emergency-contacts")
class EmergencyContacts(MethodView):
    @requires_roles(*STAFF, "proxy")
    @blp.arguments(EmergencyContactInSchema)
    @blp.response(201, EmergencyContactSchema)
    def post(self, body, resident_id):
        """Add an emergency contact."""
        return residents.add_emergency_contact(current_user, resident_id, body)


@blp.route("/residents/<int:resident_id>/emergency-contacts/<int:contact_id>")
class EmergencyContactItem(MethodView):
    @requires_roles(*STAFF, "proxy")
    @blp.arguments(EmergencyContactPatchSchema)
    @blp.response(200, EmergencyContactSchema)
    def patch(self, body, resident_id, contact_id):
        """Correct an emergency contact."""
        return residents.update_emergency_contact(current_user, resident_id, contact_id, body)

    @requires_roles(*STAFF, "proxy")
    @blp.response(204)
    def delete(self, resident_id, contact_id):
        """Remove an emergency contact."""
        residents.remove_emergency_contact(current_user, resident_id, contact_id)


@blp.route("/residents/<int:resident_id>/consents")
class Consents(MethodView):
    @requires_roles(*STAFF, "resident")
    @blp.arguments(ConsentQuery, location="query")
    @blp.response(200, page_of(ConsentSchema))
    def get(self, query, resident_id):
        """A resident's consent records, newest first."""
        return consents.list_consents(current_user, resident_id, **query)

    @requires_roles(*STAFF)
    @blp.arguments(ConsentInSchema)
    @blp.response(201, ConsentSchema)
    def post(self, body, resident_id):
        """Record a consent the resident (or a child's guardian) gave."""
        return consents.record_consent(current_user, resident_id, body)


@blp.route("/residents/<int:resident_id>/consents/<int:consent_id>/withdraw")
class ConsentWithdrawal(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, ConsentSchema)
    def post(self, resident_id, consent_id):
        """Withdraw a consent (proxy_access also ends the family links)."""
        return consents.withdraw_consent(current_user, resident_id, consent_id)


@blp.route("/residents/<int:resident_id>/proxies")
class Proxies(MethodView):
    @requires_roles(*STAFF, "resident")
    @blp.arguments(ProxyQuery, location="query")
    @blp.response(200, page_of(ProxyLinkSchema))
    def get(self, query, resident_id):
        """The family accounts acting for a resident, with their scopes."""
        return proxies.list_proxies(current_user, resident_id, **query)

    @requires_roles(*STAFF)
    @blp.arguments(ProxyLinkInSchema)
    @blp.response(201, ProxyLinkSchema)
    def post(self, body, resident_id):
        """Link a family account (existing or new) to a resident with consented scopes."""
        return proxies.link_proxy(current_user, resident_id, body)


@blp.route("/residents/<int:resident_id>/proxies/<int:link_id>/scopes")
class ProxyScopes(MethodView):
    @requires_roles(*STAFF, "resident")
    @blp.arguments(ProxyScopesInSchema)
    @blp.response(200, ProxyLinkSchema)
    def put(self, body, resident_id, link_id):
        """Set a proxy's scopes: grant (staff) or withdraw (staff or the resident)."""
        return proxies.set_proxy_scopes(current_user, resident_id, link_id, body["scopes"],
                                         body.get("consented_by"))


@blp.route("/residents/<int:resident_id>/proxies/<int:link_id>/end")
class ProxyLinkEnd(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, ProxyLinkSchema)
    def post(self, resident_id, link_id):
        """End a family link; its scopes are withdrawn."""
        return proxies.end_proxy_link(current_user, resident_id, link_id)
