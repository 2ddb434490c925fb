"""Who may see and act on a help request, and what each of them sees (DESIGN.md §6).

The requester side — the resident, a proxy within their scopes, the workers of the request's grid
and the community's admins — sees the whole request. A volunteer sees a request only while it is,
or once was, theirs, or while they hold an open offer for it (the brief view only): the resident's full name, address and phone only while assigned (from
acceptance until 24 h after check-out), each such reveal written to the audit log; otherwise only
the category, the time, the building's label and how to address the resident.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from backend.accounts.models import User
from backend.common.ids import in_id_range
from backend.community.services import staff_reason, visible_grid_ids
from backend.errors import Forbidden, NotFound
from backend.extensions import db
from backend.help_requests.models import HelpRequest, HelpRequestEvent
from backend.matching.models import Offer
from backend.people.models import ProxyLink, ProxyScope, Resident
from backend.people.services.access import Access, ProxyScopeMissing, active_link, add_audit
from backend.volunteers.models import Volunteer

REVEAL_AFTER_COMPLETION = timedelta(hours=24)
TOLD_SCOPES = ("view_status", "request_help")  # a proxy who may see the request's status is told of it
ASSIGNED = ("accepted", "in_progress")
DONE = ("completed", "confirmed")


class NotAssignedVolunteer(Forbidden):
    reason = "not_assigned_volunteer"
    messages = {"zh-CN": "这项求助现在不由您负责。", "en": "This request is not assigned to you now."}


def request_not_found() -> NotFound:
    return NotFound("该求助", "Help request")


def load_request(request_id: int) -> HelpRequest:
    """The request, or NotFound (also for ids no row can have)."""
    request = db.session.get(HelpRequest, request_id) if in_id_range(request_id) else None
    if request is None:
        raise request_not_found()
    return request


@dataclass
class RequestView:
    """A request as this caller may see it: `full` shows every field of the request itself;
    `contact` (name, address, phones) only for its assigned volunteer in the reveal window."""

    request: HelpRequest
    full: bool
    contact: dict | None = None
    timeline: bool = True


def volunteer_of(user: User) -> Volunteer | None:
    if not user.has_role("volunteer"):
        return None
    return db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))


def requester_access(user: User, request: HelpRequest, scope: str) -> Access:
    """The caller as the request's requester side: staff of its grid, the resident, or a proxy
    holding `scope` (a linked proxy without it: ProxyScopeMissing). Anyone else: NotFound."""
    if user.is_staff and request.grid_id in visible_grid_ids(user):
        return Access(user, request.resident, "staff", staff_reason(user, request.grid_id))
    if request.resident.user_id == user.id:
        return Access(user, request.resident, "self", "the resident themself")
    if user.has_role("proxy"):
        link = active_link(request.resident_id, user.id)
        if link is not None:
            if scope not in link.active_scopes:
                raise ProxyScopeMissing()
            return Access(user, request.resident, "proxy", f"proxy of resident {request.resident_id} with {scope}",
                          frozenset(link.active_scopes))
    raise request_not_found()


def was_ever_theirs(request: HelpRequest, volunteer: Volunteer) -> bool:
    return request.volunteer_id == volunteer.id or db.session.scalar(
        select(HelpRequestEvent.id).where(HelpRequestEvent.help_request_id == request.id,
                                          HelpRequestEvent.volunteer_id == volunteer.id).limit(1)) is not None


def holds_open_offer(request: HelpRequest, volunteer: Volunteer) -> bool:
    """The volunteer was offered the request and has not answered, nor has it gone on without them."""
    return db.session.scalar(select(Offer.id).where(Offer.help_request_id == request.id,
                                                    Offer.volunteer_id == volunteer.id,
                                                    Offer.status == "offered").limit(1)) is not None


def assigned_volunteer(user: User, request: HelpRequest) -> Volunteer:
    """The caller as the request's assigned volunteer; a volunteer it once was assigned to is
    told it is no longer theirs, anyone else gets NotFound."""
    volunteer = volunteer_of(user)
    if volunteer is None or not was_ever_theirs(request, volunteer):
        raise request_not_found()
    if request.volunteer_id != volunteer.id:
        raise NotAssignedVolunteer()
    return volunteer


def require_grid_staff(user: User, request: HelpRequest) -> None:
    if not (user.is_staff and request.grid_id in visible_grid_ids(user)):
        raise request_not_found()


def in_reveal_window(request: HelpRequest, moment: datetime) -> bool:
    if request.status in ASSIGNED:
        return True
    return (request.status in DONE and request.checked_out_at is not None
            and moment <= request.checked_out_at + REVEAL_AFTER_COMPLETION)


def _contact(request: HelpRequest) -> dict:
    resident, household = request.resident, request.resident.household
    return {"full_name": resident.full_name, "address": f"{household.address_text} {household.door_number}",
            "phone": resident.phone, "household_phone": household.phone}


def sees_as_requester(user: User, request: HelpRequest) -> bool:
    """Staff of its grid, the resident, or a proxy holding view_status or request_help; a linked
    proxy holding neither is refused with ProxyScopeMissing."""
    if user.is_staff and request.grid_id in visible_grid_ids(user) or request.resident.user_id == user.id:
        return True
    if user.has_role("proxy"):
        link = active_link(request.resident_id, user.id)
        if link is not None:
            if not {"view_status", "request_help"} & set(link.active_scopes):
                raise ProxyScopeMissing()
            return True
    return False


def view_for(user: User, request: HelpRequest, moment: datetime, *, timeline: bool = True) -> RequestView:
    """What this caller sees of a request (NotFound when nothing); a reveal to its volunteer is
    audited (staged: the use case commits it)."""
    if sees_as_requester(user, request):
        return RequestView(request, full=True, timeline=timeline)
    volunteer = volunteer_of(user)
    if volunteer is None or not (was_ever_theirs(request, volunteer) or holds_open_offer(request, volunteer)):
        raise request_not_found()
    if request.volunteer_id == volunteer.id and in_reveal_window(request, moment):
        contact = _contact(request)
        shown = ["address"] + (["phone"] if contact["phone"] or contact["household_phone"] else [])
        add_audit(Access(user, request.resident, "volunteer", f"assigned volunteer of request {request.id}"),
                  "read", shown)
        return RequestView(request, full=True, contact=contact, timeline=timeline)
    return RequestView(request, full=False, timeline=False)


def requester_side(request: HelpRequest) -> list[User]:
    """Whom a request's news goes to on the resident's side: the resident's own account and every
    proxy who may see its status, enabled accounts only, each once, in id order."""
    resident = db.session.get(Resident, request.resident_id)
    people = [db.session.get(User, resident.user_id)] if resident.user_id is not None else []
    people += db.session.scalars(
        select(User).join(ProxyLink, ProxyLink.proxy_user_id == User.id)
        .join(ProxyScope, ProxyScope.link_id == ProxyLink.id)
        .where(ProxyLink.resident_id == resident.id, ProxyLink.ended_at.is_(None),
               ProxyScope.withdrawn_at.is_(None), ProxyScope.scope.in_(TOLD_SCOPES)).order_by(User.id))
    return list({person.id: person for person in people if person is not None and person.is_enabled}.values())
