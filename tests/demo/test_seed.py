"""The demo neighbourhood: its size and shares, its fixed logins, and that loading it twice changes nothing."""
from datetime import date

import pytest
from sqlalchemy import func, select

from backend.accounts.models import User, UserRole
from backend.community.models import Building, Community, Grid, Household, Term
from backend.demo import data
from backend.demo.seed import distance_m, seed_demo
from backend.extensions import db
from backend.people.models import PROXY_SCOPES, ConsentRecord, EmergencyContact, ProxyLink, Resident
from backend.volunteers.models import Volunteer
from tests.factories import DEMO_PASSWORD

CURRENT_YEAR = 2026  # the test clock's year


@pytest.fixture
def demo():
    outcome = seed_demo()
    assert outcome.created
    return db.session.get(Community, outcome.community_id)


def _residents(community: Community) -> list[Resident]:
    return list(db.session.scalars(
        select(Resident).join(Household).join(Building).join(Grid).where(Grid.community_id == community.id)))


def _has_tag(resident: Resident, code: str) -> bool:
    return any(tag.code == code for tag in resident.tags)


def _users_with_role(community: Community, role: str) -> list[User]:
    return list(db.session.scalars(
        select(User).join(UserRole).where(User.community_id == community.id, UserRole.role == role)))


def _row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_demo_has_the_neighbourhood_the_issue_describes(demo):
    residents = _residents(demo)
    buildings = db.session.scalars(select(Building).join(Grid).where(Grid.community_id == demo.id)).all()
    households = db.session.scalars(select(Household).join(Building).join(Grid)
                                    .where(Grid.community_id == demo.id)).all()
    assert len(demo.grids) == 4
    assert 55 <= len(buildings) <= 65
    assert 140 <= len(households) <= 160
    assert 190 <= len(residents) <= 210
    aged_80_plus = [r for r in residents if CURRENT_YEAR - r.birth_year >= 80]
    assert 0.30 <= len(aged_80_plus) / len(residents) <= 0.37
    assert all(_has_tag(r, "aged_80_plus") for r in aged_80_plus)
    living_alone = [r for r in residents if _has_tag(r, "lives_alone")]
    assert 0.22 <= len(living_alone) / len(residents) <= 0.28
    assert all(len(r.household.residents) == 1 for r in living_alone)
    children = [r for r in residents if CURRENT_YEAR - r.birth_year < 18]
    assert 18 <= len(children) <= 22 and all(_has_tag(child, "left_behind_child") for child in children)
    corners = [(min(b.lat for b in buildings), min(b.lng for b in buildings)),
               (max(b.lat for b in buildings), max(b.lng for b in buildings))]
    assert 2000 <= distance_m(*corners[0], *corners[1]) <= 4500


def test_demo_lists_are_the_issues_and_health_tags_are_marked(demo):
    terms = db.session.scalars(select(Term).where(Term.community_id == demo.id)).all()
    by_vocabulary = {vocabulary: {t.code for t in terms if t.vocabulary == vocabulary}
                     for vocabulary in ("risk_tag", "skill", "language")}
    assert by_vocabulary["risk_tag"] == {code for code, *_ in data.RISK_TAGS}
    assert by_vocabulary["skill"] == {code for code, *_ in data.SKILLS}
    assert {"mandarin", "hangzhou_dialect", "cantonese", "sichuanese"} <= by_vocabulary["language"]
    assert {t.code for t in terms if t.is_health_related} == {"disabled", "chronic_illness"}


def test_demo_has_its_staff_providers_and_proxies(demo):
    workers = _users_with_role(demo, "worker")
    assert len(workers) == 6
    assert len(_users_with_role(demo, "admin")) == 1
    assert sorted(user.display_name for user in _users_with_role(demo, "provider")) == sorted(data.PROVIDERS)
    assert len(_users_with_role(demo, "proxy")) >= 3
    for grid in demo.grids:
        assert len([row for row in grid.worker_rows if row.is_primary]) == 1
    grid_one_primary = next(row for row in demo.grids[0].worker_rows if row.is_primary)
    assert db.session.get(User, grid_one_primary.user_id).phone == "13800000010"


