"""The demo's household visits: the issue's cadence rules, residents registered a year ago, and a
last visit for almost every household between 1 and 35 days ago by its grid's worker — so the
worker's due list has overdue, due and coming households; two households of new residents have
never been visited (due within three days)."""
import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from backend.demo import data
from backend.demo.base import DemoBuilderBase
from backend.extensions import db
from backend.visits.models import Visit, VisitResident, VisitRule

REGISTERED_DAYS_AGO = 400
NEW_HOUSEHOLDS = 2


class VisitsPart(DemoBuilderBase):
    """Runs last: households, residents and workers have their ids."""

    def _add_visits(self) -> None:
        rng = random.Random(data.RANDOM_SEED + 7)  # its own, so the rest of the demo stays as it was
        zone = ZoneInfo(data.COMMUNITY["timezone"])
        for tags, days, first_days, first_period in data.VISIT_RULES:
            db.session.add(VisitRule(community_id=self.community.id, tags=sorted(tags), interval_days=days,
                                     first_interval_days=first_days, first_period_days=first_period))
        registered = self.now - timedelta(days=REGISTERED_DAYS_AGO)
        new = {household.id for household in self.households[-NEW_HOUSEHOLDS:]}
        for household in self.households:
            if household.id in new:
                continue
            for resident in household.residents:
                resident.created_at = registered
            day = self.today - timedelta(days=rng.randint(1, 35))
            at = datetime.combine(day, time(rng.randint(9, 16), rng.choice((0, 15, 30, 45))), tzinfo=zone)
            visit = Visit(community_id=self.community.id, grid_id=household.building.grid_id,
                          household_id=household.id, visitor_id=self.primary_worker[household.building.grid].id,
                          occurred_at=at, local_date=day, recorded_at=at, seen=True)
            for resident in household.residents:
                visit.residents.append(VisitResident(resident_id=resident.id, outcome="met",
                                                     checklist={"health": "ok", "mood": "ok", "eating": "ok"}))
            db.session.add(visit)
