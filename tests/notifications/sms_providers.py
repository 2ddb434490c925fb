"""SMS providers for the tests, plugged in through SMS_PROVIDER as "module:Class" just as a
production provider would be."""
import time
from collections import defaultdict, deque

from sqlalchemy import select

from backend.extensions import db
from backend.notifications.channels.base import Outcome
from backend.notifications.channels.sms import LogProvider
from backend.notifications.models import SmsMessage

SLOW_SECONDS = 0.01
HANGING_PHONE = "13799990000"


class ScriptedProvider(LogProvider):
    """Answers the next scripted Outcome for the phone (then "delivered"); logs what it delivers."""

    name = "scripted"
    script: dict[str, deque] = defaultdict(deque)

    def send(self, message):
        answers = self.script.get(message.phone)
        outcome = answers.popleft() if answers else Outcome("delivered")
        if outcome.status == "delivered":
            return super().send(message)
        return outcome


class SlowLogProvider(LogProvider):
    """Takes a moment per message, like a provider across the internet, so that two workers
    draining one backlog overlap."""

    name = "slow-log"

    def send(self, message):
        time.sleep(SLOW_SECONDS)
        return super().send(message)


class HangOnceProvider(LogProvider):
    """Sends the first message to HANGING_PHONE and then hangs before answering, as a worker that
    is killed right there would: a test kills the worker in the middle of its batch. Later
    messages, to that phone too, go as with `log`."""

    name = "hang-once"

    def send(self, message):
        first_time = message.phone == HANGING_PHONE and db.session.scalar(
            select(SmsMessage.id).where(SmsMessage.phone == HANGING_PHONE).limit(1)) is None
        db.session.rollback()
        outcome = super().send(message)
        if first_time:
            time.sleep(3600)
        return outcome