def test_demo_volunteers_vary_in_skills_standing_and_vetting(demo):
    volunteers = db.session.scalars(select(Volunteer).where(Volunteer.community_id == demo.id)).all()
    assert 110 <= len(volunteers) <= 130
    pending = [v for v in volunteers if v.status == "pending"]
    assert pending and all(not v.vettings for v in pending)
    expired = [v for v in volunteers if v.status == "active"
               and all(vetting.expires_on < date(2026, 11, 26) for vetting in v.vettings if vetting.kind == "identity")]
    assert len(expired) >= 5
    assert {term.code for v in volunteers for term in v.skills} == {code for code, _, _ in data.SKILLS}
    assert len({tuple(term.code for term in v.skills) for v in volunteers}) > 30
    assert len({(slot.weekday, slot.start_minute) for v in volunteers for slot in v.availability}) > 10
    assert any(len(v.languages) > 1 for v in volunteers)


def test_every_resident_lives_in_a_grid_of_the_demo_and_has_registry_consent(demo):
    grid_ids = {grid.id for grid in demo.grids}
    residents = _residents(demo)
    all_residents = db.session.scalar(select(func.count(Resident.id)))
    assert len(residents) == all_residents
    consented = set(db.session.scalars(select(ConsentRecord.resident_id).where(ConsentRecord.purpose == "registry")))
    for resident in residents:
        assert resident.household.building.grid_id in grid_ids
        assert resident.id in consented


def test_every_child_has_a_guardian_who_gave_consent(demo):
    children = [r for r in _residents(demo) if CURRENT_YEAR - r.birth_year < 18 or _has_tag(r, "left_behind_child")]
    for child in children:
        link = db.session.scalar(select(ProxyLink).where(ProxyLink.resident_id == child.id, ProxyLink.is_guardian))
        assert link is not None, child.full_name
        assert link.scopes and all(scope.consented_by == "guardian" for scope in link.scopes)
        consent = db.session.scalar(select(ConsentRecord).where(ConsentRecord.resident_id == child.id,
                                                                ConsentRecord.purpose == "registry"))
        assert consent.given_by == "guardian"
        assert consent.giver_name == db.session.get(User, link.proxy_user_id).display_name


def test_demo_resident_and_her_daughter(demo):
    resident_user = db.session.scalar(select(User).where(User.phone == "13800000030"))
    resident = db.session.scalar(select(Resident).where(Resident.user_id == resident_user.id))
    assert resident.address_as == "王奶奶"
    assert resident.household.building.grid_id == demo.grids[0].id
    assert {tag.code for tag in resident.tags} == {"lives_alone", "aged_80_plus"}
    daughter = db.session.scalar(select(User).where(User.phone == "13800000040"))
    link = db.session.scalar(select(ProxyLink).where(ProxyLink.proxy_user_id == daughter.id))
    assert link.resident_id == resident.id and not link.is_guardian
    assert link.active_scopes == sorted(PROXY_SCOPES)
    assert {scope.consented_by for scope in link.scopes} == {"resident"}


def test_the_two_demo_volunteers_are_the_nearest_to_the_demo_resident(demo):
    resident = db.session.scalar(select(Resident).join(User, Resident.user_id == User.id)
                                 .where(User.phone == "13800000030"))
    building = resident.household.building
    home = (resident.household.lat or building.lat, resident.household.lng or building.lng)
    rows = db.session.execute(select(User.phone, Volunteer.home_lat, Volunteer.home_lng)
                              .join(Volunteer, Volunteer.user_id == User.id)
                              .where(Volunteer.community_id == demo.id)).all()
    by_distance = sorted(rows, key=lambda row: distance_m(*home, row.home_lat, row.home_lng))
    assert {row.phone for row in by_distance[:2]} == {"13800000020", "13800000021"}
    for row in by_distance[:2]:
        assert 200 <= distance_m(*home, row.home_lat, row.home_lng) <= 400


