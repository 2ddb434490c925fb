"""A worker's day of household visits (docs/visits.md, The day plan): Linli proposes the due and
overdue households of the worker's grids for the day (or the ones the worker names), orders them
into a walking route from the start point within the working day and around fixed appointments
(backend/algorithms/routing.py: exact up to 12 stops), lists what does not fit as deferred, takes
the worker's own order, and exports the day as an iCalendar file that carries only building
labels, times and a link into the app."""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Event
from sqlalchemy import select

from backend.accounts.models import User
from backend.algorithms.routing import Route, Stop, evaluate_route, plan_route
from backend.common.i18n import pick
from backend.common.ids import in_id_range
from backend.common.time import local_today, now
from backend.community.models import Community, Household
from backend.community.services import visible_grid_ids
from backend.community.services.households import position_of
from backend.errors import InvalidInput, NotFound
from backend.extensions import db
from backend.people.models import Resident
from backend.visits.models import DayPlan, DayPlanStop
from backend.visits.services.cadence import due_households
from backend.visits.services.records import visible_household

MAX_DAYS_AHEAD = 30
MAX_STOPS = 60


def plan_not_found() -> NotFound:
    return NotFound("该走访日程", "Day plan")


def _refuse(field: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(field_errors={field: [pick({"zh-CN": zh, "en": en})]})


def _clock(text: str, field: str) -> time:
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise _refuse(field, "时间应为 HH:MM，例如 08:30。", "Use HH:MM, e.g. 08:30.") from None


def _due_ids(user: User, day: date, today: date) -> list[int]:
    """The households of the worker's grids due by that day (overdue ones included), in the due
    list's order (riskiest and longest overdue first), at most MAX_STOPS."""
    page = due_households(user, within_days=(day - today).days, page=1, per_page=MAX_STOPS)
    return [entry.household_id for entry in page.items]


def make_day_plan(user: User, data: dict) -> "DayPlanView":
    """Propose and order the day (planning the same day again replaces its households and route)."""
    community = db.session.get(Community, user.community_id) if user.community_id else None
    if community is None or not visible_grid_ids(user):
        raise NotFound("该网格", "Grid")
    zone = ZoneInfo(community.timezone)
    today = local_today(community.timezone)
    day: date = data["date"]
    if not today <= day <= today + timedelta(days=MAX_DAYS_AHEAD):
        raise _refuse("date", f"请选择今天到 {MAX_DAYS_AHEAD} 天以内的日期。",
                      f"Choose a date from today up to {MAX_DAYS_AHEAD} days ahead.")
    config = current_app.config
    starts = datetime.combine(day, _clock(data.get("start_time") or config["VISIT_DAY_START"], "start_time"), zone)
    ends = datetime.combine(day, _clock(data.get("end_time") or config["VISIT_DAY_END"], "end_time"), zone)
    if ends <= starts:
        raise _refuse("end_time", "下班时间要晚于出发时间。", "The day must end after it starts.")
    ids = data.get("household_ids")
    if ids is None:
        ids = _due_ids(user, day, today)
    if len(set(ids)) != len(ids):
        raise _refuse("household_ids", "同一户只能排一次。", "List each household once.")
    households = [visible_household(user, household_id) for household_id in ids]
    appointments = {}
    for entry in data.get("appointments") or ():
        if entry["household_id"] not in ids:
            raise _refuse("appointments", "预约的住户不在这一天的名单里。", "An appointment names a household not in the day.")
        earliest = datetime.combine(day, _clock(entry["earliest"], "appointments"), zone)
        latest = datetime.combine(day, _clock(entry.get("latest") or entry["earliest"], "appointments"), zone)
        if latest < earliest:
            raise _refuse("appointments", "预约的最晚时间不能早于最早时间。", "An appointment's latest start is before its earliest.")
        appointments[entry["household_id"]] = (earliest, latest)
    start = data.get("start")
    start_point = (start["latitude"], start["longitude"]) if start else (community.centre_lat, community.centre_lng)
    if None in start_point:
        raise _refuse("start", "请给出发地点的位置。", "Give the start point's position.")
    # Planned again, the day keeps its plan (and the link a calendar holds); its households are new.
    plan = db.session.scalar(select(DayPlan).where(DayPlan.worker_id == user.id, DayPlan.day == day))
    if plan is None:
        plan = DayPlan(community_id=community.id, worker_id=user.id, day=day)
    plan.stops.clear()
    db.session.flush()
    plan.start_lat, plan.start_lng = start_point
    plan.starts_at, plan.ends_at = starts.astimezone(UTC), ends.astimezone(UTC)
    plan.service_minutes = config["VISIT_SERVICE_MINUTES"]
    for household in households:
        earliest, latest = appointments.get(household.id, (None, None))
        plan.stops.append(DayPlanStop(household_id=household.id, earliest=earliest, latest=latest))
    _route(plan, order=None)
    db.session.add(plan)
    db.session.flush()
    view = day_plan_view(plan)
    db.session.commit()
    return view


def _stops(plan: DayPlan) -> tuple[list[Stop], list[DayPlanStop]]:
    """The plan's households with a position as the route's stops; those without one."""
    stops, unplaced = [], []
    for row in plan.stops:
        position = position_of(db.session.get(Household, row.household_id))
        if position is None:
            unplaced.append(row)
            continue
        stops.append(Stop(id=row.household_id, lat=position[0], lng=position[1],
                          service=timedelta(minutes=plan.service_minutes), earliest=row.earliest, latest=row.latest))
    return stops, unplaced


def _route(plan: DayPlan, order: list[int] | None) -> None:
    """Order the plan's stops (the best route, or the worker's `order` timed as given) and store it."""
    config = current_app.config
    stops, unplaced = _stops(plan)
    options = {"detour_factor": config["VISIT_DETOUR_FACTOR"], "walking_kmh": config["VISIT_WALKING_KMH"]}
    start = (plan.start_lat, plan.start_lng)
    if order is None:
        route: Route = plan_route(start, plan.starts_at, plan.ends_at, stops, **options)
    else:
        route = evaluate_route(start, plan.starts_at, plan.ends_at, stops, order, **options)
    rows = {row.household_id: row for row in plan.stops}
    for row in plan.stops:
        row.position = row.arrival = row.start = row.finish = row.travel_s = row.wait_s = None
        row.deferred_reason = row.violation = row.violation_s = None
    for position, visit in enumerate(route.visits, start=1):
        row = rows[visit.stop_id]
        row.position = position
        row.arrival, row.start, row.finish = (_second(visit.arrival), _second(visit.start), _second(visit.finish))
        row.travel_s, row.wait_s = round(visit.travel_s, 1), round(visit.wait_s, 1)
    for deferral in route.deferred:
        rows[deferral.stop_id].deferred_reason = deferral.reason
    for violation in route.violations:
        rows[violation.stop_id].violation, rows[violation.stop_id].violation_s = violation.kind, round(violation.by_s, 1)
    for row in unplaced:
        row.deferred_reason = "no_position"
    plan.method, plan.travel_s, plan.updated_at = route.method, round(route.travel_s, 1), now()


def _second(moment: datetime) -> datetime:
    """Times to the nearest second: what a calendar and a person see."""
    return (moment + timedelta(microseconds=500_000)).replace(microsecond=0)


def _plan(user: User, plan_id: int) -> DayPlan:
    plan = db.session.get(DayPlan, plan_id) if in_id_range(plan_id) else None
    if plan is None or plan.worker_id != user.id:
        raise plan_not_found()
    return plan


def get_day_plan(user: User, plan_id: int) -> "DayPlanView":
    return day_plan_view(_plan(user, plan_id))


def day_plans(user: User, day: date | None) -> list["DayPlanView"]:
    statement = select(DayPlan).where(DayPlan.worker_id == user.id)
    if day is not None:
        statement = statement.where(DayPlan.day == day)
    return [day_plan_view(plan) for plan in db.session.scalars(statement.order_by(DayPlan.day.desc()).limit(31))]


def reorder(user: User, plan_id: int, household_ids: list[int]) -> "DayPlanView":
    """The worker's own order of some of the plan's households (the rest deferred), timed as given:
    a late start or a finish after the day is shown, not refused — it is the worker's day."""
    plan = _plan(user, plan_id)
    known = {row.household_id for row in plan.stops}
    if len(set(household_ids)) != len(household_ids) or not set(household_ids) <= known:
        raise _refuse("household_ids", "顺序里的住户要是这一天名单里的，每户一次。",
                      "The order must name households of this day's list, each once.")
    unplaced = {row.household_id for row in plan.stops if position_of(db.session.get(Household, row.household_id)) is None}
    if set(household_ids) & unplaced:
        raise _refuse("household_ids", "没有位置的住户排不进路线，请先在门口定位。",
                      "A household without a position cannot be routed; record its position at the door first.")
    _route(plan, household_ids)
    view = day_plan_view(plan)
    db.session.commit()
    return view


def calendar(user: User, plan_id: int) -> bytes:
    """The day as iCalendar: one event per visit with the building label, the times and a link
    into the app — no names, addresses or tags (calendars sync to other companies' clouds)."""
    plan = _plan(user, plan_id)
    link = f"{current_app.config['PUBLIC_BASE_URL']}/worker/visits/plan/{plan.id}"
    ics = Calendar()
    ics.add("prodid", "-//Linli//visits//ZH")
    ics.add("version", "2.0")
    for row in plan.stops:
        if row.position is None:
            continue
        building = db.session.get(Household, row.household_id).building
        event = Event()
        event.add("uid", f"linli-visit-{plan.id}-{row.id}@linli")
        event.add("summary", f"入户走访 · {building.label}")
        event.add("dtstart", row.start)
        event.add("dtend", row.finish)
        event.add("dtstamp", plan.updated_at)
        event.add("url", link)
        event.add("description", link)
        ics.add_component(event)
    return ics.to_ical()


@dataclass
class DayPlanView:
    id: int
    date: date
    start_latitude: float
    start_longitude: float
    starts_at: datetime
    ends_at: datetime
    service_minutes: int
    method: str
    travel_minutes: float
    stops: list
    deferred: list


def day_plan_view(plan: DayPlan) -> DayPlanView:
    stops, deferred = [], []
    for row in sorted(plan.stops, key=lambda row: (row.position is None, row.position or 0, row.id)):
        household = db.session.get(Household, row.household_id)
        people = [{"id": resident_id, "address_as": name} for resident_id, name in db.session.execute(
            select(Resident.id, Resident.address_as).where(
                Resident.household_id == household.id, Resident.status == "active").order_by(Resident.id))]
        position = position_of(household)
        entry = {"household_id": household.id, "building_label": household.building.label,
                 "door_number": household.door_number, "residents": [person["address_as"] for person in people],
                 "people": people, "latitude": position[0] if position else None,
                 "longitude": position[1] if position else None,
                 "appointment_earliest": row.earliest, "appointment_latest": row.latest}
        if row.position is None:
            deferred.append({**entry, "reason": row.deferred_reason})
        else:
            stops.append({**entry, "position": row.position, "arrival": row.arrival, "start": row.start,
                          "finish": row.finish, "walk_minutes": round((row.travel_s or 0) / 60, 1),
                          "wait_minutes": round((row.wait_s or 0) / 60, 1), "violation": row.violation,
                          "violation_minutes": round(row.violation_s / 60, 1) if row.violation_s else None})
    return DayPlanView(id=plan.id, date=plan.day, start_latitude=plan.start_lat, start_longitude=plan.start_lng,
                       starts_at=plan.starts_at, ends_at=plan.ends_at, service_minutes=plan.service_minutes,
                       method=plan.method, travel_minutes=round(plan.travel_s / 60, 1), stops=stops, deferred=deferred)
