"""The clock's part, fired by the worker on the test clock: a request nobody took expires at its
window's end (an as-soon-as-possible one a day after asking), a completion nobody confirms in 72 h
goes to the grid's workers, reminders before a scheduled task, and the volunteer told when a
request they hold is cancelled."""
from datetime import timedelta

from sqlalchemy import select

from backend.alerts.models import Alert
from backend.common.time import now
from backend.extensions import db
from backend.help_requests import kinds
from backend.help_requests.models import HelpRequest, HelpRequestEvent
from backend.help_requests.services.deadlines import owner
from backend.matching.models import Offer
from backend.notifications.models import Notification, Timer
from tests.help_requests.helpers import make_request, status_of
from tests.notifications.helpers import run_worker

URL = "/api/v1/help-requests"


def _ask(phone, **body) -> int:
    response = phone.post(URL, {"category": "companionship", **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _window(days: float = 3, hours: float = 2) -> tuple:
    start = now() + timedelta(days=days)
    return start, start + timedelta(hours=hours)


def _ask_for_window(scene, phone_of, start, end) -> int:
    return _ask(phone_of(scene.resident_user), asap=False, window_start=start.isoformat(), window_end=end.isoformat())


def _notifications(kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id)))


def _pending(request_id: int) -> list[Timer]:
    kind, owner_id = owner(request_id)
    return list(db.session.scalars(select(Timer).where(Timer.owner_type == kind, Timer.owner_id == owner_id,
                                                       Timer.status == "pending")))


def _last_step(request_id: int) -> HelpRequestEvent:
    return db.session.scalar(select(HelpRequestEvent).where(HelpRequestEvent.help_request_id == request_id)
                             .order_by(HelpRequestEvent.id.desc()).limit(1))


# Expiry

def test_a_scheduled_request_nobody_takes_expires_when_its_window_ends(app, clock, scene, phone_of):
    start, end = _window()
    request_id = _ask_for_window(scene, phone_of, start, end)
    clock.current = end - timedelta(minutes=1)
    run_worker(app)
    assert status_of(request_id) in ("open", "offered", "escalated")
    clock.current = end
    run_worker(app)
    assert status_of(request_id) == "expired"
    step = _last_step(request_id)
    assert (step.event, step.actor_id, step.reason) == ("expired", None, "window_passed")
    assert not db.session.scalars(select(Offer).where(Offer.help_request_id == request_id,
                                                      Offer.status == "offered")).all()


def test_an_as_soon_as_possible_request_nobody_takes_expires_a_day_after_asking(app, clock, scene, phone_of):
    request_id = _ask(phone_of(scene.resident_user))
    clock.advance(hours=23, minutes=59)
    run_worker(app)
    assert status_of(request_id) != "expired"
    clock.advance(minutes=1)
    run_worker(app)
    assert status_of(request_id) == "expired"
    assert _last_step(request_id).reason == "nobody_took_it"


def test_an_accepted_request_does_not_expire(app, clock, scene, phone_of):
    start, end = _window()
    request_id = _ask_for_window(scene, phone_of, start, end)
    response = phone_of(scene.worker).post(f"{URL}/{request_id}/assign", {"volunteer_id": scene.volunteer.volunteer_id})
    assert response.status_code == 200
    assert not _pending(request_id) or all(timer.handler != "help_request_expiry" for timer in _pending(request_id))
    clock.current = end + timedelta(hours=1)
    run_worker(app)
    assert status_of(request_id) == "accepted"


def test_a_request_withdrawn_from_expires_at_its_window_end_again(app, clock, scene, phone_of):
    start, end = _window()
    request_id = _ask_for_window(scene, phone_of, start, end)
    assert phone_of(scene.worker).post(f"{URL}/{request_id}/assign",
                                       {"volunteer_id": scene.volunteer.volunteer_id}).status_code == 200
    assert phone_of(scene.volunteer).post(f"{URL}/{request_id}/withdraw", {"reason": "临时有事"}).status_code == 200
    [timer] = [timer for timer in _pending(request_id) if timer.handler == "help_request_expiry"]
    assert timer.due_at == end
    clock.current = end
    run_worker(app)
    assert status_of(request_id) == "expired"


def test_an_as_soon_as_possible_request_open_again_has_another_day(app, clock, scene, phone_of):
    request_id = _ask(phone_of(scene.resident_user))
    assert phone_of(scene.worker).post(f"{URL}/{request_id}/assign",
                                       {"volunteer_id": scene.volunteer.volunteer_id}).status_code == 200
    clock.advance(hours=20)
    assert phone_of(scene.resident_user).post(f"{URL}/{request_id}/no-show", {}).status_code == 200
    clock.advance(hours=23)
    run_worker(app)
    assert status_of(request_id) != "expired"
    clock.advance(hours=1)
    run_worker(app)
    assert status_of(request_id) == "expired"


