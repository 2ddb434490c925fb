"""Blocking a volunteer from a resident (after a bad experience): the resident, a proxy with
manage_profile, or the grid's worker. A blocked volunteer is never offered that resident's
requests; their open offers for them are withdrawn at once."""
from sqlalchemy import select, update

from backend.accounts.models import User
from backend.common.i18n import pick
from backend.common.time import now
from backend.errors import InvalidInput, NotFound
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.matching.models import Offer, VolunteerBlock
from backend.people.services.access import community_of, resident_access
from backend.volunteers.models import Volunteer


def _access(user: User, resident_id: int):
    return resident_access(user, resident_id, staff=True, own=True, scopes=("manage_profile",))


def block_volunteer(user: User, resident_id: int, volunteer_id: int, reason: str | None) -> VolunteerBlock:
    """Block a volunteer of the resident's community (again: the block stands, unchanged)."""
    resident = _access(user, resident_id).resident
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.community_id != community_of(resident).id:
        raise InvalidInput(field_errors={"volunteer_id": [pick({
            "zh-CN": "不是本社区的志愿者。", "en": "Not a volunteer of this community."})]})
    block = db.session.scalar(select(VolunteerBlock).where(VolunteerBlock.resident_id == resident.id,
                                                           VolunteerBlock.volunteer_id == volunteer.id))
    if block is None:
        block = VolunteerBlock(resident_id=resident.id, volunteer_id=volunteer.id, reason=reason,
                               created_by_id=user.id, created_at=now())
        db.session.add(block)
        db.session.execute(update(Offer).where(
            Offer.volunteer_id == volunteer.id, Offer.status == "offered",
            Offer.help_request_id.in_(select(HelpRequest.id).where(HelpRequest.resident_id == resident.id)))
            .values(status="withdrawn", answered_at=now()).execution_options(synchronize_session="fetch"))
    db.session.flush()
    db.session.commit()
    return block


def unblock_volunteer(user: User, resident_id: int, volunteer_id: int) -> None:
    resident = _access(user, resident_id).resident
    block = db.session.scalar(select(VolunteerBlock).where(VolunteerBlock.resident_id == resident.id,
                                                           VolunteerBlock.volunteer_id == volunteer_id))
    if block is None:
        raise NotFound("该屏蔽", "Block")
    db.session.delete(block)
    db.session.commit()
