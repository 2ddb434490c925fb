"""The on-duty roster API: the admin sets the week at once (overlaps refused, naming the days) and
dated overrides; staff read it and ask who is on duty at a time. The clock starts on Thursday
2026-11-26, 10:00 in Shanghai."""
import pytest

from backend.extensions import db
from tests.alerts.helpers import neighbourhood
from tests.factories import make_community, make_user, make_volunteer

THURSDAY, FRIDAY, SUNDAY, MONDAY = 3, 4, 6, 0


def _week(place) -> list[dict]:
    return [{"weekday": THURSDAY, "start": "08:00", "end": "22:00", "user_id": place.worker.id},
            {"weekday": THURSDAY, "start": "22:00", "end": "08:00", "user_id": place.night_worker.id},
            {"weekday": SUNDAY, "start": "00:00", "end": "24:00", "user_id": place.admin.id}]


def test_the_admin_sets_the_week_and_staff_read_it(client, make_client):
    place = neighbourhood()
    response = client.login(place.admin).put("/api/v1/roster/pattern", {"shifts": _week(place)})

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["time_zone"] == "Asia/Shanghai" and body["overrides"] == []
    assert [(s["weekday"], s["start"], s["end"], s["user"]["display_name"]) for s in body["pattern"]] == [
        (THURSDAY, "08:00", "22:00", "李网格员"), (THURSDAY, "22:00", "08:00", "夜班周"),
        (SUNDAY, "00:00", "24:00", "社区管理员")]
    read = make_client().login(place.other_grid_worker).get("/api/v1/roster")
    assert read.status_code == 200 and read.get_json()["pattern"] == body["pattern"]


def test_a_new_week_replaces_the_old_one_and_an_empty_one_clears_it(client):
    place = neighbourhood()
    client.login(place.admin).put("/api/v1/roster/pattern", {"shifts": _week(place)})
    replaced = client.put("/api/v1/roster/pattern", {"shifts": [
        {"weekday": MONDAY, "start": "09:00", "end": "17:00", "user_id": place.second_worker.id}]}).get_json()
    assert [(s["weekday"], s["user"]["id"]) for s in replaced["pattern"]] == [(MONDAY, place.second_worker.id)]
    assert client.put("/api/v1/roster/pattern", {"shifts": []}).get_json()["pattern"] == []


@pytest.mark.parametrize("shifts, message", [
    ([{"weekday": THURSDAY, "start": "08:00", "end": "12:00"}, {"weekday": THURSDAY, "start": "11:00", "end": "18:00"}],
     "周四 08:00–12:00 与 周四 11:00–18:00 时间重叠。"),
    ([{"weekday": SUNDAY, "start": "22:00", "end": "08:00"}, {"weekday": MONDAY, "start": "07:00", "end": "12:00"}],
     "周日 22:00–08:00 与 周一 07:00–12:00 时间重叠。"),
])
def test_overlapping_shifts_are_refused_naming_the_days(client, shifts, message):
    place = neighbourhood()
    shifts = [{**shift, "user_id": place.worker.id} for shift in shifts]
    response = client.login(place.admin).put("/api/v1/roster/pattern", {"shifts": shifts})
    assert response.status_code == 422
    assert response.get_json()["errors"]["shifts"] == [message]
    assert client.get("/api/v1/roster").get_json()["pattern"] == []


def test_overlaps_are_named_in_english_for_an_english_admin(client):
    place = neighbourhood()
    place.admin.language = "en"
    shifts = [{"weekday": SUNDAY, "start": "22:00", "end": "08:00", "user_id": place.worker.id},
              {"weekday": MONDAY, "start": "07:00", "end": "12:00", "user_id": place.worker.id}]
    response = client.login(place.admin).put("/api/v1/roster/pattern", {"shifts": shifts})
    assert response.get_json()["errors"]["shifts"] == ["Sunday 22:00–08:00 overlaps Monday 07:00–12:00."]


