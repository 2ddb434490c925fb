"""Households: their address and phone are their residents', so each read and change is audited."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from backend.accounts.models import User
from backend.audit.services import record
from backend.common.i18n import pick
from backend.common.pagination import Page, paginate
from backend.community.models import Building, Household
from backend.community.services import require_grid, require_staff, staff_reason, visible_grid_ids
from backend.community.services.buildings import checked_fix, place, require_building
from backend.errors import Conflict, InvalidInput, NotFound
from backend.extensions import db

HOUSEHOLD_FIELDS = ["address", "phone"]  # what a household's detail reveals of its residents


class DoorNumberTaken(Conflict):
    reason = "door_number_taken"
    messages = {"zh-CN": "这栋楼里已经登记过这个门牌号了。", "en": "This building already has a household at this door."}


def position_of(household: Household) -> tuple[float, float] | None:
    """Where a household is: its own fix from a phone at the door, else its building's; None if neither."""
    if household.lat is not None and household.lng is not None:
        return household.lat, household.lng
    building = household.building
    if building.lat is not None and building.lng is not None:
        return building.lat, building.lng
    return None


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
    require_staff(user)
    grid_ids = {require_grid(user, grid_id).id} if grid_id is not None else visible_grid_ids(user)
    statement = select(Household).join(Household.building).where(Building.grid_id.in_(grid_ids))
    if building_id is not None:
        statement = statement.where(Household.building_id == require_building(user, building_id).id)
    statement = (statement.options(selectinload(Household.building), selectinload(Household.residents))
                 .order_by(Household.building_id, Household.id))
    return paginate(statement, page, per_page)


def create_household(user: User, data: dict) -> Household:
    """Staff register a household at a door of one of their buildings (residents are added to it later)."""
    require_staff(user)
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
    require_staff(user)
    household = _require_household(user, household_id)
    _audit_residents(user, household, "read", HOUSEHOLD_FIELDS)
    db.session.commit()
    return household


def update_household(user: User, household_id: int, changes: dict) -> Household:
    """Staff correct a household's door number, address or phone; audited for each resident.

    Fields that changed are logged as an update; the rest, shown in the answer, as a read."""
    require_staff(user)
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
    require_staff(user)
    household = _require_household(user, household_id)
    latitude, longitude, taken_at, accuracy = checked_fix(fix)
    place(household, user, latitude, longitude, "gps", at=taken_at, accuracy_m=accuracy)
    _audit_residents(user, household, "update", ["position"])
    db.session.commit()
    return household
