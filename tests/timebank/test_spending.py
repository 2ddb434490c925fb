"""Spending: a request asked as time-bank service is paid from the resident's account when it is
confirmed, as far as the account holds hours; the volunteer earns the visit's hours either way."""
from datetime import timedelta

from backend.extensions import db
from backend.help_requests.models import HelpRequest
from tests.help_requests.helpers import make_request
from tests.timebank.helpers import (
    assert_ledger_holds, earn, link_family, member_minutes, transfers, volunteer_minutes,
)

URL = "/api/v1/help-requests"
TB = "/api/v1/timebank"


def _fund_mother(scene, phone_of, hours: float):
    """The other volunteer, her son, gives her `hours`."""
    link_family(scene.other_volunteer, scene.resident)
    earn(scene.other_volunteer, hours)
    response = phone_of(scene.other_volunteer).post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": hours})
    assert response.status_code == 201, response.get_json()


def test_asking_as_time_bank_service_needs_hours_in_the_account(scene, phone_of):
    response = phone_of(scene.resident_user).post(URL, {"category": "companionship", "timebank_service": True})
    assert (response.status_code, list(response.get_json()["errors"])) == (422, ["timebank_service"])
    assert db.session.query(HelpRequest).count() == 0


def test_asking_as_time_bank_service_is_kept_on_the_request(scene, phone_of):
    _fund_mother(scene, phone_of, 1)
    response = phone_of(scene.proxy).post(URL, {"resident_id": scene.resident.id, "category": "companionship",
                                                "timebank_service": True})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["timebank_service"] is True
    plain = phone_of(scene.resident_user).post(URL, {"category": "companionship"})
    assert plain.get_json()["timebank_service"] is False
    assert phone_of(scene.resident_user).post(URL, {"category": "companionship", "timebank_service": "是"}).status_code == 422


def test_the_confirmation_pays_from_the_members_hours(scene, phone_of):
    _fund_mother(scene, phone_of, 3)
    request = make_request(scene.resident, status="completed", volunteer=scene.volunteer,
                           checked_in_ago=timedelta(hours=2), timebank_service=True)
    request.hours = 2.0
    db.session.flush()
    assert phone_of(scene.resident_user).post(f"{URL}/{request.id}/confirm", {"rating": 5}).status_code == 200
    assert [(t.kind, t.minutes) for t in transfers(help_request_id=request.id)] == [("spend", 120)]
    assert (member_minutes(scene.resident), volunteer_minutes(scene.volunteer)) == (60, 120)
    account = phone_of(scene.resident_user).get(f"{TB}/members/{scene.resident.id}").get_json()
    assert [(line["kind"], line["hours"]) for line in account["history"]["items"]] == [("spend", -2), ("gift", 3)]
    assert_ledger_holds()


def test_what_the_account_does_not_cover_comes_from_the_community(scene, phone_of):
    _fund_mother(scene, phone_of, 0.5)
    request = make_request(scene.resident, status="completed", volunteer=scene.volunteer, timebank_service=True)
    request.hours = 1.5
    db.session.flush()
    assert phone_of(scene.worker).post(f"{URL}/{request.id}/confirm", {"rating": 4, "comment": "电话确认"}).status_code == 200
    assert sorted((t.kind, t.minutes, t.worker_id) for t in transfers(help_request_id=request.id)) == [
        ("spend", 30, scene.worker.id), ("verified", 60, scene.worker.id)]
    assert (member_minutes(scene.resident), volunteer_minutes(scene.volunteer)) == (0, 90)
    assert_ledger_holds()