@pytest.mark.parametrize("shift, field", [
    ({"weekday": 7, "start": "08:00", "end": "12:00"}, "weekday"),
    ({"weekday": 1, "start": "8:00", "end": "12:00"}, "start"),
    ({"weekday": 1, "start": "24:00", "end": "12:00"}, "start"),
    ({"weekday": 1, "start": "08:00", "end": "08:00"}, "end"),
    ({"weekday": 1, "start": "08:00"}, "end"),
])
def test_malformed_shifts_are_refused_field_by_field(client, shift, field):
    place = neighbourhood()
    response = client.login(place.admin).put("/api/v1/roster/pattern",
                                              {"shifts": [{**shift, "user_id": place.worker.id}]})
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["shifts"]["0"]


def test_only_workers_and_admins_of_the_community_can_be_on_the_roster(client):
    place = neighbourhood()
    outsider = make_user(make_community("别的社区"), "worker")
    disabled = make_user(place.community, "worker")
    disabled.is_enabled = False
    people = [make_volunteer(place.community), outsider, disabled, place.worker]
    shifts = [{"weekday": day, "start": "08:00", "end": "12:00", "user_id": person.id}
              for day, person in enumerate(people)]
    response = client.login(place.admin).put("/api/v1/roster/pattern", {"shifts": shifts})
    assert response.status_code == 422
    errors = response.get_json()["errors"]["shifts"]
    assert sorted(errors) == ["0", "1", "2"]
    assert errors["0"]["user_id"] == ["只有本社区的网格员和管理员可以排班。"]
    assert client.get("/api/v1/roster").get_json()["pattern"] == []


def test_workers_read_the_roster_but_only_admins_change_it(client):
    place = neighbourhood()
    client.login(place.worker)
    assert client.get("/api/v1/roster").status_code == 200
    assert client.put("/api/v1/roster/pattern", {"shifts": []}).status_code == 403
    assert client.post("/api/v1/roster/overrides", {"date": "2026-11-27", "start": "08:00", "end": "12:00",
                                                     "user_id": None}).status_code == 403


def test_an_override_replaces_the_pattern_for_its_range_and_can_be_removed(client):
    place = neighbourhood()
    client.login(place.admin).put("/api/v1/roster/pattern", {"shifts": _week(place)})
    created = client.post("/api/v1/roster/overrides", {
        "date": "2026-11-26", "start": "09:00", "end": "12:00", "user_id": place.second_worker.id, "note": "李请假"})
    assert created.status_code == 201, created.get_json()
    override = created.get_json()
    assert (override["date"], override["start"], override["end"], override["user"]["id"], override["note"]) == (
        "2026-11-26", "09:00", "12:00", place.second_worker.id, "李请假")

    now = client.get("/api/v1/roster/on-duty").get_json()
    assert (now["user"]["id"], now["source"], now["override_id"]) == (place.second_worker.id, "override", override["id"])
    later = client.get("/api/v1/roster/on-duty", query_string={"at": "2026-11-26T12:00:00+08:00"}).get_json()
    assert (later["user"]["id"], later["source"]) == (place.worker.id, "pattern")
    assert [o["id"] for o in client.get("/api/v1/roster").get_json()["overrides"]] == [override["id"]]

    assert client.delete(f"/api/v1/roster/overrides/{override['id']}").status_code == 204
    assert client.get("/api/v1/roster/on-duty").get_json()["user"]["id"] == place.worker.id
    assert client.get("/api/v1/roster").get_json()["overrides"] == []


def test_an_override_of_nobody_says_so(client):
    place = neighbourhood()
    client.login(place.admin).put("/api/v1/roster/pattern", {"shifts": _week(place)})
    client.post("/api/v1/roster/overrides", {"date": "2026-11-26", "start": "22:00", "end": "08:00", "user_id": None})
    answer = client.get("/api/v1/roster/on-duty", query_string={"at": "2026-11-27T01:00:00+08:00"}).get_json()
    assert (answer["user"], answer["source"]) == (None, "override")


def test_who_is_on_duty_during_a_night_shift_across_midnight(client):
    place = neighbourhood()
    client.login(place.admin).put("/api/v1/roster/pattern", {"shifts": _week(place)})
    for at, expected in [("2026-11-26T21:59:00+08:00", place.worker.id),
                         ("2026-11-26T22:00:00+08:00", place.night_worker.id),
                         ("2026-11-26T17:30:00Z", place.night_worker.id),  # 01:30 Friday in Shanghai
                         ("2026-11-27T07:59:00+08:00", place.night_worker.id)]:
        assert client.get("/api/v1/roster/on-duty", query_string={"at": at}).get_json()["user"]["id"] == expected, at
    nobody = client.get("/api/v1/roster/on-duty", query_string={"at": "2026-11-27T08:00:00+08:00"}).get_json()
    assert (nobody["user"], nobody["source"]) == (None, "none")


