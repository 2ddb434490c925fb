"""The access-test neighbourhood (tests/world.py) as a fixture, and a reader of audit entries."""
import pytest
from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.extensions import db
from tests.world import build_world


@pytest.fixture
def world():
    return build_world()


def audit_entries(resident_id: int) -> list[AuditEntry]:
    """The audit log of one resident, oldest first."""
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.resident_id == resident_id)
                                   .order_by(AuditEntry.id)))


def count(model) -> int:
    return db.session.query(model).count()
