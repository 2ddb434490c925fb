"""The ledger itself: accounts made once, transfers of two movements, no overdraft ever.

Nothing here commits; the use cases do. A transfer locks both accounts' rows in id order
(SELECT … FOR UPDATE; SQLite's BEGIN IMMEDIATE serialises writers anyway), then takes the minutes
with one conditional UPDATE whose row count says whether the balance covered them, so two
transfers from one account at once can never both spend the same minutes, and two transfers
between the same two accounts in opposite directions cannot deadlock."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from backend.common.time import now
from backend.community.models import Community
from backend.errors import Conflict
from backend.extensions import db
from backend.timebank.models import SYSTEM_SOURCES, TimebankAccount, TimebankMovement, TimebankTransfer


class NotEnoughHours(Conflict):
    reason = "timebank_not_enough_hours"
    messages = {"zh-CN": "时间银行里的时数不够（现有 {hours} 小时）。",
                "en": "There are not enough hours in the time bank (there are {hours})."}


def hours(minutes: int | None) -> float:
    """Minutes as hours for people (two decimals)."""
    return round((minutes or 0) / 60, 2)


def community_date(community_id: int, moment: datetime) -> date:
    """The day `moment` falls on in the community's calendar."""
    timezone = db.session.scalar(select(Community.timezone).where(Community.id == community_id)) or "Asia/Shanghai"
    return moment.astimezone(ZoneInfo(timezone)).date()


def volunteer_key(volunteer_id: int, bucket: str) -> str:
    return f"v:{volunteer_id}:{bucket}"


def member_key(resident_id: int) -> str:
    return f"m:{resident_id}"


def system_key(community_id: int, source: str) -> str:
    return f"s:{community_id}:{source}"


def _account_id(key: str, **fields) -> int:
    """The id of the account named `key`, made when missing. Two requests making it at once
    both get the one row: INSERT … ON CONFLICT DO NOTHING, then read it."""
    account_id = db.session.scalar(select(TimebankAccount.id).where(TimebankAccount.key == key))
    if account_id is not None:
        return account_id
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(TimebankAccount).values(key=key, balance_minutes=0, created_at=now(), **fields)
                       .on_conflict_do_nothing(index_elements=["key"]))
    return db.session.scalar(select(TimebankAccount.id).where(TimebankAccount.key == key))


def volunteer_account(volunteer_id: int, community_id: int, bucket: str) -> int:
    return _account_id(volunteer_key(volunteer_id, bucket), community_id=community_id, owner="volunteer",
                       bucket=bucket, volunteer_id=volunteer_id, allows_negative=False)


def member_account(resident_id: int, community_id: int) -> int:
    return _account_id(member_key(resident_id), community_id=community_id, owner="member", bucket="verified",
                       resident_id=resident_id, allows_negative=False)


def system_account(community_id: int, bucket: str) -> int:
    """Where a community's new hours of `bucket` come from: it goes below zero by every hour issued."""
    return _account_id(system_key(community_id, SYSTEM_SOURCES[bucket]), community_id=community_id,
                       owner="system", bucket=bucket, allows_negative=True)


def find_account_id(key: str) -> int | None:
    return db.session.scalar(select(TimebankAccount.id).where(TimebankAccount.key == key))


def lock_accounts(*account_ids: int) -> dict[int, int]:
    """Lock the accounts' rows (in id order, so two transfers never wait on each other in a
    circle) until the transaction ends; their balances now, by id."""
    rows = db.session.execute(select(TimebankAccount.id, TimebankAccount.balance_minutes)
                              .where(TimebankAccount.id.in_(sorted(set(account_ids))))
                              .order_by(TimebankAccount.id).with_for_update())
    return {account_id: balance for account_id, balance in rows}


