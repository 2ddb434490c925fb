"""SMS providers for the tests, plugged in through SMS_PROVIDER as "module:Class" just as a
production provider would be."""
import time
from collections import defaultdict, deque

from backend.notifications.channels.base import Outcome
from backend.notifications.channels.sms import LogProvider

SLOW_SECONDS = 0.05


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
    """Takes a moment per message, like a provider across the internet: time for a test to kill
    the worker in the middle of a batch."""

    name = "slow-log"

    def send(self, message):
        time.sleep(SLOW_SECONDS)
        return super().send(message)
