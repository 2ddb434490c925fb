"""Fixtures for the alerts tests: the test-only alert kind is registered for every one."""
import pytest

from tests.alerts.helpers import ensure_test_kind


@pytest.fixture(autouse=True)
def test_alert_kind():
    return ensure_test_kind()
