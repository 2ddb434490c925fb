"""Community use cases, and the grid scope every other domain checks objects against.

Functions named `add_*` stage rows for a larger use case and do not commit; every other
public write function is one use case and commits once.
"""
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from backend.accounts.models import User
from backend.audit.services import record
from backend.common.i18n import pick
from backend.common.pagination import Page, paginate
from backend.common.time import now
from backend.community.building_csv import CsvRejected, parse_building_csv
from backend.community.models import Building, Community, Grid, GridWorker, Household, Term
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.extensions import db

MAX_TERMS_PER_LIST = 100  # keeps the lists embedded in GET /communities/current bounded
MAX_IMPORT_ROWS = 5000
MAX_DOOR_FIX_ACCURACY_M = 100.0  # a worse fix would misplace the door for volunteers
MAX_OFFLINE_AGE = timedelta(hours=72)
HOUSEHOLD_FIELDS = ["address", "phone"]  # what a household's detail reveals of its residents


class TermCodeTaken(Conflict):
    reason = "term_code_taken"
    messages = {"zh-CN": "这个列表里已经有这个代码了。", "en": "This list already has an entry with this code."}


class TermListFull(Conflict):
    reason = "term_list_full"
    messages = {"zh-CN": "这个列表已满（最多 {n} 项）。", "en": "This list is full (at most {n} entries)."}


class GridNameTaken(Conflict):
    reason = "grid_name_taken"
    messages = {"zh-CN": "社区里已经有同名的网格了。", "en": "The community already has a grid with this name."}


class BuildingLabelTaken(Conflict):
    reason = "building_label_taken"
    messages = {"zh-CN": "这个网格里已经有同名的楼栋了。", "en": "This grid already has a building with this label."}


class DoorNumberTaken(Conflict):
    reason = "door_number_taken"
    messages = {"zh-CN": "这栋楼里已经登记过这个门牌号了。", "en": "This building already has a household at this door."}


class BuildingImportRejected(InvalidInput):
    reason = "building_import_rejected"
    messages = {"zh-CN": "楼栋清单有误，没有导入任何一行。请按标出的行修改后再导入。",
                "en": "Nothing was imported: please correct the marked rows and import again."}


class PositionTooImprecise(InvalidInput):
    reason = "position_too_imprecise"
    messages = {"zh-CN": "定位不够准确（误差超过 {n} 米），请到室外或窗边再试一次。",
                "en": "The position is not precise enough (more than {n} m off). Please try again outdoors "
                      "or by a window."}


def visible_grid_ids(user: User) -> set[int]:
    """Grids whose households and residents this user may see and change as staff:
    every grid of the community for an admin, their own grids for a worker, none otherwise."""
    if user.has_role("admin") and user.community_id is not None:
        return set(db.session.scalars(select(Grid.id).where(Grid.community_id == user.community_id)))
    if user.has_role("worker"):
        return set(db.session.scalars(select(GridWorker.grid_id).where(GridWorker.user_id == user.id)))
    return set()


def staff_reason(user: User, grid_id: int) -> str:
    """The audit log's 'why' for a staff member acting in a grid."""
    if user.has_role("admin") and user.community_id is not None:
        grid = db.session.get(Grid, grid_id)
        if grid is not None and grid.community_id == user.community_id:
            return f"admin of community {user.community_id}"
    return f"worker of grid {grid_id}"


def require_grid(user: User, grid_id: int) -> Grid:
    """The grid, if this user is staff for it; otherwise NotFound (existence is not revealed)."""
    if grid_id not in visible_grid_ids(user):
        raise NotFound("该网格", "Grid")
    return db.session.get(Grid, grid_id)


def _require_staff(user: User) -> None:
    if not user.is_staff:
        raise Forbidden()


def _community_of(user: User) -> Community:
    community = db.session.get(Community, user.community_id) if user.community_id is not None else None
    if community is None:
        raise NotFound("社区", "Community")
    return community


def _admin_community(user: User) -> Community:
    if not user.has_role("admin"):
        raise Forbidden()
    return _community_of(user)


def _place(target: Building | Household, user: User, latitude: float, longitude: float, source: str,
           at: datetime | None = None, accuracy_m: float | None = None) -> None:
    target.lat, target.lng, target.position_source = latitude, longitude, source
    target.position_set_at, target.position_set_by_id = at or now(), user.id
    target.position_accuracy_m = accuracy_m


def _clear_position(target: Building | Household) -> None:
    target.lat = target.lng = target.position_source = None
    target.position_set_at = target.position_set_by_id = target.position_accuracy_m = None


