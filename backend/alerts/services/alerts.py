"""Alerts use cases: raise one (inside the caller's transaction), take it on ("我来处理"),
resolve it, and the staff lists.

Who may see, take on and read an alert: the admins of its community; the workers of the
resident's grid; anyone it was sent to. Anyone else gets 404, so existence is not revealed.
"""
import logging

from sqlalchemy import case, or_, select

from backend.accounts.models import User
from backend.alerts import kinds
from backend.alerts.models import ENDED_STATUSES, Alert, AlertNotice
from backend.alerts.services.escalation import cancel_escalation_timers, schedule_escalation, stop_escalation
from backend.alerts.services.timeline import add_step, admins_of, grid_workers, locked_alert, tell, told_ids
from backend.common.pagination import Page, paginate
from backend.common.time import now
from backend.community.services import require_staff, visible_grid_ids
from backend.errors import Conflict, Forbidden, NotFound
from backend.extensions import db
from backend.people.models import Resident

log = logging.getLogger(__name__)

_ID_VALUE_MAX = 64


class AlertAlreadyTaken(Conflict):
    reason = "alert_already_taken"
    messages = {"zh-CN": "{name} 已接手这条提醒。", "en": "{name} is already handling this alert."}


class AlertEnded(Conflict):
    reason = "alert_ended"
    messages = {"zh-CN": "这条提醒已经结束，不需要再接手。", "en": "This alert has ended; there is nothing to take on."}


class AlertAlreadyResolved(Conflict):
    reason = "alert_already_resolved"
    messages = {"zh-CN": "{name} 已处理完这条提醒。", "en": "{name} has already resolved this alert."}


class NotAlertOwner(Forbidden):
    reason = "not_alert_owner"
    messages = {"zh-CN": "只有接手人或社区管理员可以结束这条提醒。",
                "en": "Only the person handling this alert or a community admin can resolve it."}


def _alert_not_found() -> NotFound:
    return NotFound("该提醒", "Alert")


def _check_ids_only(data: dict) -> None:
    """An alert's data goes into its notifications' push payloads: ids, nothing that names anyone."""
    for name, value in data.items():
        is_id_value = (isinstance(value, int) and not isinstance(value, bool)
                       or isinstance(value, str) and len(value) <= _ID_VALUE_MAX)
        if not (name == "id" or name.endswith("_id")) or not is_id_value:
            raise ValueError(f"alert data may hold ids only (*_id: int or short str), not {name!r}")


def raise_alert(kind: str, *, resident_id: int | None = None, community_id: int | None = None,
                data: dict | None = None, first_recipients: list[User] | None = None,
                actor: User | None = None) -> Alert | None:
    """Stage an alert of `kind` in the caller's transaction (no commit): tell its first
    recipients — by default the workers of the resident's grid, or the community's admins when
    the grid has none — and schedule its escalation one acknowledgement window from now.

    About a resident (`resident_id`), or the community as a whole (`community_id`). Nobody is
    alerted about a deceased resident: then nothing is staged and None is returned."""
    kinds.get(kind)  # an unknown kind is a programming error: fail loudly, before any row
    data = dict(data or {})
    _check_ids_only(data)
    resident = db.session.get(Resident, resident_id) if resident_id is not None else None
    if resident_id is not None and resident is None:
        raise ValueError(f"no resident {resident_id}")
    if resident is not None:
        if resident.status == "deceased":
            log.info("no %s alert: resident %s is deceased", kind, resident.id)
            return None
        grid = resident.household.building.grid
        community_id, grid_id = grid.community_id, grid.id
    elif community_id is None:
        raise ValueError("raise_alert() needs a resident_id or a community_id")
    else:
        grid_id = None
    moment = now()
    alert = Alert(community_id=community_id, kind=kind, resident_id=resident_id, grid_id=grid_id,
                  status="open", level=0, data=data, created_at=moment)
    db.session.add(alert)
    db.session.flush()
    if first_recipients is not None:
        people, reason = first_recipients, "chosen"
    else:
        people, reason = grid_workers(grid_id), "grid_workers"
        if not people:
            people, reason = admins_of(community_id), "no_grid_worker"
    people = list({person.id: person for person in people if person.is_enabled}.values())
    if not people:
        reason = "nobody_to_tell"
        log.error("alert %s (%s) has nobody to tell in community %s", alert.id, kind, community_id)
    step = add_step(alert, "raised", actor=actor, reason=reason, at=moment)
    tell(alert, step, people, kinds.ALERT_RAISED.code)
    schedule_escalation(alert, moment)
    return alert


