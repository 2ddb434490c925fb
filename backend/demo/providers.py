"""The demo's neighbourhood services: a canteen that delivers, a clinic, a pharmacy, a barber, a
repair shop and a day-care centre, a few hundred metres from 王奶奶's building, with the three
provider accounts linked to the services they work for."""
from backend.demo import data
from backend.demo.base import DemoBuilderBase, offset
from backend.extensions import db
from backend.providers.models import OpeningHours, Provider, ProviderCategory, ProviderStaff
from backend.providers.routing import stage_route

EVERY_DAY = range(7)
WEEKDAYS = range(5)
MONDAY_TO_SATURDAY = range(6)
TUESDAY_TO_SUNDAY = range(1, 7)

# name, address, kind, categories, delivers, daily capacity, metres and bearing from 王奶奶's building,
# phone, price notes, hours as (days, "HH:MM", "HH:MM"), the provider account that works there.
CATALOGUE = [
    ("幸福里老年食堂", "葵巷新村南门东侧", "canteen", ("meal_delivery",), True, 60, 150, 40, "057187001234",
     "午餐 12 元（两荤一素），晚餐 10 元；80 岁以上老人减 2 元；送餐上门每份加 2 元。",
     [(EVERY_DAY, "06:30", "09:00"), (EVERY_DAY, "10:30", "13:00"), (EVERY_DAY, "16:30", "18:30")],
     "幸福里老年食堂"),
    ("邻里社区卫生服务站", "葵巷 88 号", "clinic", ("medical_escort", "basic_care"), False, 80, 400, 200, "057187002345",
     "医保可用；量血压、测血糖免费；家庭医生签约居民上门随访免费。",
     [(MONDAY_TO_SATURDAY, "08:00", "11:30"), (MONDAY_TO_SATURDAY, "13:30", "17:00")], "邻里社区卫生服务站"),
    ("葵巷平价大药房", "葵巷 52 号", "pharmacy", ("errands",), True, None, 320, 120, "057187003456",
     "医保卡可用；3 公里内满 30 元免费送药。",
     [(EVERY_DAY, "08:00", "22:00")], None),
    ("巧手理发店", "葵巷新村西门对面", "barber", ("other",), False, 20, 250, 300, "13800019001",
     "老人理发 10 元，上门理发 30 元（需提前一天电话预约）。",
     [(TUESDAY_TO_SUNDAY, "09:00", "19:00")], None),
    ("老张家电维修", "建国北路 118 号", "repair_shop", ("home_repair",), False, 10, 700, 90, "13800019002",
     "上门检查 20 元，修好不另收检查费；配件按价收费，先报价后维修。",
     [(MONDAY_TO_SATURDAY, "09:00", "18:00")], "老张家电维修"),
    ("葵巷日间照料中心", "葵巷 60 号二楼", "day_care", ("companionship", "basic_care"), False, 30, 500, 330, "057187004567",
     "日托每天 40 元含午餐；低保老人免费。",
     [(WEEKDAYS, "08:00", "17:30")], None),
]


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


class ProvidersPart(DemoBuilderBase):
    def _add_providers(self) -> None:
        """The catalogue; run after the provider accounts are flushed (their ids link the staff)."""
        accounts = {user.display_name: user for user in self.users if "provider" in user.roles}
        for (name, address, kind, categories, delivers, capacity, metres, bearing, phone, prices, hours,
             account) in CATALOGUE:
            lat, lng = offset(*self.demo_position, metres, bearing)
            provider = Provider(community_id=self.community.id, name=name, kind=kind, phone=phone,
                                address=f"{data.CITY_DISTRICT}{address}", lat=lat, lng=lng, delivers=delivers,
                                daily_capacity=capacity, price_notes=prices)
            provider.category_rows = [ProviderCategory(category=code) for code in categories]
            provider.hours = [OpeningHours(weekday=day, start_minute=_minutes(start), end_minute=_minutes(end))
                              for days, start, end in hours for day in days]
            if account is not None:
                provider.staff = [ProviderStaff(user_id=accounts[account].id, added_by_id=self.admin.id)]
            db.session.add(provider)
        # Meals go to the canteen and to volunteers alike (both): the canteen is offered a meal
        # with the first wave, and 王奶奶's two volunteers still are in it (docs/demo.md).
        stage_route(self.admin, "meal_delivery", "both")
