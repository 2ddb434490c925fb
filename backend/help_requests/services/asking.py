"""Asking for help: a resident (or their proxy, or a worker for them) asks, the lists and the
detail with its timeline, and cancelling from the requester's side."""
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, false, or_, select

from backend.accounts.models import User
from backend.common.i18n import pick
from backend.common.pagination import Page, paginate
from backend.common.time import now
from backend.community.models import Term
from backend.community.services import visible_grid_ids
from backend.errors import Conflict, Forbidden, InvalidInput
from backend.extensions import db
from backend.help_requests.models import FIXED_CATEGORIES, HelpRequest
from backend.help_requests.services.access import (
    RequestView, in_reveal_window, load_request, requester_access, sees_as_requester, view_for, volunteer_of,
)
from backend.help_requests.services import deadlines
from backend.help_requests.services.timeline import add_event, locked_request, move
from backend.matching.services import dispatch as matching  # a module: matching imports help_requests back
from backend.people.models import ProxyLink, ProxyScope, Resident
from backend.people.services.access import ProxyScopeMissing, community_of, resident_access
from backend.timebank.services import ledger as timebank_ledger

FREE_CANCEL_PERIOD = timedelta(minutes=10)
MAX_LEAD = timedelta(days=90)


class ResidentNotActive(Conflict):
    reason = "resident_not_active"
    messages = {"zh-CN": "{name}目前不在家（外出、住院或已搬走），暂时不能为其发出求助。",
                "en": "{name} is not at home now (away, in hospital or moved), so no help can be asked for them."}


class CancelReasonRequired(InvalidInput):
    reason = "reason_required"
    messages = {"zh-CN": "志愿者已经接单，求助也发出超过 10 分钟了，取消请说明原因。",
                "en": "A volunteer has taken this and it was asked more than 10 minutes ago: please give a reason "
                      "for cancelling."}