def _checked_fix(fix: dict) -> tuple[float, float, datetime, float | None]:
    """A GPS fix from the door: precise enough, and (when taken offline) not from the future or too old."""
    accuracy = fix.get("accuracy_m")
    if accuracy is not None and accuracy > MAX_DOOR_FIX_ACCURACY_M:
        error = PositionTooImprecise(n=int(MAX_DOOR_FIX_ACCURACY_M))
        error.field_errors = {"accuracy_m": [error.message]}
        raise error
    moment = now()
    taken_at = fix.get("occurred_at") or moment
    if taken_at > moment or moment - taken_at > MAX_OFFLINE_AGE:
        raise InvalidInput(field_errors={"occurred_at": [pick({
            "zh-CN": "定位时间不能晚于现在，也不能早于 72 小时前。",
            "en": "The time of the fix must not be in the future or more than 72 hours ago.",
        })]})
    return fix["latitude"], fix["longitude"], taken_at, accuracy


# The community and its lists

def current_community(user: User) -> Community:
    """The caller's community, with its risk tags, skills and languages."""
    return _community_of(user)


def update_community(user: User, changes: dict) -> Community:
    """An admin changes the community's name, time zone, centre or service phone."""
    community = _admin_community(user)
    for field in ("name", "timezone", "phone"):
        if field in changes:
            setattr(community, field, changes[field])
    if "centre" in changes:
        centre = changes["centre"] or {}
        community.centre_lat, community.centre_lng = centre.get("latitude"), centre.get("longitude")
    db.session.commit()
    return community


def list_terms(user: User, vocabulary: str | None, page: int, per_page: int) -> Page:
    """Entries of the caller's community lists, one list or all, in the order they were added."""
    community = _community_of(user)
    statement = select(Term).where(Term.community_id == community.id)
    if vocabulary is not None:
        statement = statement.where(Term.vocabulary == vocabulary)
    return paginate(statement.order_by(Term.vocabulary, Term.id), page, per_page)


def add_term_to_list(user: User, entry: dict) -> Term:
    """An admin adds an entry (a risk tag, skill or language) to one of the community's lists."""
    community = _admin_community(user)
    in_list = select(Term.id).where(Term.community_id == community.id, Term.vocabulary == entry["vocabulary"])
    if db.session.scalar(in_list.where(Term.code == entry["code"])) is not None:
        raise TermCodeTaken(field_errors={"code": [TermCodeTaken().message]})
    if len(db.session.scalars(in_list).all()) >= MAX_TERMS_PER_LIST:
        raise TermListFull(n=MAX_TERMS_PER_LIST)
    term = Term(community_id=community.id, **entry)
    db.session.add(term)
    db.session.commit()
    return term


def relabel_term(user: User, term_id: int, labels: dict) -> Term:
    """An admin corrects an entry's labels; its code stays, so stored choices keep their meaning."""
    community = _admin_community(user)
    term = db.session.get(Term, term_id)
    if term is None or term.community_id != community.id:
        raise NotFound("该条目", "Entry")
    for field in ("label_zh", "label_en"):
        if field in labels:
            setattr(term, field, labels[field])
    db.session.commit()
    return term


# Grids and their workers

def _check_grid_name_free(community_id: int, name: str) -> None:
    if db.session.scalar(select(Grid.id).where(Grid.community_id == community_id, Grid.name == name)):
        raise GridNameTaken(field_errors={"name": [GridNameTaken().message]})


def list_grids(user: User, page: int, per_page: int) -> Page:
    """The grids this staff member serves (all of the community's for an admin), with their workers."""
    _require_staff(user)
    statement = (select(Grid).where(Grid.id.in_(visible_grid_ids(user)))
                 .options(selectinload(Grid.worker_rows)).order_by(Grid.id))
    return paginate(statement, page, per_page)


def create_grid(user: User, name: str) -> Grid:
    """An admin adds a grid to the community; workers are set separately."""
    community = _admin_community(user)
    _check_grid_name_free(community.id, name)
    grid = Grid(community_id=community.id, name=name)
    db.session.add(grid)
    db.session.commit()
    return grid


def get_grid(user: User, grid_id: int) -> Grid:
    """One grid, for its workers and the community's admins."""
    _require_staff(user)
    return require_grid(user, grid_id)


def rename_grid(user: User, grid_id: int, changes: dict) -> Grid:
    """An admin renames a grid."""
    _admin_community(user)
    grid = require_grid(user, grid_id)
    if "name" in changes and changes["name"] != grid.name:
        _check_grid_name_free(grid.community_id, changes["name"])
        grid.name = changes["name"]
    db.session.commit()
    return grid


