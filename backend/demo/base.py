"""What every part of the demo builder shares: its random source, clock, lists and helpers."""
import itertools
import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from backend.accounts.models import ELDER_MODE_ROLES, User, UserRole
from backend.accounts.passwords import hash_secret
from backend.common.time import now
from backend.community.models import Building, Community, Grid, Household, Term
from backend.demo import data
from backend.extensions import db
from backend.people.models import Resident
from backend.volunteers.models import Volunteer

EARTH_RADIUS_M = 6_371_000


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle (haversine) distance in metres between two WGS-84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def offset(lat: float, lng: float, metres: float, bearing_deg: float) -> tuple[float, float]:
    bearing = math.radians(bearing_deg)
    d_lat = metres * math.cos(bearing) / 111_320
    d_lng = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + d_lat, 6), round(lng + d_lng, 6)


class DemoBuilderBase:
    """The builder's shared state; rows that need another row's id are kept as tuples until a flush."""

    def __init__(self):
        self.rng = random.Random(data.RANDOM_SEED)
        self.password_hash = hash_secret(data.DEMO_PASSWORD)
        self.now = now()
        self.today = self.now.astimezone(ZoneInfo(data.COMMUNITY["timezone"])).date()
        self._phone_numbers = itertools.count(1)
        self.community: Community | None = None
        self.terms: dict[tuple[str, str], Term] = {}
        self.users: list[User] = []
        self.admin: User | None = None
        self.workers: list[User] = []
        self.primary_worker: dict[Grid, User] = {}
        self.grids: list[Grid] = []
        self.grid_centres: list[tuple[Grid, float, float]] = []
        self.buildings: list[Building] = []
        self.households: list[Household] = []
        self.residents: list[Resident] = []
        # Waiting for ids: (grid, user, primary), (resident, user), (resident, giver kind, name),
        # (resident, proxy user, relation, is_guardian, scopes), (user, profile, home grid, vetted by).
        self.grid_staff: list[tuple] = []
        self.account_links: list[tuple] = []
        self.consents: list[tuple] = []
        self.proxy_links: list[tuple] = []
        self.volunteers: list[tuple[User, Volunteer, Grid, User]] = []
        self.demo_resident: Resident | None = None
        self.demo_position: tuple[float, float] = (0.0, 0.0)

    def _phone(self) -> str:
        return f"{data.GENERATED_PHONE_PREFIX}{next(self._phone_numbers):04d}"

    def _term(self, vocabulary: str, code: str) -> Term:
        return self.terms[(vocabulary, code)]

    def _days_ago(self, low: int, high: int) -> datetime:
        return self.now - timedelta(days=self.rng.randint(low, high), minutes=self.rng.randint(0, 600))

    def _user(self, name: str, *roles: str, phone: str | None = None) -> User:
        user = User(community_id=self.community.id, phone=phone or self._phone(), display_name=name,
                    password_hash=self.password_hash, language="zh-CN",
                    text_size="large" if "resident" in roles else "standard",
                    elder_mode=bool(ELDER_MODE_ROLES.intersection(roles)))
        user.role_rows = [UserRole(role=role) for role in sorted(roles)]
        db.session.add(user)
        self.users.append(user)
        return user

    def _name(self, gender: str, generation: str, family_name: str | None = None) -> tuple[str, str]:
        if family_name is None:
            pool = data.COMMON_FAMILY_NAMES if self.rng.random() < 0.5 else data.FAMILY_NAMES
            family_name = self.rng.choice(pool)
        return family_name, self.rng.choice(data.GIVEN_NAMES[(gender, generation)])
