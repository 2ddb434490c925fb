"""Accounts request and response bodies."""
import re

import marshmallow as ma
from flask_login import current_user

from backend.accounts.models import TEXT_SIZES
from backend.common.fields import Phone, Text
from backend.common.i18n import LANGUAGES, pick


def _six_digits(value: str) -> None:
    if not re.fullmatch(r"\d{6}", value):
        raise ma.ValidationError(pick({"zh-CN": "请输入 6 位数字。", "en": "Enter 6 digits."}))


class CsrfTokenSchema(ma.Schema):
    csrf_token = ma.fields.String(required=True)


class LoginSchema(ma.Schema):
    phone = Phone(required=True)
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=256))
    device_label = Text(max_length=100, load_default="")


class PinLoginSchema(ma.Schema):
    pin = ma.fields.String(required=True, validate=_six_digits)
    device_label = Text(max_length=100, load_default="")


class SetPinSchema(ma.Schema):
    pin = ma.fields.String(required=True, validate=_six_digits)


class SignedInUserSchema(ma.Schema):
    id = ma.fields.Integer()
    display_name = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    roles = ma.fields.Method("sorted_roles")
    language = ma.fields.String()
    text_size = ma.fields.String()
    elder_mode = ma.fields.Boolean()
    high_contrast = ma.fields.Boolean()
    read_aloud = ma.fields.Boolean()

    def sorted_roles(self, user):
        return sorted(user.roles)


class PreferencesSchema(ma.Schema):
    language = ma.fields.String(validate=ma.validate.OneOf(LANGUAGES))
    text_size = ma.fields.String(validate=ma.validate.OneOf(TEXT_SIZES))
    elder_mode = ma.fields.Boolean()
    high_contrast = ma.fields.Boolean()
    read_aloud = ma.fields.Boolean()
    display_name = Text(min_length=1, max_length=60)


class ChangePasswordSchema(ma.Schema):
    current_password = ma.fields.String(required=True, validate=ma.validate.Length(max=256))
    new_password = ma.fields.String(required=True, validate=ma.validate.Length(max=256))


class DeviceSessionSchema(ma.Schema):
    id = ma.fields.Integer()
    device_label = ma.fields.String()
    signed_in_with = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    last_seen_at = ma.fields.AwareDateTime()
    is_this_device = ma.fields.Method("this_device")

    def this_device(self, device_session):
        current = getattr(current_user, "current_device_session", None)
        return current is not None and current.id == device_session.id
