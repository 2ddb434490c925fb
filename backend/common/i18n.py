"""The user's language (zh-CN by default, en) and translation of validation messages."""
import re

from flask import has_request_context, request
from flask_login import current_user

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"


def current_language() -> str:
    """The signed-in user's language, else the browser's preference, else zh-CN."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    language = getattr(current_user, "language", None) if current_user else None
    if language in LANGUAGES:
        return language
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default=DEFAULT_LANGUAGE)
    return "en" if best == "en" else DEFAULT_LANGUAGE


def pick(texts: dict[str, str], **params) -> str:
    """The text for the current language, formatted with params."""
    text = texts.get(current_language()) or texts[DEFAULT_LANGUAGE]
    return text.format(**params) if params else text


# marshmallow's built-in messages, in the order they are tried; unknown ones pass through.
_FIELD_MESSAGES_ZH = [
    (r"^Missing data for required field\.$", "必填项。"),
    (r"^Unknown field\.$", "不认识的字段。"),
    (r"^Field may not be null\.$", "不能为空。"),
    (r"^Not a valid string\.$", "应为文字。"),
    (r"^Not a valid integer\.$", "应为整数。"),
    (r"^Not a valid number\.$", "应为数字。"),
    (r"^Not a valid boolean\.$", "应为是或否。"),
    (r"^Not a valid list\.$", "应为列表。"),
    (r"^Not a valid mapping type\.$", "应为对象。"),
    (r"^Invalid input type\.$", "格式不对，应为 JSON 对象。"),
    (r"^Not a valid date\.$", "日期格式不对（应为 YYYY-MM-DD）。"),
    (r"^Not a valid datetime\.$", "时间格式不对（应为 ISO-8601）。"),
    (r"^Not a valid time\.$", "时间格式不对（应为 HH:MM）。"),
    (r"^Not a valid email address\.$", "邮箱格式不对。"),
    (r"^Invalid value\.$", "取值无效。"),
    (r"^Must be one of: (.*)\.$", r"只能是以下之一：\1。"),
    (r"^Must be greater than or equal to (.*) and less than or equal to (.*)\.$", r"应在 \1 到 \2 之间。"),
    (r"^Must be greater than or equal to (.*)\.$", r"应不小于 \1。"),
    (r"^Must be less than or equal to (.*)\.$", r"应不大于 \1。"),
    (r"^Length must be between (\d+) and (\d+)\.$", r"长度应在 \1 到 \2 之间。"),
    (r"^Shorter than minimum length (\d+)\.$", r"至少 \1 个字符。"),
    (r"^Longer than maximum length (\d+)\.$", r"最多 \1 个字符。"),
    (r"^Invalid JSON body\.$", "请求内容不是有效的 JSON。"),
]
_COMPILED = [(re.compile(pattern), replacement) for pattern, replacement in _FIELD_MESSAGES_ZH]


def translate_field_message(message: str) -> str:
    if current_language() != "zh-CN":
        return message
    for pattern, replacement in _COMPILED:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message


def translate_field_errors(errors):
    """Translate a marshmallow error tree (dicts of lists of strings) into the user's language."""
    if isinstance(errors, dict):
        return {key: translate_field_errors(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [translate_field_errors(value) for value in errors]
    if isinstance(errors, str):
        return translate_field_message(errors)
    return errors
