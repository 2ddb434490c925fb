"""The registry of notification kinds: what each kind says, how urgent it is, which channels
carry it, how it treats quiet hours, how long it lives, and its SMS template.

A kind is declared in code next to the use case that sends it (`register(Kind(...))` at import
time); this module ships the kinds the notifications mechanism needs itself. See
docs/notifications.md for how to add one.
"""
import string
from dataclasses import dataclass
from datetime import timedelta

from backend.common.i18n import DEFAULT_LANGUAGE, LANGUAGES
from backend.common.registry import Registry

URGENCIES = ("normal", "high")
QUIET_HOURS = ("wait", "ignore")
CHANNEL_NAMES = ("inapp", "push", "sms")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class SmsTemplate:
    """A message pre-approved at the SMS provider: its id and text per language, and the
    parameters it takes (Chinese providers send nothing but approved templates)."""

    template_ids: dict[str, str]
    texts: dict[str, str]  # the approved text, with {param} where the provider fills a value
    params: tuple[str, ...] = ()

    def render(self, language: str, params: dict) -> tuple[str, dict, str]:
        """(template id, the parameters it takes, the text the recipient reads)."""
        language = language if language in self.template_ids else DEFAULT_LANGUAGE
        values = {name: str(params[name]) for name in self.params}
        return self.template_ids[language], values, self.texts[language].format(**values)


@dataclass(frozen=True)
class Kind:
    """One kind of notification. `texts` maps each language to (title, body), formatted with
    the notification's params; `topic` and `url` are formatted with its data (ids)."""

    code: str
    texts: dict[str, tuple[str, str]]
    params: tuple[str, ...] = ()
    urgency: str = "normal"
    safety: bool = False
    channels: tuple[str, ...] = ("inapp", "push")  # in order of preference
    quiet_hours: str = "wait"  # non-urgent push and SMS wait until quiet hours end; "ignore"
    ttl: timedelta = timedelta(days=1)
    sms: SmsTemplate | None = None
    topic: str | None = None  # a newer push with the same topic replaces an older one
    url: str = "/notifications"  # the screen a tap opens
    secret_params: tuple[str, ...] = ()  # blanked in the notification once it is delivered
    # Params a push may show on a lock screen (never names, addresses, phones, health or child
    # data): a push text using any other param is replaced by a generic one (docs/push.md).
    push_params: tuple[str, ...] = ()
    alert_when_undelivered: bool | None = None  # None: safety kinds do

    def __post_init__(self):
        if self.alert_when_undelivered is None:
            object.__setattr__(self, "alert_when_undelivered", self.safety)
        problems = _problems(self)
        if problems:
            raise ValueError(f"notification kind {self.code!r}: " + "; ".join(problems))

    @property
    def waits_for_quiet_hours(self) -> bool:
        return self.quiet_hours == "wait" and self.urgency == "normal" and not self.safety

    def render(self, language: str, params: dict) -> tuple[str, str]:
        """(title, body) in `language` (zh-CN when the kind has no text in it)."""
        title, body = self.texts.get(language) or self.texts[DEFAULT_LANGUAGE]
        return title.format(**params), body.format(**params)

    def format_with_data(self, template: str | None, data: dict) -> str | None:
        return template.format(**data) if template is not None else None


