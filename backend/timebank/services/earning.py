"""Hours coming in: a confirmed task credits its volunteer's verified hours (once), paid by the
member's account when it was asked as time-bank service; a worker adds recorded hours by hand,
with a reason, kept apart from verified ones."""
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from backend.accounts.models import User
from backend.common.i18n import pick
from backend.common.ids import in_id_range
from backend.common.time import now
from backend.community.services import visible_grid_ids
from backend.errors import Conflict, InvalidInput, NotFound
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.timebank.models import TimebankTransfer
from backend.timebank.services import ledger
from backend.volunteers.models import Volunteer
from backend.volunteers.services import staff_community_ids

RECORDED_LOOKBACK = timedelta(days=366)  # a hand entry may be for a day up to a year back


SETTLED = ("confirmed", "cancelled", "expired")  # a task no confirmation will credit any more


class TaskNotSettled(Conflict):
    reason = "timebank_task_not_settled"
    messages = {"zh-CN": "这项求助还可能由居民确认，确认后时数会自动记入。",
                "en": "This request may still be confirmed by the resident's side, which credits its hours."}


class AlreadyCredited(Conflict):
    reason = "timebank_already_credited"
    messages = {"zh-CN": "这项服务的时数已经记过了。", "en": "The hours of this task are already in the time bank."}


def task_transfers(help_request_id: int) -> list[TimebankTransfer]:
    return list(db.session.scalars(select(TimebankTransfer).where(TimebankTransfer.help_request_id == help_request_id)
                                   .order_by(TimebankTransfer.id)))


def credit_confirmed_task(request: HelpRequest, confirmer: User, confirmed_by: str,
                          note: str | None) -> list[TimebankTransfer]:
    """Stage the hours of a task just confirmed (the request's row is locked by the caller):
    its volunteer's verified hours, named after who confirmed (a worker by name, with their
    note). A task asked as time-bank service is paid from the member's account as far as it
    holds hours; the rest comes from the community's service account. Once per task: a task
    that already has hours (verified, spent, or recorded by a worker) gets nothing more."""
    if request.volunteer_id is None or not request.hours or request.hours <= 0:
        return []
    if task_transfers(request.id):  # credited already (or recorded by hand for it)
        return []
    minutes = round(request.hours * 60)
    if minutes <= 0:
        return []
    community_id = request.community_id
    moment = request.checked_out_at or now()
    details = dict(community_id=community_id, service_date=ledger.community_date(community_id, moment),
                   occurred_at=moment, help_request_id=request.id, category=request.category,
                   actor_id=confirmer.id, confirmed_by=confirmed_by,
                   worker_id=confirmer.id if confirmed_by == "worker" else None,
                   reason=(note or None) if confirmed_by == "worker" else None)
    target = ledger.volunteer_account(request.volunteer_id, _volunteer_community(request.volunteer_id), "verified")
    transfers = []
    if getattr(request, "timebank_service", False):
        member = ledger.member_account(request.resident_id, community_id)
        held = ledger.lock_accounts(member, target)[member]
        paid = min(held, minutes)
        if paid > 0:
            transfers.append(ledger.transfer(kind="spend", minutes=paid, source_id=member, target_id=target, **details))
            minutes -= paid
    if minutes > 0:
        transfers.append(ledger.transfer(kind="verified", minutes=minutes,
                                         source_id=ledger.system_account(community_id, "verified"),
                                         target_id=target, **details))
    return transfers


def _volunteer_community(volunteer_id: int) -> int:
    return db.session.scalar(select(Volunteer.community_id).where(Volunteer.id == volunteer_id))


def _field_error(field: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(field_errors={field: [pick({"zh-CN": zh, "en": en})]})


def staff_volunteer(user: User, volunteer_id: int) -> Volunteer:
    """A volunteer of a community this staff member oversees; NotFound otherwise."""
    volunteer = db.session.get(Volunteer, volunteer_id) if in_id_range(volunteer_id) else None
    if volunteer is None or volunteer.community_id not in staff_community_ids(user):
        raise NotFound("该志愿者", "Volunteer")
    return volunteer


def add_recorded_hours(user: User, volunteer_id: int, data: dict) -> TimebankTransfer:
    """A worker adds hours by hand, with a reason: recorded, never verified. For a task, it must
    be the volunteer's, in the worker's grids, and not yet credited."""
    volunteer = staff_volunteer(user, volunteer_id)
    minutes = round(data["hours"] * 60)
    most = current_app.config["TIMEBANK_RECORDED_MAX_HOURS"]
    if minutes < 1 or minutes > most * 60:
        raise _field_error("hours", f"每次最多补记 {most} 小时。", f"At most {most} hours can be added at a time.")
    community_today = ledger.community_date(volunteer.community_id, now())
    service_date: date = data.get("service_date") or community_today
    if service_date > community_today:
        raise _field_error("service_date", "服务日期不能是将来。", "The day of service cannot be in the future.")
    if service_date < community_today - RECORDED_LOOKBACK:
        raise _field_error("service_date", "只能补记一年以内的服务。", "Only service within the last year can be added.")
    category = data.get("category")
    request_id = data.get("help_request_id")
    if request_id is not None:
        request = db.session.get(HelpRequest, request_id)
        if (request is None or request.grid_id not in visible_grid_ids(user)
                or request.volunteer_id != volunteer.id):
            raise _field_error("help_request_id", "找不到这位志愿者在您网格的这项求助。",
                               "No such request of this volunteer in your grids.")
        if request.status not in SETTLED:
            raise TaskNotSettled()
        if task_transfers(request.id):
            raise AlreadyCredited()
        category = request.category
    account = ledger.volunteer_account(volunteer.id, volunteer.community_id, "recorded")
    record = ledger.transfer(kind="recorded", minutes=minutes,
                             source_id=ledger.system_account(volunteer.community_id, "recorded"),
                             target_id=account, community_id=volunteer.community_id, service_date=service_date,
                             help_request_id=request_id, category=category, actor_id=user.id, worker_id=user.id,
                             reason=data["reason"])
    db.session.commit()
    return record
