"""Who may read what, bad input refused in the standard shape, the admin's totals and the CSV export."""
import csv
import io

import pytest

from backend.extensions import db
from tests.factories import make_admin, make_community
from tests.help_requests.helpers import make_request
from tests.timebank.helpers import earn, link_family

URL = "/api/v1/help-requests"
TB = "/api/v1/timebank"


def _error_shape(response, status):
    body = response.get_json()
    assert response.status_code == status, body
    assert set(body) == {"code", "status", "reason", "message", "errors"} and body["code"] == status
    return body


def test_a_volunteer_sees_only_their_own_hours(scene, phone_of):
    earn(scene.volunteer, 2)
    earn(scene.other_volunteer, 7)
    other = phone_of(scene.other_volunteer)
    assert other.get(f"{TB}/me").get_json()["verified_hours"] == 7
    assert [line["hours"] for line in other.get(f"{TB}/me/history").get_json()["items"]] == [7]
    for path in (f"{TB}/volunteers", f"{TB}/totals", f"{TB}/volunteers/{scene.volunteer.volunteer_id}/verified-hours.csv",
                 f"{TB}/members/{scene.resident.id}"):
        _error_shape(other.get(path), 403)


def test_people_without_a_volunteer_profile_have_no_balance(scene, phone_of):
    for user in (scene.resident_user, scene.worker, scene.admin):
        _error_shape(phone_of(user).get(f"{TB}/me"), 403)
    _error_shape(phone_of(scene.resident_user).post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 1}), 403)


def test_a_family_members_account_is_for_them_their_proxies_and_their_grid(scene, phone_of):
    assert phone_of(scene.resident_user).get(f"{TB}/members/{scene.resident.id}").status_code == 200
    assert phone_of(scene.viewing_proxy).get(f"{TB}/members/{scene.resident.id}").status_code == 200
    assert phone_of(scene.worker).get(f"{TB}/members/{scene.resident.id}").status_code == 200
    _error_shape(phone_of(scene.other_worker).get(f"{TB}/members/{scene.resident.id}"), 404)
    _error_shape(phone_of(scene.worker).get(f"{TB}/members/99999999"), 404)


@pytest.mark.parametrize("body, field", [
    ({"hours": 1}, "resident_id"), ({"resident_id": 1}, "hours"), ({"resident_id": "一", "hours": 1}, "resident_id"),
    ({"resident_id": 2**40, "hours": 1}, "resident_id"), ({"resident_id": 1, "hours": "NaN"}, "hours"),
    ({"resident_id": 1, "hours": "Infinity"}, "hours"), ({"resident_id": 1, "hours": 0}, "hours"),
    ({"resident_id": 1, "hours": -2}, "hours"), ({"resident_id": 1, "hours": 10**9}, "hours"),
    ({"resident_id": 1, "hours": None}, "hours"), ({"resident_id": 1, "hours": 1, "note": "长" * 201}, "note"),
    ({"resident_id": 1, "hours": 1, "extra": True}, "extra"),
])
def test_bad_gifts_are_422_in_the_standard_shape(scene, phone_of, body, field):
    body = _error_shape(phone_of(scene.volunteer).post(f"{TB}/gifts", body), 422)
    assert list(body["errors"]) == [field]


def test_a_tiny_gift_below_a_minute_is_refused(scene, phone_of):
    link_family(scene.volunteer, scene.resident)
    earn(scene.volunteer, 1)
    body = _error_shape(phone_of(scene.volunteer).post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 0.001}), 422)
    assert list(body["errors"]) == ["hours"]


@pytest.mark.parametrize("query", ["page=0", "per_page=1000", "page=x", "bucket=gift", "per_page=-1",
                                   "page=99999999999999999999", "page=1000001"])
def test_bad_history_queries_are_422(scene, phone_of, query):
    _error_shape(phone_of(scene.volunteer).get(f"{TB}/me/history?{query}"), 422)
    _error_shape(phone_of(scene.resident_user).get(f"{TB}/members/{scene.resident.id}?{query}"), 422)
    if not query.startswith("bucket"):
        _error_shape(phone_of(scene.admin).get(f"{TB}/volunteers?{query}"), 422)


@pytest.mark.parametrize("query", ["year=1", "year=abc", "year=99999999999999999999"])
def test_bad_years_are_422(scene, phone_of, query):
    _error_shape(phone_of(scene.admin).get(f"{TB}/totals?{query}"), 422)
    _error_shape(phone_of(scene.admin).get(f"{TB}/volunteers/{scene.volunteer.volunteer_id}/verified-hours.csv?{query}"), 422)


