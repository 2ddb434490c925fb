"""A volunteer holding an open offer for a request may open it: the brief view only (category,
time, how to address the resident, the building), never the address, a phone or the full name;
once the offer is answered or closed, the request is out of their reach again."""
import pytest

from backend.extensions import db
from backend.matching.models import Offer
from tests.help_requests.helpers import make_request
from tests.matching.helpers import strings_in

URL = "/api/v1/help-requests"


def _offered(scene, status: str = "offered", request_status: str = "offered") -> int:
    request = make_request(scene.resident, status=request_status, description="买菜和药")
    db.session.add(Offer(help_request_id=request.id, volunteer_id=scene.volunteer.volunteer_id, wave=1,
                         status=status))
    db.session.commit()
    return request.id


def test_a_volunteer_with_an_open_offer_sees_the_brief_view(scene, phone_of):
    request_id = _offered(scene)
    response = phone_of(scene.volunteer).get(f"{URL}/{request_id}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["full"] is False and body["timeline"] == [] and body["contact"] is None
    assert body["resident"] == {"id": scene.resident.id, "address_as": scene.resident.address_as,
                                "building_label": "幸福里3幢"}
    household, resident = scene.household, scene.resident
    secrets = [household.address_text, household.phone, resident.phone, resident.full_name, "买菜和药"]
    shown = set(strings_in(body))
    assert not [secret for secret in secrets if secret and any(secret in text for text in shown)]


@pytest.mark.parametrize("status", ["declined", "withdrawn", "expired"])
def test_an_offer_answered_or_closed_shows_nothing(scene, phone_of, status):
    request_id = _offered(scene, status=status)
    assert phone_of(scene.volunteer).get(f"{URL}/{request_id}").status_code == 404


def test_another_volunteers_offer_shows_nothing(scene, phone_of):
    request_id = _offered(scene)
    assert phone_of(scene.other_volunteer).get(f"{URL}/{request_id}").status_code == 404


def test_an_offer_holder_cannot_act_on_the_request(scene, phone_of):
    request_id = _offered(scene)
    phone = phone_of(scene.volunteer)
    assert phone.post(f"{URL}/{request_id}/check-in", {}).status_code == 404
    assert phone.post(f"{URL}/{request_id}/withdraw", {"reason": "临时有事"}).status_code == 404
