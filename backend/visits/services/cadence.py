"""Cadence: the community's visit rules (admins edit them, staff read them) and the households of
a worker's grids that are due or overdue, sorted by risk and days overdue (docs/visits.md). The
dates come from backend/algorithms/cadence.py, computed afresh on every read, so a rule changed
now applies from the next list."""
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from backend.accounts.models import User
from backend.algorithms.cadence import NEW_RESIDENT_DAYS, Due, ResidentFacts, Rule, household_due, most_frequent_interval
from backend.common.i18n import pick
from backend.common.ids import in_id_range
from backend.common.pagination import Page
from backend.common.time import local_today, now
from backend.community.models import Building, Community, Household, Term
from backend.community.services import visible_grid_ids
from backend.errors import InvalidInput, NotFound
from backend.extensions import db
from backend.people.models import Resident, resident_tags
from backend.visits.models import Visit, VisitDelegation, VisitRule
from backend.volunteers.models import Volunteer

MAX_RULES = 50


def rule_not_found() -> NotFound:
    return NotFound("该走访规则", "Visit rule")


def community_rules(community_id: int) -> list[VisitRule]:
    return list(db.session.scalars(select(VisitRule).where(VisitRule.community_id == community_id)
                                   .order_by(VisitRule.interval_days, VisitRule.id)))


def as_rule(row: VisitRule) -> Rule:
    return Rule(tags=frozenset(row.tags or ()), interval_days=row.interval_days,
                first_interval_days=row.first_interval_days, first_period_days=row.first_period_days)


def _check(community_id: int, data: dict) -> dict:
    """Tags must be the community's risk tags; a staged rule names both its first interval and period."""
    errors: dict[str, list[str]] = {}
    tags = sorted(set(data.get("tags") or ()))
    known = set(db.session.scalars(select(Term.code).where(Term.community_id == community_id,
                                                           Term.vocabulary == "risk_tag")))
    unknown = [code for code in tags if code not in known]
    if unknown:
        errors["tags"] = [pick({"zh-CN": f"没有这些风险标签：{', '.join(unknown)}。",
                                "en": f"No such risk tags: {', '.join(unknown)}."})]
    staged = (data.get("first_interval_days"), data.get("first_period_days"))
    if (staged[0] is None) != (staged[1] is None):
        errors["first_period_days"] = [pick({
            "zh-CN": "分阶段的规则要同时填写前期间隔和前期天数（或都不填）。",
            "en": "A staged rule needs both its first interval and its first period (or neither)."})]
    if errors:
        raise InvalidInput(field_errors=errors)
    return {**data, "tags": tags}


def _community_id(user: User) -> int:
    if user.community_id is None:
        raise rule_not_found()
    return user.community_id


def list_rules(user: User) -> list[VisitRule]:
    return community_rules(_community_id(user))


def create_rule(user: User, data: dict) -> VisitRule:
    community_id = _community_id(user)
    if db.session.scalar(select(func.count()).where(VisitRule.community_id == community_id)) >= MAX_RULES:
        raise InvalidInput(field_errors={"tags": [pick({"zh-CN": f"一个社区最多 {MAX_RULES} 条走访规则。",
                                                        "en": f"At most {MAX_RULES} visit rules per community."})]})
    rule = VisitRule(community_id=community_id, updated_by_id=user.id, **_check(community_id, data))
    db.session.add(rule)
    db.session.commit()
    return rule


def _rule(user: User, rule_id: int) -> VisitRule:
    rule = db.session.get(VisitRule, rule_id) if in_id_range(rule_id) else None
    if rule is None or rule.community_id != user.community_id:
        raise rule_not_found()
    return rule


def update_rule(user: User, rule_id: int, data: dict) -> VisitRule:
    rule = _rule(user, rule_id)
    merged = {"tags": rule.tags, "interval_days": rule.interval_days, "first_interval_days": rule.first_interval_days,
              "first_period_days": rule.first_period_days, **data}
    for field, value in _check(rule.community_id, merged).items():
        setattr(rule, field, value)
    rule.updated_by_id, rule.updated_at = user.id, now()
    db.session.commit()
    return rule


def delete_rule(user: User, rule_id: int) -> None:
    db.session.delete(_rule(user, rule_id))
    db.session.commit()


@dataclass
class DueHousehold:
    household_id: int
    grid_id: int
    building_label: str
    door_number: str
    residents: list  # [{"id", "address_as"}] of the active residents
    next_due_on: date
    days_overdue: int  # 0 when due today or later
    overdue: bool
    reason: str  # interval, new_resident, asked
    interval_days: int | None  # the most frequent interval of any active resident (the household's risk)
    last_visit_on: date | None
    delegation_id: int | None = None  # an open delegated visit: still due until its record is in
    delegated_to: str | None = None


@dataclass(frozen=True)
class HouseholdFacts:
    household: Household
    residents: list[ResidentFacts]
    last_visit_on: date | None
    asked_on: date | None