def test_demo_volunteers_can_take_any_task_at_any_time(demo):
    for phone, gender in (("13800000020", "female"), ("13800000021", "male")):
        volunteer = db.session.scalar(select(Volunteer).join(User, Volunteer.user_id == User.id)
                                      .where(User.phone == phone))
        assert volunteer.gender == gender and volunteer.status == "active" and volunteer.on_duty
        assert volunteer.travel_radius_km == 5
        assert {term.code for term in volunteer.skills} == {code for code, _, _ in data.SKILLS}
        assert {(v.kind, v.expires_on) for v in volunteer.vettings} == {
            ("identity", date(2030, 12, 31)), ("child_safeguarding", date(2030, 12, 31))}
        assert [(s.weekday, s.start_minute, s.end_minute) for s in volunteer.availability] == [
            (day, 0, 1440) for day in range(7)]


def test_fixed_demo_logins_sign_in_with_the_demo_password(demo, make_client):
    for phone, who, _ in data.DEMO_LOGINS:
        response = make_client().post("/api/v1/auth/login", {"phone": phone, "password": DEMO_PASSWORD})
        assert response.status_code == 200, (who, response.get_json())


def test_every_phone_number_in_the_demo_is_in_the_fictitious_range(demo):
    phones = set(db.session.scalars(select(User.phone).where(User.community_id == demo.id)))
    phones |= set(db.session.scalars(select(Resident.phone).where(Resident.phone.is_not(None))))
    phones |= set(db.session.scalars(select(Household.phone).where(Household.phone.is_not(None))))
    phones |= set(db.session.scalars(select(EmergencyContact.phone)))
    phones.add(demo.phone)
    assert len(phones) > 300
    assert all(phone.startswith(("1380000", "1380001")) and len(phone) == 11 for phone in phones)


def test_seeding_again_changes_nothing(demo):
    before = _row_counts()
    outcome = seed_demo()
    assert not outcome.created and outcome.community_id == demo.id
    assert _row_counts() == before


def test_seed_demo_command_prints_the_logins_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "13800000030" in first.output and DEMO_PASSWORD in first.output
    before = _row_counts()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "already there" in second.output
    assert _row_counts() == before
    third = runner.invoke(args=["seed-demo", "--if-empty"])
    assert third.exit_code == 0 and "already there" in third.output and "13800000030" in third.output


def test_seed_demo_command_if_empty_leaves_a_database_with_data_alone(app):
    from tests.factories import make_community

    make_community()
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "not loaded" in result.output
    assert db.session.scalar(select(func.count(Community.id))) == 1


def test_demo_refuses_when_its_phone_numbers_belong_to_someone_else(app):
    from tests.factories import make_community, make_user

    make_user(make_community(), "volunteer", phone="13800000020")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "13800000xxx" in result.output
    assert db.session.scalar(select(func.count(Community.id))) == 1


def test_the_demo_worker_has_overdue_due_and_new_households_to_visit(demo, make_client):
    worker = make_client().login(data.WORKERS[0]["phone"])
    body = worker.get("/api/v1/visits/due", query_string={"within_days": 7, "per_page": 100}).get_json()
    reasons = {item["reason"] for item in body["items"]}
    assert any(item["overdue"] for item in body["items"]) and any(not item["overdue"] for item in body["items"])
    assert "interval" in reasons
    rules = worker.get("/api/v1/visit-rules").get_json()
    assert [(rule["tags"], rule["interval_days"]) for rule in rules][:2] == [
        (["aged_80_plus", "lives_alone"], 7), (["disabled"], 7)]
    admin = make_client().login(data.ADMIN["phone"])
    everyone = admin.get("/api/v1/visits/due", query_string={"within_days": 3, "per_page": 100}).get_json()["items"]
    assert sum(1 for item in everyone if item["reason"] == "new_resident") >= 1
