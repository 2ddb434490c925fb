"""GET /api/v1/health: 200 while the database answers, a worker beats and no safety delivery
waits too long; 503 otherwise. No sign-in, no personal data."""
from backend import create_app
from backend.extensions import db
from backend.notifications.services.outbox import Contact, notify
from tests.factories import make_community, make_user
from tests.notifications.helpers import run_worker


def test_without_any_worker_heartbeat_the_service_is_unhealthy(client):
    answer = client.get("/api/v1/health")
    assert answer.status_code == 503
    assert answer.get_json() == {
        "status": "unhealthy", "database": "ok", "worker_last_heartbeat_at": None, "worker_heartbeat_age_s": None,
        "oldest_undelivered_safety_age_s": None, "undelivered_safety_deliveries": 0,
        "problems": ["no_worker_heartbeat"]}


def test_a_worker_that_ran_just_now_is_healthy_and_one_that_stopped_beating_is_not(app, client, clock):
    run_worker(app)
    answer = client.get("/api/v1/health")
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["status"], body["worker_heartbeat_age_s"], body["problems"]) == ("ok", 0.0, [])
    assert body["worker_last_heartbeat_at"] == "2026-11-26T02:00:00+00:00"

    clock.advance(seconds=app.config["HEALTH_MAX_HEARTBEAT_AGE_SECONDS"])
    assert client.get("/api/v1/health").status_code == 200
    clock.advance(seconds=1)
    late = client.get("/api/v1/health")
    assert late.status_code == 503
    assert late.get_json()["problems"] == ["worker_heartbeat_too_old"]
    assert late.get_json()["worker_heartbeat_age_s"] == app.config["HEALTH_MAX_HEARTBEAT_AGE_SECONDS"] + 1


def test_a_safety_delivery_waiting_too_long_makes_it_unhealthy_without_naming_anyone(
        app, client, clock, safety_kind, scripted_sms):
    from backend.notifications.channels.base import Outcome

    son = Contact(name="王小明", phone="13911112222")
    scripted_sms[son.phone].extend([Outcome("retry", 60, "busy")] * 20)
    notify("test_sos", contact=son, params={"name": "王奶奶"})
    db.session.commit()
    limit = app.config["HEALTH_MAX_SAFETY_DELIVERY_AGE_SECONDS"]

    clock.advance(seconds=limit)
    run_worker(app)
    assert client.get("/api/v1/health").status_code == 200
    clock.advance(seconds=1)
    run_worker(app)  # the worker is alive, the SMS still does not go
    answer = client.get("/api/v1/health")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["problems"] == ["safety_delivery_waiting_too_long"]
    assert (body["oldest_undelivered_safety_age_s"], body["undelivered_safety_deliveries"]) == (limit + 1, 1)
    assert "王" not in answer.get_data(as_text=True) and son.phone not in answer.get_data(as_text=True)


def test_an_unreachable_database_is_503(tmp_path):
    broken = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no-such-directory/linli.db"})
    answer = broken.test_client().get("/api/v1/health")
    with broken.app_context():
        db.engine.dispose()
    assert answer.status_code == 503
    assert answer.get_json()["database"] == "unreachable"
    assert answer.get_json()["problems"] == ["database_unreachable"]


def test_health_needs_no_sign_in_and_stays_the_same_signed_in(app, client):
    run_worker(app)
    anonymous = client.get("/api/v1/health").get_json()
    client.login(make_user(make_community(), "volunteer"))
    assert client.get("/api/v1/health").get_json() == anonymous


def test_a_starting_worker_forgets_heartbeats_silent_for_a_week(app, clock):
    from datetime import timedelta

    from backend.notifications.models import WorkerHeartbeat

    long_gone = clock() - timedelta(days=7, seconds=1)
    recent = clock() - timedelta(days=6)
    db.session.add_all([WorkerHeartbeat(name="old:1:1", started_at=long_gone, last_beat_at=long_gone),
                        WorkerHeartbeat(name="old:2:2", started_at=recent, last_beat_at=recent)])
    db.session.commit()
    run_worker(app)
    names = sorted(beat.name.split(":")[0] for beat in db.session.query(WorkerHeartbeat))
    assert len(names) == 2 and "old" in names
    assert db.session.query(WorkerHeartbeat).filter_by(name="old:1:1").count() == 0