def households_of(grid_ids: set[int], zone: ZoneInfo) -> list[HouseholdFacts]:
    """Every household of these grids with its residents' facts and its last visits."""
    if not grid_ids:
        return []
    households = list(db.session.scalars(select(Household).join(Building, Building.id == Household.building_id)
                                         .where(Building.grid_id.in_(sorted(grid_ids))).order_by(Household.id)))
    ids = [household.id for household in households]
    residents: dict[int, list] = {}
    tags: dict[int, set[str]] = {}
    for resident_id, code in db.session.execute(
            select(resident_tags.c.resident_id, Term.code).join(Term, Term.id == resident_tags.c.term_id)
            .join(Resident, Resident.id == resident_tags.c.resident_id).where(Resident.household_id.in_(ids))):
        tags.setdefault(resident_id, set()).add(code)
    for resident_id, household_id, status, created_at in db.session.execute(
            select(Resident.id, Resident.household_id, Resident.status, Resident.created_at)
            .where(Resident.household_id.in_(ids))):
        residents.setdefault(household_id, []).append(ResidentFacts(
            id=resident_id, tags=frozenset(tags.get(resident_id, ())), registered_on=created_at.astimezone(zone).date(),
            active=status == "active"))
    last_seen = dict(db.session.execute(select(Visit.household_id, func.max(Visit.local_date)).where(
        Visit.household_id.in_(ids), Visit.seen.is_(True)).group_by(Visit.household_id)).all())
    latest = db.session.execute(select(Visit.household_id, Visit.next_visit_on, Visit.occurred_at).where(
        Visit.household_id.in_(ids)).order_by(Visit.household_id, Visit.occurred_at)).all()
    asked = {household_id: next_on for household_id, next_on, _at in latest}  # the latest visit's, by time
    return [HouseholdFacts(household, residents.get(household.id, []), last_seen.get(household.id),
                           asked.get(household.id)) for household in households]


def _sort_key(entry: DueHousehold):
    """Overdue first; among them the riskiest (most frequent interval; a new resident's first visit
    counts as NEW_RESIDENT_DAYS), then the longest overdue; then the rest by date."""
    risk = entry.interval_days if entry.interval_days is not None else NEW_RESIDENT_DAYS
    if entry.reason == "new_resident":
        risk = min(risk, NEW_RESIDENT_DAYS)
    if entry.overdue:
        return (0, risk, -entry.days_overdue, entry.household_id)
    return (1, entry.next_due_on.toordinal(), risk, entry.household_id)


def due_households(user: User, *, within_days: int = 0, grid_id: int | None = None, overdue_only: bool = False,
                   page: int = 1, per_page: int = 20) -> Page:
    """The households of the caller's grids (or one of them) due by today + within_days, sorted."""
    grids = visible_grid_ids(user)
    if grid_id is not None:
        if grid_id not in grids:
            raise NotFound("该网格", "Grid")
        grids = {grid_id}
    community = db.session.get(Community, user.community_id) if user.community_id else None
    if community is None:
        return Page(items=[], total=0, page=page, per_page=per_page)
    today = local_today(community.timezone)
    rules = [as_rule(row) for row in community_rules(community.id)]
    horizon = today + timedelta(days=within_days)
    entries = []
    for facts in households_of(grids, ZoneInfo(community.timezone)):
        due: Due | None = household_due(facts.residents, rules, facts.last_visit_on, facts.asked_on)
        if due is None or due.on > horizon or (overdue_only and due.on >= today):
            continue
        household = facts.household
        entries.append(DueHousehold(
            household_id=household.id, grid_id=household.building.grid_id, building_label=household.building.label,
            door_number=household.door_number, residents=[], next_due_on=due.on,
            days_overdue=max(0, (today - due.on).days), overdue=due.on < today, reason=due.reason,
            interval_days=most_frequent_interval(facts.residents, rules, today), last_visit_on=facts.last_visit_on))
    entries.sort(key=_sort_key)
    shown = entries[(page - 1) * per_page:page * per_page]
    names = _names([entry.household_id for entry in shown])
    handed = _open_delegations([entry.household_id for entry in shown])
    for entry in shown:
        entry.residents = names.get(entry.household_id, [])
        entry.delegation_id, entry.delegated_to = handed.get(entry.household_id, (None, None))
    return Page(items=shown, total=len(entries), page=page, per_page=per_page)


def _names(household_ids: list[int]) -> dict[int, list[dict]]:
    names: dict[int, list[dict]] = {}
    if household_ids:
        for resident_id, household_id, address_as in db.session.execute(
                select(Resident.id, Resident.household_id, Resident.address_as).where(
                    Resident.household_id.in_(household_ids), Resident.status == "active").order_by(Resident.id)):
            names.setdefault(household_id, []).append({"id": resident_id, "address_as": address_as})
    return names


def _open_delegations(household_ids: list[int]) -> dict[int, tuple[int, str]]:
    if not household_ids:
        return {}
    rows = db.session.execute(select(VisitDelegation.household_id, VisitDelegation.id, User.display_name)
                              .join(Volunteer, Volunteer.id == VisitDelegation.volunteer_id)
                              .join(User, User.id == Volunteer.user_id)
                              .where(VisitDelegation.household_id.in_(household_ids), VisitDelegation.status == "open"))
    return {household_id: (delegation_id, name) for household_id, delegation_id, name in rows}
