"""The day plan (issue 7): the due households of the worker's grids ordered into a walking route
within the working day and around fixed appointments; what does not fit is deferred with its
reason, never dropped; the worker's own order is timed as given (a late start is shown); the
day exports as iCalendar with building labels, times and a link only."""
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar

from tests.visits.conftest import SHANGHAI, TODAY, household_with, registered_long_ago, visited

OFFICE = {"latitude": 30.2700, "longitude": 120.1500}
STEP = 0.0018  # about 200 m of latitude


def _street(scene, count, *, tags=("lives_alone",)):
    """`count` households in a row north of the office, each last visited long enough ago to be due."""
    households = []
    for n in range(count):
        household, residents = household_with(scene.grid, (f"住户{n}", tags), label=f"幸福里{n + 1}幢",
                                              at=(OFFICE["latitude"] + STEP * (n + 1), OFFICE["longitude"]))
        registered_long_ago(*residents)
        visited(household, TODAY - timedelta(days=20))
        households.append(household)
    return households


def _plan(phone, expect=201, **body):
    response = phone.post("/api/v1/visit-day-plans", {"date": str(TODAY), "start": OFFICE, **body})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(SHANGHAI)


def test_the_day_takes_the_due_households_in_a_walking_route_within_the_day(scene, phone_of):
    households = _street(scene, 5)
    plan = _plan(phone_of(scene.worker), start_time="09:00", end_time="17:00")
    assert plan["method"] == "exact" and plan["deferred"] == []
    assert [stop["household_id"] for stop in plan["stops"]] == [h.id for h in households]  # out along the row
    assert [stop["position"] for stop in plan["stops"]] == [1, 2, 3, 4, 5]
    first, last = plan["stops"][0], plan["stops"][-1]
    assert _local(first["arrival"]) >= datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
    assert 2.0 < first["walk_minutes"] < 5.0  # 200 m × 1.3 at 4.5 km/h ≈ 3.5 minutes
    assert _local(last["finish"]) <= datetime(2026, 11, 26, 17, 0, tzinfo=SHANGHAI)
    for before, after in zip(plan["stops"], plan["stops"][1:]):
        assert _local(after["arrival"]) >= _local(before["finish"])
        assert _local(before["finish"]) - _local(before["start"]) == timedelta(minutes=20)
    assert first["residents"] == ["住户0"] and first["building_label"] == "幸福里1幢"
    assert first["people"] == [{"id": households[0].residents[0].id, "address_as": "住户0"}]
    assert (first["latitude"], first["longitude"]) == pytest.approx((OFFICE["latitude"] + STEP, OFFICE["longitude"]))
    assert plan["travel_minutes"] == pytest.approx(sum(stop["walk_minutes"] for stop in plan["stops"]), abs=0.3)


def test_a_fixed_appointment_is_kept_and_the_route_works_around_it(scene, phone_of):
    households = _street(scene, 4)
    far = households[-1]
    plan = _plan(phone_of(scene.worker), start_time="09:00", end_time="17:00",
                 appointments=[{"household_id": far.id, "earliest": "09:05", "latest": "09:20"}])
    [stop] = [stop for stop in plan["stops"] if stop["household_id"] == far.id]
    assert datetime(2026, 11, 26, 9, 5, tzinfo=SHANGHAI) <= _local(stop["start"]) <= datetime(
        2026, 11, 26, 9, 20, tzinfo=SHANGHAI)
    assert stop["position"] == 1 and stop["violation"] is None
    assert len(plan["stops"]) == 4


def test_what_does_not_fit_the_day_is_deferred_never_dropped(scene, phone_of):
    households = _street(scene, 6)
    nowhere, (someone,) = household_with(scene.grid, ("无位置", ("lives_alone",)))
    nowhere.building.lat = nowhere.building.lng = None
    registered_long_ago(someone)
    visited(nowhere, TODAY - timedelta(days=20))
    plan = _plan(phone_of(scene.worker), start_time="09:00", end_time="10:00")  # room for two or three
    planned = {stop["household_id"] for stop in plan["stops"]}
    deferred = {stop["household_id"]: stop["reason"] for stop in plan["deferred"]}
    assert planned | set(deferred) == {h.id for h in households} | {nowhere.id}
    assert not planned & set(deferred) and 1 <= len(planned) <= 3
    assert deferred[nowhere.id] == "no_position"
    [unplaced] = [stop for stop in plan["deferred"] if stop["household_id"] == nowhere.id]
    assert unplaced["latitude"] is None and unplaced["longitude"] is None
    assert {reason for household_id, reason in deferred.items() if household_id != nowhere.id} <= {"no_room",
                                                                                                    "unreachable"}
    assert all(_local(stop["finish"]) <= datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI) for stop in plan["stops"])


