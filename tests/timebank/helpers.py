"""Builders for the time bank tests: family links, hours put into an account through the ledger
itself, and the ledger's rules checked on the database."""
from sqlalchemy import func, select

from backend.accounts.models import UserRole
from backend.common.time import now
from backend.extensions import db
from backend.people.models import ProxyLink, ProxyScope
from backend.timebank.models import TimebankAccount, TimebankMovement, TimebankTransfer
from backend.timebank.services import ledger
from backend.volunteers.models import Volunteer
from tests.help_requests.helpers import volunteer_id


def link_family(user, resident, *scopes: str, relation: str = "儿子") -> ProxyLink:
    """`user` (a volunteer) becomes a family member of `resident`, holding `scopes`, as a worker
    records it (the link, and the proxy role)."""
    if not user.has_role("proxy"):
        user.role_rows.append(UserRole(role="proxy"))
    link = ProxyLink(resident_id=resident.id, proxy_user_id=user.id, relation=relation)
    link.scopes = [ProxyScope(scope=scope, consented_by="resident") for scope in scopes]
    db.session.add(link)
    db.session.flush()
    return link


def earn(user, hours: float, *, bucket: str = "verified"):
    """Credit a volunteer `hours` from their community's system account (as a confirmation would)."""
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    record = ledger.transfer(kind=bucket, minutes=round(hours * 60),
                             source_id=ledger.system_account(volunteer.community_id, bucket),
                             target_id=ledger.volunteer_account(volunteer.id, volunteer.community_id, bucket),
                             community_id=volunteer.community_id,
                             service_date=ledger.community_date(volunteer.community_id, now()))
    db.session.flush()
    return record


def balance_of(key: str) -> int:
    """An account's kept balance in minutes (0 when it does not exist)."""
    return ledger.balance(ledger.find_account_id(key))


def volunteer_minutes(user, bucket: str = "verified") -> int:
    return balance_of(ledger.volunteer_key(volunteer_id(user), bucket))


def member_minutes(resident) -> int:
    return balance_of(ledger.member_key(resident.id))


def transfers(**where) -> list[TimebankTransfer]:
    statement = select(TimebankTransfer).order_by(TimebankTransfer.id)
    for name, value in where.items():
        statement = statement.where(getattr(TimebankTransfer, name) == value)
    return list(db.session.scalars(statement.execution_options(populate_existing=True)))


def assert_ledger_holds() -> None:
    """Every rule of the double-entry ledger, checked on the rows: two movements per transfer
    summing to zero, kept balances equal to the sums, nothing overdrawn, and the whole ledger
    summing to zero."""
    assert ledger.invariant_breaches() == []
    assert db.session.scalar(select(func.coalesce(func.sum(TimebankMovement.minutes), 0))) == 0
    assert db.session.scalar(select(func.coalesce(func.sum(TimebankAccount.balance_minutes), 0))) == 0
    assert db.session.scalar(select(func.count()).select_from(TimebankMovement)) == \
        2 * db.session.scalar(select(func.count()).select_from(TimebankTransfer))
