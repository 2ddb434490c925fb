"""The candidate search's SQL pre-filters never exclude anyone rank() would accept.

A seeded random neighbourhood (every hard rule has volunteers on both sides of it: standing, duty,
weekly slots and dated exceptions, skills, languages, vettings that expire around the window or
were revoked, open tasks against load caps, refusals, blocks, gender, no home) and a few hundred
random requests' facts (short and long windows, across midnight and across days, skills, welfare
checks, a child resident, preferences). For each, rank() over EVERY volunteer of the community
(no SQL filter at all) is compared with the SQL-filtered set, with and without the search box:
everyone rank() accepts must be in it, and ranking the filtered set must give the same ranking.
Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""
import random
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from backend.algorithms.matching import Window, ineligibility, rank
from backend.common.time import now
from backend.extensions import db
from backend.help_requests.models import HelpRequestEvent
from backend.matching.models import Offer, VolunteerBlock
from backend.matching.services.candidates import (
    SQL_RULES, candidate_facts, hard_rule_conditions, ranking_for, request_facts, volunteers_near,
)
from backend.volunteers.models import AvailabilityException, AvailabilitySlot, Vetting, Volunteer
from tests.factories import term
from tests.help_requests.helpers import make_request
from tests.matching.helpers import HOME, volunteer_at

SKILLS = ("companionship", "errands", "meal_delivery", "home_repair")
LANGUAGES = ("mandarin", "cantonese")
MINUTES = (0, 30, 60, 420, 480, 600, 690, 720, 780, 1080, 1200, 1380, 1410, 1440)


def _random_neighbourhood(scene, chance: random.Random, count: int, today: date) -> None:
    """`count` volunteers within about 4 km of the building, each rule's facts drawn at random."""
    request = make_request(scene.resident)  # the request the refusals below are about
    scene.target = request
    for _ in range(count):
        user = volunteer_at(scene.community, scene.grid, 0.0, vetted_until=None,
                            skills=tuple(chance.sample(SKILLS, chance.randint(0, 3))))
        row = db.session.get(Volunteer, user.volunteer_id)
        row.status = chance.choices(["active", "pending", "suspended"], [0.8, 0.12, 0.08])[0]
        row.on_duty = chance.random() < 0.85
        row.gender = chance.choice(["female", "male"])
        if chance.random() < 0.04:
            row.home_lat = row.home_lng = None
        else:
            row.home_lat = HOME[0] + chance.uniform(-0.035, 0.035)
            row.home_lng = HOME[1] + chance.uniform(-0.04, 0.04)
        row.travel_radius_km = chance.choice([0.5, 1.0, 2.0, 3.0, 5.0])
        row.load_cap = chance.choice([1, 1, 2, 3])
        row.languages = [term(scene.community, "language", code)
                         for code in chance.sample(LANGUAGES, chance.randint(0, 2))]
        row.availability = [] if chance.random() < 0.7 else \
            [AvailabilitySlot(weekday=day, start_minute=0, end_minute=1440) for day in range(7)]
        for _ in range(chance.choice([0, 1, 2, 3, 7])):
            start, end = sorted(chance.sample(MINUTES, 2))
            row.availability.append(AvailabilitySlot(weekday=chance.randrange(7), start_minute=start, end_minute=end))
        row.exceptions = []
        for day in sorted(chance.sample(range(-1, 9), chance.choice([0, 0, 1, 2]))):
            available = chance.random() < 0.5
            start, end = sorted(chance.sample(MINUTES, 2)) if available and chance.random() < 0.7 else (None, None)
            row.exceptions.append(AvailabilityException(on_date=today + timedelta(days=day), available=available,
                                                        start_minute=start, end_minute=end))
        row.vettings = []
        for kind, share in (("identity", 0.9), ("child_safeguarding", 0.5)):
            if chance.random() < share:
                row.vettings.append(Vetting(kind=kind, expires_on=today + timedelta(days=chance.randint(-2, 6)),
                                            revoked_at=now() if chance.random() < 0.1 else None))
        db.session.flush()
        for _ in range(chance.choice([0, 0, 0, 1, 2])):
            make_request(scene.resident, status=chance.choice(["accepted", "in_progress", "confirmed"]), volunteer=user)
        if chance.random() < 0.06:
            db.session.add(Offer(help_request_id=request.id, volunteer_id=row.id, wave=1, status="declined"))
        if chance.random() < 0.04:
            db.session.add(HelpRequestEvent(help_request_id=request.id, event=chance.choice(["withdrawn", "no_show"]),
                                            from_status="accepted", to_status="open", volunteer_id=row.id, data={}))
        if chance.random() < 0.04:
            db.session.add(VolunteerBlock(resident_id=scene.resident.id, volunteer_id=row.id))
    db.session.flush()


