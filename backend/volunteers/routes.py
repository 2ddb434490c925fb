"""Volunteer registration, a volunteer's own profile and availability, and staff vetting and oversight."""
from flask import current_app, request
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import requires_roles
from backend.common.pagination import page_of
from backend.extensions import Blueprint, limiter
from backend.volunteers import services
from backend.volunteers.schemas import (
    AvailabilityExceptionInSchema, AvailabilityExceptionSchema, RevokeVettingSchema, VettingInSchema,
    VolunteerAvailabilitySchema, VolunteerOnDutySchema, VolunteerOwnProfileSchema,
    VolunteerProfileChangesSchema, VolunteerQuerySchema, VolunteerRegistrationSchema,
    VolunteerStaffChangesSchema, VolunteerStaffProfileSchema, VolunteerSummarySchema,
    VolunteerVettingSchema,
)

blp = Blueprint("volunteers", __name__, url_prefix="/api/v1/volunteers", description="Volunteers")

STAFF = ("worker", "admin")


def _registration_limit() -> str:
    return current_app.config["VOLUNTEER_REGISTRATION_LIMIT"]


@blp.route("/register")
class Registration(MethodView):
    # Every attempt counts, refused ones too: "phone taken" answers must not be mass-probed.
    @limiter.limit(_registration_limit, key_func=lambda: "ip:" + (request.remote_addr or ""),
                   scope="volunteer-register")
    @blp.arguments(VolunteerRegistrationSchema)
    @blp.response(201, VolunteerOwnProfileSchema)
    def post(self, body):
        """Sign up as a volunteer; the profile stays pending until a worker records a vetting."""
        return services.register(body)


@blp.route("/me")
class OwnProfile(MethodView):
    @requires_roles("volunteer")
    @blp.response(200, VolunteerOwnProfileSchema)
    def get(self):
        """My volunteer profile, availability, upcoming exceptions and vettings."""
        return services.own_profile(current_user)

    @requires_roles("volunteer")
    @blp.arguments(VolunteerProfileChangesSchema)
    @blp.response(200, VolunteerOwnProfileSchema)
    def patch(self, body):
        """Change my gender, skills, languages, home position, radius, load cap or about text."""
        return services.update_own_profile(current_user, body)


@blp.route("/me/on-duty")
class OnDuty(MethodView):
    @requires_roles("volunteer")
    @blp.arguments(VolunteerOnDutySchema)
    @blp.response(200, VolunteerOwnProfileSchema)
    def put(self, body):
        """Go on or off duty."""
        return services.set_on_duty(current_user, body["on_duty"])


@blp.route("/me/availability")
class Availability(MethodView):
    @requires_roles("volunteer")
    @blp.arguments(VolunteerAvailabilitySchema)
    @blp.response(200, VolunteerOwnProfileSchema)
    def put(self, body):
        """Replace my weekly availability (times in the community's time zone)."""
        return services.replace_availability(current_user, body["slots"])


@blp.route("/me/exceptions")
class Exceptions(MethodView):
    @requires_roles("volunteer")
    @blp.arguments(AvailabilityExceptionInSchema)
    @blp.response(201, AvailabilityExceptionSchema)
    def post(self, body):
        """Add a dated exception: away all day, or available only in a time range."""
        return services.add_exception(current_user, body)


@blp.route("/me/exceptions/<int:exception_id>")
class ExceptionItem(MethodView):
    @requires_roles("volunteer")
    @blp.response(204)
    def delete(self, exception_id):
        """Remove one of my dated exceptions."""
        services.delete_exception(current_user, exception_id)


@blp.route("")
class Volunteers(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(VolunteerQuerySchema, location="query")
    @blp.response(200, page_of(VolunteerSummarySchema))
    def get(self, query):
        """The community's volunteers, filtered by skill, valid vetting, status, duty and grid."""
        return services.list_volunteers(current_user, query)


@blp.route("/<int:volunteer_id>")
class VolunteerItem(MethodView):
    @requires_roles(*STAFF)
    @blp.response(200, VolunteerStaffProfileSchema)
    def get(self, volunteer_id):
        """A volunteer's full profile with vettings and the latest status change."""
        return services.staff_view(current_user, volunteer_id)

    @requires_roles(*STAFF)
    @blp.arguments(VolunteerStaffChangesSchema)
    @blp.response(200, VolunteerStaffProfileSchema)
    def patch(self, body, volunteer_id):
        """Activate or suspend a volunteer (with a reason), or change their load cap."""
        return services.update_by_staff(current_user, volunteer_id, body)


@blp.route("/<int:volunteer_id>/vettings")
class Vettings(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(VettingInSchema)
    @blp.response(201, VolunteerVettingSchema)
    def post(self, body, volunteer_id):
        """Record an identity or child-safeguarding vetting; identity activates a pending volunteer."""
        return services.record_vetting(current_user, volunteer_id, body)


@blp.route("/<int:volunteer_id>/vettings/<int:vetting_id>/revoke")
class VettingRevocation(MethodView):
    @requires_roles(*STAFF)
    @blp.arguments(RevokeVettingSchema)
    @blp.response(200, VolunteerVettingSchema)
    def post(self, body, volunteer_id, vetting_id):
        """Revoke a vetting, with a reason; it stops counting at once."""
        return services.revoke_vetting(current_user, volunteer_id, vetting_id, body["reason"])
