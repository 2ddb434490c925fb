"""The worker process: delivers the outbox (Web Push, SMS) and fires timers.

`flask --app wsgi worker` runs until SIGTERM or SIGINT (it finishes the item in hand, gives
back what it claimed but did not start, and exits); `--once` processes everything due and
exits (tests, cron). Any number of workers may run on PostgreSQL; on SQLite one is enough, and
a second corrupts nothing. docs/operations.md says how to run and watch it.
"""
import logging
import os
import signal
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError

from backend.common.time import now
from backend.extensions import db
from backend.notifications import kinds, timers
from backend.notifications.channels import base as channels
from backend.notifications.channels import sms
from backend.notifications.services import delivery as deliveries
from backend.notifications.services import health

log = logging.getLogger(__name__)

DATABASE_RETRY_SECONDS = 5


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

    def stop(self, *_signal_args) -> None:
        """Stop after the item in hand (the SIGTERM/SIGINT handler)."""
        self.stopping.set()

    def run(self, once: bool = False) -> Totals:
        """Work until stopped; with `once`, until nothing is due."""
        self._beat(force=True)
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
                    self.stopping.wait(self.config["WORKER_IDLE_SECONDS"])
        finally:
            db.session.remove()
            self._beat(stopped=True)
        return self.totals

    def process_due(self) -> int:
        """One round: a batch of due deliveries, then a batch of due timers; how many were due."""
        return self.deliver_batch() + self.fire_timers()

    def deliver_batch(self) -> int:
        lease = timedelta(seconds=self.config["WORKER_LEASE_SECONDS"])
        claimed, ended = deliveries.claim_deliveries(self.config["WORKER_BATCH_SIZE"], lease)
        for index, item in enumerate(claimed):
            if self.stopping.is_set():
                for untouched in claimed[index:]:
                    deliveries.release(untouched)
                break
            if not deliveries.lease_holds(item):
                continue  # a slow batch outlived the lease: another worker may hold it now
            deliveries.record_outcome(item.id, item.attempts, self._send(item))
            self.totals.deliveries += 1
            self._beat()  # a batch of slow sends must not look like a dead worker
        return len(claimed) + ended

    def _send(self, item) -> channels.Outcome:
        try:
            kind = kinds.get(item.notification.kind)
        except kinds.UnknownKind as error:
            return channels.Outcome("failed", None, str(error))
        return channels.send(item, item.notification, kind, self.config)

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
