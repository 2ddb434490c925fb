"""Assisted onboarding: link codes for residents' phones, redeeming them, and signing lost phones out."""
from flask import current_app, request
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import requires_roles
from backend.common.pagination import PageQuery, page_of
from backend.extensions import Blueprint, limiter
from backend.onboarding import services
from backend.onboarding.schemas import (
    DeviceSchema, LinkCodeIssuedSchema, LinkedUserSchema, RedeemLinkCodeSchema, SignOutDevicesSchema,
    SignOutResultSchema,
)

blp = Blueprint("onboarding", __name__, url_prefix="/api/v1",
                description="Assisted onboarding of residents' phones")

_REFUSED_CODE = {404, 409, 410}


def _link_limit() -> str:
    return current_app.config["LINK_LIMIT_PER_IP"]


def _refused_code(response) -> bool:
    return response.status_code in _REFUSED_CODE


@blp.route("/residents/<int:resident_id>/link-codes")
class LinkCodes(MethodView):
    @requires_roles("worker", "admin")
    @blp.response(201, LinkCodeIssuedSchema)
    def post(self, resident_id):
        """Issue a one-time code (and QR) that links the resident's phone; earlier codes stop working."""
        return services.issue_link_code(current_user, resident_id)


@blp.route("/auth/link")
class RedeemLinkCode(MethodView):
    @limiter.limit(_link_limit, key_func=lambda: "ip:" + (request.remote_addr or ""),
                   deduct_when=_refused_code, scope="link-ip")
    @blp.arguments(RedeemLinkCodeSchema)
    @blp.response(200, LinkedUserSchema)
    def post(self, body):
        """Redeem a link code on the resident's phone: links this phone and signs it in."""
        return services.redeem_link_code(body["code"], body["device_label"])


@blp.route("/residents/<int:resident_id>/devices")
class ResidentDevices(MethodView):
    @requires_roles("worker", "admin")
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(DeviceSchema))
    def get(self, query, resident_id):
        """The resident's signed-in devices and linked phones."""
        return services.list_devices(current_user, resident_id, query["page"], query["per_page"])


@blp.route("/residents/<int:resident_id>/devices/sign-out")
class SignOutResidentDevices(MethodView):
    @requires_roles("worker", "admin")
    @blp.arguments(SignOutDevicesSchema)
    @blp.response(200, SignOutResultSchema)
    def post(self, body, resident_id):
        """Sign a lost phone out (or every device of the resident); its cookie stops working at once."""
        return services.sign_out_devices(current_user, resident_id, **body)
