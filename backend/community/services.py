"""Community use cases, and the grid scope every other domain checks objects against.

Functions named `add_*` stage rows for a larger use case and do not commit; every other
public write function is one use case and commits once.
"""
from sqlalchemy import select

from backend.accounts.models import User
from backend.community.models import Grid, GridWorker
from backend.errors import NotFound
from backend.extensions import db


def visible_grid_ids(user: User) -> set[int]:
    """Grids whose households and residents this user may see and change as staff:
    every grid of the community for an admin, their own grids for a worker, none otherwise."""
    if user.has_role("admin") and user.community_id is not None:
        return set(db.session.scalars(select(Grid.id).where(Grid.community_id == user.community_id)))
    if user.has_role("worker"):
        return set(db.session.scalars(select(GridWorker.grid_id).where(GridWorker.user_id == user.id)))
    return set()


def staff_reason(user: User, grid_id: int) -> str:
    """The audit log's 'why' for a staff member acting in a grid."""
    if user.has_role("admin") and user.community_id is not None:
        grid = db.session.get(Grid, grid_id)
        if grid is not None and grid.community_id == user.community_id:
            return f"admin of community {user.community_id}"
    return f"worker of grid {grid_id}"


def require_grid(user: User, grid_id: int) -> Grid:
    """The grid, if this user is staff for it; otherwise NotFound (existence is not revealed)."""
    if grid_id not in visible_grid_ids(user):
        raise NotFound("该网格", "Grid")
    return db.session.get(Grid, grid_id)
