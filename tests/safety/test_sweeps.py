"""The emergency sweep (issue 8): 500 households across 4 grids get exactly one check each; residents
with the app are asked and the rest assigned at once within every assignee's capacity (the rest shown
unassigned); 我平安 closes a check, 我需要帮助 raises the alarm; unanswered prompts are assigned when
the answer time is up (the test clock, the worker process); the board's counts add up after every
step; the report frozen at closing matches the checks and never changes; another grid's worker
sees nothing; bad input is a 422 in the error shape; a repeated start does nothing twice."""
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.alerts.models import Alert
from backend.community.models import Household
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.notifications.models import Notification, Timer
from backend.safety.sweep_models import Sweep, SweepCheck
from tests.notifications.helpers import notifications_of_kind, run_worker
from tests.safety.sweep_helpers import FILTER, build_swept, by_status, checks

WORKER_CAP, VOLUNTEER_CAP = 40, 15


@pytest.fixture
def capacities(app, monkeypatch):
    monkeypatch.setitem(app.config, "SWEEP_WORKER_CAPACITY", WORKER_CAP)
    monkeypatch.setitem(app.config, "SWEEP_VOLUNTEER_CAPACITY", VOLUNTEER_CAP)


@pytest.fixture
def phone_of(make_client):
    return lambda who: make_client().login(who.phone)