@pytest.mark.parametrize("at", ["tomorrow", "2026-11-26T10:00:00", "2026-13-01T00:00:00+08:00"])
def test_a_time_without_an_offset_or_not_a_time_is_refused(client, at):
    place = neighbourhood()
    response = client.login(place.worker).get("/api/v1/roster/on-duty", query_string={"at": at})
    assert response.status_code == 422 and "at" in response.get_json()["errors"]


def test_overlapping_overrides_are_refused_naming_the_one_in_the_way(client):
    place = neighbourhood()
    client.login(place.admin)
    client.post("/api/v1/roster/overrides", {"date": "2026-11-28", "start": "22:00", "end": "08:00",
                                             "user_id": place.night_worker.id})
    response = client.post("/api/v1/roster/overrides", {"date": "2026-11-29", "start": "07:00", "end": "09:00",
                                                        "user_id": place.worker.id})
    assert (response.status_code, response.get_json()["reason"]) == (409, "roster_override_overlaps")
    assert response.get_json()["message"] == (
        "与已有的调班重叠：2026-11-28 22:00–08:00 (夜班周)。请先删除它，或换一个时间。")
    touching = client.post("/api/v1/roster/overrides", {"date": "2026-11-29", "start": "08:00", "end": "09:00",
                                                        "user_id": place.worker.id})
    assert touching.status_code == 201


@pytest.mark.parametrize("body, field", [
    ({"date": "2026-11-25", "start": "08:00", "end": "12:00", "user_id": None}, "date"),  # yesterday
    ({"date": "2028-01-01", "start": "08:00", "end": "12:00", "user_id": None}, "date"),  # over a year ahead
    ({"date": "2026-11-27", "start": "08:00", "end": "08:00", "user_id": None}, "end"),
    ({"date": "2026-11-27", "start": "08:00", "end": "12:00"}, "user_id"),
    ({"date": "27/11/2026", "start": "08:00", "end": "12:00", "user_id": None}, "date"),
])
def test_malformed_overrides_are_refused(client, body, field):
    place = neighbourhood()
    response = client.login(place.admin).post("/api/v1/roster/overrides", body)
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()


def test_an_override_for_someone_who_is_not_staff_of_the_community_is_refused(client):
    place = neighbourhood()
    volunteer = make_volunteer(place.community)
    response = client.login(place.admin).post("/api/v1/roster/overrides", {
        "date": "2026-11-27", "start": "08:00", "end": "12:00", "user_id": volunteer.id})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"user_id": ["只有本社区的网格员和管理员可以排班。"]}


def test_an_override_that_is_over_stays_as_the_record(client, clock):
    place = neighbourhood()
    client.login(place.admin)
    override = client.post("/api/v1/roster/overrides", {"date": "2026-11-26", "start": "10:00", "end": "11:00",
                                                        "user_id": place.worker.id}).get_json()
    clock.advance(hours=1)
    assert client.get("/api/v1/roster").get_json()["overrides"] == []
    refused = client.delete(f"/api/v1/roster/overrides/{override['id']}")
    assert (refused.status_code, refused.get_json()["reason"]) == (409, "roster_override_over")
    past = client.get("/api/v1/roster/on-duty", query_string={"at": "2026-11-26T10:30:00+08:00"}).get_json()
    assert past["user"]["id"] == place.worker.id


def test_another_communitys_override_is_not_found(client, make_client):
    place = neighbourhood()
    other = neighbourhood()
    override = make_client().login(other.admin).post("/api/v1/roster/overrides", {
        "date": "2026-11-27", "start": "08:00", "end": "12:00", "user_id": None}).get_json()
    assert client.login(place.admin).delete(f"/api/v1/roster/overrides/{override['id']}").status_code == 404
    db.session.expire_all()
    assert [o["id"] for o in make_client().login(other.admin).get("/api/v1/roster").get_json()["overrides"]] == [
        override["id"]]
