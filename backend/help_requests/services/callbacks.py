"""The call-back list (回访): after a rating of 2 or less, a grid worker calls the resident back and
marks the task done with a note. Workers see their grids' tasks, admins their community's."""
from sqlalchemy import select

from backend.accounts.models import User
from backend.common.ids import in_id_range
from backend.common.pagination import Page, paginate
from backend.common.time import now
from backend.community.services import visible_grid_ids
from backend.errors import Conflict, NotFound
from backend.extensions import db
from backend.help_requests.models import CallbackTask


class CallbackAlreadyDone(Conflict):
    reason = "callback_already_done"
    messages = {"zh-CN": "这项回访已经完成了。", "en": "This call-back has already been done."}


def _not_found() -> NotFound:
    return NotFound("该回访", "Call-back")


def list_callbacks(user: User, *, status: str | None = None, page: int = 1, per_page: int = 20) -> Page:
    """The call-backs of the caller's grids, the open ones first, oldest first."""
    statement = select(CallbackTask).where(CallbackTask.grid_id.in_(visible_grid_ids(user)))
    if status is not None:
        statement = statement.where(CallbackTask.status == status)
    return paginate(statement.order_by(CallbackTask.status.desc(), CallbackTask.created_at, CallbackTask.id),
                    page, per_page)


def mark_done(user: User, task_id: int, note: str) -> CallbackTask:
    """The worker called the resident back: done, with what they found. Done twice: 409."""
    task = db.session.scalar(select(CallbackTask).where(CallbackTask.id == task_id).with_for_update()
                             .execution_options(populate_existing=True)) if in_id_range(task_id) else None
    if task is None or task.grid_id not in visible_grid_ids(user):
        raise _not_found()
    if task.status == "done":
        raise CallbackAlreadyDone()
    task.status, task.done_at, task.done_by_id, task.note = "done", now(), user.id, note
    db.session.flush()
    db.session.commit()
    return task
