"""Sending a plan: in one transaction each proposed pair becomes an offer to that volunteer (the
request → offered), a request given nobody goes to the waves, and a request that changed since
it was planned is skipped and reported. The nightly run plans and sends the grids nobody planned
by hand (docs/batch_plans.md)."""
from datetime import date, datetime

from sqlalchemy import select

from backend.accounts.models import User
from backend.batch.models import BatchPlan
from backend.batch.services.planning import PlanNotDraft, build_plan, grids_of_community, plan_view, visible_plan
from backend.common.i18n import current_language
from backend.common.time import now
from backend.extensions import db
from backend.help_requests.services.timeline import locked_request
from backend.matching.services import dispatch
from backend.matching.services.candidates import ranking_for
from backend.notifications import timers


def stage_send(plan: BatchPlan, user: User | None, moment: datetime) -> None:
    """Send a draft plan (no commit). The caller holds the plan's row lock."""
    for item in plan.items:
        request = locked_request(item.help_request_id)
        if request is None or request.status != "open":
            item.outcome, item.outcome_reason = "skipped", request.status if request is not None else "deleted"
            continue
        if item.volunteer_id is not None:
            ranked = {entry.volunteer_id: entry for entry in ranking_for(request, moment).ranked}
            chosen = ranked.get(item.volunteer_id)
            if chosen is not None:
                dispatch.stage_planned_offer(request, chosen.volunteer_id, item.reasons, round(chosen.distance_km, 2),
                                             moment)
                item.outcome, item.outcome_reason = "offered", None
                continue
            item.outcome_reason = "volunteer_no_longer_eligible"
        dispatch.send_waves_now(request, moment)
        item.outcome = "waves"
    plan.status, plan.sent_at, plan.sent_by_id = "sent", moment, user.id if user is not None else None


def _locked_plan(plan_id: int) -> BatchPlan:
    return db.session.scalar(select(BatchPlan).where(BatchPlan.id == plan_id).with_for_update()
                             .execution_options(populate_existing=True))


def send_plan(user: User, plan_id: int):
    """发出: offers to the proposed volunteers, the waves for the rest; a plan is sent once (a
    second send, or one racing it, is refused with plan_not_draft)."""
    visible_plan(user, plan_id)
    plan = _locked_plan(plan_id)
    if plan.status != "draft":
        db.session.rollback()
        raise PlanNotDraft()
    stage_send(plan, user, now())
    view = plan_view(plan, current_language())
    db.session.commit()
    return view


def discard_plan(user: User, plan_id: int):
    """A draft nobody will send: discarded (its requests stay held until a plan or their waves)."""
    visible_plan(user, plan_id)
    plan = _locked_plan(plan_id)
    if plan.status != "draft":
        db.session.rollback()
        raise PlanNotDraft()
    plan.status = "discarded"
    view = plan_view(plan, current_language())
    db.session.commit()
    return view


def grids_in_hand_drafts(community_id: int, day: date) -> set[int]:
    """Grids a worker or admin is planning by hand for that date (a draft not sent yet)."""
    planned = set()
    for plan in db.session.scalars(select(BatchPlan).where(
            BatchPlan.community_id == community_id, BatchPlan.service_date == day, BatchPlan.made_by == "worker",
            BatchPlan.status == "draft")):
        planned.update(plan.grid_ids)
    return planned


def nightly_run(community_id: int, day: date, moment: datetime) -> BatchPlan | None:
    """Plan and send the date's held requests of every grid of the community nobody is planning by
    hand (a hand-made draft nobody sends leaves its grid's requests to their waves); in a grid whose
    plan was sent by hand, that leaves the requests asked since. Staged, no commit."""
    grids = sorted(set(grids_of_community(community_id)) - grids_in_hand_drafts(community_id, day))
    if not grids:
        return None
    plan = build_plan(community_id, day, grids, user=None, moment=moment)
    if not plan.items:
        db.session.delete(plan)
        return None
    stage_send(plan, None, moment)
    return plan


@timers.timer_handler(dispatch.NIGHTLY_TIMER)
def nightly_timer(timer) -> None:
    """The night before a date: its held requests are planned and sent."""
    nightly_run(timer.owner_id, date.fromisoformat(timer.payload["date"]), now())