def _problems(kind: Kind) -> list[str]:
    problems = []
    if kind.urgency not in URGENCIES:
        problems.append(f"urgency must be one of {URGENCIES}")
    if kind.quiet_hours not in QUIET_HOURS:
        problems.append(f"quiet_hours must be one of {QUIET_HOURS}")
    if kind.quiet_hours == "wait" and (kind.safety or kind.urgency == "high"):
        problems.append("safety and high-urgency kinds never wait for quiet hours (use quiet_hours='ignore')")
    if not kind.channels or set(kind.channels) - set(CHANNEL_NAMES) or len(set(kind.channels)) != len(kind.channels):
        problems.append(f"channels must be distinct names from {CHANNEL_NAMES}")
    if ("sms" in kind.channels) != (kind.sms is not None):
        problems.append("a kind with the sms channel needs an SMS template, and only such a kind")
    if kind.ttl <= timedelta(0):
        problems.append("ttl must be positive")
    for language in LANGUAGES:
        if language not in kind.texts:
            problems.append(f"no texts in {language}")
            continue
        unknown = set().union(*map(_placeholders, kind.texts[language])) - set(kind.params)
        if unknown:
            problems.append(f"{language} texts use undeclared params {sorted(unknown)}")
    if set(kind.secret_params) - set(kind.params):
        problems.append("secret_params must be params")
    if set(kind.push_params) - set(kind.params) or set(kind.push_params) & set(kind.secret_params):
        problems.append("push_params must be params, and never secret ones")
    if kind.sms is not None:
        if set(kind.sms.params) - set(kind.params):
            problems.append("SMS params must be params of the kind")
        for language in LANGUAGES:
            if language not in kind.sms.template_ids or language not in kind.sms.texts:
                problems.append(f"no SMS template in {language}")
            elif _placeholders(kind.sms.texts[language]) - set(kind.sms.params):
                problems.append(f"the {language} SMS text uses undeclared params")
    if kind.topic is not None and len(kind.topic) > 32:
        problems.append("a push topic is at most 32 characters")
    return problems


def data_placeholders(kind: Kind) -> set[str]:
    """The data keys a kind's topic and url are made from: every notification must carry them."""
    return _placeholders(kind.topic or "") | _placeholders(kind.url)


class UnknownKind(LookupError):
    pass


_KINDS: Registry[Kind] = Registry("notification kind", UnknownKind)


def register(kind: Kind) -> Kind:
    return _KINDS.register(kind.code, kind)


def unregister(code: str) -> None:
    """Remove a kind (tests register their own kinds and remove them afterwards)."""
    _KINDS.unregister(code)


def get(code: str) -> Kind:
    return _KINDS.get(code)


def registered() -> list[Kind]:
    return list(_KINDS)


TEST_PUSH = register(Kind(
    code="test_push",
    texts={"zh-CN": ("测试提醒", "这是一条测试提醒。看到它，说明这部手机能收到邻里的提醒。"),
           "en": ("Test notification", "This is a test. If you can see it, this phone gets Linli's notifications.")},
    channels=("inapp", "push"),
    quiet_hours="ignore",  # the person just asked for it
    ttl=timedelta(minutes=10),
    topic="test",
))

VERIFICATION_CODE = register(Kind(
    code="verification_code",
    texts={"zh-CN": ("验证码", "您的邻里验证码是 {code}，5 分钟内有效。请勿告诉他人。"),
           "en": ("Verification code", "Your Linli verification code is {code}. It is valid for 5 minutes. "
                                       "Do not share it.")},
    params=("code",),
    secret_params=("code",),
    channels=("sms",),
    quiet_hours="ignore",
    ttl=timedelta(minutes=5),
    sms=SmsTemplate(
        template_ids={"zh-CN": "LINLI_VERIFICATION_CODE_ZH", "en": "LINLI_VERIFICATION_CODE_EN"},
        texts={"zh-CN": "您的邻里验证码是{code}，5分钟内有效，请勿告诉他人。",
               "en": "Your Linli verification code is {code}. Valid for 5 minutes. Do not share it."},
        params=("code",),
    ),
))

# A safety notification that reached nobody (every channel expired or failed) alerts the grid
# workers responsible, or the community's admins. It is a safety kind itself, but it never
# alerts about itself.
DELIVERY_EXPIRED = register(Kind(
    code="delivery_expired",
    texts={"zh-CN": ("安全提醒没有送达", "发给{recipient_name}的一条安全提醒在有效期内没有送达，请尽快电话联系。"),
           "en": ("A safety alert was not delivered",
                  "A safety alert to {recipient_name} did not reach them in time. Please call them as soon as you can.")},
    params=("recipient_name",),
    urgency="high",
    safety=True,
    alert_when_undelivered=False,
    channels=("inapp", "push", "sms"),
    quiet_hours="ignore",
    ttl=timedelta(hours=24),
    sms=SmsTemplate(
        template_ids={"zh-CN": "LINLI_DELIVERY_EXPIRED_ZH", "en": "LINLI_DELIVERY_EXPIRED_EN"},
        texts={"zh-CN": "邻里：一条安全提醒没有送达，请打开邻里查看并尽快电话联系。",
               "en": "Linli: a safety alert was not delivered. Please open Linli and call them as soon as you can."},
    ),
))
