"""What a channel is, and the registry the worker finds channels in by name.

A channel is a module with `send(delivery, notification, kind, app_config) -> Outcome`. The
worker calls it outside any database transaction, with the delivery, its notification (its
recipient user and the delivery's push subscription already loaded) and the kind; the channel
talks to the outside world and touches no table of ours (the `log` SMS provider is the one
exception: it plays the external system and writes its own row in its own commit).
"""
import importlib
import logging
from typing import NamedTuple

log = logging.getLogger(__name__)

OUTCOMES = ("delivered", "retry", "gone", "failed")

# Channel name → the module that sends it. The in-app inbox has none: the committed
# notification is the inbox entry.
CHANNEL_MODULES = {
    "push": "backend.notifications.channels.webpush",
    "sms": "backend.notifications.channels.sms",
}


class Outcome(NamedTuple):
    """How one send ended.

    delivered: the recipient's side accepted it. retry: try again later (not before
    `retry_after` seconds when given). gone: the push subscription is dead; the worker deletes
    that subscription (only that one) and the delivery fails. failed: it will never work."""

    status: str
    retry_after: float | None = None
    error: str | None = None


def send(delivery, notification, kind, app_config) -> Outcome:
    """Send one delivery through its channel's module; a missing module or a channel that
    raises never stops the worker: the first fails the delivery, the second retries it."""
    module_name = CHANNEL_MODULES.get(delivery.channel)
    if module_name is None:
        return Outcome("failed", None, f"no channel named {delivery.channel!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        log.error("channel %s cannot be loaded: %s", delivery.channel, error)
        return Outcome("failed", None, f"the {delivery.channel} channel is not installed ({module_name}: {error})")
    try:
        outcome = module.send(delivery, notification, kind, app_config)
    except Exception as error:  # a bug or an unexpected answer in one channel: retried, and logged
        log.exception("channel %s raised on delivery %s", delivery.channel, delivery.id)
        return Outcome("retry", None, f"{type(error).__name__}: {error}")
    if not isinstance(outcome, tuple) or outcome[0] not in OUTCOMES:
        return Outcome("retry", None, f"the {delivery.channel} channel answered {outcome!r}")
    return Outcome(*outcome)
