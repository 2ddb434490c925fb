"""Fixtures for the notifications tests: test-only kinds and an SMS provider that answers as a
test scripts it (helpers.py has the small builders and queries)."""
from datetime import timedelta

import pytest

from backend.notifications import kinds
from backend.notifications.kinds import Kind, SmsTemplate
from tests.notifications import sms_providers

ORDINARY_TEXTS = {"zh-CN": ("有新的求助", "{category}：有人需要帮助。"),
                  "en": ("A new request", "{category}: someone needs help.")}
SAFETY_TEXTS = {"zh-CN": ("紧急求助", "{name}按下了紧急求助。"),
                "en": ("Emergency", "{name} pressed the emergency button.")}


def _sms(code: str, zh: str, en: str, params=()) -> SmsTemplate:
    return SmsTemplate(template_ids={"zh-CN": f"T_{code.upper()}_ZH", "en": f"T_{code.upper()}_EN"},
                       texts={"zh-CN": zh, "en": en}, params=tuple(params))


@pytest.fixture
def register_kind():
    """register_kind(code, **fields) -> Kind, removed again after the test."""
    codes = []

    def _register(code: str, **fields) -> Kind:
        kind = kinds.register(Kind(code=code, **fields))
        codes.append(code)
        return kind

    yield _register
    for code in codes:
        kinds.unregister(code)


@pytest.fixture
def ordinary_kind(register_kind) -> Kind:
    """An offer-like kind: normal urgency, waits for quiet hours, may go by SMS if opted in."""
    return register_kind(
        "test_offer", texts=ORDINARY_TEXTS, params=("category",), channels=("inapp", "push", "sms"),
        ttl=timedelta(days=1),
        sms=_sms("test_offer", "邻里：{category}，有人需要帮助。", "Linli: {category}, someone needs help.",
                 ("category",)))


@pytest.fixture
def safety_kind(register_kind) -> Kind:
    """An SOS-like kind: safety, high urgency, ignores quiet hours, SMS whenever push cannot."""
    return register_kind(
        "test_sos", texts=SAFETY_TEXTS, params=("name",), safety=True, urgency="high", quiet_hours="ignore",
        channels=("inapp", "push", "sms"), ttl=timedelta(minutes=30),
        sms=_sms("test_sos", "邻里：有人按下了紧急求助，请打开邻里。", "Linli: someone pressed the emergency button."))


@pytest.fixture
def scripted_sms(app, monkeypatch):
    """The SMS provider answers what the test scripts per phone (then logs like `log`)."""
    monkeypatch.setitem(app.config, "SMS_PROVIDER", "tests.notifications.sms_providers:ScriptedProvider")
    sms_providers.ScriptedProvider.script.clear()
    yield sms_providers.ScriptedProvider.script
    sms_providers.ScriptedProvider.script.clear()
