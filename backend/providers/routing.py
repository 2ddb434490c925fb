"""Requests to providers, the dispatch side: per community and category whom requests go to
(volunteers, providers or both), which providers may be offered a request, and staging those offers.

Staged in the caller's transaction (no commit), like matching's dispatch, which calls in here; the
staff's use cases (list, accept, decline, complete) are in orders.py. docs/providers.md,
"Requests to providers", says why the rules are these."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import case, func, select

from backend.accounts.models import User
from backend.algorithms.geo import haversine_km
from backend.audit.services import record as audit
from backend.common.time import now
from backend.community.models import Community
from backend.errors import NotFound
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.notifications.services.outbox import notify
from backend.providers.models import ROUTES, Provider, ProviderCategory, ProviderOffer, ProviderRoute, ProviderStaff
from backend.providers.opening import WeeklyRange, open_state

DEFAULT_ROUTE = "volunteers"
DEFAULT_REACH_KM = 1.5  # PROVIDER_REACH_KM: how far a provider that does not deliver is offered requests
TAKEN = ("accepted", "in_progress", "completed", "confirmed")  # what counts against a day's capacity
REOFFERABLE = ("withdrawn", "expired")  # closed without the provider saying no


def route_for(community_id: int, category: str) -> str:
    """volunteers (no row), providers or both."""
    route = db.session.scalar(select(ProviderRoute.route).where(ProviderRoute.community_id == community_id,
                                                                ProviderRoute.category == category))
    return route or DEFAULT_ROUTE


def routes_of(community_id: int) -> dict[str, str]:
    return dict(db.session.execute(select(ProviderRoute.category, ProviderRoute.route)
                                   .where(ProviderRoute.community_id == community_id)).all())


def stage_route(user: User, category: str, route: str) -> tuple[str, str]:
    """An admin's choice for a category of their community, audited (old → new). `volunteers`
    removes the row: no row is the default. Returns (previous, new)."""
    if route not in ROUTES:
        raise ValueError(route)
    row = db.session.get(ProviderRoute, (user.community_id, category))
    previous = row.route if row is not None else DEFAULT_ROUTE
    if route == DEFAULT_ROUTE:
        if row is not None:
            db.session.delete(row)
    else:
        row = row or ProviderRoute(community_id=user.community_id, category=category)
        row.route, row.updated_by_id, row.updated_at = route, user.id, now()
        db.session.add(row)
    if previous != route:
        audit(actor_id=user.id, community_id=user.community_id, resident_id=None, action="update",
              fields=["provider_route"], reason=f"route of category {category}: {previous} -> {route}")
    db.session.flush()
    return previous, route


def _zone(community_id: int) -> ZoneInfo:
    return ZoneInfo(db.session.scalar(select(Community.timezone).where(Community.id == community_id)))


def service_moment(request: HelpRequest, moment: datetime) -> datetime:
    """When the service happens: the window's start, or now for an as-soon-as-possible request."""
    return moment if request.asap or request.window_start is None else request.window_start


def service_day(request: HelpRequest, moment: datetime) -> date:
    """The community's local date the request counts on against a provider's daily capacity."""
    return service_moment(request, moment).astimezone(_zone(request.community_id)).date()


def day_bounds(community_id: int, day: date) -> tuple[datetime, datetime]:
    zone = _zone(community_id)
    return (datetime.combine(day, time(0), tzinfo=zone),
            datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone))


def used_capacity(provider_id: int, community_id: int, day: date) -> int:
    """Requests the provider has on that local date (accepted, in progress, completed, confirmed):
    a scheduled one counts on its window's date, an as-soon-as-possible one on its acceptance's."""
    start, end = day_bounds(community_id, day)
    counted_at = case((HelpRequest.asap.is_(True), HelpRequest.accepted_at),
                      (HelpRequest.window_start.is_(None), HelpRequest.accepted_at),
                      else_=HelpRequest.window_start)
    return db.session.scalar(select(func.count()).select_from(HelpRequest).where(
        HelpRequest.provider_id == provider_id, HelpRequest.status.in_(TAKEN),
        counted_at >= start, counted_at < end)) or 0


def has_capacity(provider: Provider, request: HelpRequest, moment: datetime) -> bool:
    if provider.daily_capacity is None:
        return True
    return used_capacity(provider.id, request.community_id, service_day(request, moment)) < provider.daily_capacity


