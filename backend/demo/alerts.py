"""The demo's on-duty roster and one open alert about 王奶奶, so the alert and roster screens
have something to show. The alert is of a demo-only kind: the real ones (SOS, a missed check-in)
come with the issues that raise them."""
from datetime import timedelta

from backend.alerts.kinds import AlertKind, register
from backend.alerts.models import RosterOverride, RosterShift
from backend.alerts.services.alerts import raise_alert
from backend.demo import data
from backend.demo.base import DemoBuilderBase
from backend.extensions import db

DEMO_ALERT = register(AlertKind(code="demo_missed_check_in",
                                labels={"zh-CN": "没有报平安（演示）", "en": "No check-in today (demo)"}))


def _minute(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


class AlertsPart(DemoBuilderBase):
    """The roster needs the workers' ids and the alert the resident's: both run after the last flush."""

    def _add_roster(self) -> None:
        workers = {user.display_name: user for user in self.workers}
        for weekday, start, end, name in data.ROSTER_WEEK:
            db.session.add(RosterShift(community_id=self.community.id, weekday=weekday, start_minute=_minute(start),
                                         end_minute=_minute(end), user_id=workers[name].id))
        days_ahead, start, end, name, note = data.ROSTER_OVERRIDE
        db.session.add(RosterOverride(
            community_id=self.community.id, on_date=self.today + timedelta(days=days_ahead),
            start_minute=_minute(start), end_minute=_minute(end), user_id=workers[name].id, note=note,
            created_by_id=self.admin.id, created_at=self.now))

    def _raise_demo_alert(self) -> None:
        """An open alert about 王奶奶, told to her grid's workers (escalation then runs as usual)."""
        raise_alert(DEMO_ALERT.code, resident_id=self.demo_resident.id)