def test_writes_without_csrf_or_as_json_garbage_are_refused(scene, phone_of, make_client):
    phone = phone_of(scene.volunteer)
    response = phone.http.post(f"{TB}/gifts", json={"resident_id": 1, "hours": 1})
    assert _error_shape(response, 403)["reason"] == "csrf_missing"
    response = phone.http.post(f"{TB}/gifts", data="{not json", content_type="application/json",
                               headers={"X-CSRF-Token": phone.csrf()})
    _error_shape(response, 400)
    assert make_client().get(f"{TB}/me").status_code == 401


def _confirmed(scene, phone_of, confirmer, hours: float, **comment):
    request = make_request(scene.resident, status="completed", volunteer=scene.volunteer)
    request.hours = hours
    db.session.flush()
    response = phone_of(confirmer).post(f"{URL}/{request.id}/confirm", {"rating": 5, **comment})
    assert response.status_code == 200
    return request


def test_the_admin_exports_a_volunteers_verified_hours_as_csv(scene, phone_of):
    scene.worker.display_name = "=HYPERLINK(\"x\")"
    db.session.flush()
    by_resident = _confirmed(scene, phone_of, scene.resident_user, 1.5)
    by_worker = _confirmed(scene, phone_of, scene.worker, 2, comment="电话回访过")
    phone_of(scene.worker).post(f"{TB}/volunteers/{scene.volunteer.volunteer_id}/recorded-hours",
                                {"hours": 4, "reason": "活动布置"})
    response = phone_of(scene.admin).get(f"{TB}/volunteers/{scene.volunteer.volunteer_id}/verified-hours.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, lines = rows[0], rows[1:]
    assert header[:5] == ["记录编号 record_id", "志愿者姓名 volunteer_name", "手机号 phone", "服务日期 service_date",
                          "服务时长(小时) hours"]
    assert [(line[3], line[4], line[5], line[6], line[7], line[9]) for line in lines] == [
        ("2026-11-26", "1.50", "陪伴聊天", "服务对象本人 resident", "", str(by_resident.id)),
        ("2026-11-26", "2.00", "陪伴聊天", "社区工作者 community worker", "'=HYPERLINK(\"x\")", str(by_worker.id))]
    assert all(line[1] == scene.volunteer.display_name and line[2] == scene.volunteer.phone for line in lines)
    assert "王" not in text.replace(scene.volunteer.display_name, "")  # no resident is named
    assert "4.00" not in text  # recorded hours are not service records
    next_year = phone_of(scene.admin).get(f"{TB}/volunteers/{scene.volunteer.volunteer_id}/verified-hours.csv?year=2027")
    assert len(list(csv.reader(io.StringIO(next_year.get_data(as_text=True))))) == 1


def test_an_admin_of_another_community_cannot_export(scene, phone_of):
    stranger = make_admin(make_community("别的社区"))
    _error_shape(phone_of(stranger).get(f"{TB}/volunteers/{scene.volunteer.volunteer_id}/verified-hours.csv"), 404)
    _error_shape(phone_of(scene.worker).get(f"{TB}/volunteers/{scene.volunteer.volunteer_id}/verified-hours.csv"), 403)


def test_the_admin_sees_totals_and_balances(scene, phone_of):
    link_family(scene.volunteer, scene.resident)
    _confirmed(scene, phone_of, scene.resident_user, 3)
    phone_of(scene.worker).post(f"{TB}/volunteers/{scene.other_volunteer.volunteer_id}/recorded-hours",
                                {"hours": 2, "reason": "活动"})
    assert phone_of(scene.volunteer).post(f"{TB}/gifts", {"resident_id": scene.resident.id, "hours": 1}).status_code == 201
    totals = phone_of(scene.admin).get(f"{TB}/totals?year=2026").get_json()
    assert totals == {"community_id": scene.community.id, "year": 2026, "verified_hours": 3,
                      "verified_from_members_hours": 0, "recorded_hours": 2, "gifted_hours": 1,
                      "held": {"volunteers_verified_hours": 2, "volunteers_recorded_hours": 2, "members_hours": 1,
                               "volunteers_with_hours": 1, "members_with_hours": 1}}
    assert phone_of(scene.admin).get(f"{TB}/totals?year=2025").get_json()["verified_hours"] == 0
    balances = phone_of(scene.admin).get(f"{TB}/volunteers?per_page=2").get_json()
    assert (balances["total"], balances["page"], balances["per_page"]) == (3, 1, 2)
    assert [(item["volunteer_id"], item["verified_hours"], item["recorded_hours"]) for item in balances["items"]] == [
        (scene.volunteer.volunteer_id, 2, 0), (scene.other_volunteer.volunteer_id, 0, 2)]
