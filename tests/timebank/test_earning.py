"""Hours coming in: a confirmation credits the volunteer's verified hours once, naming who
confirmed; a worker's hand entries are recorded, with a reason, and kept apart."""
from datetime import timedelta

from sqlalchemy import update

from backend.extensions import db
from backend.timebank.models import TimebankAccount
from tests.help_requests.helpers import make_request
from tests.timebank.helpers import assert_ledger_holds, earn, transfers, volunteer_minutes

URL = "/api/v1/help-requests"
TB = "/api/v1/timebank"


def _completed(scene, hours_ago: float = 1.5, **fields):
    request = make_request(scene.resident, status="completed", volunteer=scene.volunteer,
                           checked_in_ago=timedelta(hours=hours_ago), **fields)
    request.hours = round(hours_ago, 2)
    db.session.flush()
    return request


def test_the_residents_confirmation_credits_the_visits_hours_as_verified(scene, phone_of):
    request = _completed(scene, 1.5)
    assert phone_of(scene.resident_user).post(f"{URL}/{request.id}/confirm", {"rating": 5}).status_code == 200
    summary = phone_of(scene.volunteer).get(f"{TB}/me").get_json()
    assert (summary["verified_hours"], summary["recorded_hours"]) == (1.5, 0)
    [line] = phone_of(scene.volunteer).get(f"{TB}/me/history").get_json()["items"]
    assert (line["kind"], line["bucket"], line["hours"], line["help_request_id"], line["confirmed_by"],
            line["worker"]) == ("verified", "verified", 1.5, request.id, "resident", None)
    assert line["category"] == "companionship"
    assert_ledger_holds()


def test_a_proxys_confirmation_is_verified_and_says_so(scene, phone_of):
    request = _completed(scene, 2)
    assert phone_of(scene.proxy).post(f"{URL}/{request.id}/confirm", {"rating": 4}).status_code == 200
    [record] = transfers(help_request_id=request.id)
    assert (record.kind, record.minutes, record.confirmed_by, record.worker_id) == ("verified", 120, "proxy", None)


def test_a_workers_confirmation_names_the_worker_and_keeps_their_note_from_the_volunteer(scene, phone_of):
    request = _completed(scene, 1)
    note = "电话回访王奶奶，她说志愿者陪她聊了一个小时"
    response = phone_of(scene.worker).post(f"{URL}/{request.id}/confirm", {"rating": 5, "comment": note})
    assert response.status_code == 200
    [record] = transfers(help_request_id=request.id)
    assert (record.kind, record.confirmed_by, record.worker_id, record.reason) == ("verified", "worker", scene.worker.id, note)
    [line] = phone_of(scene.volunteer).get(f"{TB}/me/history").get_json()["items"]
    assert line["worker"] == {"id": scene.worker.id, "display_name": scene.worker.display_name}
    assert line["reason"] is None  # the note is about the resident: not shown to the volunteer


def test_confirming_again_credits_nothing_more(scene, phone_of):
    request = _completed(scene, 1)
    resident = phone_of(scene.resident_user)
    assert resident.post(f"{URL}/{request.id}/confirm", {"rating": 5}).status_code == 200
    again = phone_of(scene.proxy).post(f"{URL}/{request.id}/confirm", {"rating": 3})
    assert (again.status_code, again.get_json()["reason"]) == (409, "invalid_transition")
    assert len(transfers(help_request_id=request.id)) == 1
    assert volunteer_minutes(scene.volunteer) == 60


def test_a_replayed_confirmation_with_its_key_credits_once(scene, phone_of):
    request = _completed(scene, 1)
    resident = phone_of(scene.resident_user)
    headers = {"Idempotency-Key": "confirm-1"}
    first = resident.post(f"{URL}/{request.id}/confirm", {"rating": 5}, headers=headers)
    replay = resident.post(f"{URL}/{request.id}/confirm", {"rating": 5}, headers=headers)
    assert (first.status_code, replay.status_code, replay.headers.get("Idempotent-Replayed")) == (200, 200, "true")
    assert volunteer_minutes(scene.volunteer) == 60
    assert len(transfers(help_request_id=request.id)) == 1


def test_a_visit_without_hours_credits_nothing(scene, phone_of):
    request = _completed(scene, 1)
    request.hours = None
    db.session.flush()
    assert phone_of(scene.resident_user).post(f"{URL}/{request.id}/confirm", {"rating": 5}).status_code == 200
    assert transfers(help_request_id=request.id) == []
    assert phone_of(scene.volunteer).get(f"{TB}/me").get_json()["verified_hours"] == 0


