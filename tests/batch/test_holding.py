"""Holding: a scheduled request for tomorrow or later waits for the batch plan instead of going out
in waves, but is never lost — its first wave is due at the night's planning time plus the grace,
and fires if no plan sent it. The nightly run plans and sends the grids nobody planned by hand."""
from datetime import UTC, datetime, timedelta

from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.matching.models import Offer
from backend.matching.services.dispatch import NIGHTLY_TIMER, WAVE_TIMER
from tests.batch.helpers import ask_tomorrow, make_plan, timers_of
from tests.help_requests.helpers import status_of
from tests.matching.helpers import ask, offered_ids, volunteers_in_a_row, waves
from tests.notifications.helpers import run_worker

PLANNING = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai, the night before
FALLBACK = PLANNING + timedelta(minutes=60)


def test_a_request_for_tomorrow_is_held_with_its_first_wave_after_the_planning_time(scene, phone_of):
    volunteers_in_a_row(scene.community, scene.grid, 4)
    request = ask_tomorrow(phone_of(scene.resident_user))
    assert status_of(request.id) == "open" and offered_ids(request.id) == []
    [wave] = timers_of("help_request", request.id, WAVE_TIMER)
    assert wave.due_at == FALLBACK and wave.payload == {"waves_sent": 0, "held_for": "2026-11-27"}
    [nightly] = timers_of("community", scene.community.id, NIGHTLY_TIMER)
    assert nightly.due_at == PLANNING and nightly.payload == {"date": "2026-11-27"}
    ask_tomorrow(phone_of(scene.resident_user), "09:00", "10:00")
    assert len(timers_of("community", scene.community.id, NIGHTLY_TIMER)) == 1  # one run per date


def test_a_request_the_day_after_tomorrow_waits_for_its_own_night(scene, phone_of):
    volunteers_in_a_row(scene.community, scene.grid, 2)
    request = ask(phone_of(scene.resident_user), {"asap": False, "window_start": "2026-11-28T09:00:00+08:00",
                                                  "window_end": "2026-11-28T10:00:00+08:00"})
    [wave] = timers_of("help_request", request.id, WAVE_TIMER)
    assert wave.due_at == PLANNING + timedelta(days=1, minutes=60)
    assert [timer.payload["date"] for timer in timers_of("community", scene.community.id, NIGHTLY_TIMER)] == [
        "2026-11-28"]


def test_today_asap_urgent_and_too_late_requests_go_out_in_waves_as_before(clock, scene, phone_of):
    people = volunteers_in_a_row(scene.community, scene.grid, 4)
    phone = phone_of(scene.resident_user)
    today = ask(phone, {"asap": False, "window_start": "2026-11-26T15:00:00+08:00",
                        "window_end": "2026-11-26T16:00:00+08:00"})
    urgent = ask_tomorrow(phone, urgency="urgent")
    assert len(offered_ids(today.id)) == 3
    [wave] = timers_of("help_request", urgent.id, WAVE_TIMER)  # as any scheduled request: a day ahead
    assert wave.payload == {"waves_sent": 0} and wave.due_at == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    clock.current = FALLBACK + timedelta(minutes=1)  # 21:01: tomorrow's plan has been made
    late = ask_tomorrow(phone)
    assert len(offered_ids(late.id)) == 3 and set(offered_ids(late.id)) <= {user.volunteer_id for user in people}
    assert status_of(late.id) == "offered"


def test_with_holding_off_tomorrow_s_request_waits_only_for_its_first_wave_a_day_ahead(app, scene, phone_of):
    volunteers_in_a_row(scene.community, scene.grid, 4)
    app.config["BATCH_HOLD"] = False
    request = ask_tomorrow(phone_of(scene.resident_user))
    [wave] = timers_of("help_request", request.id, WAVE_TIMER)
    assert wave.payload == {"waves_sent": 0} and wave.due_at == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    assert not timers_of("community", scene.community.id, NIGHTLY_TIMER)


def test_the_nightly_run_plans_and_sends_at_the_planning_time(app, clock, scene, phone_of):
    people = volunteers_in_a_row(scene.community, scene.grid, 4)
    request_id = ask_tomorrow(phone_of(scene.resident_user)).id
    best = people[0].volunteer_id
    clock.current = PLANNING - timedelta(minutes=1)
    run_worker(app)
    assert status_of(request_id) == "open"
    clock.current = PLANNING
    run_worker(app)
    assert status_of(request_id) == "offered"
    [offer] = db.session.query(Offer).filter_by(help_request_id=request_id).all()
    assert (offer.volunteer_id, offer.wave, offer.status) == (best, 0, "offered")
    assert waves(request_id) == []  # a plan, not a wave
    clock.current = FALLBACK
    run_worker(app)
    assert offered_ids(request_id) == [best]  # the fallback was replaced by the plan's answer deadline


def test_waves_start_anyway_when_no_plan_sends_the_request(app, clock, scene, phone_of):
    people = volunteers_in_a_row(scene.community, scene.grid, 4)
    request_id = ask_tomorrow(phone_of(scene.resident_user)).id
    make_plan(phone_of(scene.worker))  # a draft by hand: the night leaves this grid to its worker
    clock.current = PLANNING
    run_worker(app)
    assert status_of(request_id) == "open" and offered_ids(request_id) == []
    clock.current = FALLBACK - timedelta(minutes=1)
    run_worker(app)
    assert offered_ids(request_id) == []
    clock.current = FALLBACK
    run_worker(app)
    assert status_of(request_id) == "offered"
    assert offered_ids(request_id) == [user.volunteer_id for user in people[:3]]
    assert db.session.get(HelpRequest, request_id).status == "offered"


def test_the_nightly_run_plans_what_was_asked_after_a_plan_sent_by_hand(app, clock, scene, phone_of):
    volunteers_in_a_row(scene.community, scene.grid, 4)
    phone, worker = phone_of(scene.resident_user), phone_of(scene.worker)
    first_id = ask_tomorrow(phone, "09:00", "10:00").id
    plan = make_plan(worker)
    assert worker.post(f"/api/v1/batch-plans/{plan['id']}/send").status_code == 200
    later_id = ask_tomorrow(phone, "14:00", "15:00").id
    clock.current = PLANNING
    run_worker(app)
    assert status_of(later_id) == "offered"
    [offer] = db.session.query(Offer).filter_by(help_request_id=later_id).all()
    assert offer.wave == 0
    assert len(db.session.query(Offer).filter_by(help_request_id=first_id).all()) == 1
