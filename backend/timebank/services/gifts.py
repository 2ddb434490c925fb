"""Giving hours: a volunteer gives verified hours to a family member's account (a resident they
are linked to as family), within their community's yearly cap (as Shanghai's and Nanjing's time
banks allow gifts to relatives, with limits)."""
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from backend.accounts.models import User
from backend.common.i18n import pick
from backend.common.time import now
from backend.errors import Conflict, InvalidInput, NotFound
from backend.extensions import db
from backend.people.models import ProxyLink, Resident
from backend.timebank.models import TimebankTransfer
from backend.timebank.services import ledger
from backend.volunteers.models import Volunteer

CLOSED_STATUSES = ("moved_away", "deceased")  # an account nobody will spend from again


class NotAVolunteer(NotFound):
    def __init__(self):
        super().__init__("您的志愿者档案", "Your volunteer profile")


class GiftCapReached(InvalidInput):
    reason = "timebank_gift_cap"
    messages = {"zh-CN": "今年最多可以转赠 {cap} 小时，还可以转赠 {left} 小时。",
                "en": "At most {cap} hours can be given this year; {left} hours are left."}


class RecipientClosed(Conflict):
    reason = "timebank_recipient_closed"
    messages = {"zh-CN": "这位家人的账户已不再使用（已搬走或已故），不能转赠。",
                "en": "This family member's account is no longer in use (moved away or deceased)."}


def own_volunteer(user: User) -> Volunteer:
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    if volunteer is None:
        raise NotAVolunteer()
    return volunteer


def family_links(user: User) -> list[ProxyLink]:
    """The residents this user is linked to as family (an active proxy link), oldest link first."""
    return list(db.session.scalars(select(ProxyLink).where(ProxyLink.proxy_user_id == user.id,
                                                           ProxyLink.ended_at.is_(None))
                                   .order_by(ProxyLink.id)))


def yearly_cap_minutes(community_id: int) -> int:
    """TIMEBANK_GIFT_YEARLY_CAPS[community id], else TIMEBANK_GIFT_YEARLY_CAP_HOURS, in minutes."""
    caps = current_app.config.get("TIMEBANK_GIFT_YEARLY_CAPS") or {}
    cap = caps.get(community_id, current_app.config["TIMEBANK_GIFT_YEARLY_CAP_HOURS"])
    return round(float(cap) * 60)


def year_start(community_id: int) -> date:
    return ledger.community_date(community_id, now()).replace(month=1, day=1)


def given_this_year(account_id: int | None, community_id: int) -> int:
    """Minutes given from this account since 1 January in the community's calendar."""
    if account_id is None:
        return 0
    return db.session.scalar(select(func.coalesce(func.sum(TimebankTransfer.minutes), 0)).where(
        TimebankTransfer.from_account_id == account_id, TimebankTransfer.kind == "gift",
        TimebankTransfer.service_date >= year_start(community_id))) or 0


def give(user: User, data: dict) -> TimebankTransfer:
    """Give `hours` of the caller's verified hours to a family member's account."""
    volunteer = own_volunteer(user)
    link = next((link for link in family_links(user) if link.resident_id == data["resident_id"]), None)
    if link is None:
        raise InvalidInput(field_errors={"resident_id": [pick({
            "zh-CN": "只能转赠给已登记的家人。", "en": "Hours can only be given to a registered family member."})]})
    resident: Resident = link.resident
    if resident.status in CLOSED_STATUSES:
        raise RecipientClosed()
    minutes = round(data["hours"] * 60)
    if minutes < 1:
        raise InvalidInput(field_errors={"hours": [pick({"zh-CN": "至少转赠 1 分钟。", "en": "Give at least one minute."})]})
    community_id = volunteer.community_id
    source = ledger.volunteer_account(volunteer.id, community_id, "verified")
    target = ledger.member_account(resident.id, resident.household.building.grid.community_id)
    ledger.lock_accounts(source, target)  # from here no other gift of this volunteer's runs: the cap holds
    cap = yearly_cap_minutes(community_id)
    given = given_this_year(source, community_id)
    if given + minutes > cap:
        raise GiftCapReached(cap=ledger.hours(cap), left=ledger.hours(max(cap - given, 0)))
    record = ledger.transfer(kind="gift", minutes=minutes, source_id=source, target_id=target,
                             community_id=community_id, service_date=ledger.community_date(community_id, now()),
                             actor_id=user.id, reason=data.get("note") or None)
    db.session.commit()
    return record
