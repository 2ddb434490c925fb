"""The demo's helping history: both demo volunteers have helped 王奶奶 before (confirmed, rated 5 and 4,
checked in and out), and so both are in her first wave for every category but `other`, at any hour."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from backend.accounts.models import User
from backend.algorithms.matching import next_wave
from backend.common.time import now
from backend.demo import data
from backend.demo.seed import seed_demo
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.matching.services.candidates import ranking_for
from backend.matching.services.dispatch import wave_plan
from backend.people.models import Resident
from backend.volunteers.models import Volunteer

DEMO_PHONES = [spec["phone"] for spec in data.DEMO_VOLUNTEERS]


@pytest.fixture
def demo():
    seeded_at = now()
    outcome = seed_demo()
    assert outcome.created
    resident = db.session.scalar(select(Resident).join(User, Resident.user_id == User.id)
                                 .where(User.phone == data.DEMO_RESIDENT["phone"]))
    volunteers = {phone: db.session.scalar(select(Volunteer).join(User, Volunteer.user_id == User.id)
                                           .where(User.phone == phone)) for phone in DEMO_PHONES}
    return seeded_at, resident, volunteers


def _ask(resident: Resident, category: str) -> HelpRequest:
    building = resident.household.building
    request = HelpRequest(community_id=building.grid.community_id, resident_id=resident.id,
                          household_id=resident.household_id, grid_id=building.grid_id, created_by_id=resident.user_id,
                          on_behalf="resident", category=category, asap=True, urgency="normal",
                          lat=building.lat, lng=building.lng, status="open", created_at=now(), updated_at=now())
    db.session.add(request)
    db.session.flush()
    return request


def test_both_demo_volunteers_have_a_confirmed_well_rated_history_with_her(demo):
    seeded_at, resident, volunteers = demo
    for phone, volunteer in volunteers.items():
        visits = list(db.session.scalars(select(HelpRequest).where(
            HelpRequest.resident_id == resident.id, HelpRequest.volunteer_id == volunteer.id)
            .order_by(HelpRequest.created_at)))
        assert 2 <= len(visits) <= 3, phone
        assert {visit.rating for visit in visits} == {5, 4}, phone
        for visit in visits:
            assert visit.status == "confirmed" and visit.confirmed_by_id == resident.user_id
            assert visit.created_at < visit.accepted_at < visit.checked_in_at < visit.checked_out_at \
                < visit.confirmed_at < seeded_at - timedelta(days=30)
            assert visit.hours == pytest.approx(min(4.0, (visit.checked_out_at - visit.checked_in_at)
                                                    / timedelta(hours=1)), abs=0.01)
            assert visit.hours > 0
            steps = [(step.event, step.from_status, step.to_status) for step in visit.events]
            assert steps == [("created", None, "open"), ("assigned", "open", "accepted"),
                             ("checked_in", "accepted", "in_progress"), ("checked_out", "in_progress", "completed"),
                             ("confirmed", "completed", "confirmed")]
            assert [step.occurred_at for step in visit.events] == [
                visit.created_at, visit.accepted_at, visit.checked_in_at, visit.checked_out_at, visit.confirmed_at]
            assert all(step.volunteer_id == volunteer.id for step in visit.events[1:4])


def test_both_demo_volunteers_are_in_her_first_wave_for_every_category_at_any_hour(demo, clock):
    _, resident, volunteers = demo
    assert resident.status == "active" and resident.prefers_volunteer_gender is None
    plan = wave_plan()
    assert plan.sizes[0] >= 3
    demo_ids = {volunteer.id for volunteer in volunteers.values()}
    categories = [code for code, _, _ in data.SKILLS] + ["welfare_check"]
    zone = ZoneInfo(data.COMMUNITY["timezone"])
    seen_hours, seen_weekdays = set(), set()
    # From the test clock's 10:00 in Shanghai: 7 days in steps of 7 h 10 min cover every weekday
    # and hours all round the clock (night included).
    for _ in range(24):
        clock.advance(hours=7, minutes=10)
        local = now().astimezone(zone)
        seen_hours.add(local.hour)
        seen_weekdays.add(local.weekday())
        for category in categories:
            request = _ask(resident, category)
            ranking = ranking_for(request, now())
            wave = next_wave(plan, 0, [item.volunteer_id for item in ranking.ranked], set())
            assert demo_ids <= set(wave), (local.isoformat(), category, wave)
            first = {item.volunteer_id: item for item in ranking.ranked[:2]}
            assert set(first) == demo_ids, (local.isoformat(), category)
            for item in first.values():
                assert item.breakdown["continuity"] > 0
                assert "helped_before" in {reason.code for reason in item.reasons}
    assert seen_weekdays == set(range(7)) and len(seen_hours) >= 12 and {1, 2, 3, 4} & seen_hours


def test_other_goes_to_the_worker_not_to_the_demo_volunteers(demo):
    _, resident, _ = demo
    assert ranking_for(_ask(resident, "other"), now()).ranked == []


def test_the_demo_volunteers_hold_the_verified_hours_their_visits_earned(demo):
    from backend.timebank.services import ledger

    _, resident, volunteers = demo
    for volunteer in volunteers.values():
        visits = db.session.scalars(select(HelpRequest.hours).where(
            HelpRequest.volunteer_id == volunteer.id, HelpRequest.status == "confirmed")).all()
        assert visits and all(hours > 0 for hours in visits)
        verified = ledger.balance(ledger.find_account_id(ledger.volunteer_key(volunteer.id, "verified")))
        assert verified == sum(round(hours * 60) for hours in visits)  # minutes, as her confirmations paid them
    assert ledger.invariant_breaches() == []
