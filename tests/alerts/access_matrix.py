"""Who may call the alerts and roster routes. Alerts: the workers of the resident's grid and the
community's admins (another grid's worker: 404); resolving takes the owner or an admin. The
roster: every worker and admin reads it; only admins change it."""
from tests.access import Expect

STAFF = {"worker": 200, "other_worker": 200, "admin": 200}
GRID_STAFF = {"worker": 200, "other_worker": 404, "admin": 200}


def _alert(world) -> dict:
    from backend.alerts.services.alerts import raise_alert
    from tests.alerts.helpers import TEST_ALERT, ensure_test_kind

    ensure_test_kind()
    return {"alert_id": raise_alert(TEST_ALERT, resident_id=world.resident.id).id}


def _alert_taken_by_the_worker(world) -> dict:
    from backend.extensions import db
    from backend.alerts.models import Alert

    params = _alert(world)
    alert = db.session.get(Alert, params["alert_id"])
    alert.status, alert.owner_id = "acknowledged", world.users["worker"].id
    db.session.flush()
    return params


def _override(world) -> dict:
    from datetime import date, timedelta

    from backend.extensions import db
    from backend.alerts.models import RosterOverride

    row = RosterOverride(community_id=world.community.id, on_date=date(2026, 11, 26) + timedelta(days=2),
                         start_minute=22 * 60, end_minute=8 * 60, user_id=world.users["worker"].id)
    db.session.add(row)
    db.session.flush()
    return {"override_id": row.id}


MATRIX = {
    "GET /api/v1/alerts": Expect(statuses=STAFF),
    "GET /api/v1/alerts/<int:alert_id>": Expect(statuses=GRID_STAFF, params=_alert),
    "POST /api/v1/alerts/<int:alert_id>/ack": Expect(statuses=GRID_STAFF, params=_alert),
    "POST /api/v1/alerts/<int:alert_id>/resolve": Expect(
        statuses=GRID_STAFF, params=_alert_taken_by_the_worker, body=lambda world: {"note": "已上门，老人无恙"}),
    "GET /api/v1/roster": Expect(statuses=STAFF),
    "PUT /api/v1/roster/pattern": Expect(statuses={"admin": 200}, body=lambda world: {"shifts": [
        {"weekday": 0, "start": "22:00", "end": "08:00", "user_id": world.users["worker"].id}]}),
    "POST /api/v1/roster/overrides": Expect(statuses={"admin": 201}, body=lambda world: {
        "date": "2026-11-27", "start": "08:00", "end": "20:00", "user_id": world.users["other_worker"].id}),
    "DELETE /api/v1/roster/overrides/<int:override_id>": Expect(statuses={"admin": 204}, params=_override),
    "GET /api/v1/roster/people": Expect(statuses=STAFF),
    "GET /api/v1/roster/on-duty": Expect(statuses=STAFF),
}
