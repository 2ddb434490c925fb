"""Buildings of a grid: adding and correcting them, importing a grid's list, GPS fixes at the door."""
from datetime import datetime

from sqlalchemy import select

from backend.accounts.models import User
from backend.common.i18n import pick
from backend.common.offline import occurred_time
from backend.common.pagination import Page, paginate
from backend.common.time import now
from backend.community.building_csv import CsvRejected, parse_building_csv
from backend.community.models import Building, Grid, Household
from backend.community.services import require_grid, require_staff, visible_grid_ids
from backend.errors import Conflict, InvalidInput, NotFound
from backend.extensions import db

MAX_IMPORT_ROWS = 5000
MAX_DOOR_FIX_ACCURACY_M = 100.0  # a worse fix would misplace the door for volunteers


class BuildingLabelTaken(Conflict):
    reason = "building_label_taken"
    messages = {"zh-CN": "这个网格里已经有同名的楼栋了。", "en": "This grid already has a building with this label."}


class BuildingImportRejected(InvalidInput):
    reason = "building_import_rejected"
    messages = {"zh-CN": "楼栋清单有误，没有导入任何一行。请按标出的行修改后再导入。",
                "en": "Nothing was imported: please correct the marked rows and import again."}


class PositionTooImprecise(InvalidInput):
    reason = "position_too_imprecise"
    messages = {"zh-CN": "定位不够准确（误差超过 {n} 米），请到室外或窗边再试一次。",
                "en": "The position is not precise enough (more than {n} m off). Please try again outdoors "
                      "or by a window."}


def place(target: Building | Household, user: User, latitude: float, longitude: float, source: str,
          at: datetime | None = None, accuracy_m: float | None = None) -> None:
    """Stage a position with where it came from (csv, gps, manual), who set it and when."""
    target.lat, target.lng, target.position_source = latitude, longitude, source
    target.position_set_at, target.position_set_by_id = at or now(), user.id
    target.position_accuracy_m = accuracy_m


def clear_position(target: Building | Household) -> None:
    """Stage the removal of a typed-in position."""
    target.lat = target.lng = target.position_source = None
    target.position_set_at = target.position_set_by_id = target.position_accuracy_m = None


def checked_fix(fix: dict) -> tuple[float, float, datetime, float | None]:
    """A GPS fix from the door: precise enough, and (when taken offline) not from the future or too old."""
    accuracy = fix.get("accuracy_m")
    if accuracy is not None and accuracy > MAX_DOOR_FIX_ACCURACY_M:
        error = PositionTooImprecise(n=int(MAX_DOOR_FIX_ACCURACY_M))
        error.field_errors = {"accuracy_m": [error.message]}
        raise error
    return fix["latitude"], fix["longitude"], occurred_time(fix.get("occurred_at")), accuracy


def require_building(user: User, building_id: int) -> Building:
    """The building, if it is in one of this staff member's grids; otherwise NotFound."""
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
    require_staff(user)
    grid_ids = {require_grid(user, grid_id).id} if grid_id is not None else visible_grid_ids(user)
    statement = select(Building).where(Building.grid_id.in_(grid_ids))
    if q:
        statement = statement.where(Building.label.icontains(q, autoescape=True)
                                    | Building.address.icontains(q, autoescape=True))
    return paginate(statement.order_by(Building.id), page, per_page)


def create_building(user: User, data: dict) -> Building:
    """Staff of a grid add a building to it, with a position typed in if they have one."""
    require_staff(user)
    grid = _grid_for_input(user, data["grid_id"])
    _check_label_free(grid.id, data["label"])
    building = Building(grid_id=grid.id, label=data["label"], address=data.get("address") or None)
    if data.get("latitude") is not None:
        place(building, user, data["latitude"], data["longitude"], "manual")
    db.session.add(building)
    db.session.commit()
    return building


def get_building(user: User, building_id: int) -> Building:
    """One building of the caller's grids."""
    require_staff(user)
    return require_building(user, building_id)


def update_building(user: User, building_id: int, changes: dict) -> Building:
    """Staff correct a building's label, address or typed-in position (null clears it)."""
    require_staff(user)
    building = require_building(user, building_id)
    if "label" in changes and changes["label"] != building.label:
        _check_label_free(building.grid_id, changes["label"])
        building.label = changes["label"]
    if "address" in changes:
        building.address = changes["address"] or None
    if "latitude" in changes:
        if changes["latitude"] is None:
            clear_position(building)
        else:
            place(building, user, changes["latitude"], changes["longitude"], "manual")
    db.session.commit()
    return building


def import_buildings(user: User, grid_id: int, csv_text: str) -> dict:
    """Staff import a grid's building list: all rows or none; a known label updates its building.

    Blank cells never erase what is stored, and a position a worker took by GPS at the door is
    kept over the list's coordinates."""
    require_staff(user)
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
                place(building, user, row.lat, row.lng, "csv", at=moment)
    db.session.commit()
    return counts


def set_building_position(user: User, building_id: int, fix: dict) -> Building:
    """A worker at the building's door records its position from the phone's GPS."""
    require_staff(user)
    building = require_building(user, building_id)
    latitude, longitude, taken_at, accuracy = checked_fix(fix)
    place(building, user, latitude, longitude, "gps", at=taken_at, accuracy_m=accuracy)
    db.session.commit()
    return building
