"""Writing and reading the audit log. Every read or change of a resident's address, phone,
health-related tags or a child's record stages an entry in the same transaction as the use case."""
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.common.pagination import Page, paginate
from backend.extensions import db


def record(*, actor_id: int | None, community_id: int | None, resident_id: int | None, action: str,
           fields: list[str], reason: str) -> AuditEntry:
    """Stage one audit entry; the caller's use case commits it with its own change."""
    entry = AuditEntry(
        actor_id=actor_id, community_id=community_id, resident_id=resident_id, action=action,
        fields=sorted(set(fields)), reason=reason[:200],
        endpoint=request.endpoint if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def list_entries(community_id: int, *, resident_id: int | None = None, actor_id: int | None = None,
                 since: datetime | None = None, until: datetime | None = None,
                 page: int = 1, per_page: int = 20) -> Page:
    """The community's audit entries, newest first, filtered by resident, actor and time."""
    statement = select(AuditEntry).where(AuditEntry.community_id == community_id)
    if resident_id is not None:
        statement = statement.where(AuditEntry.resident_id == resident_id)
    if actor_id is not None:
        statement = statement.where(AuditEntry.actor_id == actor_id)
    if since is not None:
        statement = statement.where(AuditEntry.at >= since)
    if until is not None:
        statement = statement.where(AuditEntry.at < until)
    return paginate(statement.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), page, per_page)
