"""The worker process: delivers the outbox (Web Push, SMS) and fires timers.

`flask --app wsgi worker` runs until SIGTERM or SIGINT (it finishes the sends in hand, gives
back what it claimed but did not start, and exits); `--once` processes everything due and
exits (tests, cron). Any number of workers may run on PostgreSQL; on SQLite one is enough, and
a second corrupts nothing. docs/operations.md says how to run and watch it.

Pushes go out WORKER_PUSH_CONCURRENCY at a time from a thread pool (they wait on the network,
not on us) and a batch's outcomes are recorded in one transaction; SMS go one at a time, each
recorded at once. An idle worker on PostgreSQL is woken by the NOTIFY that
notify() sends on commit; elsewhere it looks again every WORKER_IDLE_SECONDS.
"""
import importlib
import logging
import os
import signal
import socket
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import click
import psycopg
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import DBAPIError, OperationalError

from backend.common.time import now
from backend.extensions import db
from backend.notifications import kinds, timers
from backend.notifications.channels import base as channels
from backend.notifications.channels import sms
from backend.notifications.services import delivery as deliveries
from backend.notifications.services import health
from backend.notifications.services.delivery import ClaimedDelivery
from backend.notifications.services.outbox import WAKE_CHANNEL

log = logging.getLogger(__name__)

DATABASE_RETRY_SECONDS = 5
STOP_CHECK_SECONDS = 0.5  # how often a worker waiting for its pushes looks whether it should stop
TIMER_CHECK_SECONDS = 1.0  # how often a worker busy with deliveries looks for due timers


@dataclass
class Totals:
    deliveries: int = 0
    timers: int = 0


