"""The on-duty roster: a community's weekly pattern and dated overrides, and who is on duty when.

Staff read it; admins change it. Only enabled workers and admins of the community can be on it;
someone who stops being one later simply counts as nobody (escalation then goes to the admins).
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from backend.accounts.models import STAFF_ROLES, User, UserRole
from backend.alerts import duty
from backend.alerts.models import RosterOverride, RosterShift
from backend.common.i18n import pick
from backend.common.pagination import Page, paginate
from backend.common.time import now
from backend.community.models import Community
from backend.community.services import admin_community, community_of, require_staff
from backend.errors import Conflict, InvalidInput, NotFound
from backend.extensions import db

OVERRIDE_HORIZON = timedelta(days=366)
MAX_UPCOMING_OVERRIDES = 400


class OverrideOverlaps(Conflict):
    reason = "roster_override_overlaps"
    messages = {"zh-CN": "与已有的调班重叠：{existing}。请先删除它，或换一个时间。",
                "en": "This overlaps an existing override: {existing}. Delete it first or choose another time."}


class OverrideOver(Conflict):
    reason = "roster_override_over"
    messages = {"zh-CN": "这次调班已经结束，留作值班记录，不能删除。",
                "en": "This override is over; it stays as the record of who was on duty."}


class TooManyOverrides(Conflict):
    reason = "roster_too_many_overrides"
    messages = {"zh-CN": "待生效的调班已有 {limit} 条，请先删除一些。",
                "en": "There are already {limit} upcoming overrides. Delete some first."}


@dataclass
class RosterView:
    time_zone: str
    pattern: list[RosterShift]
    overrides: list[RosterOverride]


@dataclass
class OnDutyView:
    at: datetime
    time_zone: str
    user: User | None
    source: str  # override, pattern, none
    shift_id: int | None = None
    override_id: int | None = None


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _local_today(community: Community) -> date:
    return now().astimezone(ZoneInfo(community.timezone)).date()


def _shift(row: RosterShift) -> duty.Shift:
    return duty.Shift(row.weekday, row.start_minute, row.end_minute, row.user_id, key=row.id)


def _override(row: RosterOverride) -> duty.Override:
    return duty.Override(row.on_date, row.start_minute, row.end_minute, row.user_id, key=row.id)


def _pattern_rows(community_id: int) -> list[RosterShift]:
    return list(db.session.scalars(select(RosterShift).where(RosterShift.community_id == community_id)
                                   .order_by(RosterShift.weekday, RosterShift.start_minute)))


def _override_rows_from(community_id: int, first_day: date) -> list[RosterOverride]:
    return list(db.session.scalars(
        select(RosterOverride).where(RosterOverride.community_id == community_id, RosterOverride.on_date >= first_day)
        .order_by(RosterOverride.on_date, RosterOverride.start_minute)))


def _ends_at(row: RosterOverride, zone: ZoneInfo) -> datetime:
    return duty.interval(row.on_date, row.start_minute, row.end_minute, zone)[1]


def _upcoming_overrides(community: Community) -> list[RosterOverride]:
    """Overrides not over yet (an override lasts at most a day, so yesterday's may still run)."""
    zone, moment = ZoneInfo(community.timezone), now()
    rows = _override_rows_from(community.id, _local_today(community) - timedelta(days=1))
    return [row for row in rows if _ends_at(row, zone) > moment]


def _is_rosterable(person: User | None, community_id: int) -> bool:
    return (person is not None and person.community_id == community_id and person.is_enabled
            and bool(person.roles & STAFF_ROLES))


def _not_rosterable() -> str:
    return pick({"zh-CN": "只有本社区的网格员和管理员可以排班。",
                 "en": "Only workers and admins of this community can be on the roster."})


def _people(user_ids: list[int]) -> dict[int, User]:
    wanted = set(user_ids)
    if not wanted:
        return {}
    return {person.id: person for person in db.session.scalars(select(User).where(User.id.in_(wanted)))}


def list_people(user: User, page: int, per_page: int) -> Page:
    """Who can be put on the roster: the community's enabled workers and admins, by name."""
    require_staff(user)
    community = community_of(user)
    staff = select(UserRole.user_id).where(UserRole.role.in_(STAFF_ROLES))
    return paginate(select(User).where(User.community_id == community.id, User.is_enabled, User.id.in_(staff))
                    .order_by(User.display_name, User.id), page, per_page)


def get_roster(user: User) -> RosterView:
    """The weekly pattern and the overrides not over yet, for the community's staff."""
    require_staff(user)
    community = community_of(user)
    return RosterView(community.timezone, _pattern_rows(community.id), _upcoming_overrides(community))


def replace_pattern(user: User, shifts: list[dict]) -> RosterView:
    """An admin sets the whole weekly pattern at once (the schema has refused overlaps)."""
    community = admin_community(user)
    people = _people([shift["user_id"] for shift in shifts])
    errors = {index: {"user_id": [_not_rosterable()]} for index, shift in enumerate(shifts)
              if not _is_rosterable(people.get(shift["user_id"]), community.id)}
    if errors:
        raise InvalidInput(field_errors={"shifts": errors})
    db.session.execute(delete(RosterShift).where(RosterShift.community_id == community.id))
    for shift in sorted(shifts, key=lambda s: (s["weekday"], s["start_minute"])):
        db.session.add(RosterShift(community_id=community.id, weekday=shift["weekday"],
                                   start_minute=shift["start_minute"], end_minute=shift["end_minute"],
                                   user_id=shift["user_id"]))
    db.session.commit()
    return RosterView(community.timezone, _pattern_rows(community.id), _upcoming_overrides(community))


def _describe(row: RosterOverride) -> str:
    who = row.user.display_name if row.user is not None else pick({"zh-CN": "无人值班", "en": "nobody on duty"})
    return f"{row.on_date.isoformat()} {clock(row.start_minute)}–{clock(row.end_minute)} ({who})"


def add_override(user: User, data: dict) -> RosterOverride:
    """An admin puts someone (or nobody) on duty for a dated range, instead of the pattern."""
    community = admin_community(user)
    today = _local_today(community)
    if not today <= data["on_date"] <= today + OVERRIDE_HORIZON:
        raise InvalidInput(field_errors={"date": [pick({
            "zh-CN": "日期应在今天到一年之内。", "en": "Choose a date from today to a year ahead."})]})
    user_id = data.get("user_id")
    if user_id is not None and not _is_rosterable(db.session.get(User, user_id), community.id):
        raise InvalidInput(field_errors={"user_id": [_not_rosterable()]})
    # Lock the community row: two admins adding overlapping overrides at once take turns.
    db.session.scalar(select(Community).where(Community.id == community.id).with_for_update())
    new = duty.Override(data["on_date"], data["start_minute"], data["end_minute"], user_id)
    upcoming = _upcoming_overrides(community)
    for row in upcoming:
        if duty.overrides_overlap(new, _override(row)):
            raise OverrideOverlaps(existing=_describe(row))
    if len(upcoming) >= MAX_UPCOMING_OVERRIDES:
        raise TooManyOverrides(limit=MAX_UPCOMING_OVERRIDES)
    row = RosterOverride(community_id=community.id, on_date=data["on_date"], start_minute=data["start_minute"],
                         end_minute=data["end_minute"], user_id=user_id, note=data.get("note") or None,
                         created_by_id=user.id, created_at=now())
    db.session.add(row)
    db.session.commit()
    return row


def delete_override(user: User, override_id: int) -> None:
    """An admin removes an override that is not over yet; the pattern applies again."""
    community = admin_community(user)
    row = db.session.get(RosterOverride, override_id)
    if row is None or row.community_id != community.id:
        raise NotFound("该调班", "Override")
    if _ends_at(row, ZoneInfo(community.timezone)) <= now():
        raise OverrideOver()
    db.session.delete(row)
    db.session.commit()


def _resolve(community: Community, moment: datetime) -> tuple[duty.OnDuty, User | None]:
    local_day = moment.astimezone(ZoneInfo(community.timezone)).date()
    overrides = [_override(row) for row in _override_rows_from(community.id, local_day - timedelta(days=1))
                 if row.on_date <= local_day]
    answer = duty.on_duty_at(moment, [_shift(row) for row in _pattern_rows(community.id)], overrides,
                             community.timezone)
    person = db.session.get(User, answer.user_id) if answer.user_id is not None else None
    return answer, person if _is_rosterable(person, community.id) else None


def on_duty_user(community_id: int, moment: datetime) -> User | None:
    """The worker or admin on duty in the community at `moment`, or None (nobody, or someone
    who is no longer an enabled worker or admin of it)."""
    return _resolve(db.session.get(Community, community_id), moment)[1]


def on_duty(user: User, at: datetime | None) -> OnDutyView:
    """Who is on duty at `at` (default now), for the community's staff."""
    require_staff(user)
    community = community_of(user)
    moment = at or now()
    answer, person = _resolve(community, moment)
    return OnDutyView(at=moment, time_zone=community.timezone, user=person, source=answer.source,
                      shift_id=answer.shift.key if answer.shift else None,
                      override_id=answer.override.key if answer.override else None)
