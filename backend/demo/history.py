"""The demo's helping history: both demo volunteers have helped 王奶奶 before, confirmed and well
rated, so matching ranks them first for her (continuity) and the request screens have a past.

Every visit is a request of hers taken all the way: created, assigned by her grid's worker,
checked in and out at her building, confirmed by her with a rating. All of it lies 5 to 11 weeks
before the seed's clock (older than the 30 days fairness counts), at fixed offsets: no random
draw, so the rest of the demo is the same with or without it."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from backend.demo import data
from backend.demo.base import DemoBuilderBase
from backend.extensions import db
from backend.help_requests.models import HelpRequest, HelpRequestEvent
from backend.help_requests.services.visiting import visit_hours
from backend.timebank.services.earning import credit_confirmed_task

# Per demo volunteer (in data.DEMO_VOLUNTEERS' order): (days before the seed, local hour it was
# asked, category, what she asked, minutes the visit took, rating, her comment).
HELPING_HISTORY = [
    [(38, 9, "errands", "帮忙买菜和降压药", 70, 5, "买的菜很新鲜，谢谢小张"),
     (59, 15, "companionship", "陪我说说话", 95, 5, "聊得很开心"),
     (77, 10, "phone_help", "教我用手机跟女儿视频", 50, 4, None)],
    [(45, 14, "home_repair", "厨房水龙头漏水", 60, 5, "修好了，一点不漏了"),
     (68, 9, "medical_escort", "陪我去医院复查", 180, 4, "有点赶，不过很耐心")],
]
HOURS_TO_COME = timedelta(minutes=35)


class HistoryPart(DemoBuilderBase):
    """Runs after the last flush that gives the demo volunteers, 王奶奶 and her worker their ids."""

    def _add_helping_history(self) -> None:
        resident = self.demo_resident
        resident_user = next(user for person, user in self.account_links if person is resident)
        building = resident.household.building
        worker = self.primary_worker[building.grid]
        for (volunteer_user, volunteer, _, _), visits in zip(self.volunteers, HELPING_HISTORY):
            for days, hour, category, description, minutes, rating, comment in visits:
                asked = self._local_past(days, hour)
                assigned = asked + timedelta(minutes=12)
                arrived = assigned + HOURS_TO_COME
                left = arrived + timedelta(minutes=minutes)
                confirmed = left + timedelta(hours=3)
                request = HelpRequest(
                    community_id=self.community.id, resident_id=resident.id, household_id=resident.household_id,
                    grid_id=building.grid_id, created_by_id=resident_user.id, on_behalf="resident",
                    category=category, description=description, asap=True, urgency="normal",
                    lat=building.lat, lng=building.lng, status="confirmed", volunteer_id=volunteer.id,
                    accepted_at=assigned, checked_in_at=arrived, check_in_received_at=arrived,
                    check_in_lat=building.lat, check_in_lng=building.lng, checked_out_at=left,
                    check_out_received_at=left, check_out_lat=building.lat, check_out_lng=building.lng,
                    hours=visit_hours(arrived, left, category), rating=rating, comment=comment,
                    confirmed_by_id=resident_user.id, confirmed_at=confirmed, created_at=asked, updated_at=confirmed)
                steps = [("created", None, "open", resident_user, None, asked, {"resident_id": resident.id}),
                         ("assigned", "open", "accepted", worker, volunteer.id, assigned,
                          {"volunteer_id": volunteer.id}),
                         ("checked_in", "accepted", "in_progress", volunteer_user, volunteer.id, arrived,
                          {"volunteer_id": volunteer.id}),
                         ("checked_out", "in_progress", "completed", volunteer_user, volunteer.id, left,
                          {"volunteer_id": volunteer.id}),
                         ("confirmed", "completed", "confirmed", resident_user, None, confirmed, {})]
                request.events = [HelpRequestEvent(event=event, from_status=before, to_status=after, actor_id=actor.id,
                                                   volunteer_id=volunteer_id, occurred_at=at, recorded_at=at,
                                                   data=step_data)
                                  for event, before, after, actor, volunteer_id, at, step_data in steps]
                db.session.add(request)
                db.session.flush()
                # Her confirmation earned the volunteer these hours, as a confirmation in the app does.
                credit_confirmed_task(request, resident_user, "resident", None)

    def _local_past(self, days: int, hour: int) -> datetime:
        """That many days before the seed's clock, at that hour of the community's day (UTC out)."""
        local = (self.now - timedelta(days=days)).astimezone(ZoneInfo(data.COMMUNITY["timezone"]))
        return local.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(self.now.tzinfo)