class Worker:
    """One worker: claims due deliveries and timers in batches and sees each one through."""

    def __init__(self, app: Flask):
        self.app = app
        self.config = app.config
        self.stopping = threading.Event()
        self.started_at = now()
        self.name = f"{socket.gethostname()}:{os.getpid()}:{int(self.started_at.timestamp())}"
        self._last_beat = None
        self.totals = Totals()
        self._next_timer_check = 0.0
        self.pushes = PushesInFlight(self.config["WORKER_PUSH_CONCURRENCY"], self.config["WORKER_BATCH_SIZE"])
        self._wakeups: Wakeups | None = None

    def stop(self, *_signal_args) -> None:
        """Stop after the sends in hand (the SIGTERM/SIGINT handler)."""
        self.stopping.set()

    def run(self, once: bool = False) -> Totals:
        """Work until stopped; with `once`, until nothing is due."""
        self._beat(force=True)
        if not once:
            self._wakeups = Wakeups(db.engine.url, self.stopping)
            self._wakeups.listen()  # before the first look: nothing committed after it goes unheard
        try:
            while not self.stopping.is_set():
                try:
                    worked = self.process_due()
                    db.session.remove()  # a fresh session per round: nothing stale from the last one
                    self._beat()
                except OperationalError:  # the database is restarting or unreachable: wait, go on
                    if once:
                        raise
                    log.exception("worker %s: database error, trying again in %s s", self.name,
                                  DATABASE_RETRY_SECONDS)
                    db.session.remove()
                    self.stopping.wait(DATABASE_RETRY_SECONDS)
                    continue
                if not worked:
                    if once:
                        break
                    self._wakeups.wait(self.config["WORKER_IDLE_SECONDS"])
            self._drain_pushes()
        finally:
            self.pushes.close()
            if self._wakeups is not None:
                self._wakeups.close()
            db.session.remove()
            self._beat(stopped=True)
        return self.totals

    def process_due(self) -> int:
        """One round: a batch of due deliveries, then a batch of due timers; how many were due.
        While deliveries keep it busy, the worker looks for due timers once a second."""
        worked = self.deliver_batch()
        if not worked or time.monotonic() >= self._next_timer_check:
            self._next_timer_check = time.monotonic() + TIMER_CHECK_SECONDS
            worked += self.fire_timers()
        return worked

    def deliver_batch(self) -> int:
        """Keep the push pool fed and record what comes back: once few enough pushes are left
        to send, claim the next batch (its SMS go one by one, here); then record every push that
        finished meanwhile, in one transaction. Returns how much was due, recorded or is still
        on its way."""
        self.pushes.wait_for_room(STOP_CHECK_SECONDS)
        claimed, ended = [], 0
        if self.pushes.wants_more():
            lease = timedelta(seconds=self.config["WORKER_LEASE_SECONDS"])
            claimed, ended = deliveries.claim_deliveries(self.config["WORKER_BATCH_SIZE"], lease)
            self._start(claimed)
            if not claimed:  # nothing more is due: wait for the pushes on their way
                self.pushes.wait_for_one(STOP_CHECK_SECONDS)
        if self.stopping.is_set():
            for untouched in self.pushes.cancel_unstarted():
                deliveries.release(untouched)
        recorded = self._record(self.pushes.take_finished())  # may make new deliveries due (SMS instead)
        return len(claimed) + ended + recorded + len(self.pushes)

    def _start(self, claimed: list[ClaimedDelivery]) -> None:
        """Pushes to the pool; the others (SMS) one at a time, each recorded at once."""
        one_by_one = []
        for item in claimed:
            sender = _concurrent_sender(item.channel)
            if sender is None:
                one_by_one.append(item)
                continue
            message = self._prepare(sender, item)
            if isinstance(message, channels.Outcome):  # known without sending (e.g. no subscription left)
                self.pushes.add_finished(item, message)
            else:
                self.pushes.start(item, sender, message, (item.lease_until - now()).total_seconds(), self.config)
        for index, item in enumerate(one_by_one):
            if self.stopping.is_set():
                for untouched in one_by_one[index:]:
                    deliveries.release(untouched)
                break
            if not deliveries.lease_holds(item):
                continue  # a slow batch outlived the lease: another worker may hold it now
            deliveries.record_outcome(item.id, item.attempts, self._send(item))
            self.totals.deliveries += 1
            self._beat()  # a batch of slow sends must not look like a dead worker

    def _drain_pushes(self) -> None:
        """On the way out: pushes not started go back, the ones on their way are recorded."""
        for untouched in self.pushes.cancel_unstarted():
            deliveries.release(untouched)
        while len(self.pushes):
            self.pushes.wait_for_one(STOP_CHECK_SECONDS)
            self._record(self.pushes.take_finished())

    def _prepare(self, sender, item):
        try:
            kind = kinds.get(item.notification.kind)
        except kinds.UnknownKind as error:
            return channels.Outcome("failed", None, str(error))
        try:
            return sender.prepare(item, item.notification, kind, self.config)
        except Exception as error:  # as channels.send does: a channel's bug retries, never stops us
            log.exception("channel %s raised preparing delivery %s", item.channel, item.id)
            return channels.Outcome("retry", None, f"{type(error).__name__}: {error}")

    def _record(self, finished: list[tuple[int, int, channels.Outcome]]) -> int:
        if not finished:
            return 0
        try:
            deliveries.record_outcomes(finished)
        except DBAPIError:  # e.g. a deadlock with another worker: record them one by one instead
            db.session.rollback()
            log.warning("worker %s: recording %s outcomes together failed; one by one", self.name, len(finished))
            for delivery_id, attempt, outcome in finished:
                deliveries.record_outcome(delivery_id, attempt, outcome)
        self.totals.deliveries += len(finished)
        return len(finished)

    def _send(self, item: ClaimedDelivery) -> channels.Outcome:
        try:
            kind = kinds.get(item.notification.kind)
        except kinds.UnknownKind as error:
            return channels.Outcome("failed", None, str(error))
        delivery = deliveries.loaded(item)
        return channels.send(delivery, delivery.notification, kind, self.config)

    def fire_timers(self) -> int:
        lease = timedelta(seconds=self.config["WORKER_LEASE_SECONDS"])
        claimed = timers.claim_due_timers(self.config["WORKER_BATCH_SIZE"], lease)
        for index, timer_id in enumerate(claimed):
            if self.stopping.is_set():
                timers.release(claimed[index:])
                break
            if timers.fire(timer_id):
                self.totals.timers += 1
        return len(claimed)

    def _beat(self, force: bool = False, stopped: bool = False) -> None:
        moment = now()
        interval = timedelta(seconds=self.config["WORKER_HEARTBEAT_SECONDS"])
        if force or stopped or self._last_beat is None or moment - self._last_beat >= interval:
            health.record_heartbeat(self.name, self.started_at, stopped=stopped)
            self._last_beat = moment


