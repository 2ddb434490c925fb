"""Volunteers use cases: self-registration, own profile and availability, staff vetting and oversight.

Every public function is one use case and commits once. Staff (workers and admins) act on
every volunteer of their community: volunteers serve across grids, and any worker may vet them.
"""
from datetime import date, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from backend.accounts.models import User
from backend.accounts.services import PhoneTaken, add_user
from backend.common.i18n import current_language, pick
from backend.common.pagination import Page, paginate
from backend.common.time import now
from backend.community.models import Community, Grid, Term
from backend.community.services import visible_grid_ids
from backend.errors import Conflict, InvalidInput, NotFound
from backend.extensions import db
from backend.notifications.services.verification_codes import CodeInvalid, consume_code
from backend.volunteers.models import (
    AvailabilityException, AvailabilitySlot, Vetting, Volunteer, VolunteerStatusChange, community_today,
    volunteer_skills,
)

EXCEPTION_HORIZON = timedelta(days=366)
REGISTRATION = "volunteer_registration"  # the purpose of the code that proves a new volunteer's phone


class VolunteerNotActive(Conflict):
    reason = "volunteer_not_active"
    messages = {
        "zh-CN": "社区工作者核实身份后才能上岗接单。",
        "en": "You can go on duty once a community worker has checked your identity.",
    }


class VolunteerNotVetted(Conflict):
    reason = "volunteer_not_vetted"
    messages = {
        "zh-CN": "该志愿者没有有效的身份核验，不能设为在岗。请先登记身份核验。",
        "en": "This volunteer has no valid identity vetting. Record one before activating them.",
    }


class ExceptionAlreadySet(Conflict):
    reason = "exception_already_set"
    messages = {
        "zh-CN": "这一天已经有安排了，请先删除原来的再添加。",
        "en": "This date already has an exception. Delete it first to set a new one.",
    }


class VettingAlreadyRevoked(Conflict):
    reason = "vetting_already_revoked"
    messages = {"zh-CN": "这条核验已经撤销了。", "en": "This vetting has already been revoked."}


def _not_a_volunteer() -> NotFound:
    return NotFound("志愿者", "Volunteer")


def _community_terms(community_id: int, vocabulary: str, codes: list[str], field: str,
                     errors: dict) -> list[Term]:
    """The community's terms for `codes` in the list's order (by id, as they load back);
    unknown codes become field errors."""
    wanted = list(dict.fromkeys(codes))
    found = {term.code: term for term in db.session.scalars(select(Term).where(
        Term.community_id == community_id, Term.vocabulary == vocabulary, Term.code.in_(wanted)))}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        errors[field] = [pick({"zh-CN": "不认识的选项：{codes}。", "en": "Unknown codes: {codes}."},
                              codes=", ".join(unknown))]
    return sorted(found.values(), key=lambda term: term.id)


def _set_profile_fields(volunteer: Volunteer, changes: dict) -> None:
    for field in ("gender", "home_lat", "home_lng", "travel_radius_km", "load_cap", "about"):
        if field in changes:
            setattr(volunteer, field, changes[field])


def _apply_term_changes(volunteer: Volunteer, changes: dict) -> None:
    """Replace skills and languages named in `changes`; unknown codes refuse the whole change."""
    errors: dict = {}
    terms = {vocabulary: _community_terms(volunteer.community_id, vocabulary, changes[field], field, errors)
             for field, vocabulary in (("skills", "skill"), ("languages", "language")) if field in changes}
    if errors:
        raise InvalidInput(field_errors=errors)
    if "skill" in terms:
        volunteer.skills = terms["skill"]
    if "language" in terms:
        volunteer.languages = terms["language"]


def _prove_phone(phone: str, code: str) -> None:
    """Use the SMS code sent to `phone` for registration. A refused code on a number that is
    already registered answers "phone taken" instead: that is what a retried registration (its
    code now used) or a second phone racing the first needs to hear, and it tells nobody more than
    the plain sign-up would."""
    try:
        consume_code(phone, REGISTRATION, code)
    except CodeInvalid:
        if db.session.scalar(select(User.id).where(User.phone == phone)) is not None:
            raise PhoneTaken(field_errors={"phone": [PhoneTaken().message]}) from None
        raise CodeInvalid(field_errors={"verification_code": [CodeInvalid().message]}) from None