def test_a_cancelled_request_leaves_no_timer_of_its_own(scene, phone_of, clock):
    start, end = _window()
    request_id = _ask_for_window(scene, phone_of, start, end)
    assert _pending(request_id)
    assert phone_of(scene.resident_user).post(f"{URL}/{request_id}/cancel", {}).status_code == 200
    assert _pending(request_id) == []


# A completion nobody confirms

def _completed_through_the_api(scene, phone_of) -> int:
    request_id = make_request(scene.resident, status="in_progress", volunteer=scene.volunteer).id
    db.session.commit()
    assert phone_of(scene.volunteer).post(f"{URL}/{request_id}/check-out", {}).status_code == 200
    return request_id


def test_a_completion_nobody_confirms_in_72_hours_goes_to_the_grid_workers(app, clock, scene, phone_of):
    request_id = _completed_through_the_api(scene, phone_of)
    worker_id, grid_id, resident_id = scene.worker.id, scene.grid.id, scene.resident.id
    clock.advance(hours=71, minutes=59)
    run_worker(app)
    assert not db.session.scalars(select(Alert)).all()
    clock.advance(minutes=1)
    run_worker(app)
    [alert] = db.session.scalars(select(Alert)).all()
    assert (alert.kind, alert.grid_id, alert.resident_id) == ("help_request_unconfirmed", grid_id, resident_id)
    assert alert.data == {"help_request_id": request_id}
    assert worker_id in [n.recipient_user_id for n in _notifications("alert_raised")]
    worker = db.session.get(type(scene.worker), worker_id)
    no_note = phone_of(worker).post(f"{URL}/{request_id}/confirm", {"rating": 4})
    assert no_note.status_code == 422 and no_note.get_json()["reason"] == "note_required"
    assert "comment" in no_note.get_json()["errors"]  # the worker writes down what the resident said
    response = phone_of(worker).post(f"{URL}/{request_id}/confirm", {"rating": 4, "comment": "电话里说挺好的"})
    assert response.status_code == 200 and response.get_json()["status"] == "confirmed"
    alert = db.session.get(Alert, alert.id)
    db.session.refresh(alert)
    assert alert.status == "closed" and alert.steps[-1].reason == "help_request_confirmed"
    assert not db.session.scalars(select(Timer).where(Timer.owner_type == "alert", Timer.owner_id == alert.id,
                                                      Timer.status == "pending")).all()


def test_a_confirmed_completion_goes_to_nobody(app, clock, scene, phone_of):
    request_id = _completed_through_the_api(scene, phone_of)
    assert phone_of(scene.resident_user).post(f"{URL}/{request_id}/confirm", {"rating": 5}).status_code == 200
    clock.advance(hours=73)
    run_worker(app)
    assert not db.session.scalars(select(Alert)).all()
    assert status_of(request_id) == "confirmed"


# Reminders

def _assigned_window_request(scene, phone_of, start, end, volunteer=None) -> int:
    request_id = _ask_for_window(scene, phone_of, start, end)
    volunteer = volunteer or scene.volunteer
    response = phone_of(scene.worker).post(f"{URL}/{request_id}/assign", {"volunteer_id": volunteer.volunteer_id})
    assert response.status_code == 200
    return request_id


def test_the_volunteer_is_reminded_the_day_before_and_an_hour_before(app, clock, scene, phone_of):
    start, end = _window()
    volunteer_user_id = scene.volunteer.id
    request_id = _assigned_window_request(scene, phone_of, start, end)
    clock.current = start - timedelta(hours=24, minutes=1)
    run_worker(app)
    assert _notifications(kinds.VOLUNTEER_REMINDER.code) == []
    clock.current = start - timedelta(hours=24)
    run_worker(app)
    [day] = _notifications(kinds.VOLUNTEER_REMINDER.code)
    assert day.recipient_user_id == volunteer_user_id and day.data == {"help_request_id": request_id}
    assert day.params["lead"] == "明天"
    clock.current = start - timedelta(hours=1)
    run_worker(app)
    day, hour = _notifications(kinds.VOLUNTEER_REMINDER.code)
    assert hour.recipient_user_id == volunteer_user_id and hour.params["lead"] == "一小时后"