def test_the_worker_s_own_order_is_timed_as_given_and_a_late_appointment_is_shown(scene, phone_of):
    households = _street(scene, 3)
    phone = phone_of(scene.worker)
    plan = _plan(phone, start_time="09:00", end_time="17:00",
                 appointments=[{"household_id": households[0].id, "earliest": "09:00", "latest": "09:10"}])
    order = [households[2].id, households[1].id, households[0].id]
    response = phone.put(f"/api/v1/visit-day-plans/{plan['id']}/order", {"household_ids": order})
    assert response.status_code == 200, response.get_json()
    again = response.get_json()
    assert again["method"] == "given" and [stop["household_id"] for stop in again["stops"]] == order
    late = again["stops"][-1]
    assert late["violation"] == "late" and late["violation_minutes"] > 0
    dropped = phone.put(f"/api/v1/visit-day-plans/{plan['id']}/order", {"household_ids": order[:2]}).get_json()
    assert [stop["household_id"] for stop in dropped["deferred"]] == [households[0].id]
    assert phone.get(f"/api/v1/visit-day-plans/{plan['id']}").get_json()["deferred"][0]["household_id"] == households[0].id


def test_the_day_exports_as_icalendar_with_labels_times_and_a_link_only(scene, phone_of):
    households = _street(scene, 2)
    phone = phone_of(scene.worker)
    plan = _plan(phone)
    response = phone.get(f"/api/v1/visit-day-plans/{plan['id']}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    text = response.get_data(as_text=True)
    events = Calendar.from_ical(response.get_data()).walk("VEVENT")
    assert [str(event["summary"]) for event in events] == ["入户走访 · 幸福里1幢", "入户走访 · 幸福里2幢"]
    assert events[0].decoded("dtstart") == datetime.fromisoformat(plan["stops"][0]["start"])
    assert all(str(event["url"]).endswith(f"/worker/visits/plan/{plan['id']}") for event in events)
    for secret in ("住户0", "住户1", households[0].door_number, households[0].address_text, "lives_alone", "独居"):
        assert secret not in text


def test_planning_the_same_day_again_replaces_its_households_and_keeps_its_link(scene, phone_of):
    households = _street(scene, 2)
    phone = phone_of(scene.worker)
    first = _plan(phone)
    second = _plan(phone, household_ids=[households[1].id])
    assert [stop["household_id"] for stop in second["stops"]] == [households[1].id]
    assert second["id"] == first["id"]
    assert [stop["household_id"] for stop in phone.get(f"/api/v1/visit-day-plans/{first['id']}").get_json()[
        "stops"]] == [households[1].id]
    listed = phone.get("/api/v1/visit-day-plans", query_string={"date": str(TODAY)}).get_json()
    assert [plan["id"] for plan in listed] == [second["id"]]


@pytest.mark.parametrize("change, field", [
    ({"date": str(TODAY - timedelta(days=1))}, "date"),
    ({"date": str(TODAY + timedelta(days=31))}, "date"),
    ({"start_time": "17:00", "end_time": "09:00"}, "end_time"),
    ({"start_time": "9am"}, "start_time"),
    ({"start_time": "25:00"}, "start_time"),
    ({"household_ids": "all"}, "household_ids"),
    ({"appointments": [{"household_id": 999999, "earliest": "10:00"}]}, "appointments"),
    ({"appointments": [{"household_id": 1, "earliest": "10:00", "latest": "09:00"}]}, "appointments"),
    ({"start": {"latitude": 91, "longitude": 0}}, "start"),
    ({"extra": 1}, "extra"),
])
def test_bad_plans_are_refused_with_the_field_named(scene, phone_of, change, field):
    households = _street(scene, 1)
    body = {"household_ids": [households[0].id], **change}
    if field == "appointments" and change["appointments"][0]["household_id"] == 1:
        body["appointments"][0]["household_id"] = households[0].id
    response = phone_of(scene.worker).post("/api/v1/visit-day-plans", {"date": str(TODAY), "start": OFFICE, **body})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()


def test_twice_the_same_household_or_another_grid_s_is_refused(scene, phone_of):
    [mine] = _street(scene, 1)
    theirs, _ = household_with(scene.other_grid, ("李大爷", ("lives_alone",)))
    phone = phone_of(scene.worker)
    twice = phone.post("/api/v1/visit-day-plans", {"date": str(TODAY), "household_ids": [mine.id, mine.id]})
    assert twice.status_code == 422 and "household_ids" in twice.get_json()["errors"]
    other = phone.post("/api/v1/visit-day-plans", {"date": str(TODAY), "household_ids": [mine.id, theirs.id]})
    assert other.status_code == 404
    plan = _plan(phone, household_ids=[mine.id])
    wrong = phone.put(f"/api/v1/visit-day-plans/{plan['id']}/order", {"household_ids": [theirs.id]})
    assert wrong.status_code == 422 and "household_ids" in wrong.get_json()["errors"]
