"""What every help request use case stages: the locked row and the timeline step of a transition.
Nothing here commits; the use cases do."""
from datetime import datetime

from sqlalchemy import select

from backend.accounts.models import User
from backend.common.time import now
from backend.extensions import db
from backend.help_requests.models import HelpRequest, HelpRequestEvent
from backend.help_requests.services.machine import next_status


def locked_request(request_id: int) -> HelpRequest | None:
    """The request, its row locked until the transaction ends (fresh from the database)."""
    return db.session.scalar(select(HelpRequest).where(HelpRequest.id == request_id).with_for_update()
                             .execution_options(populate_existing=True))


def fresh_request(request_id: int) -> HelpRequest | None:
    return db.session.scalar(select(HelpRequest).where(HelpRequest.id == request_id)
                             .execution_options(populate_existing=True))


def add_event(request: HelpRequest, event: str, from_status: str | None, *, actor: User | None,
              occurred_at: datetime | None = None, reason: str | None = None, volunteer_id: int | None = None,
              data: dict | None = None) -> HelpRequestEvent:
    """Stage the timeline step of a transition already made (or about to be made) on `request`."""
    moment = now()
    step = HelpRequestEvent(event=event, from_status=from_status, to_status=next_status(from_status, event),
                            actor_id=actor.id if actor else None, volunteer_id=volunteer_id,
                            occurred_at=occurred_at or moment, recorded_at=moment, reason=reason,
                            data=dict(data or {}))
    request.events.append(step)
    return step


def move(request: HelpRequest, event: str, *, actor: User | None, occurred_at: datetime | None = None,
         reason: str | None = None, volunteer_id: int | None = None, data: dict | None = None,
         **changes) -> HelpRequestEvent:
    """Make one transition on a locked request: check it against the table, change the row,
    stage its timeline step (InvalidTransition, 409, when the table has no such row)."""
    from_status = request.status
    request.status = next_status(from_status, event)
    for name, value in changes.items():
        setattr(request, name, value)
    request.updated_at = now()
    step = add_event(request, event, from_status, actor=actor, occurred_at=occurred_at, reason=reason,
                     volunteer_id=volunteer_id, data=data)
    db.session.flush()
    return step
