"""Sending a plan: in one transaction each proposed pair is sent by its task's kind (a help
request → an offer to that volunteer), a task given nobody goes to the waves, and a task that
changed since it was planned is skipped and reported. The nightly run plans and sends the grids nobody planned
by hand (docs/batch_plans.md)."""
from datetime import date, datetime

from sqlalchemy import select

from backend.accounts.models import User
from backend.batch.models import BatchPlan
from backend.batch.services.planning import (PlanNotDraft, build_plan, grids_of_community, item_key, plan_view,
                                             visible_plan)
from backend.batch.tasks import WORKER, Sent, kind_of
from backend.common.i18n import current_language
from backend.common.time import now
from backend.extensions import db
from backend.matching.services import dispatch
from backend.notifications import timers


def stage_send(plan: BatchPlan, user: User | None, moment: datetime) -> None:
    """Send a draft plan (no commit). The caller holds the plan's row lock. Each task goes to its
    proposed assignee if they are still a candidate now, else to nobody (the waves); a task that
    changed since it was planned is skipped."""
    for item in plan.items:
        kind = kind_of(item.task_kind)
        if not kind.is_open(item.task_id):
            sent = kind.send(item.task_id, None, [], moment)
        else:
            key, chosen = item_key(item), None
            if key is not None:
                chosen = next((c for c in kind.candidates(item.task_id, moment) if c.key == key), None)
                if chosen is None or (chosen.assignee == WORKER and not kind.workers_allowed):
                    chosen = None
            sent = kind.send(item.task_id, chosen, item.reasons, moment)
            if key is not None and chosen is None and sent.reason is None and sent.outcome != "skipped":
                sent = Sent(sent.outcome, f"{key[0]}_no_longer_eligible")
        item.outcome, item.outcome_reason = sent.outcome, sent.reason
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
