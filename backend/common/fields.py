"""Schema fields shared by every domain: mainland mobile numbers and WGS-84 coordinates."""
import re

import marshmallow as ma

from backend.common.i18n import pick

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(raw: str) -> str | None:
    """11-digit mainland mobile number from what people type ('+86 138-0000 0000'), else None."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits if _MOBILE.match(digits) else None


class Phone(ma.fields.String):
    """A mainland mobile number, stored normalised as 11 digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        phone = normalise_phone(raw)
        if phone is None:
            raise ma.ValidationError(pick({
                "zh-CN": "手机号应为 11 位、以 1 开头的大陆手机号。",
                "en": "Enter an 11-digit mainland mobile number starting with 1.",
            }))
        return phone


class Latitude(ma.fields.Float):
    def __init__(self, **kwargs):
        super().__init__(validate=ma.validate.Range(min=-90, max=90), allow_nan=False, **kwargs)


class Longitude(ma.fields.Float):
    def __init__(self, **kwargs):
        super().__init__(validate=ma.validate.Range(min=-180, max=180), allow_nan=False, **kwargs)


class Text(ma.fields.String):
    """Free text from a person: surrounding spaces trimmed, bounded length."""

    def __init__(self, max_length: int = 200, min_length: int = 0, **kwargs):
        super().__init__(validate=ma.validate.Length(min=min_length, max=max_length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()
