"""Who may call the help request routes. The requester side (the resident, a proxy with
request_help — with view_status only they can look but not act —, the workers of the grid, the
community's admins) asks, cancels, confirms and reports no-shows; only the assigned volunteer
withdraws and checks in and out; only grid staff assign and work through the call-back list.
Another grid's worker and volunteers the request was never given (nor offered) get 404."""
from tests.access import Expect

READERS = {"resident": 200, "proxy": 200, "proxy_no_scope": 200, "volunteer": 200, "worker": 200,
           "other_worker": 200, "admin": 200}
REQUESTER_WRITE = {"resident": 200, "proxy": 200, "proxy_no_scope": 403, "worker": 200, "other_worker": 404,
                   "admin": 200}
GRID_STAFF = {"worker": 200, "other_worker": 404, "admin": 200}


def _request(status: str, assigned: bool = False):
    def params(world) -> dict:
        from tests.help_requests.helpers import make_request

        volunteer = world.users["volunteer"] if assigned else None
        return {"request_id": make_request(world.resident, status=status, volunteer=volunteer).id}
    return params


def _accepted_with_another_volunteer(world) -> dict:
    from tests.factories import make_volunteer
    from tests.help_requests.helpers import volunteer_id

    world.another_volunteer_id = volunteer_id(make_volunteer(world.community, grid=world.grid))
    return _request("accepted", assigned=True)(world)


def _callback(world) -> dict:
    from backend.extensions import db
    from backend.help_requests.models import CallbackTask
    from tests.help_requests.helpers import make_request

    request = make_request(world.resident, status="confirmed", volunteer=world.users["volunteer"], rating=1)
    task = CallbackTask(help_request_id=request.id, grid_id=request.grid_id, status="open")
    db.session.add(task)
    db.session.flush()
    return {"task_id": task.id}


MATRIX = {
    "GET /api/v1/help-requests": Expect(statuses=READERS),
    "POST /api/v1/help-requests": Expect(
        statuses={"resident": 201, "proxy": 201, "proxy_no_scope": 403, "worker": 201, "other_worker": 404,
                  "admin": 201},
        body=lambda world: {"resident_id": world.resident.id, "category": "companionship"}),
    "GET /api/v1/help-requests/<int:request_id>": Expect(
        statuses={**READERS, "volunteer": 404, "other_worker": 404}, params=_request("open")),
    "POST /api/v1/help-requests/<int:request_id>/cancel": Expect(
        statuses={**REQUESTER_WRITE, "volunteer": 403}, params=_request("open"), body=lambda world: {}),
    "POST /api/v1/help-requests/<int:request_id>/withdraw": Expect(
        statuses={"volunteer": 200}, params=_request("accepted", assigned=True),
        body=lambda world: {"reason": "临时有事"}),
    "POST /api/v1/help-requests/<int:request_id>/assign": Expect(
        statuses=GRID_STAFF, params=_request("escalated"),
        body=lambda world: {"volunteer_id": world.volunteer_user.volunteer_id}),
    "POST /api/v1/help-requests/<int:request_id>/reassign": Expect(
        statuses=GRID_STAFF, params=_accepted_with_another_volunteer,
        body=lambda world: {"volunteer_id": world.another_volunteer_id}),
    "POST /api/v1/help-requests/<int:request_id>/check-in": Expect(
        statuses={"volunteer": 200}, params=_request("accepted", assigned=True), body=lambda world: {}),
    "POST /api/v1/help-requests/<int:request_id>/check-out": Expect(
        statuses={"volunteer": 200}, params=_request("in_progress", assigned=True), body=lambda world: {}),
    "POST /api/v1/help-requests/<int:request_id>/confirm": Expect(
        statuses=REQUESTER_WRITE, params=_request("completed", assigned=True),
        body=lambda world: {"rating": 5, "comment": "电话里说很好"}),  # a worker confirms with the call's note
    "POST /api/v1/help-requests/<int:request_id>/no-show": Expect(
        statuses=REQUESTER_WRITE, params=_request("accepted", assigned=True), body=lambda world: {}),
    "GET /api/v1/callbacks": Expect(statuses={"worker": 200, "other_worker": 200, "admin": 200}),
    "POST /api/v1/callbacks/<int:task_id>/done": Expect(
        statuses=GRID_STAFF, params=_callback, body=lambda world: {"note": "已回电，老人说志愿者来晚了"}),
}
