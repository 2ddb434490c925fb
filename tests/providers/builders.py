"""Builders for catalogue tests: a provider with hours (in the community's time zone) and categories."""
from backend.extensions import db
from backend.providers.models import OpeningHours, Provider, ProviderCategory, ProviderStaff

WEEKDAYS_9_TO_5 = tuple((day, 9 * 60, 17 * 60) for day in range(5))


def make_provider(community, *, name: str = "幸福里老年食堂", kind: str = "canteen",
                  categories: tuple[str, ...] = ("meal_delivery",), hours=WEEKDAYS_9_TO_5,
                  lat: float | None = 30.27, lng: float | None = 120.15, delivers: bool = False,
                  active: bool = True, daily_capacity: int | None = 40, phone: str = "02155551234") -> Provider:
    provider = Provider(community_id=community.id, name=name, kind=kind, phone=phone, lat=lat, lng=lng,
                        delivers=delivers, active=active, daily_capacity=daily_capacity, price_notes="午餐 12 元")
    provider.category_rows = [ProviderCategory(category=code) for code in categories]
    provider.hours = [OpeningHours(weekday=day, start_minute=start, end_minute=end) for day, start, end in hours]
    db.session.add(provider)
    db.session.flush()
    return provider


def link_staff(provider: Provider, user) -> ProviderStaff:
    link = ProviderStaff(provider_id=provider.id, user_id=user.id)
    db.session.add(link)
    db.session.flush()
    return link


def valid_body(**changes) -> dict:
    body = {"name": "幸福里老年食堂", "kind": "canteen", "categories": ["meal_delivery"],
            "hours": [{"weekday": 0, "start": "10:30", "end": "13:00"}],
            "phone": "021-5555 1234", "delivers": True, "daily_capacity": 40, "price_notes": "午餐 12 元"}
    body.update(changes)
    return body