def test_the_resident_and_proxies_are_told_the_day_before_who_is_coming(app, clock, scene, phone_of):
    start, end = _window()
    expected = {scene.resident_user.id, scene.proxy.id, scene.viewing_proxy.id}
    volunteer_name = scene.volunteer.display_name
    request_id = _assigned_window_request(scene, phone_of, start, end)
    clock.current = start - timedelta(hours=24)
    run_worker(app)
    told = _notifications(kinds.RESIDENT_REMINDER.code)
    assert {n.recipient_user_id for n in told} == expected
    for notification in told:
        assert notification.data == {"help_request_id": request_id}
        assert notification.params["volunteer_name"] == volunteer_name
    # the lock screen: category and time only, never the volunteer's name, the address or the resident's
    assert "volunteer_name" not in kinds.RESIDENT_REMINDER.push_params
    assert set(kinds.VOLUNTEER_REMINDER.push_params) <= {"lead", "category", "when", "lead_en", "category_en",
                                                         "when_en"}


def test_reminder_texts_hold_no_address_or_names(app, clock, scene, phone_of):
    start, end = _window()
    household = scene.household
    secrets = [household.address_text, household.phone, scene.resident.full_name, scene.resident.phone]
    _assigned_window_request(scene, phone_of, start, end)
    clock.current = start - timedelta(hours=1)
    run_worker(app)
    reminders = (_notifications(kinds.VOLUNTEER_REMINDER.code) + _notifications(kinds.RESIDENT_REMINDER.code))
    assert reminders
    for notification in reminders:
        text = str(notification.params) + str(notification.data)
        assert not [secret for secret in secrets if secret and secret in text]


def test_accepting_later_than_a_day_before_skips_the_day_before_reminder(app, clock, scene, phone_of):
    start, end = _window(days=0.5)
    request_id = _assigned_window_request(scene, phone_of, start, end)
    assert sorted(timer.payload["lead"] for timer in _pending(request_id) if timer.handler == "help_request_reminder") \
        == ["hour"]


def test_no_reminders_after_the_volunteer_withdraws(app, clock, scene, phone_of):
    start, end = _window()
    request_id = _assigned_window_request(scene, phone_of, start, end)
    assert phone_of(scene.volunteer).post(f"{URL}/{request_id}/withdraw", {"reason": "临时有事"}).status_code == 200
    assert not [timer for timer in _pending(request_id) if timer.handler == "help_request_reminder"]
    clock.current = start - timedelta(minutes=30)
    run_worker(app)
    assert _notifications(kinds.VOLUNTEER_REMINDER.code) == []
    assert _notifications(kinds.RESIDENT_REMINDER.code) == []


def test_a_reassigned_request_reminds_the_new_volunteer_only(app, clock, scene, phone_of):
    start, end = _window()
    new_user_id = scene.other_volunteer.id
    request_id = _assigned_window_request(scene, phone_of, start, end)
    response = phone_of(scene.worker).post(f"{URL}/{request_id}/reassign",
                                           {"volunteer_id": scene.other_volunteer.volunteer_id})
    assert response.status_code == 200
    clock.current = start - timedelta(hours=1)
    run_worker(app)
    assert {n.recipient_user_id for n in _notifications(kinds.VOLUNTEER_REMINDER.code)} == {new_user_id}


def test_no_reminders_for_a_cancelled_request(app, clock, scene, phone_of):
    start, end = _window()
    request_id = _assigned_window_request(scene, phone_of, start, end)
    assert phone_of(scene.resident_user).post(f"{URL}/{request_id}/cancel", {"reason": "不用了"}).status_code == 200
    clock.current = start
    run_worker(app)
    assert _notifications(kinds.VOLUNTEER_REMINDER.code) == []
    assert _notifications(kinds.RESIDENT_REMINDER.code) == []


# Cancelled: the volunteer is told

def test_cancelling_tells_the_assigned_volunteer_without_names_or_address(scene, phone_of):
    request_id = make_request(scene.resident, status="accepted", volunteer=scene.volunteer).id
    db.session.commit()
    assert phone_of(scene.resident_user).post(f"{URL}/{request_id}/cancel", {"reason": "孩子回来了"}).status_code == 200
    [told] = _notifications(kinds.CANCELLED_FOR_VOLUNTEER.code)
    assert told.recipient_user_id == scene.volunteer.id
    assert told.data == {"help_request_id": request_id}
    assert set(told.params) == {"category", "when", "category_en", "when_en"}


def test_cancelling_a_request_nobody_holds_tells_no_volunteer(scene, phone_of):
    request_id = make_request(scene.resident, status="open").id
    db.session.commit()
    assert phone_of(scene.resident_user).post(f"{URL}/{request_id}/cancel", {}).status_code == 200
    assert _notifications(kinds.CANCELLED_FOR_VOLUNTEER.code) == []
    assert db.session.get(HelpRequest, request_id).status == "cancelled"
