"""What the ledger shows: a volunteer's balances and history, a family member's account, the
community's totals for its admins, and a volunteer's verified hours as CSV for the national
volunteer-record systems."""
import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from backend.accounts.models import User
from backend.common.pagination import Page, paginate
from backend.community.models import Community, Term
from backend.errors import Forbidden
from backend.extensions import db
from backend.people.models import Resident
from backend.people.services.access import add_audit, resident_access
from backend.timebank.models import TimebankAccount, TimebankMovement, TimebankTransfer
from backend.timebank.services import ledger
from backend.timebank.services.earning import staff_volunteer
from backend.timebank.services.gifts import (
    CLOSED_STATUSES, family_links, given_this_year, own_volunteer, year_start, yearly_cap_minutes,
)
from backend.volunteers.models import Volunteer


@dataclass
class HistoryLine:
    """One movement of an account as its owner sees it."""

    movement: TimebankMovement
    bucket: str
    family_member: dict | None  # a gift's recipient: id and how to address them
    show_reason: bool


def _key_ids(*keys: str) -> dict[str, int]:
    return dict(db.session.execute(select(TimebankAccount.key, TimebankAccount.id).where(TimebankAccount.key.in_(keys))).all())


def my_summary(user: User) -> dict:
    """The caller's verified and recorded hours (apart), this year's gifts against the cap, and
    the family members they may give to."""
    volunteer = own_volunteer(user)
    verified_key = ledger.volunteer_key(volunteer.id, "verified")
    recorded_key = ledger.volunteer_key(volunteer.id, "recorded")
    ids = _key_ids(verified_key, recorded_key)
    cap = yearly_cap_minutes(volunteer.community_id)
    given = given_this_year(ids.get(verified_key), volunteer.community_id)
    family = []
    for link in family_links(user):
        resident = link.resident
        member_id = ledger.find_account_id(ledger.member_key(resident.id))
        family.append({"resident_id": resident.id, "address_as": resident.address_as, "relation": link.relation,
                       "can_receive": resident.status not in CLOSED_STATUSES,
                       "hours": ledger.hours(ledger.balance(member_id)) if "view_status" in link.active_scopes else None})
    return {"volunteer_id": volunteer.id, "verified_hours": ledger.hours(ledger.balance(ids.get(verified_key))),
            "recorded_hours": ledger.hours(ledger.balance(ids.get(recorded_key))),
            "gifts": {"year": year_start(volunteer.community_id).year, "cap_hours": ledger.hours(cap),
                      "given_hours": ledger.hours(given), "left_hours": ledger.hours(max(cap - given, 0))},
            "family": family}


def _history(account_ids: dict[int, str], page: int, per_page: int, *, show_reasons: tuple[str, ...]) -> Page:
    statement = (select(TimebankMovement).where(TimebankMovement.account_id.in_(account_ids or [-1]))
                 .order_by(TimebankMovement.id.desc()))
    result = paginate(statement, page, per_page)
    lines = []
    for movement in result.items:
        transfer = movement.transfer
        family_member = None
        if transfer.kind == "gift":
            resident = db.session.get(Resident, transfer.to_account.resident_id) if transfer.to_account.resident_id else None
            family_member = {"resident_id": resident.id, "address_as": resident.address_as} if resident else None
        lines.append(HistoryLine(movement, account_ids[movement.account_id], family_member,
                                 transfer.kind in show_reasons))
    result.items = lines
    return result


def my_history(user: User, *, bucket: str | None, page: int, per_page: int) -> Page:
    """The caller's movements, newest first (both buckets, or one). A worker's confirmation
    note is not shown (it is about the resident); a hand entry's reason and a gift's note are."""
    volunteer = own_volunteer(user)
    buckets = (bucket,) if bucket else ("verified", "recorded")
    ids = _key_ids(*(ledger.volunteer_key(volunteer.id, name) for name in buckets))
    by_id = {account_id: key.rsplit(":", 1)[1] for key, account_id in ids.items()}
    return _history(by_id, page, per_page, show_reasons=("recorded", "gift"))


def member_account(user: User, resident_id: int, page: int, per_page: int) -> dict:
    """A family member's account: the resident, a proxy with view_status, or their grid's staff."""
    access = resident_access(user, resident_id, staff=True, own=True, scopes=("view_status",))
    add_audit(access, "read", [])  # a child's record: any read is logged
    account_id = ledger.find_account_id(ledger.member_key(resident_id))
    history = _history({account_id: "verified"} if account_id else {}, page, per_page, show_reasons=())
    db.session.commit()
    return {"resident_id": resident_id, "hours": ledger.hours(ledger.balance(account_id)), "history": history}


def _admin_community(user: User) -> int:
    if not user.has_role("admin") or user.community_id is None:
        raise Forbidden()
    return user.community_id


