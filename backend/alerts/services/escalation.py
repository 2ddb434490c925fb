"""Re-escalation: the timer an alert's window sets, fired by the worker while nobody has taken it.

Each firing moves the alert one rung up and, unless it is done, sets the next timer one window on:

  level 0 → 1  the worker on duty in the community's roster at that moment, if they were not
               told already; when nobody is on duty (or they were), straight on to the admins;
  level 1 → 2  the community's admins not told yet (all of them told already: a reminder);
  level 2      a reminder to the admins every window, at most ALERT_MAX_REMINDERS times.

It runs in the transaction that marks its timer fired (backend/notifications/timers.py), with
the alert's row locked, so an acknowledgement and an escalation never both win.
"""
import logging
from datetime import datetime

from flask import current_app

from backend.alerts import kinds
from backend.alerts.models import ADMINS, ON_DUTY, Alert
from backend.alerts.services.roster import on_duty_user
from backend.alerts.services.timeline import add_step, admins_of, locked_alert, minutes_waiting, tell, told_ids
from backend.common.time import now
from backend.notifications import timers
from backend.notifications.models import Timer

log = logging.getLogger(__name__)

ESCALATE = "escalate_alert"  # the timer handler's name


def schedule_escalation(alert: Alert, moment: datetime) -> None:
    """The next escalation, one acknowledgement window of the alert's kind from `moment`."""
    due = moment + kinds.ack_window(alert.kind)
    timers.schedule(ESCALATE, due, owner=("alert", alert.id))
    alert.next_escalation_at = due


def cancel_escalation_timers(alert_id: int) -> None:
    timers.cancel(("alert", alert_id), ESCALATE)


def stop_escalation(alert: Alert) -> None:
    cancel_escalation_timers(alert.id)
    alert.next_escalation_at = None


@timers.timer_handler(ESCALATE)
def escalate(timer: Timer) -> None:
    """Move an alert nobody has taken one rung up its ladder."""
    alert = locked_alert(timer.owner_id)
    if alert is None or alert.status != "open":
        return
    moment = now()
    resident = alert.resident
    if resident is not None and resident.status == "deceased":
        alert.status, alert.next_escalation_at = "closed", None
        add_step(alert, "closed", reason="resident_deceased", at=moment)
        return
    minutes = minutes_waiting(alert, moment)
    told = told_ids(alert)
    if alert.level < ON_DUTY:
        alert.level = ON_DUTY
        person = on_duty_user(alert.community_id, moment)
        if person is not None and person.id not in told:
            step = add_step(alert, "escalated", reason="on_duty", at=moment)
            tell(alert, step, [person], kinds.ALERT_ESCALATED.code, minutes=minutes)
            schedule_escalation(alert, moment)
            return
        skipped_because = "on_duty_already_told" if person is not None else "nobody_on_duty"
    else:
        skipped_because = None
    if alert.level < ADMINS:
        alert.level = ADMINS
        admins = admins_of(alert.community_id)
        untold = [admin for admin in admins if admin.id not in told]
        if untold or not admins:
            step = add_step(alert, "escalated", reason=skipped_because or "admins", at=moment)
            tell(alert, step, untold, kinds.ALERT_ESCALATED.code, minutes=minutes)
            if not admins:
                log.error("alert %s escalated, but community %s has no admin", alert.id, alert.community_id)
            _next_reminder(alert, moment)
            return
    _remind(alert, moment, minutes, skipped_because or "admins")


def _remind(alert: Alert, moment: datetime, minutes: int, reason: str) -> None:
    admins = admins_of(alert.community_id)
    alert.reminders_sent += 1
    step = add_step(alert, "reminded", reason=reason, at=moment,
                    note=f"{alert.reminders_sent}/{current_app.config['ALERT_MAX_REMINDERS']}")
    tell(alert, step, admins, kinds.ALERT_REMINDER.code, minutes=minutes)
    _next_reminder(alert, moment)


def _next_reminder(alert: Alert, moment: datetime) -> None:
    """Another window, unless the reminders have reached their cap (the alert stays open, first
    in every list, and still waits for someone to take it)."""
    if alert.reminders_sent < current_app.config["ALERT_MAX_REMINDERS"]:
        schedule_escalation(alert, moment)
    else:
        alert.next_escalation_at = None
