"""The grid scope every domain checks objects against, and the role checks of community use cases.

The use cases live beside this module: lists (the community and its lists), grids, buildings
and households. Functions named `add_*` stage rows for a larger use case and do not commit;
every other public write function is one use case and commits once.
"""
from sqlalchemy import select

from backend.accounts.models import User
from backend.community.models import Community, Grid, GridWorker
from backend.errors import Forbidden, NotFound
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


def require_staff(user: User) -> None:
    """Refuse anyone but workers and admins."""
    if not user.is_staff:
        raise Forbidden()


def community_of(user: User) -> Community:
    """The caller's community; NotFound for an account that belongs to none."""
    community = db.session.get(Community, user.community_id) if user.community_id is not None else None
    if community is None:
        raise NotFound("社区", "Community")
    return community


def admin_community(user: User) -> Community:
    """The community the caller administers; Forbidden for anyone but its admins."""
    if not user.has_role("admin"):
        raise Forbidden()
    return community_of(user)
