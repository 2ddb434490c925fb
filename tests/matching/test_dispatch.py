"""Waves of offers: the first wave at once (or at its time for a scheduled request), the next ones
when the worker fires the wave timer on the test clock, escalation with an alert after the last,
`other` straight to the grid worker, children only to child-safeguarding-vetted volunteers."""
from datetime import timedelta

from sqlalchemy import select

from backend.alerts.models import Alert
from backend.common.time import now
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.matching.models import Dispatch, Offer
from backend.matching.services.dispatch import stage_dispatch
from backend.people.models import Resident
from backend.volunteers.models import Volunteer
from tests.factories import make_community, make_household, make_resident, make_user, make_volunteer
from tests.help_requests.helpers import events_of, make_request, status_of, volunteer_id
from tests.matching.helpers import (
    ask, notified_user_ids, offered_ids, pending_wave_timers, volunteer_at, volunteers_in_a_row, waves,
)
from tests.notifications.helpers import run_worker


def _dispatch(request):
    stage_dispatch(request, now())
    db.session.commit()


def test_the_first_wave_offers_the_three_best_and_tells_each_of_them(scene, phone_of):
    people = volunteers_in_a_row(scene.community, scene.grid, 5)
    request = ask(phone_of(scene.resident_user))
    _dispatch(request)
    first_three = [user.volunteer_id for user in people[:3]]
    assert offered_ids(request.id) == first_three
    assert waves(request.id) == [first_three]
    assert status_of(request.id) == "offered"
    assert events_of(request.id) == ["created", "offered"]
    assert sorted(notified_user_ids("help_request_offer")) == sorted(user.id for user in people[:3])
    record = db.session.scalar(select(Dispatch).where(Dispatch.help_request_id == request.id)).record
    assert set(record) == {"request", "weights", "candidates", "ranked", "search"}
    # how the candidates were found: anyone missing was refused by one of these rules (PIPL art. 24)
    assert record["search"]["within_reach_box"] is True and "lacks_skill" in record["search"]["hard_rules_in_sql"]
    assert record["search"]["loaded"] == len(record["candidates"])
    assert [item["volunteer_id"] for item in record["ranked"]][:3] == first_three
    assert record["ranked"][0]["reasons"][0]["code"] == "distance"
    [timer] = pending_wave_timers(request.id)
    assert timer.due_at == now() + timedelta(minutes=30) and timer.payload == {"waves_sent": 1}


def test_the_worker_sends_the_next_waves_and_escalates_after_the_last(app, clock, scene, phone_of):
    people = volunteers_in_a_row(scene.community, scene.grid, 20)
    ids = [user.volunteer_id for user in people]
    worker_id, grid_id = scene.worker.id, scene.grid.id  # the worker's rounds end the session
    request = ask(phone_of(scene.resident_user), {"urgency": "urgent"})
    request_id = request.id
    _dispatch(request)
    clock.advance(minutes=4)
    run_worker(app)
    assert waves(request_id) == [ids[:3]]  # an urgent wave waits five minutes
    clock.advance(minutes=1)
    run_worker(app)
    assert waves(request_id) == [ids[:3], ids[3:8]]
    clock.advance(minutes=5)
    run_worker(app)
    assert waves(request_id) == [ids[:3], ids[3:8], ids[8:18]]
    assert status_of(request_id) == "offered" and not db.session.scalars(select(Alert)).all()
    clock.advance(minutes=5)
    run_worker(app)
    assert status_of(request_id) == "escalated"
    [alert] = db.session.scalars(select(Alert)).all()
    assert alert.kind == "help_request_unmatched" and alert.data["help_request_id"] == request_id
    assert alert.grid_id == grid_id
    assert worker_id in notified_user_ids("alert_raised")
    assert len(offered_ids(request_id, "offered")) == 18  # earlier offers stay open after escalation
    assert not pending_wave_timers(request_id)


def test_a_wave_skips_whoever_went_off_duty_since(app, clock, scene, phone_of):
    ids = [user.volunteer_id for user in volunteers_in_a_row(scene.community, scene.grid, 6)]
    request = ask(phone_of(scene.resident_user))
    request_id = request.id
    _dispatch(request)
    db.session.get(Volunteer, ids[3]).on_duty = False
    db.session.commit()
    clock.advance(minutes=30)
    run_worker(app)
    assert waves(request_id)[1] == [ids[4], ids[5]]


