"""The SMS channel: a kind's pre-approved template, filled in the recipient's language, handed
to the configured provider (SMS_PROVIDER).

Chinese SMS providers send only templates approved in advance, so a message is a template id
plus parameters; the rendered text is what the recipient reads. `log` is the provider for
development and tests: it keeps each message in the sms_messages table, where admins read them
(GET /api/v1/sms/messages), and in development (SMS_LOG_TEXT) also writes it to the worker's log,
so whoever runs `make run` sees the verification code they just asked for. docs/notifications.md
says how to plug in a production provider.
"""
import importlib
import logging
from dataclasses import dataclass

from backend.extensions import db
from backend.notifications.channels.base import Outcome
from backend.notifications.models import SmsMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmsRequest:
    """One message for a provider. `reference` is the delivery id: providers take it as the
    caller's own id (Aliyun's OutId, Tencent's SessionContext) and report it back."""

    phone: str
    template_id: str
    params: dict
    text: str
    language: str
    reference: int
    community_id: int | None = None


class SmsProvider:
    """A production provider subclasses this and answers an Outcome: "delivered" once the
    provider accepted the message, "retry" (with the provider's Retry-After, if any) for
    throttling, timeouts and server errors, "failed" for a refused number or template."""

    name = "base"

    def __init__(self, app_config):
        self.config = app_config

    def send(self, message: SmsRequest) -> Outcome:
        raise NotImplementedError


class LogProvider(SmsProvider):
    """Development and tests: the message is written to sms_messages in a commit of its own,
    as an external system would, before the worker marks the delivery delivered. A worker that
    dies between the two sends the message again: a duplicate, exactly as with a real provider."""

    name = "log"

    def send(self, message: SmsRequest) -> Outcome:
        db.session.add(SmsMessage(provider=self.name, phone=message.phone, template_id=message.template_id,
                                  params=message.params, text=message.text, language=message.language,
                                  delivery_id=message.reference, community_id=message.community_id))
        db.session.commit()
        # Development only (DevelopmentConfig): the text carries codes, never for a production log.
        if self.config.get("SMS_LOG_TEXT"):
            _show_info_on_stderr()
            log.info("SMS to %s (%s): %s", message.phone, message.template_id, message.text)
        return Outcome("delivered")


def _show_info_on_stderr() -> None:
    """The worker sets up no logging, so Python would drop INFO lines: show this module's on
    stderr, unless something (a test's log capture, a deployment's logging setup) already listens."""
    if log.level == logging.INFO:
        return
    log.setLevel(logging.INFO)
    if not log.hasHandlers():
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)


PROVIDERS: dict[str, type[SmsProvider]] = {"log": LogProvider}
_instances: dict[tuple[int, str], SmsProvider] = {}


def provider_for(app_config) -> SmsProvider:
    """SMS_PROVIDER names a registered provider ("log") or a class as "package.module:Class"."""
    setting = app_config["SMS_PROVIDER"]
    key = (id(app_config), setting)
    if key not in _instances:
        if setting in PROVIDERS:
            provider_class = PROVIDERS[setting]
        else:
            module_name, _, class_name = setting.partition(":")
            provider_class = getattr(importlib.import_module(module_name), class_name)
        _instances[key] = provider_class(app_config)
    return _instances[key]


def send(delivery, notification, kind, app_config) -> Outcome:
    """Send one SMS delivery: the kind's template in the recipient's language."""
    phone = notification.phone
    if not phone:
        return Outcome("failed", None, "the recipient has no mobile number")
    template_id, params, text = kind.sms.render(notification.language, notification.params)
    return provider_for(app_config).send(SmsRequest(
        phone=phone, template_id=template_id, params=params, text=text, language=notification.language,
        reference=delivery.id, community_id=notification.community_id))
