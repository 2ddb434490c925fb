"""Neighbourhood services use cases: admins keep the catalogue; everyone in the community browses it.

Every public function is one use case and commits once (reads commit nothing). A provider of
another community, or an inactive one for anybody but an admin, is "not found". The catalogue of
one community is small (tens of entries), so "open now" and distance are worked out in Python on
the community's active providers and the page is cut after sorting.
"""
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from backend.accounts.models import User
from backend.algorithms.geo import haversine_km
from backend.common.i18n import current_language, pick
from backend.common.pagination import Page
from backend.common.time import now
from backend.community.models import Building, Grid, Term
from backend.community.services.households import position_of
from backend.errors import Conflict, InvalidInput, NotFound
from backend.extensions import db
from backend.help_requests.models import FIXED_CATEGORIES
from backend.people.models import PROXY_SCOPES, Resident
from backend.people.services.access import resident_access
from backend.providers.models import OpeningHours, Provider, ProviderCategory, ProviderStaff
from backend.providers.opening import WeeklyRange, open_state
from backend.volunteers.models import Volunteer

CAPACITY_READERS = ("admin", "worker", "provider")
FIXED_LABELS = {
    "other": {"zh-CN": "其他", "en": "Other"},
    "welfare_check": {"zh-CN": "上门探望", "en": "Welfare visit"},  # as the app says it
}
_FIELDS = ("name", "kind", "phone", "address", "building_id", "lat", "lng", "delivers", "daily_capacity",
           "price_notes", "about", "active")


class StaffElsewhere(Conflict):
    reason = "provider_staff_elsewhere"
    messages = {"zh-CN": "这个账号已经是另一家服务机构的工作人员，请先从那里移除。",
                "en": "This account already works for another provider. Remove it there first."}


def _not_found() -> NotFound:
    return NotFound("该服务机构", "Provider")


@dataclass
class ProviderView:
    """A provider as one reader sees it now: open or not, how far, capacity if theirs to see."""

    provider: Provider
    categories: list[dict]
    open_now: bool
    closes_at: object
    opens_at: object
    time_zone: str
    distance_km: float | None
    daily_capacity: int | None

    def __getattr__(self, name):
        return getattr(self.provider, name)

    @property
    def building_label(self) -> str | None:
        return self.provider.building.label if self.provider.building else None

    @property
    def lat(self) -> float | None:
        position = self.provider.position
        return position[0] if position else None

    @property
    def lng(self) -> float | None:
        position = self.provider.position
        return position[1] if position else None


def category_labels(community_id: int) -> dict[str, str]:
    """Every request category of the community with its label in the reader's language."""
    english = current_language() == "en"
    labels = {term.code: term.label_en if english else term.label_zh for term in db.session.scalars(
        select(Term).where(Term.community_id == community_id, Term.vocabulary == "skill").order_by(Term.id))}
    for code in FIXED_CATEGORIES:
        labels[code] = pick(FIXED_LABELS[code])
    return labels


def _view(provider: Provider, user: User, labels: dict[str, str], origin: tuple[float, float] | None) -> ProviderView:
    zone = ZoneInfo(provider.community.timezone)
    state = open_state([WeeklyRange(h.weekday, h.start_minute, h.end_minute) for h in provider.hours],
                       now().astimezone(zone))
    changes_at = state.changes_at.astimezone(ZoneInfo("UTC")) if state.changes_at else None
    position = provider.position
    distance = round(haversine_km(*origin, *position), 3) if origin and position else None
    return ProviderView(
        provider=provider,
        categories=[{"code": code, "label": labels.get(code, code)} for code in provider.categories],
        open_now=state.is_open,
        closes_at=changes_at if state.is_open else None,
        opens_at=None if state.is_open else changes_at,
        time_zone=provider.community.timezone,
        distance_km=distance,
        daily_capacity=provider.daily_capacity if user.has_role(*CAPACITY_READERS) else None,
    )


