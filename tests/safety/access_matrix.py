"""Who may call the daily check-in routes: the grid's staff enrol, end and record a phone call;
the resident taps 我很好 and reads their own state; a proxy with view_status reads it."""
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