def test_other_goes_straight_to_the_grid_worker_and_nobody_is_offered_it(scene, phone_of):
    volunteers_in_a_row(scene.community, scene.grid, 3)
    request = ask(phone_of(scene.resident_user), {"category": "other"})
    _dispatch(request)
    _dispatch(request)  # once with the workers, it stays one alert
    assert offered_ids(request.id) == []
    [alert] = db.session.scalars(select(Alert)).all()
    assert alert.data == {"help_request_id": request.id, "reason_id": "goes_to_worker"}
    assert scene.worker.id in notified_user_ids("alert_raised")
    assert not notified_user_ids("help_request_offer")


def test_a_childs_request_is_offered_only_to_child_safeguarding_vetted_volunteers(scene, phone_of):
    child = make_resident(make_household(scene.household.building), birth_year=2016, given_name="小明",
                          address_as="小明", tags=("left_behind_child",))
    plain = volunteers_in_a_row(scene.community, scene.grid, 3)
    vetted = volunteer_at(scene.community, scene.grid, 1.5, child_safe=True)
    request = ask(phone_of(scene.worker), {"resident_id": child.id})
    _dispatch(request)
    assert offered_ids(request.id) == [vetted.volunteer_id]
    assert not set(offered_ids(request.id)) & {user.volunteer_id for user in plain}


def test_a_resident_who_is_not_active_gets_no_offers(scene, phone_of):
    volunteers_in_a_row(scene.community, scene.grid, 3)
    request = make_request(scene.resident)  # asked before she went to hospital
    db.session.get(Resident, scene.resident.id).status = "in_hospital"
    db.session.commit()
    _dispatch(request)
    assert offered_ids(request.id) == [] and status_of(request.id) == "open"


def test_a_scheduled_request_goes_out_a_day_before_its_window(app, clock, scene, phone_of):
    ids = [user.volunteer_id for user in volunteers_in_a_row(scene.community, scene.grid, 3)]
    start = now() + timedelta(days=3)
    request = ask(phone_of(scene.resident_user), {"window_start": start.isoformat(),
                                                   "window_end": (start + timedelta(hours=2)).isoformat()})
    request_id = request.id
    _dispatch(request)
    assert offered_ids(request_id) == [] and status_of(request_id) == "open"
    [timer] = pending_wave_timers(request_id)
    assert timer.due_at == start - timedelta(hours=24)
    clock.current = start - timedelta(hours=24)
    run_worker(app)
    assert offered_ids(request_id) == ids
    assert status_of(request_id) == "offered"


def test_a_volunteer_the_resident_blocked_is_never_offered_her_requests(scene, phone_of):
    people = volunteers_in_a_row(scene.community, scene.grid, 3)
    response = phone_of(scene.resident_user).post(
        f"/api/v1/residents/{scene.resident.id}/blocked-volunteers",
        {"volunteer_id": people[0].volunteer_id, "reason": "上次态度不好"})
    assert response.status_code == 201, response.get_json()
    request = ask(phone_of(scene.resident_user))
    _dispatch(request)
    assert offered_ids(request.id) == [people[1].volunteer_id, people[2].volunteer_id]
    response = phone_of(scene.resident_user).delete(
        f"/api/v1/residents/{scene.resident.id}/blocked-volunteers/{people[0].volunteer_id}")
    assert response.status_code == 204


def test_a_proxy_without_manage_profile_cannot_block(scene, phone_of):
    people = volunteers_in_a_row(scene.community, scene.grid, 1)
    response = phone_of(scene.proxy).post(f"/api/v1/residents/{scene.resident.id}/blocked-volunteers",
                                          {"volunteer_id": people[0].volunteer_id})
    assert response.status_code == 403
    assert response.get_json()["reason"] == "proxy_scope_missing"


def test_blocking_a_volunteer_of_another_community_is_refused(scene, phone_of):
    stranger = make_volunteer(make_community("别的社区"))
    response = phone_of(scene.worker).post(f"/api/v1/residents/{scene.resident.id}/blocked-volunteers",
                                           {"volunteer_id": volunteer_id(stranger)})
    assert response.status_code == 422 and "volunteer_id" in response.get_json()["errors"]