def _origin(user: User, place: dict) -> tuple[float, float] | None:
    """Where distances are measured from: the point given, else the household of the resident named
    (yourself, one you act for, or one of your grids'), else your own household or volunteer home."""
    if "near_lat" in place:
        return place["near_lat"], place["near_lng"]
    if place.get("resident_id") is not None:
        access = resident_access(user, place["resident_id"], own=True, scopes=PROXY_SCOPES)
        return position_of(access.resident.household)
    own = db.session.scalar(select(Resident).where(Resident.user_id == user.id))
    if own is not None:
        return position_of(own.household)
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    if volunteer is not None and volunteer.home_lat is not None and volunteer.home_lng is not None:
        return volunteer.home_lat, volunteer.home_lng
    return None


def _readable(user: User, provider_id: int) -> Provider:
    provider = db.session.get(Provider, provider_id)
    if (provider is None or provider.community_id != user.community_id
            or not (provider.active or user.has_role("admin"))):
        raise _not_found()
    return provider


def _administered(user: User, provider_id: int) -> Provider:
    provider = db.session.get(Provider, provider_id)
    if provider is None or provider.community_id != user.community_id:
        raise _not_found()
    return provider


def list_providers(user: User, query: dict) -> Page:
    """The community's providers, filtered, nearest first when a place to measure from is known."""
    page, per_page = query["page"], query["per_page"]
    if user.community_id is None:
        return Page(items=[], total=0, page=page, per_page=per_page)
    origin = _origin(user, query)
    statement = (select(Provider).where(Provider.community_id == user.community_id)
                 .options(selectinload(Provider.building), selectinload(Provider.community))
                 .order_by(Provider.name, Provider.id))
    if not (query["include_inactive"] and user.has_role("admin")):
        statement = statement.where(Provider.active)
    if "category" in query:
        statement = statement.where(exists().where(
            ProviderCategory.provider_id == Provider.id, ProviderCategory.category == query["category"]))
    if "kind" in query:
        statement = statement.where(Provider.kind == query["kind"])
    if "delivers" in query:
        statement = statement.where(Provider.delivers == query["delivers"])
    labels = category_labels(user.community_id)
    views = [_view(provider, user, labels, origin) for provider in db.session.scalars(statement)]
    if "open_now" in query:
        views = [view for view in views if view.open_now == query["open_now"]]
    if origin is not None:
        views.sort(key=lambda view: (view.distance_km is None, view.distance_km or 0.0))
    start = (page - 1) * per_page
    return Page(items=views[start:start + per_page], total=len(views), page=page, per_page=per_page)


def get_provider(user: User, provider_id: int, place: dict) -> ProviderView:
    """One provider of the caller's community, with its distance from the place asked."""
    provider = _readable(user, provider_id)
    return _view(provider, user, category_labels(provider.community_id), _origin(user, place))


def list_categories(user: User, page: int, per_page: int) -> Page:
    """The request categories at least one active provider serves, with how many serve each."""
    if user.community_id is None:
        return Page(items=[], total=0, page=page, per_page=per_page)
    labels = category_labels(user.community_id)
    counts: dict[str, int] = {}
    for code in db.session.scalars(select(ProviderCategory.category).join(Provider).where(
            Provider.community_id == user.community_id, Provider.active)):
        counts[code] = counts.get(code, 0) + 1
    order = list(labels)
    items = [{"code": code, "label": labels.get(code, code), "providers": counts[code]}
             for code in sorted(counts, key=lambda code: (order.index(code) if code in order else len(order), code))]
    start = (page - 1) * per_page
    return Page(items=items[start:start + per_page], total=len(items), page=page, per_page=per_page)