class PushesInFlight:
    """The pushes a worker has handed to its thread pool and not yet recorded.

    Up to `concurrency` are sent at once. The worker claims its next batch while half a batch
    (at least two rounds of the pool) is still to go, so the pool does not run dry while the
    worker talks to the database, and records what finished in one transaction per round."""

    def __init__(self, concurrency: int, batch_size: int):
        self.concurrency = max(1, concurrency)
        self.low_water = max(2 * self.concurrency, batch_size // 2)
        self._pool: ThreadPoolExecutor | None = None
        self._items: dict[Future, ClaimedDelivery] = {}
        self._finished: list[tuple[int, int, channels.Outcome]] = []
        self._unfinished = 0
        self._changed = threading.Condition()

    def __len__(self) -> int:
        return len(self._items) + len(self._finished)

    def start(self, item: ClaimedDelivery, sender, message, lease_seconds: float, app_config) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="linli-push")
        # The lease, in this process's own time: a push still queued when it runs out is left to
        # whichever worker takes the delivery over.
        deadline = time.monotonic() + lease_seconds
        with self._changed:
            self._unfinished += 1
        future = self._pool.submit(_send_concurrently, sender, message, app_config, deadline)
        self._items[future] = item
        future.add_done_callback(self._one_finished)

    def add_finished(self, item: ClaimedDelivery, outcome: channels.Outcome) -> None:
        """An outcome known without sending, recorded with the others."""
        self._finished.append((item.id, item.attempts, outcome))

    def _one_finished(self, _future) -> None:
        with self._changed:
            self._unfinished -= 1
            self._changed.notify_all()

    def wants_more(self) -> bool:
        """Few enough pushes left to send: time to claim the next batch."""
        with self._changed:
            return self._unfinished < self.low_water

    def wait_for_room(self, timeout: float) -> None:
        """Until few enough pushes are left to send that the next batch is wanted."""
        with self._changed:
            self._changed.wait_for(lambda: self._unfinished < self.low_water, timeout)

    def wait_for_one(self, timeout: float) -> None:
        """Until one more push finished (at once if one finished and was not taken yet)."""
        with self._changed:
            if self._unfinished and not any(future.done() for future in self._items):
                self._changed.wait(timeout)

    def take_finished(self) -> list[tuple[int, int, channels.Outcome]]:
        """(delivery id, attempt, outcome) of every push that finished since the last call;
        pushes whose lease ran out before they could go are left out (nothing to record)."""
        finished, self._finished = self._finished, []
        for future in [future for future in self._items if future.done()]:
            item = self._items.pop(future)
            outcome = None if future.cancelled() else future.result()
            if outcome is not None:
                finished.append((item.id, item.attempts, outcome))
        return finished

    def cancel_unstarted(self) -> list[ClaimedDelivery]:
        """Take back the pushes still queued (the worker is stopping); their deliveries."""
        cancelled = [future for future in self._items if future.cancel()]
        return [self._items.pop(future) for future in cancelled]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _concurrent_sender(channel: str):
    """The channel's module when its sends may run in the pool: it offers `prepare(delivery,
    notification, kind, app_config)` (here, with the database and the app's clock) and
    `deliver(message, app_config)` (in a pool thread, touching neither). None otherwise."""
    module_name = channels.CHANNEL_MODULES.get(channel)
    if module_name is None:
        return None
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None  # channels.send fails the delivery with the reason
    return module if hasattr(module, "prepare") and hasattr(module, "deliver") else None


def _send_concurrently(sender, message, app_config, deadline: float) -> channels.Outcome | None:
    """One push in a pool thread; None when its lease ran out before it could go."""
    if time.monotonic() >= deadline:
        return None
    try:
        outcome = sender.deliver(message, app_config)
    except Exception as error:  # a bug or an unexpected answer: retried, and logged
        log.exception("channel %s raised", sender.__name__)
        return channels.Outcome("retry", None, f"{type(error).__name__}: {error}")
    if not isinstance(outcome, tuple) or outcome[0] not in channels.OUTCOMES:
        return channels.Outcome("retry", None, f"{sender.__name__} answered {outcome!r}")
    return channels.Outcome(*outcome)


class Wakeups:
    """How an idle worker waits: on PostgreSQL it LISTENs, and notify()'s NOTIFY (sent when the
    notification commits) wakes it at once; WORKER_IDLE_SECONDS bounds the wait anyway, for
    retries and timers falling due. Elsewhere (SQLite) it just waits that long."""

    def __init__(self, url, stopping: threading.Event):
        self.url = url
        self.stopping = stopping
        self.connection: psycopg.Connection | None = None

    def listen(self) -> None:
        if self.url.get_backend_name() != "postgresql" or self.connection is not None:
            return
        try:
            self.connection = psycopg.connect(
                self.url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True)
            self.connection.execute(f"LISTEN {WAKE_CHANNEL}")
        except psycopg.Error as error:  # the loop's own queries will say what is wrong; poll meanwhile
            log.warning("worker cannot LISTEN for new notifications (%s); looking every idle interval", error)
            self.close()

    def wait(self, seconds: float) -> None:
        """Until a notification is committed, the worker is stopped, or `seconds` have passed."""
        self.listen()
        if self.connection is None:
            self.stopping.wait(seconds)
            return
        try:
            for _ in self.connection.notifies(timeout=seconds, stop_after=1):
                pass
            for _ in self.connection.notifies(timeout=0):  # the ones that came together: one round for all
                pass
        except psycopg.Error:  # the database went away; the loop waits it out, we LISTEN again after
            self.close()

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None


@click.command("worker")
@click.option("--once", is_flag=True, help="Process everything that is due, then exit.")
@with_appcontext
def worker_command(once: bool) -> None:
    """Deliver notifications and fire timers until stopped (SIGTERM or Ctrl-C)."""
    try:
        sms.provider_for(current_app.config)  # a misconfigured provider stops the worker here, not per message
    except (ImportError, AttributeError, ValueError) as error:
        raise click.ClickException(f"SMS_PROVIDER={current_app.config['SMS_PROVIDER']!r} cannot be used: {error}")
    worker = Worker(current_app._get_current_object())
    if not once:
        signal.signal(signal.SIGTERM, worker.stop)
        signal.signal(signal.SIGINT, worker.stop)
        click.echo(f"Linli worker {worker.name} started; stop it with Ctrl-C or SIGTERM.")
    totals = worker.run(once=once)
    click.echo(f"Linli worker {worker.name} stopped: {totals.deliveries} deliveries sent, "
               f"{totals.timers} timers fired.")
