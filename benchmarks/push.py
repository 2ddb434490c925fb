"""Web Push through the worker, on PostgreSQL: how fast one worker drains a backlog, next to a bare
pywebpush loop, and how soon a committed notification reaches the push service.

1. Throughput. 5,000 push deliveries (5 notifications to each of 1,000 browsers) are queued while
   a real `flask --app wsgi worker` process waits; the clock starts when they fall due and stops
   when the last is recorded delivered. Beside it, in the same run, a bare loop sends the same
   5,000 payloads to the same subscriptions with pywebpush alone: one reused requests.Session, one
   VAPID token, a thread pool of the worker's own WORKER_PUSH_CONCURRENCY, no database.
   `throughput_ratio` = deliveries_per_s / bare_per_s (target ≥ 0.8).
2. Latency. With the worker running, notifications are committed one by one at a steady 50 per
   second for 20 seconds; each one's time from its commit to its arrival at the push service
   gives `commit_to_delivery_p50_s` and `commit_to_delivery_p99_s` (target ≤ 2).

The push service is the test suite's (tests/notifications/push_service.py), in a process of its
own: it checks every request's VAPID signature and decrypts every body, as a real one would, and
answers 201. Everything shares this machine's cores: the push service, PostgreSQL, the worker.

Run: .venv/bin/python -m benchmarks.push   → benchmarks/results/push.json
"""
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import psycopg
import requests
from flask import current_app
from psycopg import sql
from py_vapid import Vapid02
from pywebpush import WebPusher
from requests.adapters import HTTPAdapter
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import make_url

from backend import create_app
from backend.accounts.models import User
from backend.common.time import now
from backend.community.models import Community
from backend.extensions import db
from backend.notifications import kinds
from backend.notifications.channels import webpush
from backend.notifications.models import Delivery, PushSubscription
from backend.notifications.services.outbox import WAKE_CHANNEL, notify
from benchmarks.common import write_result

BROWSERS = 1000
NOTIFICATIONS_EACH = 5  # 5,000 deliveries per throughput round
ROUNDS = 3  # throughput rounds, bare loop and worker side by side in each; the median is reported
LATENCY_RATE = 50  # notifications committed per second …
LATENCY_SECONDS = 20  # … for this long
KIND = "test_push"  # shipped with Linli: the worker process knows it (push only, 10 minutes)
DEFAULT_BENCH_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/linli_bench"
ROOT = Path(__file__).resolve().parents[1]
WAIT_SECONDS = 300  # a generous bound for anything to arrive; a run that gets there has failed


def _postgres_database():
    url = make_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_BENCH_URL))
    server = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    name = sql.Identifier(url.database)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))

    def drop():
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))

    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False), drop


def _serve_push(connection, browsers: int) -> None:
    """The push service's process: makes the browsers, then answers "take" with what arrived."""
    from tests.notifications.push_service import PushService

    with PushService() as service:
        subscriptions = [service.subscribe() for _ in range(browsers)]
        connection.send([(browser.endpoint, browser.p256dh, browser.auth) for browser in subscriptions])
        while connection.recv() == "take":
            connection.send([(item.payload["id"] if item.payload else None, item.received_at, item.status,
                              item.refusal) for item in service.take_received()])


class PushServiceProcess:
    def __init__(self, browsers: int):
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve_push, args=(child, browsers), daemon=True)
        self.process.start()
        self.browsers = self.connection.recv()
        self.arrived: list[tuple] = []

    def take(self) -> list[tuple]:
        """(notification id, arrival time, status, refusal) of every request since the last take."""
        self.connection.send("take")
        taken = self.connection.recv()
        self.arrived.extend(taken)
        return taken

    def close(self) -> None:
        self.connection.send("stop")
        self.process.join(timeout=10)


def _subscribers(browsers) -> list[int]:
    """One user per browser, each with that one subscription; their ids."""
    community = Community(name="基准社区", phone="057188880000")
    db.session.add(community)
    db.session.flush()
    users = [User(community_id=community.id, phone=f"139{n:08d}", display_name="基准", password_hash=None)
             for n in range(len(browsers))]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(PushSubscription(user_id=user.id, endpoint=endpoint, p256dh=p256dh, auth=auth,
                                        label="基准")
                       for user, (endpoint, p256dh, auth) in zip(users, browsers))
    db.session.commit()
    return [user.id for user in users]


