"""What a visit record sets off, in the same transaction (docs/visits.md, Follow-ups):

- a serious concern about a resident (no food, an unsafe home, signs of abuse or neglect) raises a
  safety alert to the grid's workers and the community's admins;
- nobody at home at this visit and at the household's visit before it raises an alert to call
  the emergency contact;
- the visit's plain summary goes to each proxy of a visited resident who holds
  view_visit_summaries.
A need becomes a help request through the core loop's own endpoint (`POST /api/v1/help-requests`
with the resident's id), which the PWA fills from the record."""
from sqlalchemy import select

from backend.accounts.models import User
from backend.alerts.services.alerts import raise_alert
from backend.alerts.services.timeline import admins_of, grid_workers
from backend.extensions import db
from backend.notifications.services.outbox import notify
from backend.people.models import Resident
from backend.people.services.access import proxies_holding
from backend.visits import kinds
from backend.visits.models import Visit


def raise_concerns(visit: Visit, concerns: dict[int, list[str]], actor: User) -> list[int]:
    """One alert per resident with a serious concern; returns the alerts' ids."""
    people = list({person.id: person for person in [*grid_workers(visit.grid_id), *admins_of(visit.community_id)]
                   }.values())
    raised = []
    for resident_id, codes in concerns.items():
        if not codes:
            continue
        alert = raise_alert(kinds.SERIOUS_CONCERN.code, resident_id=resident_id, first_recipients=people,
                            actor=actor, data={"visit_id": visit.id, "household_id": visit.household_id})
        if alert is not None:
            raised.append(alert.id)
    return raised


def not_home_twice(visit: Visit, actor: User) -> int | None:
    """After a visit nobody answered: if the household's visit before it (by when it happened) was
    one too, an alert about the household's first active resident; returns its id."""
    if visit.seen:
        return None
    previous = db.session.scalar(select(Visit).where(
        Visit.household_id == visit.household_id, Visit.id != visit.id, Visit.occurred_at <= visit.occurred_at)
        .order_by(Visit.occurred_at.desc(), Visit.id.desc()).limit(1))
    if previous is None or previous.seen:
        return None
    resident = db.session.scalar(select(Resident).where(Resident.household_id == visit.household_id,
                                                        Resident.status == "active").order_by(Resident.id).limit(1))
    if resident is None:
        return None
    alert = raise_alert(kinds.NOT_HOME_TWICE.code, resident_id=resident.id, actor=actor,
                        data={"visit_id": visit.id, "household_id": visit.household_id})
    return alert.id if alert is not None else None


def send_summary(visit: Visit, summary: str) -> int:
    """The summary to each visited resident's summary readers (a proxy of two residents hears once
    per resident); returns how many were told."""
    told = 0
    for record in visit.residents:
        resident = db.session.get(Resident, record.resident_id)
        for reader in proxies_holding(resident.id, "view_visit_summaries"):
            notify(kinds.VISIT_SUMMARY.code, user=reader, params={"address_as": resident.address_as, "summary": summary},
                   data={"visit_id": visit.id, "resident_id": resident.id}, community_id=visit.community_id)
            told += 1
    return told