def _random_facts(base, chance: random.Random, today: date):
    start = datetime.combine(today, datetime.min.time()) + timedelta(
        days=chance.randrange(6), minutes=chance.choice([0, chance.randrange(1440)]), seconds=chance.randrange(60))
    length = chance.choice([timedelta(hours=1), timedelta(hours=4), timedelta(hours=4, minutes=1),
                            timedelta(hours=chance.randint(5, 30)), timedelta(days=chance.randint(2, 8))])
    welfare = chance.random() < 0.2
    return replace(base, window=Window(start, start + length), is_welfare_check=welfare,
                   category="welfare_check" if welfare else base.category,
                   skill_needed=None if welfare else chance.choice(SKILLS + (None,)),
                   child=chance.random() < 0.25, preferred_gender=chance.choice([None, None, "female", "male"]),
                   preferred_language=chance.choice([None, None, None] + list(LANGUAGES)))


@pytest.mark.parametrize("seed", [1, 2])
def test_the_sql_filters_keep_everyone_rank_accepts(scene, seed):
    chance = random.Random(seed)
    moment = now()
    today = moment.date()
    _random_neighbourhood(scene, chance, 150, today)
    request = scene.target
    everyone = list(db.session.scalars(select(Volunteer).where(Volunteer.community_id == scene.community.id)
                                       .order_by(Volunteer.id)))
    base = request_facts(request, moment)
    accepted_anywhere, excluded_for = 0, set()
    for _ in range(120):
        facts = _random_facts(base, chance, today)
        every_fact = candidate_facts(request, facts, everyone, moment)
        truth = rank(facts, every_fact)
        accepted = {item.volunteer_id for item in truth}
        for spatial in (True, False):
            found = volunteers_near(request, facts, spatial=spatial)
            kept = {row.id for row in found}
            assert accepted <= kept, (facts, sorted(accepted - kept), spatial)
            ranked = rank(facts, candidate_facts(request, facts, found, moment))
            assert [(item.volunteer_id, item.score) for item in ranked] == \
                [(item.volunteer_id, item.score) for item in truth]
        accepted_anywhere += bool(accepted)
        for candidate in every_fact:  # what the filters left out, and why rank() refuses them
            if candidate.volunteer_id not in kept:
                codes = ineligibility(facts, candidate)
                assert codes, candidate
                if len(codes) == 1:
                    excluded_for.add(codes[0])
    # The data is rich enough for the check to mean something: some requests find people, and each
    # rule the SQL applies has excluded someone that rule alone refuses.
    assert accepted_anywhere >= 10
    assert set(SQL_RULES) - excluded_for <= {"declined_or_withdrew", "blocked", "no_location"}, \
        sorted(set(SQL_RULES) - excluded_for)


def test_refusals_blocks_and_a_missing_home_are_filtered_in_sql_too(scene):
    request = make_request(scene.resident)
    declined, withdrew, blocked, homeless, fine = (volunteer_at(scene.community, scene.grid, 0.2) for _ in range(5))
    db.session.add_all([
        Offer(help_request_id=request.id, volunteer_id=declined.volunteer_id, wave=1, status="declined"),
        HelpRequestEvent(help_request_id=request.id, event="withdrawn", from_status="accepted", to_status="open",
                         volunteer_id=withdrew.volunteer_id, data={}),
        HelpRequestEvent(help_request_id=request.id, event="created", from_status=None, to_status="open", data={}),
        VolunteerBlock(resident_id=scene.resident.id, volunteer_id=blocked.volunteer_id),
    ])
    row = db.session.get(Volunteer, homeless.volunteer_id)
    row.home_lat = row.home_lng = None
    db.session.flush()
    facts = request_facts(request, now())
    for spatial in (True, False):
        assert {row.id for row in volunteers_near(request, facts, spatial=spatial)} == {fine.volunteer_id}
    assert [item.volunteer_id for item in ranking_for(request, now()).ranked] == [fine.volunteer_id]


def test_nobody_is_searched_for_a_request_that_goes_to_the_worker_or_an_inactive_resident(scene):
    volunteer_at(scene.community, scene.grid, 0.2)
    request = make_request(scene.resident)
    facts = request_facts(request, now())
    assert hard_rule_conditions(request, facts) is not None and volunteers_near(request, facts)
    assert hard_rule_conditions(request, replace(facts, goes_to_worker=True)) is None
    assert volunteers_near(request, replace(facts, resident_active=False)) == []


def test_the_search_says_which_rules_it_applied_for_the_dispatch_record(scene):
    volunteer_at(scene.community, scene.grid, 0.2)
    request = make_request(scene.resident)
    ranking = ranking_for(request, now())
    assert ranking.search == {"hard_rules_in_sql": list(SQL_RULES), "within_reach_box": True, "loaded": 1}
    assert ranking_for(request, now(), volunteers=[]).search is None