def _field_error(field: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(field_errors={field: [pick({"zh-CN": zh, "en": en})]})


def _term_codes(community_id: int, vocabulary: str) -> set[str]:
    return set(db.session.scalars(select(Term.code).where(Term.community_id == community_id,
                                                          Term.vocabulary == vocabulary)))


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


def _own_resident_id(user: User) -> int:
    resident_id = db.session.scalar(select(Resident.id).where(Resident.user_id == user.id))
    if resident_id is None:
        raise _field_error("resident_id", "请选择为哪位居民求助。", "Say which resident this is for.")
    return resident_id


def create_request(user: User, data: dict) -> RequestView:
    """Ask for help for a resident: the resident themself, a proxy with request_help, or staff of
    their grid (recorded as on behalf of a worker). Residents who are not active cannot ask."""
    resident_id = data.get("resident_id") or _own_resident_id(user)
    access = resident_access(user, resident_id, staff=True, own=True, scopes=("request_help",))
    resident = access.resident
    if resident.status != "active":
        raise ResidentNotActive(name=resident.address_as)
    community = community_of(resident)
    errors: dict = {}
    if data["category"] not in FIXED_CATEGORIES and data["category"] not in _term_codes(community.id, "skill"):
        errors["category"] = [pick({"zh-CN": "没有这种求助类别。", "en": "There is no such category."})]
    language = data.get("preferred_language")
    if language is not None and language not in _term_codes(community.id, "language"):
        errors["preferred_language"] = [pick({"zh-CN": "没有这种语言或方言。", "en": "There is no such language."})]
    moment = now()
    if not data["asap"]:
        if data["window_end"] <= moment:
            errors["window_end"] = [pick({"zh-CN": "结束时间已经过去了。", "en": "The end of the window has passed."})]
        elif data["window_start"] > moment + MAX_LEAD:
            errors["window_start"] = [pick({"zh-CN": "最多只能提前 90 天预约。",
                                            "en": "Help can be booked at most 90 days ahead."})]
    if data.get("timebank_service") and timebank_ledger.balance(timebank_ledger.find_account_id(
            timebank_ledger.member_key(resident.id))) <= 0:
        errors["timebank_service"] = [pick({"zh-CN": "时间银行里还没有可用的时数。",
                                            "en": "There are no hours in the time bank to spend yet."})]
    if errors:
        raise InvalidInput(field_errors=errors)
    household = resident.household
    lat, lng = data.get("lat"), data.get("lng")
    if lat is None:
        lat = household.lat if household.lat is not None else household.building.lat
        lng = household.lng if household.lat is not None else household.building.lng
    request = HelpRequest(
        community_id=community.id, resident_id=resident.id, household_id=household.id,
        grid_id=household.building.grid_id, created_by_id=user.id,
        on_behalf={"self": "resident", "proxy": "proxy", "staff": "worker"}[access.kind],
        category=data["category"], description=data.get("description") or None, asap=data["asap"],
        window_start=_utc(data.get("window_start")), window_end=_utc(data.get("window_end")), urgency=data["urgency"],
        lat=lat, lng=lng, preferred_gender=data.get("preferred_gender"), preferred_language=language,
        timebank_service=bool(data.get("timebank_service")), status="open", created_at=moment, updated_at=moment,
    )
    request.resident = resident
    db.session.add(request)
    add_event(request, "created", None, actor=user, occurred_at=moment, data={"resident_id": resident.id})
    db.session.flush()
    matching.stage_dispatch(request, moment)  # the first wave of offers, in this same transaction
    deadlines.stage_seeking(request, moment)
    view = view_for(user, request, moment)
    db.session.commit()
    return view


def _visible_filter(user: User):
    """Which requests the caller's list holds: their grids' (a worker), their community's (an
    admin), their own (a resident), those of residents they hold view_status or request_help for
    (a proxy), the tasks assigned to them (a volunteer)."""
    conditions = []
    if user.has_role("admin") and user.community_id is not None:
        conditions.append(HelpRequest.community_id == user.community_id)
    if user.has_role("worker"):
        conditions.append(HelpRequest.grid_id.in_(visible_grid_ids(user)))
    if user.has_role("resident"):
        conditions.append(HelpRequest.resident_id.in_(select(Resident.id).where(Resident.user_id == user.id)))
    if user.has_role("proxy"):
        conditions.append(HelpRequest.resident_id.in_(
            select(ProxyLink.resident_id).join(ProxyScope, ProxyScope.link_id == ProxyLink.id)
            .where(ProxyLink.proxy_user_id == user.id, ProxyLink.ended_at.is_(None),
                   ProxyScope.withdrawn_at.is_(None), ProxyScope.scope.in_(("view_status", "request_help")))))
    volunteer = volunteer_of(user)
    if volunteer is not None:
        conditions.append(HelpRequest.volunteer_id == volunteer.id)
    if not conditions:
        raise Forbidden()
    return or_(*conditions) if len(conditions) > 1 else conditions[0]


def list_requests(user: User, *, status: str | None = None, grid_id: int | None = None,
                  resident_id: int | None = None, needs_worker: bool = False, order: str = "newest",
                  page: int = 1, per_page: int = 20) -> Page:
    """The caller's requests, newest first (or oldest: a worker's triage). `needs_worker`: only
    those nobody will take without a worker — escalated, or open with no wave to come. Lists
    never reveal a resident's contact details: a volunteer opens their task for the address (one
    audited read each)."""
    statement = select(HelpRequest).where(_visible_filter(user))
    if status is not None:
        statement = statement.where(HelpRequest.status == status)
    if needs_worker:
        statement = statement.where(or_(HelpRequest.status == "escalated",
                                        and_(HelpRequest.status == "open", ~matching.awaiting_wave())))
    if grid_id is not None:
        statement = statement.where(HelpRequest.grid_id == grid_id if grid_id in visible_grid_ids(user) else false())
    if resident_id is not None:
        statement = statement.where(HelpRequest.resident_id == resident_id)
    ordering = ((HelpRequest.created_at.asc(), HelpRequest.id.asc()) if order == "oldest"
                else (HelpRequest.created_at.desc(), HelpRequest.id.desc()))
    result = paginate(statement.order_by(*ordering), page, per_page)
    volunteer = volunteer_of(user)
    moment = now()
    result.items = [RequestView(request, full=_sees_whole(user, request, volunteer, moment), timeline=False)
                    for request in result.items]
    return result


def _sees_whole(user: User, request: HelpRequest, volunteer, moment) -> bool:
    if volunteer is None or request.volunteer_id != volunteer.id:
        return True  # listed for the requester side
    if in_reveal_window(request, moment):
        return True
    try:
        return sees_as_requester(user, request)
    except ProxyScopeMissing:
        return False


def get_request(user: User, request_id: int) -> RequestView:
    """One request with its timeline, as the caller may see it (a reveal is audited)."""
    request = load_request(request_id)
    view = view_for(user, request, now())
    db.session.commit()  # the audit entry of a reveal
    return view


def cancel_request(user: User, request_id: int, reason: str | None) -> RequestView:
    """The requester side cancels: freely before acceptance or within 10 minutes of asking;
    once a volunteer has accepted, later than that, only with a reason."""
    request = load_request(request_id)
    requester_access(user, request, "request_help")
    request = locked_request(request_id)
    moment = now()
    if request.status == "accepted" and moment - request.created_at > FREE_CANCEL_PERIOD and not reason:
        raise CancelReasonRequired(field_errors={"reason": [CancelReasonRequired().message]})
    volunteer_id, provider_id = request.volunteer_id, request.provider_id
    data = {"volunteer_id": volunteer_id} if volunteer_id else {}
    if provider_id is not None and request.status == "accepted":
        data["provider_id"] = provider_id
    move(request, "cancelled", actor=user, occurred_at=moment, reason=reason, data=data)
    matching.stage_close_offers(request.id)
    deadlines.stage_cancelled(request, user)
    if volunteer_id is not None:
        deadlines.tell_volunteer_cancelled(request, volunteer_id)
    if "provider_id" in data:
        deadlines.tell_provider_cancelled(request, provider_id)
    view = view_for(user, request, moment)
    db.session.commit()
    return view