def register(data: dict) -> Volunteer:
    """A person signs up as a volunteer with the code sent to their phone: a user with the
    volunteer role and a pending profile. The code is used in the same commit, so a refused
    sign-up (unknown grid, taken phone) leaves it usable for the corrected one."""
    _prove_phone(data["phone"], data["verification_code"])
    grid = db.session.get(Grid, data["grid_id"])
    if grid is None:
        raise InvalidInput(field_errors={"grid_id": [pick({
            "zh-CN": "没有这个网格。", "en": "There is no such grid."})]})
    errors: dict = {}
    skills = _community_terms(grid.community_id, "skill", data["skills"], "skills", errors)
    languages = _community_terms(grid.community_id, "language", data["languages"], "languages", errors)
    if errors:
        raise InvalidInput(field_errors=errors)
    user = add_user(display_name=data["display_name"], roles={"volunteer"}, phone=data["phone"],
                    password=data["password"], community_id=grid.community_id, language=current_language())
    volunteer = Volunteer(user=user, community_id=grid.community_id, home_grid_id=grid.id,
                          gender=data["gender"], status="pending", on_duty=False,
                          home_lat=data.get("home_lat"), home_lng=data.get("home_lng"),
                          skills=skills, languages=languages)
    if "travel_radius_km" in data:
        volunteer.travel_radius_km = data["travel_radius_km"]
    db.session.add(volunteer)
    db.session.commit()
    return volunteer


def own_profile(user: User) -> Volunteer:
    """The signed-in volunteer's profile."""
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    if volunteer is None:
        raise _not_a_volunteer()
    return volunteer


def update_own_profile(user: User, changes: dict) -> Volunteer:
    volunteer = own_profile(user)
    _apply_term_changes(volunteer, changes)
    _set_profile_fields(volunteer, changes)
    db.session.commit()
    return volunteer


def set_on_duty(user: User, on_duty: bool) -> Volunteer:
    """Go on or off duty; only an active volunteer can go on duty, anyone can go off."""
    volunteer = own_profile(user)
    if on_duty and volunteer.status != "active":
        raise VolunteerNotActive()
    volunteer.on_duty = on_duty
    db.session.commit()
    return volunteer


def replace_availability(user: User, slots: list[dict]) -> Volunteer:
    """Replace the weekly pattern (the schema has checked ranges and overlaps)."""
    volunteer = own_profile(user)
    ordered = sorted(slots, key=lambda slot: (slot["weekday"], slot["start_minute"]))
    volunteer.availability = [AvailabilitySlot(**slot) for slot in ordered]
    db.session.commit()
    return volunteer


def add_exception(user: User, data: dict) -> AvailabilityException:
    """A dated change to the weekly pattern, from today (community calendar) up to a year ahead."""
    volunteer = own_profile(user)
    today = volunteer.today()
    on_date: date = data["on_date"]
    if not today <= on_date <= today + EXCEPTION_HORIZON:
        raise InvalidInput(field_errors={"date": [pick({
            "zh-CN": "日期应在今天到一年之内。", "en": "Choose a date from today to a year ahead."})]})
    if any(exception.on_date == on_date for exception in volunteer.exceptions):
        raise ExceptionAlreadySet()
    exception = AvailabilityException(
        on_date=on_date, available=data["available"], start_minute=data.get("start_minute"),
        end_minute=data.get("end_minute"), note=data.get("note") or None)
    volunteer.exceptions.append(exception)
    db.session.commit()
    return exception


def delete_exception(user: User, exception_id: int) -> None:
    volunteer = own_profile(user)
    exception = db.session.get(AvailabilityException, exception_id)
    if exception is None or exception.volunteer_id != volunteer.id:
        raise NotFound("该日程", "Exception")
    db.session.delete(exception)
    db.session.commit()


def staff_community_ids(user: User) -> set[int]:
    """Communities whose volunteers this staff member oversees: an admin's own community, and
    the community of every grid a worker serves."""
    community_ids = set()
    if user.has_role("admin") and user.community_id is not None:
        community_ids.add(user.community_id)
    grid_ids = visible_grid_ids(user)
    if grid_ids:
        community_ids.update(db.session.scalars(select(Grid.community_id).where(Grid.id.in_(grid_ids))))
    return community_ids


def _staff_volunteer(user: User, volunteer_id: int) -> Volunteer:
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.community_id not in staff_community_ids(user):
        raise _not_a_volunteer()
    return volunteer


def _single_community(user: User) -> int | None:
    """The one community a staff member's list covers (one community per deployment today)."""
    community_ids = staff_community_ids(user)
    if user.community_id in community_ids:
        return user.community_id
    return min(community_ids) if community_ids else None


