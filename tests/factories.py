"""Small builders for test data. Each returns a flushed row; tests say only what matters to them."""
import itertools
from datetime import date

from backend.accounts.models import User, UserRole
from backend.accounts.passwords import hash_secret
from backend.community.models import Building, Community, Grid, GridWorker, Household, Term
from backend.extensions import db
from backend.people.models import ProxyLink, ProxyScope, Resident
from backend.volunteers.models import AvailabilitySlot, Vetting, Volunteer

DEMO_PASSWORD = "linli-demo-2026"
_numbers = itertools.count(1)

RISK_TAGS = [
    ("lives_alone", "独居", "Lives alone", False), ("aged_80_plus", "高龄", "Aged 80+", False),
    ("disabled", "失能", "Disabled", True), ("left_behind_child", "留守儿童", "Left-behind child", False),
    ("left_behind_woman", "留守妇女", "Left-behind woman", False), ("low_income", "低保", "Low income", False),
    ("chronic_illness", "慢病", "Chronic illness", True),
]
SKILLS = [("companionship", "陪伴聊天", "Companionship"), ("errands", "代购跑腿", "Errands"),
          ("meal_delivery", "送餐", "Meal delivery"), ("home_repair", "维修", "Home repair")]
LANGUAGES = [("mandarin", "普通话", "Mandarin"), ("cantonese", "粤语", "Cantonese")]


def _next_phone() -> str:
    return f"139{next(_numbers):08d}"  # the same numbers as before up to 9999, and room after


def _flush(row):
    db.session.add(row)
    db.session.flush()
    return row


def make_community(name: str = "测试社区") -> Community:
    community = _flush(Community(name=name, centre_lat=30.27, centre_lng=120.15, phone="057188880000"))
    for code, zh, en, health in RISK_TAGS:
        db.session.add(Term(community_id=community.id, vocabulary="risk_tag", code=code,
                            label_zh=zh, label_en=en, is_health_related=health))
    for code, zh, en in SKILLS:
        db.session.add(Term(community_id=community.id, vocabulary="skill", code=code, label_zh=zh, label_en=en))
    for code, zh, en in LANGUAGES:
        db.session.add(Term(community_id=community.id, vocabulary="language", code=code, label_zh=zh, label_en=en))
    db.session.flush()
    return community


def term(community: Community, vocabulary: str, code: str) -> Term:
    return db.session.query(Term).filter_by(community_id=community.id, vocabulary=vocabulary, code=code).one()


def make_user(community: Community | None, *roles: str, phone: str | None = None,
              name: str = "测试用户", password: str = DEMO_PASSWORD) -> User:
    user = User(community_id=community.id if community else None, phone=phone or _next_phone(),
                display_name=name, password_hash=hash_secret(password) if password else None)
    user.role_rows = [UserRole(role=role) for role in roles]
    return _flush(user)


def make_grid(community: Community, name: str | None = None) -> Grid:
    return _flush(Grid(community_id=community.id, name=name or f"第{next(_numbers)}网格"))


def make_worker(grid: Grid, *, primary: bool = True, phone: str | None = None) -> User:
    community = db.session.get(Community, grid.community_id)
    worker = make_user(community, "worker", phone=phone, name="网格员")
    _flush(GridWorker(grid_id=grid.id, user_id=worker.id, is_primary=primary))
    return worker


def make_admin(community: Community) -> User:
    return make_user(community, "admin", name="社区管理员")


def make_building(grid: Grid, label: str | None = None, lat: float = 30.27, lng: float = 120.15) -> Building:
    return _flush(Building(grid_id=grid.id, label=label or f"幸福里{next(_numbers)}幢",
                           address="杭州市上城区幸福里", lat=lat, lng=lng, position_source="manual"))


def make_household(building: Building, door: str | None = None) -> Household:
    return _flush(Household(building_id=building.id, door_number=door or f"{next(_numbers)}室",
                            address_text=f"幸福里 {building.label}", phone="057188881234"))


def make_resident(household: Household, *, tags: tuple[str, ...] = (), birth_year: int = 1942,
                  gender: str = "female", family_name: str = "王", given_name: str = "秀英",
                  address_as: str = "王奶奶", status: str = "active", user: User | None = None) -> Resident:
    community_id = household.building.grid.community_id
    resident = Resident(household_id=household.id, family_name=family_name, given_name=given_name,
                        address_as=address_as, gender=gender, birth_year=birth_year, status=status,
                        phone="13700000001", user_id=user.id if user else None)
    resident.tags = [db.session.query(Term).filter_by(community_id=community_id, vocabulary="risk_tag",
                                                      code=code).one() for code in tags]
    return _flush(resident)


def make_proxy(resident: Resident, *scopes: str, recorded_by: User | None = None,
               is_guardian: bool = False) -> User:
    community_id = resident.household.building.grid.community_id
    proxy = make_user(db.session.get(Community, community_id), "proxy", name="家属")
    link = ProxyLink(resident_id=resident.id, proxy_user_id=proxy.id, relation="女儿",
                     is_guardian=is_guardian, created_by_id=recorded_by.id if recorded_by else None)
    link.scopes = [ProxyScope(scope=scope, consented_by="guardian" if is_guardian else "resident",
                              recorded_by_id=recorded_by.id if recorded_by else None) for scope in scopes]
    _flush(link)
    return proxy


def make_volunteer(community: Community, *, status: str = "active", gender: str = "female",
                   skills: tuple[str, ...] = ("companionship",), vetted_until: date | None = date(2030, 1, 1),
                   grid: Grid | None = None) -> User:
    user = make_user(community, "volunteer", name="志愿者")
    volunteer = Volunteer(user_id=user.id, community_id=community.id, home_grid_id=grid.id if grid else None,
                          gender=gender, status=status, home_lat=30.27, home_lng=120.151,
                          travel_radius_km=3, load_cap=2, on_duty=True)
    volunteer.skills = [term(community, "skill", code) for code in skills]
    volunteer.availability = [AvailabilitySlot(weekday=day, start_minute=0, end_minute=1440) for day in range(7)]
    if vetted_until:
        volunteer.vettings = [Vetting(kind="identity", expires_on=vetted_until)]
    _flush(volunteer)
    return user
