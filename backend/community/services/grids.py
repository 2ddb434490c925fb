"""Grids and the workers who serve them."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from backend.accounts.models import User
from backend.common.i18n import pick
from backend.common.pagination import Page, paginate
from backend.community.models import Grid, GridWorker
from backend.community.services import admin_community, require_grid, require_staff, visible_grid_ids
from backend.errors import Conflict, InvalidInput
from backend.extensions import db


class GridNameTaken(Conflict):
    reason = "grid_name_taken"
    messages = {"zh-CN": "社区里已经有同名的网格了。", "en": "The community already has a grid with this name."}


def _check_grid_name_free(community_id: int, name: str) -> None:
    if db.session.scalar(select(Grid.id).where(Grid.community_id == community_id, Grid.name == name)):
        raise GridNameTaken(field_errors={"name": [GridNameTaken().message]})


def list_grids(user: User, page: int, per_page: int) -> Page:
    """The grids this staff member serves (all of the community's for an admin), with their workers."""
    require_staff(user)
    statement = (select(Grid).where(Grid.id.in_(visible_grid_ids(user)))
                 .options(selectinload(Grid.worker_rows)).order_by(Grid.id))
    return paginate(statement, page, per_page)


def create_grid(user: User, name: str) -> Grid:
    """An admin adds a grid to the community; workers are set separately."""
    community = admin_community(user)
    _check_grid_name_free(community.id, name)
    grid = Grid(community_id=community.id, name=name)
    db.session.add(grid)
    db.session.commit()
    return grid


def get_grid(user: User, grid_id: int) -> Grid:
    """One grid, for its workers and the community's admins."""
    require_staff(user)
    return require_grid(user, grid_id)


def rename_grid(user: User, grid_id: int, changes: dict) -> Grid:
    """An admin renames a grid."""
    admin_community(user)
    grid = require_grid(user, grid_id)
    if "name" in changes and changes["name"] != grid.name:
        _check_grid_name_free(grid.community_id, changes["name"])
        grid.name = changes["name"]
    db.session.commit()
    return grid


def set_grid_workers(user: User, grid_id: int, choices: list[dict]) -> Grid:
    """An admin sets who serves a grid: workers of this community, exactly one of them primary."""
    admin_community(user)
    grid = require_grid(user, grid_id)
    wanted_ids = [choice["user_id"] for choice in choices]
    users = {candidate.id: candidate for candidate in
             db.session.scalars(select(User).where(User.id.in_(wanted_ids)))} if wanted_ids else {}
    errors = {}
    for index, choice in enumerate(choices):
        candidate = users.get(choice["user_id"])
        if (candidate is None or candidate.community_id != grid.community_id
                or not candidate.has_role("worker") or not candidate.is_enabled):
            errors[index] = {"user_id": [pick({"zh-CN": "不是本社区的网格员。",
                                               "en": "Not a worker of this community."})]}
    if errors:
        raise InvalidInput(field_errors={"workers": errors})
    # Rows are changed in place: deleting and re-adding a worker in one flush would trip
    # the (grid, user) uniqueness, as inserts are flushed before deletes.
    wanted = {choice["user_id"]: choice["is_primary"] for choice in choices}
    for row in list(grid.worker_rows):
        if row.user_id in wanted:
            row.is_primary = wanted.pop(row.user_id)
        else:
            grid.worker_rows.remove(row)
    for user_id, is_primary in wanted.items():
        grid.worker_rows.append(GridWorker(user_id=user_id, is_primary=is_primary))
    db.session.commit()
    return grid