def _check_references(community_id: int, data: dict) -> None:
    """Categories must be the community's; a building must be in one of its grids."""
    errors: dict = {}
    if "categories" in data:
        known = category_labels(community_id)
        unknown = [code for code in dict.fromkeys(data["categories"]) if code not in known]
        if unknown:
            errors["categories"] = [pick({"zh-CN": "本社区没有这些求助类别：{codes}。",
                                          "en": "This community has no such request categories: {codes}."},
                                         codes=", ".join(unknown))]
    if data.get("building_id") is not None:
        in_community = db.session.scalar(select(Building.id).join(Grid).where(
            Building.id == data["building_id"], Grid.community_id == community_id))
        if in_community is None:
            errors["building_id"] = [pick({"zh-CN": "本社区没有这栋楼。", "en": "There is no such building here."})]
    if errors:
        raise InvalidInput(field_errors=errors)


def _apply(provider: Provider, data: dict) -> None:
    for field in _FIELDS:
        if field in data:
            setattr(provider, field, data[field])
    if "categories" in data:
        wanted = list(dict.fromkeys(data["categories"]))
        kept = [row for row in provider.category_rows if row.category in wanted]
        have = {row.category for row in kept}
        provider.category_rows = kept + [ProviderCategory(category=code) for code in wanted if code not in have]
    if "hours" in data:
        provider.hours = [OpeningHours(weekday=h["weekday"], start_minute=h["start_minute"],
                                       end_minute=h["end_minute"]) for h in data["hours"]]


def create_provider(user: User, data: dict) -> ProviderView:
    """An admin adds a provider to their community's catalogue."""
    if user.community_id is None:
        raise _not_found()
    _check_references(user.community_id, data)
    provider = Provider(community_id=user.community_id)
    _apply(provider, data)
    db.session.add(provider)
    db.session.commit()
    return _view(provider, user, category_labels(provider.community_id), None)


def update_provider(user: User, provider_id: int, changes: dict) -> ProviderView:
    """An admin changes a provider, or takes it out of the catalogue (`active: false`) and back."""
    provider = _administered(user, provider_id)
    _check_references(provider.community_id, changes)
    _apply(provider, changes)
    db.session.commit()
    return _view(provider, user, category_labels(provider.community_id), None)


def own_provider(user: User) -> ProviderView:
    """The provider a provider-role user works for."""
    link = db.session.scalar(select(ProviderStaff).where(ProviderStaff.user_id == user.id))
    if link is None:
        raise _not_found()
    provider = link.provider
    return _view(provider, user, category_labels(provider.community_id), None)


def list_staff(user: User, provider_id: int, page: int, per_page: int) -> Page:
    provider = _administered(user, provider_id)
    rows = provider.staff
    start = (page - 1) * per_page
    return Page(items=rows[start:start + per_page], total=len(rows), page=page, per_page=per_page)


def add_staff(user: User, provider_id: int, staff_user_id: int) -> ProviderStaff:
    """An admin links a provider-role account of the community to the provider it works for."""
    provider = _administered(user, provider_id)
    member = db.session.get(User, staff_user_id)
    if member is None or member.community_id != provider.community_id or not member.has_role("provider"):
        raise InvalidInput(field_errors={"user_id": [pick({
            "zh-CN": "本社区没有这个服务机构账号（需要有“服务机构”角色）。",
            "en": "There is no provider account with this id in the community."})]})
    link = db.session.scalar(select(ProviderStaff).where(ProviderStaff.user_id == member.id))
    if link is not None and link.provider_id != provider.id:
        raise StaffElsewhere()
    if link is None:
        link = ProviderStaff(provider_id=provider.id, user_id=member.id, added_by_id=user.id)
        db.session.add(link)
        db.session.commit()
    return link


def remove_staff(user: User, provider_id: int, staff_user_id: int) -> None:
    provider = _administered(user, provider_id)
    link = db.session.scalar(select(ProviderStaff).where(
        ProviderStaff.provider_id == provider.id, ProviderStaff.user_id == staff_user_id))
    if link is None:
        raise NotFound("该工作人员", "Staff member")
    db.session.delete(link)
    db.session.commit()
