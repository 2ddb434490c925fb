"""Who may call the visit routes: staff read the community's rules and admins edit them; the due
list is each worker's own grids (an admin's: the community's); a visit is recorded and read only
by the staff of its household's grid (another grid's worker: 404)."""
from tests.access import Expect


def _rule(world) -> dict:
    from backend.extensions import db
    from backend.visits.models import VisitRule

    rule = VisitRule(community_id=world.community.id, tags=["lives_alone"], interval_days=14)
    db.session.add(rule)
    db.session.flush()
    return {"rule_id": rule.id}


def _visit(world) -> dict:
    from datetime import date

    from backend.common.time import now
    from backend.extensions import db
    from backend.visits.models import Visit, VisitResident

    visit = Visit(community_id=world.community.id, grid_id=world.grid.id, household_id=world.household.id,
                  occurred_at=now(), local_date=date(2026, 11, 26), seen=True)
    visit.residents.append(VisitResident(resident_id=world.resident.id, outcome="met"))
    db.session.add(visit)
    db.session.flush()
    return {"visit_id": visit.id}


def _day_plan(world) -> dict:
    """The worker's plan of today with the world's household in it."""
    from backend.common.time import local_today, now
    from backend.extensions import db
    from backend.visits.models import DayPlan, DayPlanStop

    plan = DayPlan(community_id=world.community.id, worker_id=world.users["worker"].id,
                   day=local_today("Asia/Shanghai"), start_lat=30.27, start_lng=120.15, starts_at=now(), ends_at=now(),
                   service_minutes=20, method="exact")
    plan.stops.append(DayPlanStop(household_id=world.household.id, position=1, start=now(), finish=now()))
    db.session.add(plan)
    db.session.flush()
    return {"plan_id": plan.id}


def _today(world) -> dict:
    from backend.common.time import local_today

    return {"date": local_today("Asia/Shanghai").isoformat(), "household_ids": [world.household.id],
            "start": {"latitude": 30.27, "longitude": 120.15}}


def _delegation(world) -> dict:
    """An open delegated visit of the world's household to the world's volunteer."""
    from datetime import date

    from backend.extensions import db
    from backend.visits.models import VisitDelegation

    delegation = VisitDelegation(community_id=world.community.id, grid_id=world.grid.id,
                                 household_id=world.household.id, volunteer_id=world.volunteer_user.volunteer_id,
                                 due_on=date(2026, 11, 28), status="open")
    db.session.add(delegation)
    db.session.flush()
    return {"delegation_id": delegation.id}


def _delegate(world) -> dict:
    from backend.common.time import local_today

    return {"household_id": world.household.id, "volunteer_id": world.volunteer_user.volunteer_id,
            "due_on": local_today("Asia/Shanghai").isoformat()}


STAFF_OF_GRID = {"worker": 200, "other_worker": 404, "admin": 200}
OWN_PLAN = {"worker": 200, "other_worker": 404, "admin": 404}  # a day plan is its worker's own

MATRIX = {
    "GET /api/v1/visit-rules": Expect(statuses={"worker": 200, "other_worker": 200, "admin": 200}),
    "POST /api/v1/visit-rules": Expect(statuses={"admin": 201},
                                       body=lambda world: {"tags": ["lives_alone"], "interval_days": 14}),
    "PATCH /api/v1/visit-rules/<int:rule_id>": Expect(statuses={"admin": 200}, params=_rule,
                                                      body=lambda world: {"interval_days": 10}),
    "DELETE /api/v1/visit-rules/<int:rule_id>": Expect(statuses={"admin": 204}, params=_rule),
    "GET /api/v1/visits/due": Expect(statuses={"worker": 200, "other_worker": 200, "admin": 200}),
    "POST /api/v1/visits": Expect(
        statuses={"worker": 201, "other_worker": 404, "admin": 201},
        body=lambda world: {"household_id": world.household.id, "outcome": "met",
                            "residents": [{"resident_id": world.resident.id, "outcome": "met"}]}),
    "GET /api/v1/visits/<int:visit_id>": Expect(statuses=STAFF_OF_GRID, params=_visit),
    "GET /api/v1/households/<int:household_id>/visits": Expect(statuses=STAFF_OF_GRID),
    "GET /api/v1/visit-day-plans": Expect(statuses={"worker": 200, "other_worker": 200, "admin": 200}),
    "POST /api/v1/visit-day-plans": Expect(statuses={"worker": 201, "other_worker": 404, "admin": 201}, body=_today),
    "GET /api/v1/visit-day-plans/<int:plan_id>": Expect(statuses=OWN_PLAN, params=_day_plan),
    "PUT /api/v1/visit-day-plans/<int:plan_id>/order": Expect(
        statuses=OWN_PLAN, params=_day_plan, body=lambda world: {"household_ids": [world.household.id]}),
    "GET /api/v1/visit-day-plans/<int:plan_id>/calendar.ics": Expect(statuses=OWN_PLAN, params=_day_plan),
    "GET /api/v1/visit-delegations": Expect(statuses={"worker": 200, "other_worker": 200, "admin": 200,
                                                      "volunteer": 200}),
    "POST /api/v1/visit-delegations": Expect(statuses={"worker": 201, "other_worker": 404, "admin": 201},
                                             body=_delegate),
    "GET /api/v1/visit-delegations/<int:delegation_id>": Expect(statuses={**STAFF_OF_GRID, "volunteer": 200},
                                                                params=_delegation),
    "POST /api/v1/visit-delegations/<int:delegation_id>/record": Expect(
        statuses={"volunteer": 200}, params=_delegation,
        body=lambda world: {"outcome": "met", "residents": [{"resident_id": world.resident.id, "outcome": "met"}]}),
    "POST /api/v1/visit-delegations/<int:delegation_id>/cancel": Expect(statuses=STAFF_OF_GRID, params=_delegation),
    # The world's proxy holds every scope; proxy_no_scope only view_status (403: they know the resident).
    "GET /api/v1/residents/<int:resident_id>/visit-summaries": Expect(statuses={
        "resident": 200, "proxy": 200, "proxy_no_scope": 403, "worker": 200, "other_worker": 404, "admin": 200}),
}
