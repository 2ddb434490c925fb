"""What the `log` SMS provider sent, for admins (development, trials, and checking templates)."""
from sqlalchemy import or_, select

from backend.accounts.models import User
from backend.common.pagination import Page, paginate
from backend.notifications.models import SmsMessage


def list_messages(admin: User, page: int, per_page: int, phone: str | None = None) -> Page:
    """Newest first: the admin's community's messages and those tied to no community (codes)."""
    statement = (select(SmsMessage)
                 .where(or_(SmsMessage.community_id == admin.community_id, SmsMessage.community_id.is_(None)))
                 .order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc()))
    if phone is not None:
        statement = statement.where(SmsMessage.phone == phone)
    return paginate(statement, page, per_page)
