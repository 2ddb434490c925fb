"""Builds the demo neighbourhood straight from the models: deterministic, idempotent, one commit.

The demo is recognised by its community's name: if that community exists, nothing is written.
Every demo user shares one password hash, computed once at the app's argon2 parameters.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, inspect, or_, select

from backend.accounts.models import User
from backend.community.models import Building, Community, Grid, GridWorker, Term
from backend.demo import data
from backend.demo.alerts import AlertsPart
from backend.demo.base import distance_m
from backend.demo.history import HistoryPart
from backend.demo.providers import ProvidersPart
from backend.demo.residents import ResidentsPart
from backend.demo.visits import VisitsPart
from backend.demo.volunteers import VolunteersPart
from backend.errors import Conflict
from backend.extensions import db
from backend.people.models import ConsentRecord, ProxyLink, ProxyScope
from backend.safety.services.check_ins import stage_enrolment

__all__ = ["DemoPhonesTaken", "SeedOutcome", "database_is_empty", "demo_community", "distance_m",
           "schema_ready", "seed_demo"]


class DemoPhonesTaken(Conflict):
    reason = "demo_phones_taken"
    messages = {
        "zh-CN": "演示用的手机号（13800000xxx / 1380001xxxx）已被其他账号占用，未加载演示数据。",
        "en": "Demo phone numbers (13800000xxx / 1380001xxxx) already belong to other accounts; "
              "the demo was not loaded.",
    }


@dataclass
class SeedOutcome:
    created: bool
    community_id: int
    counts: dict[str, int] = field(default_factory=dict)


def schema_ready() -> bool:
    """Whether the tables exist (`flask db upgrade` has run)."""
    return inspect(db.session.connection()).has_table(Community.__tablename__)


def database_is_empty() -> bool:
    """No community and no user yet: a fresh install, where `make run` loads the demo."""
    return not db.session.scalar(select(func.count(Community.id))) and not db.session.scalar(
        select(func.count(User.id)))


def demo_community() -> Community | None:
    return db.session.scalar(select(Community).where(Community.name == data.COMMUNITY["name"]))


def seed_demo() -> SeedOutcome:
    """Load the demo neighbourhood unless it is already there; one commit."""
    existing = demo_community()
    if existing is not None:
        return SeedOutcome(created=False, community_id=existing.id)
    fixed = [login[0] for login in data.DEMO_LOGINS]
    taken = db.session.scalar(select(func.count(User.id)).where(
        or_(User.phone.in_(fixed), User.phone.startswith(data.GENERATED_PHONE_PREFIX))))
    if taken:
        raise DemoPhonesTaken()
    builder = _DemoBuilder()
    community = builder.build()
    db.session.commit()
    return SeedOutcome(created=True, community_id=community.id, counts=builder.counts())


class _DemoBuilder(ResidentsPart, VolunteersPart, HistoryPart, AlertsPart, ProvidersPart, VisitsPart):
    """Stages every row of the demo; rows that need another row's id wait for one flush."""

    def build(self) -> Community:
        self.community = Community(name=data.COMMUNITY["name"], timezone=data.COMMUNITY["timezone"],
                                   centre_lat=data.COMMUNITY["centre"][0], centre_lng=data.COMMUNITY["centre"][1],
                                   phone=data.COMMUNITY["phone"])
        db.session.add(self.community)
        db.session.flush()
        self._add_terms()
        self._add_staff_and_places()
        self._add_households_and_residents()
        self._add_volunteers()
        for name in data.PROVIDERS:
            self._user(name, "provider")
        db.session.flush()
        self._link_rows()
        self._add_providers()
        db.session.flush()
        self._add_roster()
        self._add_helping_history()
        self._raise_demo_alert()
        db.session.flush()
        self._add_visits()
        self._enrol_for_check_ins()
        db.session.flush()
        return self.community

    def _enrol_for_check_ins(self) -> None:
        """王奶奶 checks in every day by 10:00 (我很好), with her consent on record."""
        resident = self.demo_resident
        worker = self.primary_worker[resident.household.building.grid]
        consent = ConsentRecord(resident_id=resident.id, purpose="daily_check_in", given_by="resident",
                                giver_name=resident.full_name, recorded_by_id=worker.id,
                                granted_at=self._days_ago(20, 30), note="同意每天报平安")
        db.session.add(consent)
        db.session.flush()
        stage_enrolment(resident, deadline="10:00", grace_minutes=60, second_grace_minutes=60, consent=consent,
                        enrolled_by=worker)

    def counts(self) -> dict[str, int]:
        return {"grids": len(self.grids), "buildings": len(self.buildings),
                "households": len(self.households), "residents": len(self.residents),
                "volunteers": len(self.volunteers)}


    def _add_terms(self) -> None:
        rows = [("risk_tag", code, zh, en, health) for code, zh, en, health in data.RISK_TAGS]
        rows += [("skill", code, zh, en, False) for code, zh, en in data.SKILLS]
        rows += [("language", code, zh, en, False) for code, zh, en in data.LANGUAGES]
        for vocabulary, code, zh, en, health in rows:
            term = Term(community_id=self.community.id, vocabulary=vocabulary, code=code,
                        label_zh=zh, label_en=en, is_health_related=health)
            self.terms[(vocabulary, code)] = term
            db.session.add(term)

    def _add_staff_and_places(self) -> None:
        self.admin = self._user(data.ADMIN["name"], "admin", phone=data.ADMIN["phone"])
        self.grids = [Grid(community=self.community, name=name) for name, _ in data.GRIDS]
        db.session.add_all(self.grids)
        for spec in data.WORKERS:
            worker = self._user(spec["name"], "worker", phone=spec["phone"])
            self.workers.append(worker)
            self.grid_staff += [(self.grids[n - 1], worker, True) for n in spec["primary"]]
            self.grid_staff += [(self.grids[n - 1], worker, False) for n in spec["helps"]]
        self.primary_worker = {grid: user for grid, user, primary in self.grid_staff if primary}
        for grid, (_, compounds) in zip(self.grids, data.GRIDS):
            lats = [centre[0] for _, _, _, centre, _ in compounds]
            lngs = [centre[1] for _, _, _, centre, _ in compounds]
            self.grid_centres.append((grid, sum(lats) / len(lats), sum(lngs) / len(lngs)))
            for compound, street, number, (lat, lng), count in compounds:
                for k in range(1, count + 1):
                    building = Building(
                        grid=grid, label=f"{compound} {k} 幢",
                        address=f"{data.CITY_DISTRICT}{street}{number}号{compound}{k}幢",
                        lat=round(lat + self.rng.uniform(-0.0006, 0.0006), 6),
                        lng=round(lng + self.rng.uniform(-0.0006, 0.0006), 6),
                        position_source="csv", position_set_at=self.now)
                    self.buildings.append(building)
        db.session.add_all(self.buildings)


    def _link_rows(self) -> None:
        for grid, user, primary in self.grid_staff:
            db.session.add(GridWorker(grid_id=grid.id, user_id=user.id, is_primary=primary))
        for user, volunteer, grid, verifier in self.volunteers:
            volunteer.user_id, volunteer.community_id, volunteer.home_grid_id = user.id, self.community.id, grid.id
            for vetting in volunteer.vettings:
                vetting.verified_by_id = verifier.id
            db.session.add(volunteer)
        for resident, user in self.account_links:
            resident.user_id = user.id
        for building in self.buildings:
            building.position_set_by_id = self.admin.id
        recorder = {resident: self.primary_worker[resident.household.building.grid]
                    for resident in self.residents}
        granted = {}
        for resident, given_by, giver_name in self.consents:
            granted[resident] = self._days_ago(30, 700)
            db.session.add(ConsentRecord(resident_id=resident.id, purpose="registry", given_by=given_by,
                                         giver_name=giver_name, recorded_by_id=recorder[resident].id,
                                         granted_at=granted[resident], note="入户登记时签字"))
        for resident, proxy, relation, is_guardian, scopes in self.proxy_links:
            worker, since = recorder[resident], granted[resident] + timedelta(days=1)
            given_by = "guardian" if is_guardian else "resident"
            db.session.add(ConsentRecord(
                resident_id=resident.id, purpose="proxy_access", given_by=given_by,
                giver_name=proxy.display_name if is_guardian else resident.full_name,
                recorded_by_id=worker.id, granted_at=since, note=f"同意{relation}{proxy.display_name}代为办理"))
            link = ProxyLink(resident_id=resident.id, proxy_user_id=proxy.id, relation=relation,
                             is_guardian=is_guardian, created_by_id=worker.id, created_at=since)
            link.scopes = [ProxyScope(scope=scope, consented_by=given_by, recorded_by_id=worker.id, granted_at=since)
                           for scope in scopes]
            db.session.add(link)