def _start(client, swept, **body):
    response = client.post("/api/v1/sweeps", {"name": "高温天气排查", "grid_ids": swept.grid_ids, **FILTER,
                                               "answer_minutes": 30, **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _board(client, sweep_id, **query):
    response = client.get(f"/api/v1/sweeps/{sweep_id}/board", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _assert_adds_up(board: dict) -> None:
    """safe + needs help + not yet reached = the total, per grid and in all; the grids sum to the
    total; and the database agrees (over the grids the caller sees)."""
    sweep = board["sweep"]
    for counts in [sweep["totals"], *sweep["grids"]]:
        assert counts["safe"] + counts["needs_help"] + counts["not_reached"] == counts["total"]
        assert counts["prompted"] + counts["unassigned"] + counts["assigned"] == counts["not_reached"]
    for key in ("total", "safe", "needs_help", "not_reached"):
        assert sum(grid[key] for grid in sweep["grids"]) == sweep["totals"][key]
    stored = db.session.scalar(select(func.count()).select_from(SweepCheck).where(
        SweepCheck.sweep_id == sweep["id"], SweepCheck.grid_id.in_([grid["grid_id"] for grid in sweep["grids"]])))
    assert sweep["totals"]["total"] == stored
    assert board["unreached"]["total"] == sweep["totals"]["not_reached"]


def _held_per_assignee(sweep_id: int) -> Counter:
    held = Counter()
    for check in checks(sweep_id):
        if check.status == "assigned":
            held["volunteer" if check.volunteer_id else "worker", check.volunteer_id or check.worker_id] += 1
    return held


def test_500_households_across_4_grids_get_exactly_one_check_each(app, capacities, phone_of):
    swept = build_swept(125)
    assert len(swept.matched) == 501  # 500 and the one who signed out everywhere
    admin = phone_of(swept.admin)
    started = _start(admin, swept)
    assert started["households"] == 501 and started["totals"]["total"] == 501

    rows = checks(started["id"])
    assert len(rows) == 501
    assert sorted(row.household_id for row in rows) == sorted(swept.matched)
    assert not {row.household_id for row in rows} & set(swept.left_out)
    for row in rows:
        assert row.resident_ids == swept.matched[row.household_id]  # the hospitalised resident is not among them
    assert {row.household_id for row in rows if row.status == "prompted"} == set(swept.with_app)
    assert all(row.volunteer_id is None and row.worker_id is None for row in rows if row.status == "prompted")

    # Capacities: 4 workers × 40 and 10 vetted on-duty volunteers × 15 take 310 of the 451 without
    # the app; the other 141 are shown unassigned. The unvetted and the off-duty volunteer get none.
    held = _held_per_assignee(started["id"])
    assert max(count for (kind, _), count in held.items() if kind == "worker") <= WORKER_CAP
    assert max(count for (kind, _), count in held.items() if kind == "volunteer") <= VOLUNTEER_CAP
    assert {vid for kind, vid in held if kind == "volunteer"} <= {v.id for v in swept.volunteers}
    assert by_status(started["id"]) == {"prompted": 50, "assigned": 310, "unassigned": 141}
    # A worker takes only households of their own grid.
    for row in rows:
        if row.worker_id is not None:
            assert swept.workers[swept.grid_ids.index(row.grid_id)].id == row.worker_id

    # One notification per assignee saying how many; a prompt per resident with the app; one timer.
    told = {n.recipient_user_id: n.params["count"] for n in notifications_of_kind("sweep_checks_assigned")}
    expected = {(swept.volunteer_users[i] if kind == "volunteer" else i): count
                for (kind, i), count in held.items()}
    assert told == expected
    assert sorted(n.recipient_user_id for n in notifications_of_kind("sweep_prompt")) == \
        sorted(who.id for who in swept.with_app.values())
    [timer] = db.session.scalars(select(Timer).where(Timer.handler == "sweep_answer_due")).all()
    assert timer.owner_id == started["id"]

    board = _board(admin, started["id"], per_page=100)
    _assert_adds_up(board)
    assert board["sweep"]["totals"] == {"total": 501, "safe": 0, "needs_help": 0, "not_reached": 501,
                                        "prompted": 50, "unassigned": 141, "assigned": 310}
    assert [g["total"] for g in board["sweep"]["grids"]] == [126, 125, 125, 125]
    first = board["unreached"]["items"][0]
    assert first["residents"][0]["address_as"] == "王奶奶" and "address" not in first
    assert all(item["assignee_name"] for item in board["unreached"]["items"] if item["status"] == "assigned")


def test_answers_outcomes_and_the_fallback_keep_the_board_adding_up(app, clock, monkeypatch, phone_of):
    monkeypatch.setitem(app.config, "SWEEP_WORKER_CAPACITY", 40)
    monkeypatch.setitem(app.config, "SWEEP_VOLUNTEER_CAPACITY", 2)
    swept = build_swept(10, grids=2, app_every=4, volunteers=2, signed_in_accounts=3)
    admin = phone_of(swept.admin)
    started = _start(admin, swept, answer_minutes=20)
    sweep_id = started["id"]
    _assert_adds_up(_board(admin, sweep_id))
    assert by_status(sweep_id) == {"prompted": 5, "assigned": 16}

    # 我平安 from the app closes that household's check; a second tap changes nothing.
    answering, needy, late = [hid for hid, who in swept.with_app.items() if who.phone]
    resident = phone_of(swept.with_app[answering])
    [mine] = resident.get("/api/v1/me/sweep-checks").get_json()["items"]
    assert mine["status"] == "prompted" and mine["answered"] is None
    tapped_at = (clock.current + timedelta(minutes=1)).isoformat()
    clock.advance(minutes=3)
    answered = resident.post(f"/api/v1/me/sweep-checks/{mine['id']}", {"answer": "safe", "occurred_at": tapped_at})
    assert answered.status_code == 200, answered.get_json()
    assert answered.get_json()["answered"] == "safe"
    again = resident.post(f"/api/v1/me/sweep-checks/{mine['id']}", {"answer": "safe"})
    assert again.status_code == 200 and again.get_json()["answered_at"] == answered.get_json()["answered_at"]
    closed = db.session.get(SweepCheck, mine["id"])
    assert closed.status == "safe" and closed.reached_via == "app" and closed.reached_at.isoformat() == \
        answered.get_json()["answered_at"].replace("Z", "+00:00")
    _assert_adds_up(_board(admin, sweep_id))

    # 我需要帮助 raises a safety alert to the grid's workers.
    other = phone_of(swept.with_app[needy])
    [theirs] = other.get("/api/v1/me/sweep-checks").get_json()["items"]
    assert other.post(f"/api/v1/me/sweep-checks/{theirs['id']}", {"answer": "needs_help"}).status_code == 200
    helped = db.session.get(SweepCheck, theirs["id"])
    alert = db.session.get(Alert, helped.alert_id)
    assert helped.status == "needs_help" and alert.kind == "sweep_needs_help" and \
        alert.data == {"sweep_id": sweep_id, "sweep_check_id": helped.id}
    # Someone else's check is not theirs to answer.
    assert other.post(f"/api/v1/me/sweep-checks/{mine['id']}", {"answer": "safe"}).status_code == 404
    _assert_adds_up(_board(admin, sweep_id))

    # A minute before the answer time nothing moves; at it, the 3 still prompted are assigned.
    clock.advance(minutes=16)
    run_worker(app)
    db.session.expire_all()
    assert by_status(sweep_id)["prompted"] == 3
    clock.advance(minutes=1)
    run_worker(app)
    db.session.expire_all()
    assert by_status(sweep_id) == {"safe": 1, "needs_help": 1, "assigned": 19}
    board = _board(admin, sweep_id)
    _assert_adds_up(board)
    assert board["sweep"]["totals"]["prompted"] == 0
    held = _held_per_assignee(sweep_id)
    assert all(count <= 2 for (kind, _), count in held.items() if kind == "volunteer")

    # A household answering 我平安 after it was assigned: its assignee is told they need not call.
    slow = phone_of(swept.with_app[late])
    [latest] = slow.get("/api/v1/me/sweep-checks").get_json()["items"]
    given = db.session.get(SweepCheck, latest["id"])
    assert latest["status"] == "assigned"
    assignee_user = given.worker_id or swept.volunteer_users[given.volunteer_id]
    assert slow.post(f"/api/v1/me/sweep-checks/{latest['id']}", {"answer": "safe"}).status_code == 200
    [told] = notifications_of_kind("sweep_check_answered")
    assert told.recipient_user_id == assignee_user and told.data == {"sweep_id": sweep_id, "sweep_check_id": given.id}
    _assert_adds_up(_board(admin, sweep_id))

    # The assignee records a try that did not reach anyone, then the household safe by phone.
    check = next(c for c in checks(sweep_id) if c.status == "assigned" and c.volunteer_id is not None)
    volunteer = phone_of(next(v for v in swept.volunteers if v.id == check.volunteer_id))
    url = f"/api/v1/sweeps/{sweep_id}/checks/{check.id}/outcome"
    tried = volunteer.post(url, {"outcome": "not_reached", "via": "phone", "note": "没人接"})
    assert tried.status_code == 200 and tried.get_json()["status"] == "assigned" and tried.get_json()["attempts"] == 1
    _assert_adds_up(_board(admin, sweep_id))
    reached = volunteer.post(url, {"outcome": "safe", "via": "phone", "note": "电话里说一切都好"})
    assert reached.status_code == 200 and reached.get_json()["status"] == "safe"
    assert volunteer.post(url, {"outcome": "safe", "via": "phone"}).get_json()["reason"] == "check_already_reached"
    # A volunteer cannot record a check that is not theirs.
    someone_else = next(c for c in checks(sweep_id) if c.status == "assigned" and c.volunteer_id != check.volunteer_id)
    assert volunteer.post(f"/api/v1/sweeps/{sweep_id}/checks/{someone_else.id}/outcome",
                          {"outcome": "safe", "via": "phone"}).status_code == 404

    # The grid's worker finds a household needing help and asks for it in one call.
    worker_check = next(c for c in checks(sweep_id) if c.status == "assigned" and c.worker_id is not None)
    grid_worker = phone_of(next(w for w in swept.workers if w.id == worker_check.worker_id))
    asked = grid_worker.post(f"/api/v1/sweeps/{sweep_id}/checks/{worker_check.id}/outcome",
                             {"outcome": "needs_help", "via": "in_person", "note": "家里没有水了",
                              "follow_up": "help_request", "category": "errands"})
    assert asked.status_code == 200, asked.get_json()
    request = db.session.get(HelpRequest, asked.get_json()["help_request_id"])
    assert request.category == "errands" and request.urgency == "urgent" and request.resident_id == \
        worker_check.resident_ids[0]
    board = _board(admin, sweep_id)
    _assert_adds_up(board)
    assert board["sweep"]["totals"]["safe"] == 3 and board["sweep"]["totals"]["needs_help"] == 2


def test_closing_freezes_a_report_that_matches_the_checks_and_never_changes(app, phone_of):
    swept = build_swept(6, grids=2, app_every=3)
    worker = phone_of(swept.workers[0])
    admin = phone_of(swept.admin)
    sweep_id = _start(admin, swept)["id"]
    check = next(c for c in checks(sweep_id) if c.status == "assigned")
    assert admin.post(f"/api/v1/sweeps/{sweep_id}/checks/{check.id}/outcome",
                      {"outcome": "safe", "via": "phone", "note": "都好"}).status_code == 200
    assert admin.get(f"/api/v1/sweeps/{sweep_id}/report").get_json()["reason"] == "sweep_not_closed"
    # Only someone who holds every grid of the sweep closes it.
    assert worker.post(f"/api/v1/sweeps/{sweep_id}/close").status_code == 404

    closed = admin.post(f"/api/v1/sweeps/{sweep_id}/close")
    assert closed.status_code == 200, closed.get_json()
    report = closed.get_json()
    stored = {c.id: c for c in checks(sweep_id)}
    assert len(report["checks"]) == len(stored) == report["totals"]["total"]
    for row in report["checks"]:
        check_row = stored[row["check_id"]]
        assert (row["household_id"], row["status"], row["reached_via"], row["note"], row["attempts"]) == \
            (check_row.household_id, check_row.status, check_row.reached_via, check_row.note, check_row.attempts)
    reached = next(row for row in report["checks"] if row["check_id"] == check.id)
    assert reached["reached"] and reached["reached_by_name"] == "社区管理员" and reached["note"] == "都好"
    assert report["totals"]["safe"] == 1 and report["totals"]["not_reached"] == report["totals"]["total"] - 1
    assert db.session.scalar(select(func.count()).select_from(Timer).where(
        Timer.owner_type == "sweep", Timer.status == "pending")) == 0

    # Nothing changes the report afterwards: answers and findings are refused, closing again too.
    household_id, who = next((hid, who) for hid, who in swept.with_app.items() if who.phone)
    resident = phone_of(who)
    assert resident.get("/api/v1/me/sweep-checks").get_json()["items"] == []  # only open sweeps ask
    prompt = next(c for c in checks(sweep_id) if c.household_id == household_id)
    late = resident.post(f"/api/v1/me/sweep-checks/{prompt.id}", {"answer": "safe"})
    assert late.status_code == 409 and late.get_json()["reason"] == "sweep_closed"
    other = next(c for c in checks(sweep_id) if c.status == "assigned")
    refused = admin.post(f"/api/v1/sweeps/{sweep_id}/checks/{other.id}/outcome", {"outcome": "safe", "via": "phone"})
    assert refused.status_code == 409 and refused.get_json()["reason"] == "sweep_closed"
    assert admin.post(f"/api/v1/sweeps/{sweep_id}/close").get_json()["reason"] == "sweep_closed"
    assert admin.get(f"/api/v1/sweeps/{sweep_id}/report").get_json() == report
    assert db.session.get(Sweep, sweep_id).status == "closed"


def test_another_grid_s_worker_sees_nothing_of_a_sweep(app, phone_of):
    swept = build_swept(3, grids=2)
    sweep_id = _start(phone_of(swept.admin), swept)["id"]
    outsider = phone_of(swept.other_worker)
    for path in (f"/api/v1/sweeps/{sweep_id}", f"/api/v1/sweeps/{sweep_id}/board",
                 f"/api/v1/sweeps/{sweep_id}/report"):
        response = outsider.get(path)
        assert response.status_code == 404 and response.get_json()["reason"] == "not_found"
    assert outsider.get("/api/v1/sweeps").get_json()["total"] == 0
    # Nor may they sweep a grid that is not theirs.
    refused = outsider.post("/api/v1/sweeps", {"name": "排查", "grid_ids": swept.grid_ids})
    assert refused.status_code == 404
    # A worker of one of the sweep's grids sees their grid's share of the board.
    board = _board(phone_of(swept.workers[1]), sweep_id)
    assert [g["grid_id"] for g in board["sweep"]["grids"]] == [swept.grid_ids[1]]
    _assert_adds_up(board)


@pytest.mark.parametrize("body, field", [
    ({"grid_ids": None}, "name"),
    ({"name": ""}, "name"),
    ({"name": "排查", "answer_minutes": 0}, "answer_minutes"),
    ({"name": "排查", "answer_minutes": "30"}, "answer_minutes"),
    ({"name": "排查", "min_age": -1}, "min_age"),
    ({"name": "排查", "statuses": ["active", "in_hospital"]}, "statuses"),
    ({"name": "排查", "statuses": ["asleep"]}, "statuses"),
    ({"name": "排查", "tags": ["no_such_tag"]}, "tags"),
    ({"name": "排查", "grid_ids": []}, "grid_ids"),
])
def test_bad_input_is_a_422_in_the_error_shape(app, phone_of, body, field):
    swept = build_swept(1, grids=1)
    response = phone_of(swept.admin).post("/api/v1/sweeps", body)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()
    assert set(error) == {"code", "status", "reason", "message", "errors"} and field in error["errors"]
    assert db.session.scalar(select(func.count()).select_from(Sweep)) == 0


def test_bad_answers_and_outcomes_are_422(app, clock, phone_of):
    swept = build_swept(4, grids=1, app_every=2)
    admin = phone_of(swept.admin)
    sweep_id = _start(admin, swept)["id"]
    check = next(c for c in checks(sweep_id) if c.status == "assigned")
    url = f"/api/v1/sweeps/{sweep_id}/checks/{check.id}/outcome"
    for body, field in (({"outcome": "fine", "via": "phone"}, "outcome"), ({"outcome": "safe"}, "via"),
                        ({"outcome": "safe", "via": "phone", "resident_id": 999999}, "resident_id"),
                        ({"outcome": "needs_help", "via": "phone", "follow_up": "help_request",
                          "category": "banana"}, "category"),
                        ({"outcome": "safe", "via": "phone", "occurred_at": "2026-11-20T10:00:00+08:00"},
                         "occurred_at")):
        response = admin.post(url, body)
        assert response.status_code == 422 and field in response.get_json()["errors"], (body, response.get_json())
    resident = phone_of(next(who for who in swept.with_app.values() if who.phone))
    [mine] = resident.get("/api/v1/me/sweep-checks").get_json()["items"]
    future = (clock.current + timedelta(hours=1)).isoformat()
    for body, field in (({"answer": "maybe"}, "answer"), ({"answer": "safe", "occurred_at": future}, "occurred_at")):
        response = resident.post(f"/api/v1/me/sweep-checks/{mine['id']}", body)
        assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()
    assert db.session.get(SweepCheck, mine["id"]).status == "prompted"


def test_starting_the_same_sweep_twice_with_its_key_does_nothing_twice(app, phone_of):
    swept = build_swept(5, grids=2)
    worker = phone_of(swept.admin)
    body = {"name": "台风排查", "grid_ids": swept.grid_ids, **FILTER}
    first = worker.post("/api/v1/sweeps", body, headers={"Idempotency-Key": "sweep-typhoon-1"})
    again = worker.post("/api/v1/sweeps", body, headers={"Idempotency-Key": "sweep-typhoon-1"})
    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"]
    assert db.session.scalar(select(func.count()).select_from(Sweep)) == 1
    assert db.session.scalar(select(func.count()).select_from(SweepCheck)) == len(swept.matched)
    told = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind.in_(("sweep_checks_assigned", "sweep_prompt"))))
    assignees = {(c.volunteer_id, c.worker_id) for c in checks(first.get_json()["id"]) if c.status == "assigned"}
    assert told == len(assignees) + len(swept.with_app)
    changed = worker.post("/api/v1/sweeps", {**body, "name": "另一次"}, headers={"Idempotency-Key": "sweep-typhoon-1"})
    assert changed.status_code == 422 and changed.get_json()["reason"] == "idempotency_mismatch"


def test_an_assignee_sees_their_households_with_address_and_phone_and_it_is_audited(app, phone_of):
    from backend.audit.models import AuditEntry

    swept = build_swept(4, grids=1, app_every=100, volunteers=1)
    sweep_id = _start(phone_of(swept.admin), swept)["id"]
    check = next(c for c in checks(sweep_id) if c.volunteer_id is not None)
    volunteer = phone_of(swept.volunteers[0])
    listed = volunteer.get("/api/v1/me/sweep-assignments").get_json()
    mine = [item for item in listed["items"] if item["check_id"] == check.id]
    assert len(mine) == 1 and mine[0]["address"] and mine[0]["residents"][0]["phone"]
    assert listed["total"] == sum(1 for c in checks(sweep_id) if c.volunteer_id == swept.volunteers[0].id)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.resident_id == check.resident_ids[0], AuditEntry.action == "read")) == 1


