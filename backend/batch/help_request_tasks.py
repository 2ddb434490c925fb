"""Held help requests as a batch task kind: scheduled requests whose window starts on the date,
ranked by the core loop (every hard rule and the score are the waves' own), sent as planned offers
to their volunteers or to the waves. Volunteers only: a help request is never a worker's task."""
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select

from backend.batch.tasks import VOLUNTEER, Candidate, HeldTask, Sent, Shown, register
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.help_requests.services.timeline import locked_request
from backend.matching.models import Offer
from backend.matching.services import dispatch
from backend.matching.services.candidates import OPEN_TASK_STATUSES, ranking_for
from backend.people.models import Resident


class HelpRequestTasks:
    name = "help_request"
    workers_allowed = False

    def held(self, community_id: int, day: date, grid_ids: list[int]) -> list[HeldTask]:
        """Open, scheduled, the window starting on that local date, the first wave still to come;
        in the order asked, at most BATCH_MAX_REQUESTS (the rest wait for their waves)."""
        start, end = dispatch.local_day_bounds(community_id, day)
        rows = db.session.execute(select(HelpRequest.id, HelpRequest.grid_id, HelpRequest.window_start,
                                         HelpRequest.window_end, HelpRequest.created_at).where(
            HelpRequest.community_id == community_id, HelpRequest.grid_id.in_(grid_ids),
            HelpRequest.status == "open", HelpRequest.asap.is_(False), HelpRequest.window_start >= start,
            HelpRequest.window_start < end, dispatch.awaiting_wave())
            .order_by(HelpRequest.created_at, HelpRequest.id).limit(current_app.config.get("BATCH_MAX_REQUESTS", 500)))
        return [HeldTask(id=rid, grid_id=grid_id, start=window_start, end=window_end, asked_at=asked_at)
                for rid, grid_id, window_start, window_end, asked_at in rows]

    def candidates(self, task_id: int, moment: datetime) -> list[Candidate]:
        request = db.session.get(HelpRequest, task_id)
        return [Candidate(VOLUNTEER, item.volunteer_id, item.score, item.distance_km, item.reasons)
                for item in ranking_for(request, moment).ranked]

    def in_hand(self, assignee: str, ids: list[int], day: date, community_id: int):
        """A volunteer's open tasks (any date: the load cap counts them all), and the date's planned
        offers they have not answered yet — those hold their window too. Workers have none."""
        if assignee != VOLUNTEER or not ids:
            return {}, {}
        counts = dict(db.session.execute(select(HelpRequest.volunteer_id, func.count()).where(
            HelpRequest.volunteer_id.in_(ids), HelpRequest.status.in_(OPEN_TASK_STATUSES))
            .group_by(HelpRequest.volunteer_id)).all())
        start, end = dispatch.local_day_bounds(community_id, day)
        windows: dict[int, list] = {}
        for volunteer_id, window_start, window_end in db.session.execute(
                select(Offer.volunteer_id, HelpRequest.window_start, HelpRequest.window_end)
                .join(HelpRequest, HelpRequest.id == Offer.help_request_id).where(
                    Offer.volunteer_id.in_(ids), Offer.wave == dispatch.PLAN_WAVE, Offer.status == "offered",
                    HelpRequest.status == "offered", HelpRequest.window_start >= start,
                    HelpRequest.window_start < end)):
            windows.setdefault(volunteer_id, []).append((window_start, window_end))
            counts[volunteer_id] = counts.get(volunteer_id, 0) + 1
        return counts, windows

    def shown(self, task_id: int, language: str) -> Shown:
        request = db.session.get(HelpRequest, task_id)
        resident = db.session.get(Resident, request.resident_id)
        return Shown(category=request.category, category_label=dispatch.category_label(request, language),
                     when=dispatch.when_text(request, language), window_start=request.window_start,
                     window_end=request.window_end, building_label=resident.household.building.label,
                     address_as=resident.address_as)

    def send(self, task_id: int, chosen: Candidate | None, reasons: list, moment: datetime) -> Sent:
        request = locked_request(task_id)
        if request is None or request.status != "open":
            return Sent("skipped", request.status if request is not None else "deleted")
        if chosen is not None:
            dispatch.stage_planned_offer(request, chosen.id, reasons,
                                         round(chosen.distance_km, 2) if chosen.distance_km is not None else None,
                                         moment)
            return Sent("offered")
        dispatch.send_waves_now(request, moment)
        return Sent("waves")

    def is_open(self, task_id: int) -> bool:
        request = db.session.get(HelpRequest, task_id)
        return request is not None and request.status == "open"


HELP_REQUESTS = register(HelpRequestTasks())
