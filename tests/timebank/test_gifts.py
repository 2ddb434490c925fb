"""Giving hours: only verified hours, only to a family member, within the yearly cap of the
giver's community; the family member's account shows what arrived."""
import pytest

from backend.extensions import db
from tests.factories import make_household, make_resident
from tests.timebank.helpers import (
    assert_ledger_holds, earn, link_family, member_minutes, transfers, volunteer_minutes,
)

TB = "/api/v1/timebank"


@pytest.fixture
def family(scene):
    """The volunteer's mother is the scene's resident (linked, seeing her status)."""
    return link_family(scene.volunteer, scene.resident, "view_status", relation="女儿")


def test_a_volunteer_gives_verified_hours_to_a_family_member(scene, family, phone_of):
    earn(scene.volunteer, 5)
    volunteer = phone_of(scene.volunteer)
    response = volunteer.post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 2.5, "note": "给妈妈"})
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["kind"], response.get_json()["hours"]) == ("gift", 2.5)
    assert (volunteer_minutes(scene.volunteer), member_minutes(scene.resident)) == (150, 150)
    summary = volunteer.get(f"{TB}/me").get_json()
    assert summary["verified_hours"] == 2.5
    assert summary["gifts"] == {"year": 2026, "cap_hours": 40, "given_hours": 2.5, "left_hours": 37.5}
    assert summary["family"] == [{"resident_id": scene.resident.id, "address_as": "王奶奶", "relation": "女儿",
                                  "can_receive": True, "hours": 2.5}]
    gift = volunteer.get(f"{TB}/me/history").get_json()["items"][0]
    assert (gift["kind"], gift["hours"], gift["reason"], gift["family_member"]) == (
        "gift", -2.5, "给妈妈", {"resident_id": scene.resident.id, "address_as": "王奶奶"})
    account = phone_of(scene.resident_user).get(f"{TB}/members/{scene.resident.id}").get_json()
    assert account["hours"] == 2.5
    assert [(line["kind"], line["hours"]) for line in account["history"]["items"]] == [("gift", 2.5)]
    assert_ledger_holds()


def test_recorded_hours_cannot_be_given(scene, family, phone_of):
    earn(scene.volunteer, 1)
    earn(scene.volunteer, 5, bucket="recorded")
    response = phone_of(scene.volunteer).post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 2})
    assert (response.status_code, response.get_json()["reason"]) == (409, "timebank_not_enough_hours")
    assert (volunteer_minutes(scene.volunteer), volunteer_minutes(scene.volunteer, "recorded")) == (60, 300)
    assert member_minutes(scene.resident) == 0
    assert_ledger_holds()


def test_only_to_a_family_member(scene, phone_of):
    earn(scene.volunteer, 5)
    stranger = make_resident(make_household(scene.resident.household.building), address_as="李爷爷")
    for resident_id in (stranger.id, scene.resident.id, 2**31 - 1):
        response = phone_of(scene.volunteer).post(f"{TB}/gifts", {"resident_id": resident_id, "hours": 1})
        assert (response.status_code, list(response.get_json()["errors"])) == (422, ["resident_id"])
    assert transfers(kind="gift") == []


def test_an_ended_family_link_or_a_closed_account_takes_no_gifts(scene, family, phone_of, clock):
    earn(scene.volunteer, 5)
    scene.resident.status = "deceased"
    db.session.flush()
    response = phone_of(scene.volunteer).post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 1})
    assert (response.status_code, response.get_json()["reason"]) == (409, "timebank_recipient_closed")
    scene.resident.status = "active"
    family.ended_at = clock()
    db.session.flush()
    response = phone_of(scene.volunteer).post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 1})
    assert response.status_code == 422
    assert transfers(kind="gift") == []


def test_the_yearly_cap_holds_and_a_new_year_starts_afresh(app, scene, family, phone_of, clock):
    app.config["TIMEBANK_GIFT_YEARLY_CAP_HOURS"] = 3
    try:
        earn(scene.volunteer, 10)
        volunteer = phone_of(scene.volunteer)
        assert volunteer.post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 2}).status_code == 201
        response = volunteer.post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 1.5})
        assert (response.status_code, response.get_json()["reason"]) == (422, "timebank_gift_cap")
        assert "1" in response.get_json()["message"]  # how much is left
        assert volunteer.post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 1}).status_code == 201
        assert volunteer.get(f"{TB}/me").get_json()["gifts"]["left_hours"] == 0
        clock.advance(days=36)  # 2027-01-01 in Shanghai
        assert volunteer.get(f"{TB}/me").get_json()["gifts"] == {"year": 2027, "cap_hours": 3, "given_hours": 0,
                                                               "left_hours": 3}
        assert volunteer.post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 3}).status_code == 201
        assert member_minutes(scene.resident) == 6 * 60
    finally:
        app.config["TIMEBANK_GIFT_YEARLY_CAP_HOURS"] = 40


def test_a_community_can_have_its_own_cap_or_none(app, scene, family, phone_of):
    app.config["TIMEBANK_GIFT_YEARLY_CAPS"] = {scene.community.id: 0}
    try:
        earn(scene.volunteer, 10)
        response = phone_of(scene.volunteer).post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 1})
        assert (response.status_code, response.get_json()["reason"]) == (422, "timebank_gift_cap")
        app.config["TIMEBANK_GIFT_YEARLY_CAPS"] = {scene.community.id: 50}
        response = phone_of(scene.volunteer).post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 1})
        assert response.status_code == 201
        assert phone_of(scene.volunteer).get(f"{TB}/me").get_json()["gifts"]["cap_hours"] == 50
    finally:
        app.config["TIMEBANK_GIFT_YEARLY_CAPS"] = {}


def test_more_than_the_balance_is_refused_and_nothing_moves(scene, family, phone_of):
    earn(scene.volunteer, 1)
    response = phone_of(scene.volunteer).post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 1.5})
    assert (response.status_code, response.get_json()["reason"]) == (409, "timebank_not_enough_hours")
    assert (volunteer_minutes(scene.volunteer), member_minutes(scene.resident)) == (60, 0)
    assert_ledger_holds()


def test_a_replayed_gift_gives_once(scene, family, phone_of):
    earn(scene.volunteer, 5)
    volunteer = phone_of(scene.volunteer)
    body, headers = {"resident_id": scene.resident.id, "hours": 1}, {"Idempotency-Key": "gift-1"}
    first = volunteer.post(f"{TB}/gifts", body, headers=headers)
    replay = volunteer.post(f"{TB}/gifts", body, headers=headers)
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.get_json()["id"] == first.get_json()["id"]
    assert len(transfers(kind="gift")) == 1
    assert member_minutes(scene.resident) == 60


def test_config_refuses_a_malformed_per_community_cap(monkeypatch):
    import config
    for text in ("3=", "abc", "3=-1", "3=nan", "x=2"):
        monkeypatch.setenv("TIMEBANK_GIFT_YEARLY_CAPS", text)
        with pytest.raises(RuntimeError, match="TIMEBANK_GIFT_YEARLY_CAPS"):
            config._env_community_hours("TIMEBANK_GIFT_YEARLY_CAPS")
    monkeypatch.setenv("TIMEBANK_GIFT_YEARLY_CAPS", "3=60, 7=0")
    assert config._env_community_hours("TIMEBANK_GIFT_YEARLY_CAPS") == {3: 60.0, 7: 0.0}
