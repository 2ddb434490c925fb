"""Who may call the time bank routes. A volunteer reads only their own hours (there is no route
to another volunteer's); a family member's account is for the resident, their proxies with
view_status and their grid's staff; workers of the community add recorded hours; admins see
totals and export."""
from tests.access import Expect


def _gift(world) -> dict:
    """The volunteer is the resident's family and holds an hour to give."""
    from tests.timebank.helpers import earn, link_family

    link_family(world.volunteer_user, world.resident)
    earn(world.volunteer_user, 1)
    return {"resident_id": world.resident.id, "hours": 1}


STAFF_CREATED = {"worker": 201, "other_worker": 201, "admin": 201}

MATRIX = {
    "GET /api/v1/timebank/me": Expect(statuses={"volunteer": 200}),
    "GET /api/v1/timebank/me/history": Expect(statuses={"volunteer": 200}),
    "POST /api/v1/timebank/gifts": Expect(statuses={"volunteer": 201}, body=_gift),
    "GET /api/v1/timebank/members/<int:resident_id>": Expect(statuses={
        "resident": 200, "proxy": 200, "proxy_no_scope": 200, "worker": 200, "other_worker": 404, "admin": 200}),
    "POST /api/v1/timebank/volunteers/<int:volunteer_id>/recorded-hours": Expect(
        statuses=STAFF_CREATED, body=lambda world: {"hours": 1.5, "reason": "社区活动帮忙"}),
    "GET /api/v1/timebank/totals": Expect(statuses={"admin": 200}),
    "GET /api/v1/timebank/volunteers": Expect(statuses={"admin": 200}),
    "GET /api/v1/timebank/volunteers/<int:volunteer_id>/verified-hours.csv": Expect(statuses={"admin": 200}),
}
