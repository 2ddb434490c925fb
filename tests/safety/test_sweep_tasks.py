"""A sweep's welfare checks as a batch task kind that workers may take: the checks nobody could take
when the sweep started are held for a plan of their grids, planned over the grid's workers and the
on-duty vetted volunteers together (what they already hold counting against their capacity), and
sending gives each to its assignee, who is told."""
from sqlalchemy import select

from backend.batch.tasks import KINDS
from backend.extensions import db
from backend.notifications.models import Notification
from backend.safety.sweep_models import SweepCheck
from tests.safety.sweep_helpers import FILTER, build_swept, by_status, checks


def _told(user_id: int) -> int:
    return len(db.session.scalars(select(Notification.id).where(
        Notification.kind == "sweep_checks_assigned", Notification.recipient_user_id == user_id)).all())


def test_welfare_checks_are_a_kind_workers_may_take():
    assert KINDS["welfare_check"].workers_allowed is True


def test_a_plan_shares_out_the_checks_nobody_could_take_and_sending_assigns_them(app, monkeypatch, make_client):
    monkeypatch.setitem(app.config, "SWEEP_WORKER_CAPACITY", 1)
    monkeypatch.setitem(app.config, "SWEEP_VOLUNTEER_CAPACITY", 1)
    swept = build_swept(6, grids=1, app_every=100, volunteers=1)
    admin = make_client().login(swept.admin.phone)
    started = admin.post("/api/v1/sweeps", {"name": "寒潮排查", "grid_ids": swept.grid_ids, **FILTER})
    sweep_id = started.get_json()["id"]
    assert by_status(sweep_id) == {"assigned": 2, "unassigned": 5}
    waiting = {c.id for c in checks(sweep_id) if c.status == "unassigned"}

    made = admin.post("/api/v1/batch-plans", {"date": "2026-11-27", "grid_ids": swept.grid_ids})
    assert made.status_code == 201, made.get_json()
    items = [item for item in made.get_json()["items"] if item["task_kind"] == "welfare_check"]
    assert {item["task_id"] for item in items} == waiting
    # The worker holds one check already (BATCH_WORKER_CAPACITY 8 leaves 7); the volunteer's load
    # cap of 2 less the one they hold leaves 1: every waiting check is planned, none beyond that.
    by_worker = [item for item in items if item["worker_id"] == swept.workers[0].id]
    by_volunteer = [item for item in items if item["volunteer_id"] == swept.volunteers[0].id]
    assert len(by_worker) + len(by_volunteer) == 5 and len(by_volunteer) <= 1
    assert all(item["category_label"] == "平安排查" for item in items)

    told_before = _told(swept.workers[0].id)
    sent = admin.post(f"/api/v1/batch-plans/{made.get_json()['id']}/send")
    assert sent.status_code == 200, sent.get_json()
    assert {item["outcome"] for item in sent.get_json()["items"] if item["task_kind"] == "welfare_check"} == {"assigned"}
    db.session.expire_all()
    assert by_status(sweep_id) == {"assigned": 7}
    for item in by_worker:
        assert db.session.get(SweepCheck, item["task_id"]).worker_id == swept.workers[0].id
    assert _told(swept.workers[0].id) == told_before + len(by_worker)  # told of each, as sending goes