def open_for(provider: Provider, request: HelpRequest, moment: datetime) -> bool:
    """Open when the service happens: now for an as-soon-as-possible request; for a scheduled one,
    open at the window's start or opening before its end."""
    zone = _zone(request.community_id)
    hours = [WeeklyRange(row.weekday, row.start_minute, row.end_minute) for row in provider.hours]
    state = open_state(hours, service_moment(request, moment).astimezone(zone))
    if state.is_open:
        return True
    if request.asap or request.window_end is None or state.changes_at is None:
        return False
    return state.changes_at < request.window_end.astimezone(zone)


def reach_km() -> float:
    return float(current_app.config.get("PROVIDER_REACH_KM", DEFAULT_REACH_KM))


def distance_to(provider: Provider, request: HelpRequest) -> float | None:
    position = provider.position
    if position is None or request.lat is None or request.lng is None:
        return None
    return round(haversine_km(position[0], position[1], request.lat, request.lng), 2)


@dataclass
class Eligible:
    provider: Provider
    distance_km: float | None


def eligible_providers(request: HelpRequest, moment: datetime) -> list[Eligible]:
    """Active providers of the community serving the category, open when the service happens,
    with capacity left that day, and delivering or within PROVIDER_REACH_KM; nearest first."""
    providers = db.session.scalars(
        select(Provider).join(ProviderCategory, ProviderCategory.provider_id == Provider.id)
        .where(Provider.community_id == request.community_id, Provider.active.is_(True),
               ProviderCategory.category == request.category).order_by(Provider.id))
    found = []
    for provider in providers:
        distance = distance_to(provider, request)
        if not provider.delivers and (distance is None or distance > reach_km()):
            continue
        if not open_for(provider, request, moment) or not has_capacity(provider, request, moment):
            continue
        found.append(Eligible(provider, distance))
    return sorted(found, key=lambda item: (item.distance_km is None, item.distance_km or 0, item.provider.id))


def staff_users(provider_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(ProviderStaff, ProviderStaff.user_id == User.id)
        .where(ProviderStaff.provider_id == provider_id, User.is_enabled.is_(True)).order_by(User.id)))


def stage_provider_offers(request: HelpRequest, moment: datetime, kind_code: str, params: dict) -> list[ProviderOffer]:
    """Offer the request to every eligible provider not yet asked (one that declined is not asked
    again) and tell their staff. Returns the offers sent now."""
    existing = {offer.provider_id: offer for offer in db.session.scalars(
        select(ProviderOffer).where(ProviderOffer.help_request_id == request.id))}
    sent = []
    for item in eligible_providers(request, moment):
        offer = existing.get(item.provider.id)
        if offer is not None and offer.status not in REOFFERABLE:
            continue
        offer = offer or ProviderOffer(help_request_id=request.id, provider_id=item.provider.id)
        offer.status, offer.created_at, offer.answered_at = "offered", moment, None
        offer.distance_km, offer.decline_reason, offer.answered_by_id = item.distance_km, None, None
        db.session.add(offer)
        sent.append(offer)
        for user in staff_users(item.provider.id):
            notify(kind_code, user=user, params=params, data={"help_request_id": request.id},
                   community_id=request.community_id)
    db.session.flush()
    return sent


def open_provider_offers(request_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ProviderOffer).where(
        ProviderOffer.help_request_id == request_id, ProviderOffer.status == "offered")) or 0


def list_routes(user: User) -> list[dict]:
    """Every request category of the caller's community (but `other`, which always goes to the
    grid's workers) with whom its requests go to."""
    from backend.providers.services import category_labels  # the catalogue's labels, in the reader's language
    chosen = routes_of(user.community_id)
    return [{"category": code, "label": label, "route": chosen.get(code, DEFAULT_ROUTE)}
            for code, label in category_labels(user.community_id).items() if code != "other"]


def set_route(user: User, category: str, route: str) -> dict:
    """An admin routes a category of their community (audited); an unknown category is 404."""
    from backend.providers.services import category_labels
    labels = category_labels(user.community_id)
    if category not in labels or category == "other":
        raise NotFound("该求助类别", "Request category")
    stage_route(user, category, route)
    db.session.commit()
    return {"category": category, "label": labels[category], "route": route}