def set_grid_workers(user: User, grid_id: int, choices: list[dict]) -> Grid:
    """An admin sets who serves a grid: workers of this community, exactly one of them primary."""
    _admin_community(user)
    grid = require_grid(user, grid_id)
    wanted_ids = [choice["user_id"] for choice in choices]
    users = {candidate.id: candidate for candidate in
             db.session.scalars(select(User).where(User.id.in_(wanted_ids)))} if wanted_ids else {}
    errors = {}
    for index, choice in enumerate(choices):
        candidate = users.get(choice["user_id"])
        if (candidate is None or candidate.community_id != grid.community_id
                or not candidate.has_role("worker") or not candidate.is_enabled):
            errors[index] = {"user_id": [pick({"zh-CN": "不是本社区的网格员。",
                                               "en": "Not a worker of this community."})]}
    if errors:
        raise InvalidInput(field_errors={"workers": errors})
    # Rows are changed in place: deleting and re-adding a worker in one flush would trip
    # the (grid, user) uniqueness, as inserts are flushed before deletes.
    wanted = {choice["user_id"]: choice["is_primary"] for choice in choices}
    for row in list(grid.worker_rows):
        if row.user_id in wanted:
            row.is_primary = wanted.pop(row.user_id)
        else:
            grid.worker_rows.remove(row)
    for user_id, is_primary in wanted.items():
        grid.worker_rows.append(GridWorker(user_id=user_id, is_primary=is_primary))
    db.session.commit()
    return grid


# Buildings

def _require_building(user: User, building_id: int) -> Building:
    building = db.session.get(Building, building_id)
    if building is None or building.grid_id not in visible_grid_ids(user):
        raise NotFound("该楼栋", "Building")
    return building


def _grid_for_input(user: User, grid_id: int) -> Grid:
    if grid_id not in visible_grid_ids(user):
        raise InvalidInput(field_errors={"grid_id": [pick({"zh-CN": "没有这个网格，或不归您负责。",
                                                           "en": "No such grid among yours."})]})
    return db.session.get(Grid, grid_id)


def _check_label_free(grid_id: int, label: str) -> None:
    if db.session.scalar(select(Building.id).where(Building.grid_id == grid_id, Building.label == label)):
        raise BuildingLabelTaken(field_errors={"label": [BuildingLabelTaken().message]})


def list_buildings(user: User, grid_id: int | None, q: str | None, page: int, per_page: int) -> Page:
    """Buildings of the caller's grids (or one of them), optionally matching a label or address."""
    _require_staff(user)
    grid_ids = {require_grid(user, grid_id).id} if grid_id is not None else visible_grid_ids(user)
    statement = select(Building).where(Building.grid_id.in_(grid_ids))
    if q:
        statement = statement.where(Building.label.icontains(q, autoescape=True)
                                    | Building.address.icontains(q, autoescape=True))
    return paginate(statement.order_by(Building.id), page, per_page)


def create_building(user: User, data: dict) -> Building:
    """Staff of a grid add a building to it, with a position typed in if they have one."""
    _require_staff(user)
    grid = _grid_for_input(user, data["grid_id"])
    _check_label_free(grid.id, data["label"])
    building = Building(grid_id=grid.id, label=data["label"], address=data.get("address") or None)
    if data.get("latitude") is not None:
        _place(building, user, data["latitude"], data["longitude"], "manual")
    db.session.add(building)
    db.session.commit()
    return building


def get_building(user: User, building_id: int) -> Building:
    """One building of the caller's grids."""
    _require_staff(user)
    return _require_building(user, building_id)


def update_building(user: User, building_id: int, changes: dict) -> Building:
    """Staff correct a building's label, address or typed-in position (null clears it)."""
    _require_staff(user)
    building = _require_building(user, building_id)
    if "label" in changes and changes["label"] != building.label:
        _check_label_free(building.grid_id, changes["label"])
        building.label = changes["label"]
    if "address" in changes:
        building.address = changes["address"] or None
    if "latitude" in changes:
        if changes["latitude"] is None:
            _clear_position(building)
        else:
            _place(building, user, changes["latitude"], changes["longitude"], "manual")
    db.session.commit()
    return building


def import_buildings(user: User, grid_id: int, csv_text: str) -> dict:
    """Staff import a grid's building list: all rows or none; a known label updates its building.

    Blank cells never erase what is stored, and a position a worker took by GPS at the door is
    kept over the list's coordinates."""
    _require_staff(user)
    grid = _grid_for_input(user, grid_id)
    try:
        rows = parse_building_csv(csv_text, MAX_IMPORT_ROWS)
    except CsvRejected as rejected:
        raise BuildingImportRejected(field_errors=rejected.errors) from None
    by_label = {building.label: building for building in
                db.session.scalars(select(Building).where(Building.grid_id == grid.id))}
    counts = {"created": 0, "updated": 0, "gps_positions_kept": 0}
    moment = now()
    for row in rows:
        building = by_label.get(row.label)
        if building is None:
            building = Building(grid_id=grid.id, label=row.label)
            db.session.add(building)
            counts["created"] += 1
        else:
            counts["updated"] += 1
        if row.address:
            building.address = row.address
        if row.lat is not None:
            if building.position_source == "gps":
                counts["gps_positions_kept"] += 1
            else:
                _place(building, user, row.lat, row.lng, "csv", at=moment)
    db.session.commit()
    return counts


