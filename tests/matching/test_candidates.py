"""Candidate search: only volunteers inside the search box are loaded (one range query), the ranking
equals rank() over every volunteer of the community and the search without the box, and the facts
cost the same number of queries for 5 volunteers as for 60 (test_search_filters.py: the hard rules
checked in SQL)."""
import random
from datetime import date

from sqlalchemy import Engine, event

from backend.algorithms.geo import bounding_box
from backend.common.time import now
from backend.extensions import db
from backend.matching.services.candidates import MAX_SEARCH_KM, ranking_for, search_radius_km, volunteers_near
from backend.volunteers.models import AvailabilitySlot, Volunteer
from tests.factories import term
from tests.matching.helpers import HOME, ask, volunteer_at


def _city(scene, count: int, seed: int = 7):
    """`count` volunteers spread over a 6–7 km square around the building, with a mix of skills,
    radii, duty, load caps and availability."""
    chance = random.Random(seed)
    people = []
    for _ in range(count):
        skills = tuple(chance.sample(["companionship", "errands", "meal_delivery", "home_repair"], chance.randint(1, 3)))
        user = volunteer_at(scene.community, scene.grid, 0.0, skills=skills,
                            vetted_until=chance.choice([date(2030, 1, 1)] * 4 + [date(2026, 11, 25), None]))
        row = db.session.get(Volunteer, user.volunteer_id)
        row.home_lat = HOME[0] + chance.uniform(-0.03, 0.03)
        row.home_lng = HOME[1] + chance.uniform(-0.035, 0.035)
        row.travel_radius_km = chance.choice([1.0, 2.0, 3.0, 5.0])
        row.on_duty = chance.random() > 0.15
        row.gender = chance.choice(["female", "male"])
        if chance.random() < 0.3:
            row.languages = [term(scene.community, "language", "cantonese")]
        if chance.random() < 0.3:
            row.availability = [AvailabilitySlot(weekday=day, start_minute=480, end_minute=600) for day in range(7)]
        people.append(user)
    db.session.flush()
    return people


def test_a_volunteer_60_km_away_is_never_loaded(scene, phone_of):
    near = volunteer_at(scene.community, scene.grid, 1.0)
    far = volunteer_at(scene.community, scene.grid, 60.0, radius=80.0)
    request = ask(phone_of(scene.resident_user))
    assert search_radius_km(scene.community.id) == MAX_SEARCH_KM  # the far one's 80 km is capped
    loaded = [volunteer.id for volunteer in volunteers_near(request)]
    assert near.volunteer_id in loaded and far.volunteer_id not in loaded
    box = bounding_box(request.lat, request.lng, MAX_SEARCH_KM)
    assert all(box.contains(volunteer.home_lat, volunteer.home_lng) for volunteer in volunteers_near(request))
    assert far.volunteer_id not in {item.volunteer_id for item in ranking_for(request, now()).ranked}


def test_the_search_box_is_the_largest_travel_radius_of_the_community(scene, phone_of):
    inside = volunteer_at(scene.community, scene.grid, 2.5)
    outside = volunteer_at(scene.community, scene.grid, 3.5)  # radius 3 km everywhere: the box is 3 km
    request = ask(phone_of(scene.resident_user))
    loaded = {volunteer.id for volunteer in volunteers_near(request)}
    assert inside.volunteer_id in loaded and outside.volunteer_id not in loaded


def test_a_volunteer_whose_own_radius_cannot_reach_the_request_is_not_loaded(scene, phone_of):
    volunteer_at(scene.community, scene.grid, 0.5, radius=8.0)  # the box: 8 km
    near_enough = volunteer_at(scene.community, scene.grid, 1.5, radius=2.0)
    too_far_for_them = volunteer_at(scene.community, scene.grid, 3.0, radius=2.0)  # inside the 8 km box
    just_at_reach = volunteer_at(scene.community, scene.grid, 4.99, radius=5.0)
    request = ask(phone_of(scene.resident_user))
    loaded = {volunteer.id for volunteer in volunteers_near(request)}
    assert near_enough.volunteer_id in loaded and just_at_reach.volunteer_id in loaded
    assert too_far_for_them.volunteer_id not in loaded


def test_the_ranking_equals_rank_over_every_volunteer_of_a_small_city(scene, phone_of):
    _city(scene, 80)
    for km in (8, 12, 20, 35, 60):  # the next towns: outside every radius, and outside the box
        volunteer_at(scene.community, scene.grid, km, radius=5.0)
    for body in ({}, {"category": "errands", "preferred_language": "cantonese"}, {"category": "welfare_check"},
                 {"preferred_gender": "male", "urgency": "urgent"}):
        request = ask(phone_of(scene.resident_user), body)
        everyone = list(db.session.scalars(db.select(Volunteer).where(Volunteer.community_id == scene.community.id)
                                           .order_by(Volunteer.id)))
        ours = ranking_for(request, now())
        brute = ranking_for(request, now(), volunteers=everyone)
        unboxed = ranking_for(request, now(), spatial=False)  # the benchmark's brute force
        assert len(ours.candidates) < len(unboxed.candidates) < len(brute.candidates)
        assert ours.ranked, body
        assert [(item.volunteer_id, item.score) for item in ours.ranked] == \
            [(item.volunteer_id, item.score) for item in brute.ranked] == \
            [(item.volunteer_id, item.score) for item in unboxed.ranked]


def _statements_while(action) -> int:
    counted = []

    def count(*_args):
        counted.append(1)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    return len(counted)


def test_the_facts_take_the_same_number_of_queries_for_5_or_60_volunteers(scene, phone_of):
    _city(scene, 5, seed=1)
    request = ask(phone_of(scene.resident_user))
    db.session.expire_all()
    few = _statements_while(lambda: ranking_for(request, now()))
    _city(scene, 55, seed=2)
    db.session.expire_all()
    many = _statements_while(lambda: ranking_for(request, now()))
    assert many == few and many <= 25