def test_the_worker_sees_the_ranked_candidates_with_reasons_and_the_dispatch(scene, phone_of):
    people = volunteers_in_a_row(scene.community, scene.grid, 4)
    request = ask(phone_of(scene.resident_user))
    _dispatch(request)
    response = phone_of(scene.worker).get(f"/api/v1/help-requests/{request.id}/candidates")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    # ranked again now: the three just offered count a recent offer each (fairness)
    assert sorted(item["volunteer_id"] for item in body["candidates"]) == [user.volunteer_id for user in people]
    first = next(item for item in body["candidates"] if item["volunteer_id"] == people[0].volunteer_id)
    assert first["name"] == "志愿者" and first["reasons"].startswith("0.1 km")
    assert set(first["breakdown"]) == {"distance", "continuity", "fairness", "rating", "reliability", "language"}
    assert body["latest_dispatch"]["wave"] == 1
    assert body["latest_dispatch"]["offered_volunteer_ids"] == [user.volunteer_id for user in people[:3]]
    assert phone_of(scene.other_worker).get(f"/api/v1/help-requests/{request.id}/candidates").status_code == 404
    assert phone_of(make_user(scene.community, "volunteer")).get(
        f"/api/v1/help-requests/{request.id}/candidates").status_code == 403


def test_a_request_open_again_after_a_withdrawal_goes_out_without_the_volunteer_who_withdrew(scene, phone_of):
    people = volunteers_in_a_row(scene.community, scene.grid, 4)
    request = ask(phone_of(scene.resident_user))
    _dispatch(request)
    offer_id = db.session.scalar(select(Offer.id).where(Offer.help_request_id == request.id,
                                                        Offer.volunteer_id == people[0].volunteer_id))
    assert phone_of(people[0]).post(f"/api/v1/offers/{offer_id}/accept").status_code == 200
    response = phone_of(people[0]).post(f"/api/v1/help-requests/{request.id}/withdraw", {"reason": "临时有事"})
    assert response.status_code == 200
    _dispatch(db.session.get(HelpRequest, request.id))  # what help_requests' withdraw calls (again: nothing)
    assert status_of(request.id) == "offered"
    again = [user.volunteer_id for user in people[1:4]]  # told "taken" before: asked again
    assert sorted(waves(request.id)[-1]) == again and sorted(offered_ids(request.id, "offered")) == again


def test_a_request_nobody_may_be_offered_stays_open_and_goes_to_the_grid_worker(scene, phone_of):
    volunteer_at(scene.community, scene.grid, 5.0)  # farther than their 3 km
    request = ask(phone_of(scene.resident_user))
    _dispatch(request)
    _dispatch(db.session.get(HelpRequest, request.id))
    assert offered_ids(request.id) == [] and status_of(request.id) == "open"
    [alert] = db.session.scalars(select(Alert)).all()
    assert alert.data == {"help_request_id": request.id, "reason_id": "no_candidates"}
    assert not pending_wave_timers(request.id)


def test_cancelling_an_escalated_request_closes_its_alert_so_it_stops_escalating(app, clock, scene, phone_of,
                                                                                   make_client):
    volunteers_in_a_row(scene.community, scene.grid, 2)
    request = ask(phone_of(scene.resident_user), {"urgency": "urgent"})
    request_id, resident_phone = request.id, scene.resident_user.phone
    clock.advance(minutes=30)
    run_worker(app)
    assert status_of(request_id) == "escalated"
    [alert] = db.session.scalars(select(Alert).where(Alert.kind == "help_request_unmatched")).all()
    alert_id = alert.id
    phone = make_client().login(resident_phone)  # the worker's rounds ended the test's session
    assert phone.post(f"/api/v1/help-requests/{request_id}/cancel", {"reason": "不用了"}).status_code == 200
    db.session.expire_all()
    closed = db.session.get(Alert, alert_id)
    assert closed.status == "closed" and closed.next_escalation_at is None
    escalated = len(notified_user_ids("alert_escalated"))
    clock.advance(hours=3)
    run_worker(app)
    assert len(notified_user_ids("alert_escalated")) == escalated  # nobody is called about it any more