def totals(user: User, year: int | None) -> dict:
    """The admin's community: hours issued, given and spent (in one calendar year, or ever), and
    what volunteers and family members hold now."""
    community_id = _admin_community(user)
    conditions = [TimebankTransfer.community_id == community_id]
    if year is not None:
        conditions += [TimebankTransfer.service_date >= date(year, 1, 1), TimebankTransfer.service_date < date(year + 1, 1, 1)]
    by_kind = dict(db.session.execute(select(TimebankTransfer.kind, func.sum(TimebankTransfer.minutes))
                                      .where(*conditions).group_by(TimebankTransfer.kind)).all())
    held = {(owner, bucket): (total or 0, count) for owner, bucket, total, count in db.session.execute(
        select(TimebankAccount.owner, TimebankAccount.bucket, func.sum(TimebankAccount.balance_minutes),
               func.count()).where(TimebankAccount.community_id == community_id,
                                   TimebankAccount.owner != "system", TimebankAccount.balance_minutes > 0)
        .group_by(TimebankAccount.owner, TimebankAccount.bucket))}
    return {"community_id": community_id, "year": year,
            "verified_hours": ledger.hours(by_kind.get("verified", 0) + by_kind.get("spend", 0)),
            "verified_from_members_hours": ledger.hours(by_kind.get("spend", 0)),
            "recorded_hours": ledger.hours(by_kind.get("recorded", 0)),
            "gifted_hours": ledger.hours(by_kind.get("gift", 0)),
            "held": {"volunteers_verified_hours": ledger.hours(held.get(("volunteer", "verified"), (0, 0))[0]),
                     "volunteers_recorded_hours": ledger.hours(held.get(("volunteer", "recorded"), (0, 0))[0]),
                     "members_hours": ledger.hours(held.get(("member", "verified"), (0, 0))[0]),
                     "volunteers_with_hours": held.get(("volunteer", "verified"), (0, 0))[1],
                     "members_with_hours": held.get(("member", "verified"), (0, 0))[1]}}


def volunteer_balances(user: User, page: int, per_page: int) -> Page:
    """The admin's community's volunteers with their verified and recorded hours, most verified first."""
    community_id = _admin_community(user)
    verified, recorded = aliased(TimebankAccount), aliased(TimebankAccount)
    statement = (select(Volunteer.id, User.display_name, func.coalesce(verified.balance_minutes, 0),
                        func.coalesce(recorded.balance_minutes, 0))
                 .join(User, User.id == Volunteer.user_id)
                 .outerjoin(verified, (verified.volunteer_id == Volunteer.id) & (verified.bucket == "verified"))
                 .outerjoin(recorded, (recorded.volunteer_id == Volunteer.id) & (recorded.bucket == "recorded"))
                 .where(Volunteer.community_id == community_id)
                 .order_by(func.coalesce(verified.balance_minutes, 0).desc(), Volunteer.id))
    total = db.session.scalar(select(func.count()).select_from(Volunteer).where(Volunteer.community_id == community_id))
    rows = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page)).all()
    items = [{"volunteer_id": vid, "display_name": name, "verified_hours": ledger.hours(v),
              "recorded_hours": ledger.hours(r)} for vid, name, v, r in rows]
    return Page(items=items, total=total or 0, page=page, per_page=per_page)


CSV_COLUMNS = ("记录编号 record_id", "志愿者姓名 volunteer_name", "手机号 phone", "服务日期 service_date",
               "服务时长(小时) hours", "服务类别 category", "确认方式 confirmed_by", "确认人 confirmer",
               "服务社区 community", "求助编号 help_request_id")
FIXED_CATEGORY_WORDS = {"other": "其他", "welfare_check": "上门探望", "sos": "紧急求助"}
CONFIRMED_BY_WORDS = {"resident": "服务对象本人 resident", "proxy": "家属代理人 family proxy",
                      "worker": "社区工作者 community worker"}


def verified_hours_csv(user: User, volunteer_id: int, year: int | None) -> tuple[str, str]:
    """One volunteer's verified service hours, a line per task (paid by the community or by a
    member's hours alike; the category by the community's own name for it), for the national volunteer-record systems; recorded hours and gifts
    are not service records and are left out. No resident is named. (filename, text)."""
    community_id = _admin_community(user)
    volunteer = staff_volunteer(user, volunteer_id)
    if volunteer.community_id != community_id:
        raise Forbidden()
    account_id = ledger.find_account_id(ledger.volunteer_key(volunteer.id, "verified"))
    conditions = [TimebankTransfer.to_account_id == (account_id or -1), TimebankTransfer.kind.in_(("verified", "spend"))]
    if year is not None:
        conditions += [TimebankTransfer.service_date >= date(year, 1, 1), TimebankTransfer.service_date < date(year + 1, 1, 1)]
    community_name = db.session.scalar(select(Community.name).where(Community.id == community_id))
    labels = {**FIXED_CATEGORY_WORDS, **dict(db.session.execute(select(Term.code, Term.label_zh).where(
        Term.community_id == community_id, Term.vocabulary == "skill")).all())}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for record in db.session.scalars(select(TimebankTransfer).where(*conditions)
                                     .order_by(TimebankTransfer.service_date, TimebankTransfer.id)):
        confirmer = record.worker.display_name if record.confirmed_by == "worker" and record.worker else ""
        writer.writerow((record.id, _cell(volunteer.user.display_name), volunteer.user.phone or "",
                         record.service_date.isoformat(), f"{record.minutes / 60:.2f}",
                         _cell(labels.get(record.category, record.category or "")),
                         CONFIRMED_BY_WORDS.get(record.confirmed_by or "", ""), _cell(confirmer),
                         _cell(community_name or ""), record.help_request_id or ""))
    suffix = f"-{year}" if year is not None else ""
    return f"volunteer-{volunteer.id}-verified-hours{suffix}.csv", "\ufeff" + out.getvalue()


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
