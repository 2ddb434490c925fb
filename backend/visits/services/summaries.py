"""Visit summaries for the family (docs/visits.md): the plain words a visitor left for a
resident's proxies, newest first — for a proxy with view_visit_summaries, the resident themself,
and the grid's staff. Never the staff notes, checklists or concerns."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from backend.accounts.models import User
from backend.common.ids import in_id_range
from backend.common.pagination import Page, paginate
from backend.extensions import db
from backend.people.services.access import add_audit, resident_access, resident_not_found
from backend.visits.models import Visit, VisitResident
from backend.volunteers.models import Volunteer


@dataclass
class SummaryView:
    visit_id: int
    date: date
    occurred_at: datetime
    summary: str
    visitor_name: str | None
    by_volunteer: bool


def summaries_for(user: User, resident_id: int, page: int, per_page: int) -> Page:
    if not in_id_range(resident_id):
        raise resident_not_found()
    access = resident_access(user, resident_id, own=True, scopes=("view_visit_summaries",))
    result = paginate(select(Visit).join(VisitResident, VisitResident.visit_id == Visit.id).where(
        VisitResident.resident_id == access.resident.id, Visit.summary.is_not(None))
        .order_by(Visit.occurred_at.desc(), Visit.id.desc()), page, per_page)
    volunteers = set(db.session.scalars(select(Volunteer.user_id).where(
        Volunteer.user_id.in_([visit.visitor_id for visit in result.items if visit.visitor_id] or [0]))))
    items = []
    for visit in result.items:
        visitor = db.session.get(User, visit.visitor_id) if visit.visitor_id else None
        items.append(SummaryView(visit_id=visit.id, date=visit.local_date, occurred_at=visit.occurred_at,
                                 summary=visit.summary, visitor_name=visitor.display_name if visitor else None,
                                 by_volunteer=visit.visitor_id in volunteers))
    result.items = items
    if items and access.kind != "self":
        add_audit(access, "read", ["visit_summary"])
    db.session.commit()
    return result