def transfer(*, kind: str, minutes: int, source_id: int, target_id: int, community_id: int,
             service_date: date, occurred_at: datetime | None = None, **details) -> TimebankTransfer:
    """Move `minutes` from one account to another: one transfer, two movements, both balances.
    NotEnoughHours (409) when the source may not go below zero and does not hold them."""
    if minutes <= 0 or source_id == target_id:
        raise ValueError("a transfer moves a positive number of minutes between two accounts")
    lock_accounts(source_id, target_id)
    for account_id in sorted((source_id, target_id)):  # the same order as the locks
        if account_id == source_id:
            taken = db.session.execute(
                update(TimebankAccount)
                .where(TimebankAccount.id == source_id,
                       or_(TimebankAccount.allows_negative.is_(True), TimebankAccount.balance_minutes >= minutes))
                .values(balance_minutes=TimebankAccount.balance_minutes - minutes)
                .execution_options(synchronize_session=False)).rowcount
            if taken != 1:
                balance = db.session.scalar(select(TimebankAccount.balance_minutes)
                                            .where(TimebankAccount.id == source_id))
                raise NotEnoughHours(hours=hours(balance))
        else:
            db.session.execute(update(TimebankAccount).where(TimebankAccount.id == target_id)
                               .values(balance_minutes=TimebankAccount.balance_minutes + minutes)
                               .execution_options(synchronize_session=False))
    moment = now()
    record = TimebankTransfer(community_id=community_id, kind=kind, minutes=minutes, from_account_id=source_id,
                              to_account_id=target_id, service_date=service_date,
                              occurred_at=occurred_at or moment, created_at=moment, **details)
    record.movements = [TimebankMovement(account_id=source_id, minutes=-minutes, created_at=moment),
                        TimebankMovement(account_id=target_id, minutes=minutes, created_at=moment)]
    db.session.add(record)
    db.session.flush()
    return record


def balance(account_id: int | None) -> int:
    """An account's balance in minutes, as the database holds it now (0 for no account)."""
    if account_id is None:
        return 0
    return db.session.scalar(select(TimebankAccount.balance_minutes).where(TimebankAccount.id == account_id)) or 0


def invariant_breaches() -> list[str]:
    """What breaks the ledger's rules, in words (empty: none): every transfer has exactly two
    movements summing to zero, of its minutes, between its two accounts; every account's kept
    balance is the sum of its movements; only system accounts are below zero."""
    breaches = []
    sides = select(TimebankMovement.transfer_id, func.count().label("n"), func.sum(TimebankMovement.minutes).label("s"),
                   func.max(TimebankMovement.minutes).label("credit")).group_by(TimebankMovement.transfer_id).subquery()
    for transfer_id, count, total, credit, minutes in db.session.execute(
            select(TimebankTransfer.id, sides.c.n, sides.c.s, sides.c.credit, TimebankTransfer.minutes)
            .outerjoin(sides, sides.c.transfer_id == TimebankTransfer.id)):
        if count != 2 or total != 0 or credit != minutes:
            breaches.append(f"transfer {transfer_id}: {count} movements summing to {total}, credit {credit} of {minutes}")
    for transfer_id, in db.session.execute(
            select(TimebankTransfer.id).join(TimebankMovement, TimebankMovement.transfer_id == TimebankTransfer.id)
            .where(or_((TimebankMovement.minutes < 0) & (TimebankMovement.account_id != TimebankTransfer.from_account_id),
                       (TimebankMovement.minutes > 0) & (TimebankMovement.account_id != TimebankTransfer.to_account_id)))):
        breaches.append(f"transfer {transfer_id}: a movement on an account it does not name")
    sums = select(TimebankMovement.account_id, func.sum(TimebankMovement.minutes).label("s")) \
        .group_by(TimebankMovement.account_id).subquery()
    for account_id, kept, summed, allows_negative in db.session.execute(
            select(TimebankAccount.id, TimebankAccount.balance_minutes, sums.c.s, TimebankAccount.allows_negative)
            .outerjoin(sums, sums.c.account_id == TimebankAccount.id)):
        if kept != (summed or 0):
            breaches.append(f"account {account_id}: kept balance {kept}, movements sum to {summed or 0}")
        if kept < 0 and not allows_negative:
            breaches.append(f"account {account_id}: overdrawn to {kept}")
    return breaches
