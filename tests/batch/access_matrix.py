"""Who may call the batch plan routes: the workers and admins of the community plan; a plan is seen,
changed and sent only by the staff of all its grids (another grid's worker: 404)."""
from datetime import timedelta

from tests.access import Expect


def _tomorrow():
    from backend.common.time import local_today

    return local_today("Asia/Shanghai") + timedelta(days=1)


def _plan(world) -> dict:
    """A draft plan of the world's grid for tomorrow, one request in it with nobody proposed."""
    from datetime import UTC, datetime, time

    from backend.batch.models import BatchPlan, BatchPlanItem
    from backend.extensions import db
    from tests.help_requests.helpers import make_request

    start = datetime.combine(_tomorrow(), time(6, 0), tzinfo=UTC)
    request = make_request(world.resident, window_start=start, window_end=start + timedelta(hours=1))
    request.asap = False
    plan = BatchPlan(community_id=world.community.id, service_date=_tomorrow(), grid_ids=[world.grid.id])
    plan.items.append(BatchPlanItem(task_kind="help_request", task_id=request.id, help_request_id=request.id))
    db.session.add(plan)
    db.session.flush()
    return {"plan_id": plan.id, "item_id": plan.items[0].id}


STAFF_OF_GRID = {"worker": 200, "other_worker": 404, "admin": 200}

MATRIX = {
    "GET /api/v1/batch-plans": Expect(statuses={"worker": 200, "other_worker": 200, "admin": 200}),
    "POST /api/v1/batch-plans": Expect(statuses={"worker": 201, "other_worker": 201, "admin": 201},
                                       body=lambda world: {"date": _tomorrow().isoformat()}),
    "GET /api/v1/batch-plans/<int:plan_id>": Expect(statuses=STAFF_OF_GRID, params=_plan),
    "GET /api/v1/batch-plans/<int:plan_id>/items/<int:item_id>": Expect(statuses=STAFF_OF_GRID, params=_plan),
    "PATCH /api/v1/batch-plans/<int:plan_id>/items/<int:item_id>": Expect(
        statuses=STAFF_OF_GRID, params=_plan, body=lambda world: {"volunteer_id": None}),
    "POST /api/v1/batch-plans/<int:plan_id>/send": Expect(statuses=STAFF_OF_GRID, params=_plan),
    "POST /api/v1/batch-plans/<int:plan_id>/discard": Expect(statuses=STAFF_OF_GRID, params=_plan),
}