def test_checks_nobody_could_take_are_shared_out_again_when_someone_can(app, monkeypatch, phone_of):
    monkeypatch.setitem(app.config, "SWEEP_WORKER_CAPACITY", 1)
    monkeypatch.setitem(app.config, "SWEEP_VOLUNTEER_CAPACITY", 1)
    swept = build_swept(6, grids=1, app_every=100, volunteers=2)
    admin = phone_of(swept.admin)
    sweep_id = _start(admin, swept)["id"]
    assert by_status(sweep_id) == {"assigned": 3, "unassigned": 4}
    monkeypatch.setitem(app.config, "SWEEP_VOLUNTEER_CAPACITY", 3)
    again = admin.post(f"/api/v1/sweeps/{sweep_id}/assign")
    assert again.status_code == 200 and again.get_json()["totals"]["unassigned"] == 0
    assert all(count <= 3 for count in _held_per_assignee(sweep_id).values())


def test_a_big_sweep_is_assigned_by_stairwell_within_every_capacity(app, monkeypatch, phone_of):
    monkeypatch.setitem(app.config, "SWEEP_EXACT_UP_TO", 10)
    monkeypatch.setitem(app.config, "SWEEP_GROUP_SIZE", 3)
    monkeypatch.setitem(app.config, "SWEEP_WORKER_CAPACITY", 7)
    monkeypatch.setitem(app.config, "SWEEP_VOLUNTEER_CAPACITY", 4)
    swept = build_swept(15, grids=2, app_every=100, volunteers=3)
    sweep_id = _start(phone_of(swept.admin), swept)["id"]
    rows = checks(sweep_id)
    assert len(rows) == len(swept.matched) == 31
    held = _held_per_assignee(sweep_id)
    # Whole groups of up to 3 within capacity: a worker 7 // 3 = 2 groups, a volunteer 4 // 3 = 1.
    assert all(count <= (6 if kind == "worker" else 3) for (kind, _), count in held.items())
    assert sum(held.values()) + by_status(sweep_id).get("unassigned", 0) == 31
    assert sum(held.values()) >= 2 * 6 + 3 * 1  # every worker and volunteer took at least one group
    by_building = {}
    for row in rows:
        if row.status == "assigned":
            building = db.session.get(Household, row.household_id).building_id
            by_building.setdefault((building, row.volunteer_id, row.worker_id), []).append(row.id)
    assert max(len(ids) for ids in by_building.values()) >= 2  # neighbours went together
    _assert_adds_up(_board(phone_of(swept.admin), sweep_id))
