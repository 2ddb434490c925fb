"""DESIGN.md §6 for help requests: a volunteer sees the resident's full name, address and phone
only while assigned (acceptance until 24 h after check-out), and every such reveal is audited."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.extensions import db
from tests.help_requests.helpers import make_request

URL = "/api/v1/help-requests"


def _secrets(scene) -> list[str]:
    return [scene.household.address_text, scene.household.phone, scene.resident.phone, "王秀英"]


def _shows_any(response, secrets) -> list[str]:
    text = json.dumps(response.get_json(), ensure_ascii=False)
    return [secret for secret in secrets if secret and secret in text]


def _audit_entries(actor_id) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == actor_id)))


def _every_answer_to(phone, request_id) -> list:
    """Every endpoint that answers with requests, as the given phone calls it."""
    return [phone.get(URL), phone.get(f"{URL}/{request_id}"),
            phone.post(f"{URL}/{request_id}/check-in", {}), phone.post(f"{URL}/{request_id}/withdraw", {"reason": "x"}),
            phone.post(f"{URL}/{request_id}/check-out", {})]


@pytest.mark.parametrize("status", ["open", "offered", "escalated", "accepted", "in_progress", "completed",
                                    "confirmed", "cancelled", "expired"])
def test_a_volunteer_who_is_not_assigned_never_sees_address_phone_or_name(scene, phone_of, status):
    assigned = scene.volunteer if status not in ("open", "offered", "escalated", "cancelled", "expired") else None
    request = make_request(scene.resident, status=status, volunteer=assigned)
    for phone in (phone_of(scene.other_volunteer), phone_of(scene.third_volunteer)):
        for response in _every_answer_to(phone, request.id):
            if response.is_json and response.get_json() is not None:
                assert not _shows_any(response, _secrets(scene)), (status, response.get_json())


def test_a_volunteer_no_longer_assigned_sees_only_the_brief_view(scene, phone_of):
    request = make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    phone = phone_of(scene.volunteer)
    phone.post(f"{URL}/{request.id}/withdraw", {"reason": "家里有事"})
    body = phone.get(f"{URL}/{request.id}").get_json()
    assert body["full"] is False and body["contact"] is None and body["timeline"] == []
    assert set(body) >= {"category", "asap", "window_start", "urgency", "status", "resident"}
    assert "description" not in body and "lat" not in body
    assert body["resident"]["address_as"] == "王奶奶" and body["resident"]["building_label"] == "幸福里3幢"
    assert not _shows_any(phone.get(f"{URL}/{request.id}"), _secrets(scene))


def test_the_assigned_volunteer_sees_whom_and_where_and_each_reveal_is_audited(scene, phone_of):
    request = make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    phone = phone_of(scene.volunteer)
    response = phone.get(f"{URL}/{request.id}")
    contact = response.get_json()["contact"]
    assert contact["full_name"] == "王秀英" and scene.household.address_text in contact["address"]
    assert contact["phone"] == scene.resident.phone and contact["household_phone"] == scene.household.phone
    entries = _audit_entries(scene.volunteer.id)
    assert len(entries) == 1
    assert entries[0].resident_id == scene.resident.id and set(entries[0].fields) >= {"address", "phone"}
    assert entries[0].reason == f"assigned volunteer of request {request.id}"
    phone.post(f"{URL}/{request.id}/check-in", {})
    assert len(_audit_entries(scene.volunteer.id)) == 2


def test_the_reveal_ends_24_hours_after_check_out(scene, phone_of, clock):
    request = make_request(scene.resident, status="completed", volunteer=scene.volunteer)
    phone = phone_of(scene.volunteer)
    clock.advance(hours=24)
    assert phone.get(f"{URL}/{request.id}").get_json()["contact"] is not None
    clock.advance(seconds=1)
    late = phone.get(f"{URL}/{request.id}")
    assert late.get_json()["contact"] is None and not _shows_any(late, _secrets(scene))
    assert len(_audit_entries(scene.volunteer.id)) == 1


def test_lists_never_carry_contact_details(scene, phone_of):
    make_request(scene.resident, status="accepted", volunteer=scene.volunteer)
    for user in (scene.volunteer, scene.worker, scene.resident_user):
        response = phone_of(user).get(URL)
        assert all(item["contact"] is None for item in response.get_json()["items"])
        assert not _shows_any(response, _secrets(scene)[:3])
    assert _audit_entries(scene.volunteer.id) == []


def test_the_requester_side_never_gets_the_volunteers_reveal(scene, phone_of):
    request = make_request(scene.resident, status="accepted", volunteer=scene.volunteer,
                           checked_in_ago=timedelta(minutes=5))
    for user in (scene.resident_user, scene.proxy, scene.viewing_proxy, scene.worker):
        body = phone_of(user).get(f"{URL}/{request.id}").get_json()
        assert body["contact"] is None and body["full"] is True
