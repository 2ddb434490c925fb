"""A sweep's welfare checks as a batch task kind (docs/batch_plans.md, "Task kinds"): the checks of
open sweeps that nobody could take yet are held for any plan of their grids; the grid's workers and
the community's on-duty, identity-vetted volunteers within reach are their candidates (workers
allowed), nearer is better; sending gives the check to the chosen one (assigned, not offered: a
sweep does not wait for a yes). A check has no time of its own, so each is given its own instant of
the date and none clash. The sweep's own start does not go through here: it assigns in bulk
(backend/safety/services/sweep_assignment.py)."""
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from backend.accounts.models import User
from backend.algorithms.geo import haversine_km
from backend.batch.tasks import VOLUNTEER, WORKER, Candidate, HeldTask, Sent, Shown, register
from backend.common.time import now
from backend.community.models import Building, Community, Household
from backend.extensions import db
from backend.matching.services import dispatch
from backend.notifications.services.outbox import notify
from backend.people.models import Resident
from backend.safety import sweep_kinds
from backend.safety.services import sweep_assignment
from backend.safety.sweep_models import Sweep, SweepCheck
from backend.volunteers.models import Volunteer


class WelfareChecks:
    name = "welfare_check"
    workers_allowed = True

    def held(self, community_id: int, day: date, grid_ids: list[int]) -> list[HeldTask]:
        start, _end = dispatch.local_day_bounds(community_id, day)
        rows = db.session.execute(
            select(SweepCheck.id, SweepCheck.grid_id, Sweep.started_at).join(Sweep, Sweep.id == SweepCheck.sweep_id)
            .where(Sweep.community_id == community_id, Sweep.status == "open", SweepCheck.grid_id.in_(grid_ids),
                   SweepCheck.status == "unassigned")
            .order_by(SweepCheck.id).limit(current_app.config.get("BATCH_MAX_REQUESTS", 500))).all()
        return [HeldTask(id=check_id, grid_id=grid_id, start=start + timedelta(seconds=n),
                         end=start + timedelta(seconds=n), asked_at=asked_at)
                for n, (check_id, grid_id, asked_at) in enumerate(rows)]

    def _where(self, check: SweepCheck) -> tuple[float | None, float | None]:
        return db.session.execute(
            select(func.coalesce(Household.lat, Building.lat), func.coalesce(Household.lng, Building.lng))
            .join(Building, Building.id == Household.building_id).where(Household.id == check.household_id)).one()

    def candidates(self, task_id: int, moment: datetime) -> list[Candidate]:
        check = db.session.get(SweepCheck, task_id)
        sweep = db.session.get(Sweep, check.sweep_id)
        lat, lng = self._where(check)
        found = []
        community = db.session.get(Community, sweep.community_id)
        for person in sweep_assignment.eligible_assignees(community, [check.grid_id], full_ones=True).people:
            km = haversine_km(lat, lng, person.lat, person.lng) if lat is not None else None
            if km is not None and person.reach_km is not None and km > person.reach_km:
                continue
            kind, assignee_id = person.id
            found.append(Candidate(kind, assignee_id, 1.0 / (1.0 + (km or 0.0)), km))
        return sorted(found, key=lambda c: (-c.score, c.key))

    def in_hand(self, assignee: str, ids: list[int], day: date, community_id: int):
        """Open checks already theirs count against the plan's capacity; they hold no window."""
        return sweep_assignment.in_hand(assignee, ids), {}

    def is_open(self, task_id: int) -> bool:
        check = db.session.get(SweepCheck, task_id)
        return check is not None and check.status == "unassigned" and \
            db.session.get(Sweep, check.sweep_id).status == "open"

    def shown(self, task_id: int, language: str) -> Shown:
        check = db.session.get(SweepCheck, task_id)
        sweep = db.session.get(Sweep, check.sweep_id)
        household = db.session.get(Household, check.household_id)
        resident = db.session.get(Resident, check.resident_ids[0])
        return Shown(category=self.name, category_label="Safety check" if language == "en" else "平安排查",
                     when=sweep.name, window_start=sweep.started_at, window_end=sweep.answer_due_at,
                     building_label=household.building.label, address_as=resident.address_as)

    def send(self, task_id: int, chosen: Candidate | None, reasons: list, moment: datetime) -> Sent:
        check = db.session.scalar(select(SweepCheck).where(SweepCheck.id == task_id).with_for_update())
        if check is None or not self.is_open(task_id):
            return Sent("skipped", check.status if check is not None else "deleted")
        if chosen is None:
            return Sent("skipped", "unassigned")
        check.status, check.assigned_at = "assigned", now()
        check.volunteer_id = chosen.id if chosen.assignee == VOLUNTEER else None
        check.worker_id = chosen.id if chosen.assignee == WORKER else None
        sweep = db.session.get(Sweep, check.sweep_id)
        user_id = chosen.id if chosen.assignee == WORKER else db.session.scalar(
            select(Volunteer.user_id).where(Volunteer.id == chosen.id))
        notify(sweep_kinds.SWEEP_ASSIGNED.code, user=db.session.get(User, user_id),
               params={"sweep_name": sweep.name, "count": 1}, data={"sweep_id": sweep.id},
               community_id=sweep.community_id)
        return Sent("assigned")


WELFARE_CHECKS = register(WelfareChecks())