def test_a_workers_hand_entry_is_recorded_with_its_reason_and_kept_apart(scene, phone_of):
    earn(scene.volunteer, 2)
    response = phone_of(scene.worker).post(f"{TB}/volunteers/{scene.volunteer.volunteer_id}/recorded-hours",
                                           {"hours": 3, "reason": "社区重阳节活动帮忙布置会场"})
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["kind"], response.get_json()["hours"]) == ("recorded", 3)
    volunteer = phone_of(scene.volunteer)
    summary = volunteer.get(f"{TB}/me").get_json()
    assert (summary["verified_hours"], summary["recorded_hours"]) == (2, 3)
    recorded = volunteer.get(f"{TB}/me/history?bucket=recorded").get_json()
    assert recorded["total"] == 1
    assert (recorded["items"][0]["reason"], recorded["items"][0]["worker"]["id"]) == ("社区重阳节活动帮忙布置会场", scene.worker.id)
    assert volunteer.get(f"{TB}/me/history?bucket=verified").get_json()["total"] == 1
    assert_ledger_holds()


def test_a_hand_entry_needs_a_reason_and_sensible_hours_and_day(scene, phone_of, clock):
    worker = phone_of(scene.worker)
    path = f"{TB}/volunteers/{scene.volunteer.volunteer_id}/recorded-hours"
    for body, field in (({"hours": 1}, "reason"), ({"hours": 1, "reason": "   "}, "reason"),
                        ({"hours": 9, "reason": "x"}, "hours"), ({"hours": 0, "reason": "x"}, "hours"),
                        ({"hours": -1, "reason": "x"}, "hours"), ({"hours": "一小时", "reason": "x"}, "hours"),
                        ({"hours": 1, "reason": "x", "service_date": "2026-12-01"}, "service_date"),
                        ({"hours": 1, "reason": "x", "service_date": "2024-01-01"}, "service_date"),
                        ({"hours": 1, "reason": "x", "service_date": "昨天"}, "service_date")):
        response = worker.post(path, body)
        assert (response.status_code, list(response.get_json()["errors"])) == (422, [field]), body
    assert transfers() == []


def test_a_hand_entry_for_a_task_only_once_it_cannot_be_confirmed_any_more(scene, phone_of):
    worker = phone_of(scene.worker)
    path = f"{TB}/volunteers/{scene.volunteer.volunteer_id}/recorded-hours"
    waiting = _completed(scene, 1)
    response = worker.post(path, {"hours": 1, "reason": "忘了签退", "help_request_id": waiting.id})
    assert (response.status_code, response.get_json()["reason"]) == (409, "timebank_task_not_settled")
    credited = _completed(scene, 1)
    assert phone_of(scene.resident_user).post(f"{URL}/{credited.id}/confirm", {"rating": 5}).status_code == 200
    response = worker.post(path, {"hours": 1, "reason": "再记一次", "help_request_id": credited.id})
    assert (response.status_code, response.get_json()["reason"]) == (409, "timebank_already_credited")
    no_hours = _completed(scene, 1)
    no_hours.hours = None
    db.session.flush()
    assert phone_of(scene.resident_user).post(f"{URL}/{no_hours.id}/confirm", {"rating": 5}).status_code == 200
    response = worker.post(path, {"hours": 1, "reason": "志愿者忘了签退", "help_request_id": no_hours.id})
    assert response.status_code == 201
    assert [t.kind for t in transfers(help_request_id=no_hours.id)] == ["recorded"]
    other = make_request(scene.resident, status="confirmed", volunteer=scene.other_volunteer)
    response = worker.post(path, {"hours": 1, "reason": "x", "help_request_id": other.id})
    assert (response.status_code, list(response.get_json()["errors"])) == (422, ["help_request_id"])


def test_only_staff_of_the_volunteers_community_add_hours(scene, phone_of):
    from tests.factories import make_community, make_grid, make_worker
    stranger = make_worker(make_grid(make_community("别的社区")))
    path = f"{TB}/volunteers/{scene.volunteer.volunteer_id}/recorded-hours"
    assert phone_of(stranger).post(path, {"hours": 1, "reason": "x"}).status_code == 404
    assert phone_of(scene.volunteer).post(path, {"hours": 1, "reason": "x"}).status_code == 403
    assert phone_of(scene.worker).post(f"{TB}/volunteers/99999999/recorded-hours", {"hours": 1, "reason": "x"}).status_code == 404
    assert transfers() == []


def test_the_invariant_check_finds_a_balance_that_is_not_the_sum_of_its_movements(scene):
    from backend.timebank.services import ledger
    earn(scene.volunteer, 1)
    assert ledger.invariant_breaches() == []
    db.session.execute(update(TimebankAccount).where(TimebankAccount.owner == "volunteer")
                       .values(balance_minutes=TimebankAccount.balance_minutes + 1))
    assert any("movements sum to 60" in breach for breach in ledger.invariant_breaches())