def _may_see(user: User, alert: Alert) -> bool:
    if user.has_role("admin") and user.community_id == alert.community_id:
        return True
    if user.has_role("worker") and alert.grid_id is not None and alert.grid_id in visible_grid_ids(user):
        return True
    return db.session.scalar(select(AlertNotice.id).where(
        AlertNotice.alert_id == alert.id, AlertNotice.user_id == user.id).limit(1)) is not None


def _visible_alert(user: User, alert_id: int) -> Alert:
    require_staff(user)
    alert = db.session.get(Alert, alert_id)
    if alert is None or not _may_see(user, alert):
        raise _alert_not_found()
    return alert


def get_alert(user: User, alert_id: int) -> Alert:
    """One alert with its timeline."""
    return _visible_alert(user, alert_id)


def list_alerts(user: User, status: str | None, page: int, per_page: int) -> Page:
    """The alerts in the caller's scope: open ones first, then those being handled, then ended
    ones; newest first within each."""
    require_staff(user)
    statement = select(Alert)
    if user.has_role("admin") and user.community_id is not None:
        statement = statement.where(Alert.community_id == user.community_id)
    else:
        sent_to_them = select(AlertNotice.alert_id).where(AlertNotice.user_id == user.id)
        statement = statement.where(or_(Alert.grid_id.in_(visible_grid_ids(user)), Alert.id.in_(sent_to_them)))
    if status is not None:
        statement = statement.where(Alert.status == status)
    rank = case((Alert.status == "open", 0), (Alert.status == "acknowledged", 1), else_=2)
    return paginate(statement.order_by(rank, Alert.created_at.desc(), Alert.id.desc()), page, per_page)


def acknowledge(user: User, alert_id: int) -> Alert:
    """"我来处理": the caller takes the alert on. Escalation stops and everyone else who was told
    hears who has it. Taking it again is a no-op; once someone else has it, 409 names them."""
    _visible_alert(user, alert_id)
    # The timer rows first, then the alert's: the order the worker locks them in when an
    # escalation fires, so an acknowledgement racing it waits for it instead of deadlocking.
    cancel_escalation_timers(alert_id)
    alert = locked_alert(alert_id)
    if alert.owner_id == user.id:
        db.session.commit()  # nothing changed: the same person taking it again
        return alert
    if alert.owner_id is not None:
        raise AlertAlreadyTaken(name=alert.owner.display_name)
    if alert.status in ENDED_STATUSES:
        raise AlertEnded()
    stop_escalation(alert)  # again: an escalation that fired first may have scheduled the next
    moment = now()
    alert.status, alert.owner_id, alert.acknowledged_at = "acknowledged", user.id, moment
    step = add_step(alert, "acknowledged", actor=user, at=moment)
    others = told_ids(alert) - {user.id}
    people = list(db.session.scalars(select(User).where(User.id.in_(others)).order_by(User.id))) if others else []
    tell(alert, step, people, kinds.ALERT_TAKEN.code, owner_name=user.display_name)
    db.session.commit()
    return alert


def resolve(user: User, alert_id: int, note: str) -> Alert:
    """The owner (or an admin of the community) ends the alert with a note on what was done."""
    alert = _visible_alert(user, alert_id)
    is_admin = user.has_role("admin") and user.community_id == alert.community_id
    if alert.owner_id != user.id and not is_admin:
        raise NotAlertOwner()
    cancel_escalation_timers(alert_id)  # timer rows before the alert's row, as in acknowledge()
    alert = locked_alert(alert_id)
    if alert.status == "resolved":
        raise AlertAlreadyResolved(name=alert.resolved_by.display_name if alert.resolved_by else "")
    if alert.status == "closed":
        raise AlertEnded()
    stop_escalation(alert)
    moment = now()
    alert.status, alert.resolved_by_id, alert.resolved_at, alert.resolution_note = "resolved", user.id, moment, note
    add_step(alert, "resolved", actor=user, note=note, at=moment)
    db.session.commit()
    return alert
