"""Who may call the safety routes. Daily check-in: the grid's staff enrol, end and record a phone call;
the resident taps 我很好 and reads their own state; a proxy with view_status reads it. SOS: the
resident or a proxy with request_help presses and calls it off; readers as below; staff close it."""
from tests.access import Expect


def _enrolled(world) -> dict:
    from backend.extensions import db
    from backend.safety.models import CheckInEnrolment

    db.session.add(CheckInEnrolment(community_id=world.community.id, resident_id=world.resident.id, deadline="10:00",
                                    grace_minutes=60, second_grace_minutes=60))
    db.session.flush()
    return {}


STAFF_OF_GRID = {"worker": 200, "other_worker": 404, "admin": 200}

MATRIX = {
    "POST /api/v1/residents/<int:resident_id>/check-in-enrolment": Expect(
        statuses={"worker": 201, "other_worker": 404, "admin": 201},
        body=lambda world: {"consent": {"given_by": "resident", "giver_name": "王秀英"}}),
    "DELETE /api/v1/residents/<int:resident_id>/check-in-enrolment": Expect(statuses=STAFF_OF_GRID, params=_enrolled),
    "GET /api/v1/residents/<int:resident_id>/check-in": Expect(statuses={**STAFF_OF_GRID, "proxy": 200,
                                                                        "proxy_no_scope": 200}),
    "POST /api/v1/residents/<int:resident_id>/check-in": Expect(statuses=STAFF_OF_GRID, params=_enrolled,
                                                                body=lambda world: {}),
    "GET /api/v1/me/check-in": Expect(statuses={"resident": 200}),
    "POST /api/v1/me/check-in": Expect(statuses={"resident": 200}, params=_enrolled, body=lambda world: {}),
    "GET /api/v1/check-ins/today": Expect(statuses={"worker": 200, "other_worker": 200, "admin": 200}),
}


def _sos(world) -> dict:
    """An open SOS of the world's resident (pressed by herself), with no alert or request behind it."""
    from backend.common.time import now
    from backend.extensions import db
    from backend.safety.models import SosEvent, SosStep

    moment = now()
    event = SosEvent(community_id=world.community.id, resident_id=world.resident.id, grid_id=world.grid.id,
                     status="open", pressed_by_id=world.users["resident"].id, occurred_at=moment, received_at=moment,
                     told={}, steps=[SosStep(action="pressed", at=moment, recorded_at=moment)])
    db.session.add(event)
    db.session.flush()
    return {"sos_id": event.id}


# Readers of an SOS: the resident, her grid's staff, proxies following her (view_status is enough).
SOS_READERS = {"resident": 200, "proxy": 200, "proxy_no_scope": 200, **STAFF_OF_GRID}

MATRIX.update({
    "POST /api/v1/residents/<int:resident_id>/sos": Expect(
        statuses={"resident": 200, "proxy": 200, "proxy_no_scope": 403}, body=lambda world: {}),
    "GET /api/v1/residents/<int:resident_id>/sos": Expect(statuses=SOS_READERS, params=_sos),
    "GET /api/v1/sos": Expect(statuses={"worker": 200, "other_worker": 200, "admin": 200}),
    "GET /api/v1/sos/<int:sos_id>": Expect(statuses=SOS_READERS, params=_sos),
    "POST /api/v1/sos/<int:sos_id>/cancel": Expect(
        statuses={"resident": 200, "proxy": 200, "proxy_no_scope": 403}, params=_sos, body=lambda world: {}),
    "POST /api/v1/sos/<int:sos_id>/close": Expect(statuses=STAFF_OF_GRID, params=_sos,
                                                  body=lambda world: {"note": "已电话确认，老人无恙"}),
})


# The emergency sweep: staff of the sweep's grids start, watch, share out and close it; the
# resident answers their own prompt; the check's assignee (a volunteer here) records what they found.

def _sweep(world, **fields) -> dict:
    from backend.common.time import now
    from backend.extensions import db
    from backend.safety.sweep_models import Sweep, SweepCheck

    moment = now()
    sweep = Sweep(community_id=world.community.id, name="高温天气排查", grid_ids=[world.grid.id],
                  resident_filter={"tags": [], "min_age": None, "statuses": ["active"]}, answer_minutes=30,
                  households=1, started_by_id=world.users["worker"].id, started_at=moment, answer_due_at=moment,
                  **fields)
    db.session.add(sweep)
    db.session.flush()
    check = SweepCheck(sweep_id=sweep.id, household_id=world.household.id, grid_id=world.grid.id,
                       resident_ids=[world.resident.id], status="assigned",
                       volunteer_id=world.volunteer_user.volunteer_id, assigned_at=moment, created_at=moment)
    db.session.add(check)
    db.session.flush()
    return {"sweep_id": sweep.id, "check_id": check.id}


def _closed_sweep(world) -> dict:
    return _sweep(world, status="closed", report={
        "sweep_id": 0, "name": "高温天气排查", "grid_ids": [world.grid.id], "resident_filter": {},
        "started_at": "2026-11-26T02:00:00+00:00", "started_by_id": None, "closed_at": "2026-11-26T03:00:00+00:00",
        "closed_by_id": world.users["worker"].id, "closed_by_name": "网格员",
        "totals": {"total": 0, "safe": 0, "needs_help": 0, "not_reached": 0, "prompted": 0, "unassigned": 0,
                   "assigned": 0}, "grids": [], "checks": []})


STAFF_OF_SWEEP = {"worker": 200, "other_worker": 404, "admin": 200}

MATRIX.update({
    "GET /api/v1/sweeps": Expect(statuses={"worker": 200, "other_worker": 200, "admin": 200}),
    "POST /api/v1/sweeps": Expect(statuses={"worker": 201, "other_worker": 201, "admin": 201},
                                  body=lambda world: {"name": "高温天气排查"}),
    "GET /api/v1/sweeps/<int:sweep_id>": Expect(statuses=STAFF_OF_SWEEP, params=_sweep),
    "GET /api/v1/sweeps/<int:sweep_id>/board": Expect(statuses=STAFF_OF_SWEEP, params=_sweep),
    "POST /api/v1/sweeps/<int:sweep_id>/assign": Expect(statuses=STAFF_OF_SWEEP, params=_sweep),
    "POST /api/v1/sweeps/<int:sweep_id>/close": Expect(statuses=STAFF_OF_SWEEP, params=_sweep),
    "GET /api/v1/sweeps/<int:sweep_id>/report": Expect(statuses=STAFF_OF_SWEEP, params=_closed_sweep),
    "POST /api/v1/sweeps/<int:sweep_id>/checks/<int:check_id>/outcome": Expect(
        statuses={**STAFF_OF_SWEEP, "volunteer": 200}, params=_sweep,
        body=lambda world: {"outcome": "safe", "via": "phone"}),
    "GET /api/v1/me/sweep-checks": Expect(statuses={"resident": 200}),
    "POST /api/v1/me/sweep-checks/<int:check_id>": Expect(statuses={"resident": 200}, params=_sweep,
                                                          body=lambda world: {"answer": "safe"}),
    "GET /api/v1/me/sweep-assignments": Expect(statuses={"volunteer": 200, "worker": 200, "other_worker": 200,
                                                         "admin": 200}, params=_sweep),
})