def _queue_for_later(user_ids: list[int]) -> tuple[list[int], list[dict]]:
    """5 notifications to every user, their deliveries held back an hour so the worker leaves
    them alone; the bare loop's jobs: the very payloads and headers the worker will send."""
    kind = kinds.get(KIND)
    users = db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id)).all()
    notifications = [notify(KIND, user=user) for _ in range(NOTIFICATIONS_EACH) for user in users]
    later = now() + timedelta(hours=1)
    delivery_ids, jobs = [], []
    for notification in notifications:
        for delivery in notification.deliveries:
            delivery.next_attempt_at = later
            delivery_ids.append(delivery.id)
            message = webpush.prepare(delivery, notification, kind, current_app.config)
            jobs.append({"subscription": {"endpoint": message.endpoint,
                                          "keys": {"p256dh": message.p256dh, "auth": message.auth}},
                         "payload": message.payload, "ttl": message.ttl,
                         "headers": {"Urgency": message.urgency, "Topic": message.topic}})
    db.session.commit()
    return delivery_ids, jobs


def _bare_loop(jobs: list[dict], concurrency: int) -> float:
    """pywebpush alone, as fast as it goes at this concurrency; deliveries per second."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_maxsize=concurrency)
    session.mount("http://", adapter)
    vapid = Vapid02()
    vapid.generate_keys()
    origin = jobs[0]["subscription"]["endpoint"].split("/push/")[0]
    authorization = vapid.sign({"aud": origin, "sub": "mailto:bench@linli.invalid",
                                "exp": int(time.time()) + 12 * 3600})["Authorization"]

    def send(job: dict) -> int:
        response = WebPusher(job["subscription"], requests_session=session).send(
            job["payload"], {**job["headers"], "Authorization": authorization}, ttl=job["ttl"],
            content_encoding="aes128gcm", timeout=10)
        return response.status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        statuses = list(pool.map(send, jobs))
    elapsed = time.perf_counter() - started
    assert set(statuses) == {201}, set(statuses)
    return len(jobs) / elapsed


def _delivered_count(delivery_ids: list[int]) -> int:
    count = db.session.scalar(select(func.count()).select_from(Delivery)
                              .where(Delivery.id.in_(delivery_ids), Delivery.status == "delivered"))
    db.session.commit()
    return count


def _worker_drain(delivery_ids: list[int]) -> float:
    """Let the held-back deliveries fall due (and wake the worker, as notify() would) and time
    the worker until the last is recorded delivered; deliveries per second."""
    db.session.execute(update(Delivery).where(Delivery.id.in_(delivery_ids)).values(next_attempt_at=now())
                       .execution_options(synchronize_session=False))
    db.session.execute(text(f"NOTIFY {WAKE_CHANNEL}"))
    db.session.commit()
    started = time.perf_counter()
    deadline = time.monotonic() + WAIT_SECONDS
    while _delivered_count(delivery_ids) < len(delivery_ids):
        assert time.monotonic() < deadline, "the worker did not deliver everything in time"
        time.sleep(0.05)
    return len(delivery_ids) / (time.perf_counter() - started)


def _latency(user_ids: list[int], push_service: PushServiceProcess) -> list[float]:
    """Commit one notification at a time at LATENCY_RATE a second; seconds from each commit to
    its arrival at the push service."""
    users = db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id)).all()
    push_service.take()
    committed_at = {}
    count = LATENCY_RATE * LATENCY_SECONDS
    start = time.time() + 0.5
    for index in range(count):
        pause = start + index / LATENCY_RATE - time.time()
        if pause > 0:
            time.sleep(pause)
        notification_id = notify(KIND, user=users[index % len(users)]).id
        db.session.commit()
        committed_at[notification_id] = time.time()
    arrived_at = {}
    deadline = time.monotonic() + WAIT_SECONDS
    while len(arrived_at) < count:
        assert time.monotonic() < deadline, "the worker did not deliver everything in time"
        for notification_id, arrived, status, refusal in push_service.take():
            assert status == 201 and refusal is None, (status, refusal)
            arrived_at.setdefault(notification_id, arrived)
        time.sleep(0.1)
    return sorted(arrived_at[notification_id] - committed for notification_id, committed in committed_at.items())


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def _start_worker(database_url: str, log_file) -> subprocess.Popen:
    env = {**os.environ, "LINLI_ENV": "development", "DATABASE_URL": database_url}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker"], cwd=ROOT, env=env,
                            stdout=log_file, stderr=subprocess.STDOUT, text=True)


def measure(database_url: str) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    concurrency = app.config["WORKER_PUSH_CONCURRENCY"]
    push_service = PushServiceProcess(BROWSERS)
    with tempfile.TemporaryFile("w+") as worker_log:
        worker = None
        try:
            with app.app_context():
                db.create_all()
                user_ids = _subscribers(push_service.browsers)
                worker = _start_worker(database_url, worker_log)
                rounds = []
                for _ in range(ROUNDS):
                    delivery_ids, jobs = _queue_for_later(user_ids)
                    bare = _bare_loop(jobs, concurrency)
                    drained = _worker_drain(delivery_ids)
                    rounds.append({"bare_per_s": round(bare, 1), "deliveries_per_s": round(drained, 1)})
                    print(f"  round {len(rounds)}: bare loop {bare:6.1f}/s, worker {drained:6.1f}/s")
                latencies = _latency(user_ids, push_service)
                db.session.remove()
            worker.terminate()
            worker.wait(timeout=60)
            worker_log.seek(0)
            worker_output = worker_log.read()
            assert worker.returncode == 0, worker_output
        finally:
            if worker is not None and worker.poll() is None:
                worker.kill()
            push_service.take()
            push_service.close()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    refused = [item for item in push_service.arrived if item[3] is not None]
    assert not refused, refused[:5]
    bare_per_s = statistics.median(r["bare_per_s"] for r in rounds)
    deliveries_per_s = statistics.median(r["deliveries_per_s"] for r in rounds)
    return {
        "deliveries_per_s": round(deliveries_per_s, 1),
        "bare_per_s": round(bare_per_s, 1),
        "throughput_ratio": round(deliveries_per_s / bare_per_s, 3),
        "rounds": rounds,
        "commit_to_delivery_p50_s": round(statistics.median(latencies), 3),
        "commit_to_delivery_p99_s": round(_percentile(latencies, 0.99), 3),
        "commit_to_delivery_max_s": round(latencies[-1], 3),
        "latency_notifications": len(latencies),
        "push_concurrency": concurrency,
        "batch_size": app.config["WORKER_BATCH_SIZE"],
        "worker_output": worker_output.strip().splitlines()[-1:],
    }


def main() -> dict:
    database_url, drop = _postgres_database()
    try:
        figures = measure(database_url)
    finally:
        drop()
    figures = {
        "setup": f"{BROWSERS} browser subscriptions on the local push service (VAPID checked, bodies decrypted, "
                 f"201); {BROWSERS * NOTIFICATIONS_EACH} deliveries per throughput round, median of {ROUNDS}; "
                 f"{LATENCY_RATE}/s for {LATENCY_SECONDS} s for latency; PostgreSQL",
        "cores": os.cpu_count(),
        "targets": {"throughput_ratio": ">= 0.8", "commit_to_delivery_p99_s": "<= 2"},
        **figures,
    }
    path = write_result("push", figures)
    print(f"one worker {figures['deliveries_per_s']}/s, bare pywebpush {figures['bare_per_s']}/s "
          f"(concurrency {figures['push_concurrency']}): ratio {figures['throughput_ratio']} (target ≥ 0.8)")
    print(f"commit → push service at {LATENCY_RATE}/s: p50 {figures['commit_to_delivery_p50_s']} s, "
          f"p99 {figures['commit_to_delivery_p99_s']} s (target ≤ 2), {figures['cores']} cores")
    print(f"→ {path}")
    return figures


if __name__ == "__main__":
    main()
