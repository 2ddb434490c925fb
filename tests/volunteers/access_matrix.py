"""Who may call the volunteers routes. Staff are every worker and admin of the community, not
only the volunteer's grid's: volunteers serve across grids and any worker may vet them."""
from datetime import date

from tests.access import Expect
from tests.volunteers.codes import code_for

SIGNED_IN = ("resident", "proxy", "proxy_no_scope", "volunteer", "provider", "worker", "other_worker", "admin")
STAFF_OK = {"worker": 200, "other_worker": 200, "admin": 200}
STAFF_CREATED = {"worker": 201, "other_worker": 201, "admin": 201}


def _exception_id(world) -> dict:
    from backend.extensions import db
    from backend.volunteers.models import AvailabilityException

    exception = AvailabilityException(volunteer_id=world.volunteer_user.volunteer_id,
                                      on_date=date(2026, 12, 24), available=False)
    db.session.add(exception)
    db.session.flush()
    return {"exception_id": exception.id}


def _vetting_id(world) -> dict:
    from backend.extensions import db
    from backend.volunteers.models import Vetting

    return {"vetting_id": db.session.query(Vetting.id)
            .filter_by(volunteer_id=world.volunteer_user.volunteer_id).scalar()}


MATRIX = {
    # Anyone may sign up, signed in or not, with the code sent to a phone number that is fresh
    # each time the world is built.
    "POST /api/v1/volunteers/register": Expect(
        statuses={actor: 201 for actor in ("anonymous", *SIGNED_IN)},
        body=lambda world: {"phone": "13612345678", "verification_code": code_for("13612345678"),
                            "display_name": "新志愿者", "password": "a-good-long-secret",
                            "gender": "female", "grid_id": world.grid.id, "skills": ["errands"]}),
    "GET /api/v1/volunteers/me": Expect(statuses={"volunteer": 200}),
    "PATCH /api/v1/volunteers/me": Expect(statuses={"volunteer": 200}, body=lambda world: {"about": "退休教师"}),
    "PUT /api/v1/volunteers/me/on-duty": Expect(statuses={"volunteer": 200}, body=lambda world: {"on_duty": False}),
    "PUT /api/v1/volunteers/me/availability": Expect(
        statuses={"volunteer": 200},
        body=lambda world: {"slots": [{"weekday": 0, "start": "09:00", "end": "12:00"}]}),
    "POST /api/v1/volunteers/me/exceptions": Expect(
        statuses={"volunteer": 201}, body=lambda world: {"date": "2026-12-01", "available": False}),
    "DELETE /api/v1/volunteers/me/exceptions/<int:exception_id>": Expect(
        statuses={"volunteer": 204}, params=_exception_id),
    "GET /api/v1/volunteers": Expect(statuses=STAFF_OK),
    "GET /api/v1/volunteers/<int:volunteer_id>": Expect(statuses=STAFF_OK),
    "PATCH /api/v1/volunteers/<int:volunteer_id>": Expect(statuses=STAFF_OK, body=lambda world: {"load_cap": 3}),
    "POST /api/v1/volunteers/<int:volunteer_id>/vettings": Expect(
        statuses=STAFF_CREATED, body=lambda world: {"kind": "child_safeguarding", "expires_on": "2027-12-31"}),
    "POST /api/v1/volunteers/<int:volunteer_id>/vettings/<int:vetting_id>/revoke": Expect(
        statuses=STAFF_OK, params=_vetting_id, body=lambda world: {"reason": "身份证件过期"}),
}
