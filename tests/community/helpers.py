"""Small helpers for the community tests: counting rows to prove nothing was written."""
from sqlalchemy import func, select

from backend.community.models import Community
from backend.extensions import db


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def fresh(model, row_id):
    """The row as the database has it now (the request used its own session)."""
    db.session.expire_all()
    return db.session.get(model, row_id)


def community_of(grid) -> Community:
    return db.session.get(Community, grid.community_id)