def set_building_position(user: User, building_id: int, fix: dict) -> Building:
    """A worker at the building's door records its position from the phone's GPS."""
    _require_staff(user)
    building = _require_building(user, building_id)
    latitude, longitude, taken_at, accuracy = _checked_fix(fix)
    _place(building, user, latitude, longitude, "gps", at=taken_at, accuracy_m=accuracy)
    db.session.commit()
    return building


# Households: their address and phone are their residents', so each read and change is audited

def _require_household(user: User, household_id: int) -> Household:
    household = db.session.get(Household, household_id)
    if household is None or household.building.grid_id not in visible_grid_ids(user):
        raise NotFound("该住户", "Household")
    return household


def _building_for_input(user: User, building_id: int) -> Building:
    building = db.session.get(Building, building_id)
    if building is None or building.grid_id not in visible_grid_ids(user):
        raise InvalidInput(field_errors={"building_id": [pick({"zh-CN": "没有这栋楼，或不归您负责。",
                                                               "en": "No such building among yours."})]})
    return building


def _check_door_free(building_id: int, door_number: str) -> None:
    taken = select(Household.id).where(Household.building_id == building_id, Household.door_number == door_number)
    if db.session.scalar(taken):
        raise DoorNumberTaken(field_errors={"door_number": [DoorNumberTaken().message]})


def _audit_residents(user: User, household: Household, action: str, fields: list[str]) -> None:
    grid = household.building.grid
    reason = staff_reason(user, grid.id)
    for resident in household.residents:
        record(actor_id=user.id, community_id=grid.community_id, resident_id=resident.id,
               action=action, fields=fields, reason=reason)


def list_households(user: User, grid_id: int | None, building_id: int | None, page: int, per_page: int) -> Page:
    """Households of the caller's grids, by grid or building; the list shows no address or phone."""
    _require_staff(user)
    grid_ids = {require_grid(user, grid_id).id} if grid_id is not None else visible_grid_ids(user)
    statement = select(Household).join(Household.building).where(Building.grid_id.in_(grid_ids))
    if building_id is not None:
        statement = statement.where(Household.building_id == _require_building(user, building_id).id)
    statement = (statement.options(selectinload(Household.building), selectinload(Household.residents))
                 .order_by(Household.building_id, Household.id))
    return paginate(statement, page, per_page)


def create_household(user: User, data: dict) -> Household:
    """Staff register a household at a door of one of their buildings (residents are added to it later)."""
    _require_staff(user)
    building = _building_for_input(user, data["building_id"])
    _check_door_free(building.id, data["door_number"])
    address = data.get("address_text") or f"{building.address or building.label} {data['door_number']}"
    household = Household(building_id=building.id, door_number=data["door_number"],
                          address_text=address[:200], phone=data.get("phone"))
    db.session.add(household)
    db.session.commit()
    return household


def get_household(user: User, household_id: int) -> Household:
    """One household with its address and phone; the read is audited for each resident."""
    _require_staff(user)
    household = _require_household(user, household_id)
    _audit_residents(user, household, "read", HOUSEHOLD_FIELDS)
    db.session.commit()
    return household


def update_household(user: User, household_id: int, changes: dict) -> Household:
    """Staff correct a household's door number, address or phone; audited for each resident.

    Fields that changed are logged as an update; the rest, shown in the answer, as a read."""
    _require_staff(user)
    household = _require_household(user, household_id)
    if "door_number" in changes and changes["door_number"] != household.door_number:
        _check_door_free(household.building_id, changes["door_number"])
    changed = set()
    for field, audited_as in (("door_number", "address"), ("address_text", "address"), ("phone", "phone")):
        if field in changes and changes[field] != getattr(household, field):
            setattr(household, field, changes[field])
            changed.add(audited_as)
    if changed:
        _audit_residents(user, household, "update", sorted(changed))
    if unchanged := [field for field in HOUSEHOLD_FIELDS if field not in changed]:
        _audit_residents(user, household, "read", unchanged)
    db.session.commit()
    return household


def set_household_position(user: User, household_id: int, fix: dict) -> Household:
    """A worker at the household's door records its position by GPS; audited for each resident."""
    _require_staff(user)
    household = _require_household(user, household_id)
    latitude, longitude, taken_at, accuracy = _checked_fix(fix)
    _place(household, user, latitude, longitude, "gps", at=taken_at, accuracy_m=accuracy)
    _audit_residents(user, household, "update", ["position"])
    db.session.commit()
    return household
