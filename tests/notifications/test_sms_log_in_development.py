"""The `log` SMS provider in development also writes each message to the worker's log, so a developer
running `make run` can read the verification code they asked for; no other environment logs it."""
import logging

from config import Config, DevelopmentConfig, ProductionConfig, TestConfig
from tests.notifications.helpers import run_worker, sms_to

PHONE = "13612345678"
SMS_LOGGER = "backend.notifications.channels.sms"


def _ask(client):
    answer = client.post("/api/v1/verification-codes", {"phone": PHONE, "purpose": "volunteer_registration"})
    assert answer.status_code == 202


def _logged_texts(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == SMS_LOGGER]


def test_in_development_the_worker_logs_the_code_it_sent_at_info(app, client, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "SMS_LOG_TEXT", DevelopmentConfig.SMS_LOG_TEXT)
    _ask(client)
    run_worker(app)
    [message] = sms_to(PHONE)
    [line] = _logged_texts(caplog)
    assert line == f"SMS to {PHONE} (LINLI_VERIFICATION_CODE_ZH): {message.text}"
    assert [record.levelno for record in caplog.records if record.name == SMS_LOGGER] == [logging.INFO]


def test_elsewhere_the_code_stays_out_of_the_log(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    _ask(client)
    run_worker(app)
    [message] = sms_to(PHONE)
    assert _logged_texts(caplog) == []
    assert not any(message.params["code"] in record.getMessage() for record in caplog.records)
    assert not any(getattr(settings, "SMS_LOG_TEXT", False) for settings in (Config, ProductionConfig, TestConfig))
