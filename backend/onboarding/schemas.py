"""Assisted onboarding request and response bodies."""
import marshmallow as ma

from backend.accounts.schemas import SignedInUserSchema
from backend.common.fields import Text
from backend.common.i18n import pick
from backend.common.ids import ID_RANGE


class LinkCodeIssuedSchema(ma.Schema):
    resident_id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True, metadata={"description": "Shown only in this answer."})
    expires_at = ma.fields.AwareDateTime(required=True)
    url = ma.fields.String(required=True, metadata={"description": "PUBLIC_BASE_URL/link/<code>"})
    qr_svg = ma.fields.String(required=True, metadata={"description": "A standalone SVG of the url's QR code."})


class RedeemLinkCodeSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40),
                            metadata={"description": "Case-insensitive; spaces and dashes are ignored."})
    device_label = Text(max_length=100, load_default="")


class LinkedUserSchema(SignedInUserSchema):
    needs_pin = ma.fields.Method("pin_missing", metadata={"description": "Ask for a 6-digit PIN next."})

    def pin_missing(self, user):
        return user.pin_hash is None


class DeviceSchema(ma.Schema):
    kind = ma.fields.String(metadata={"description": "session (signed in) or linked_phone (PIN-capable)"})
    id = ma.fields.Integer()
    label = ma.fields.String()
    signed_in_with = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    last_seen_at = ma.fields.AwareDateTime(allow_none=True)


class SignOutDevicesSchema(ma.Schema):
    """Empty: every device. With session_id or device_link_id: that one device."""

    session_id = ma.fields.Integer(strict=True, validate=ID_RANGE)
    device_link_id = ma.fields.Integer(strict=True, validate=ID_RANGE)

    @ma.validates_schema
    def one_device_at_most(self, data, **kwargs):
        if "session_id" in data and "device_link_id" in data:
            raise ma.ValidationError(pick({
                "zh-CN": "一次只能指定一个设备：session_id 或 device_link_id。",
                "en": "Name one device at most: session_id or device_link_id.",
            }), "_schema")


class SignOutResultSchema(ma.Schema):
    ended_sessions = ma.fields.Integer(required=True)
    revoked_links = ma.fields.Integer(required=True)