def list_volunteers(user: User, query: dict) -> Page:
    """The community's volunteers for staff, filtered by skill, valid vetting, status, duty, grid."""
    community_id = _single_community(user)
    if community_id is None:
        return Page(items=[], total=0, page=query["page"], per_page=query["per_page"])
    statement = (select(Volunteer).where(Volunteer.community_id == community_id)
                 .options(selectinload(Volunteer.user), selectinload(Volunteer.skills),
                          selectinload(Volunteer.languages), selectinload(Volunteer.vettings))
                 .order_by(Volunteer.id))
    errors: dict = {}
    if "skill" in query:
        skills = _community_terms(community_id, "skill", [query["skill"]], "skill", errors)
        if skills:
            statement = statement.where(exists().where(
                volunteer_skills.c.volunteer_id == Volunteer.id, volunteer_skills.c.term_id == skills[0].id))
    if "grid_id" in query:
        if db.session.scalar(select(Grid.community_id).where(Grid.id == query["grid_id"])) != community_id:
            errors["grid_id"] = [pick({"zh-CN": "没有这个网格。", "en": "There is no such grid."})]
        statement = statement.where(Volunteer.home_grid_id == query["grid_id"])
    if errors:
        raise InvalidInput(field_errors=errors)
    if "vetting" in query:
        today = community_today(db.session.get(Community, community_id))
        statement = statement.where(exists().where(
            Vetting.volunteer_id == Volunteer.id, Vetting.kind == query["vetting"],
            Vetting.revoked_at.is_(None), Vetting.expires_on >= today))
    if "status" in query:
        statement = statement.where(Volunteer.status == query["status"])
    if "on_duty" in query:
        statement = statement.where(Volunteer.on_duty == query["on_duty"])
    return paginate(statement, query["page"], query["per_page"])


def staff_view(user: User, volunteer_id: int) -> Volunteer:
    return _staff_volunteer(user, volunteer_id)


def _change_status(volunteer: Volunteer, to_status: str, reason: str, actor: User) -> None:
    volunteer.status_changes.append(VolunteerStatusChange(
        from_status=volunteer.status, to_status=to_status, reason=reason, changed_by_id=actor.id))
    volunteer.status = to_status
    if to_status != "active":
        volunteer.on_duty = False


def update_by_staff(user: User, volunteer_id: int, changes: dict) -> Volunteer:
    """Staff activate or suspend a volunteer (with a reason) or change their load cap.
    Only a volunteer with a valid identity vetting can be active."""
    volunteer = _staff_volunteer(user, volunteer_id)
    to_status = changes.get("status")
    if to_status is not None and to_status != volunteer.status:
        if to_status == "active" and "identity" not in volunteer.valid_vetting_kinds:
            raise VolunteerNotVetted()
        _change_status(volunteer, to_status, changes["reason"], user)
    if "load_cap" in changes:
        volunteer.load_cap = changes["load_cap"]
    db.session.commit()
    return volunteer


def record_vetting(user: User, volunteer_id: int, data: dict) -> Vetting:
    """Staff record a check they made; a valid identity vetting activates a pending volunteer."""
    volunteer = _staff_volunteer(user, volunteer_id)
    if data["expires_on"] <= volunteer.today():
        raise InvalidInput(field_errors={"expires_on": [pick({
            "zh-CN": "有效期应在今天之后。", "en": "The expiry date must be after today."})]})
    vetting = Vetting(kind=data["kind"], expires_on=data["expires_on"], note=data.get("note") or None,
                      verified_by_id=user.id, verified_at=now())
    volunteer.vettings.append(vetting)
    if vetting.kind == "identity" and volunteer.status == "pending":
        _change_status(volunteer, "active", "identity vetting recorded", user)
    db.session.commit()
    return vetting


def revoke_vetting(user: User, volunteer_id: int, vetting_id: int, reason: str) -> Vetting:
    """Staff withdraw a vetting (it stops counting at once); the volunteer's status is left to them."""
    volunteer = _staff_volunteer(user, volunteer_id)
    vetting = db.session.get(Vetting, vetting_id)
    if vetting is None or vetting.volunteer_id != volunteer.id:
        raise NotFound("该核验记录", "Vetting")
    if vetting.revoked_at is not None:
        raise VettingAlreadyRevoked()
    vetting.revoked_at, vetting.revoked_by_id, vetting.revoke_reason = now(), user.id, reason
    db.session.commit()
    return vetting
