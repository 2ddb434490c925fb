"""Who am I: the signed-in user, the resident record they are, the residents they act for, whom to call."""
from sqlalchemy import select

from backend.accounts.models import User
from backend.community.models import Community, GridWorker
from backend.extensions import db
from backend.people.models import ProxyLink, Resident
from backend.people.services.access import Access, add_audit, community_of, grid_id_of

DEFAULT_TIME_ZONE = "Asia/Shanghai"
MAX_PROXIED = 50  # a family account acts for a few relatives; /me lists at most this many


def grid_worker_phone(grid_id: int) -> str | None:
    """The phone residents call: the grid's primary worker (any worker of the grid if none is primary)."""
    return db.session.scalar(
        select(User.phone).join(GridWorker, GridWorker.user_id == User.id)
        .where(GridWorker.grid_id == grid_id, User.is_enabled)
        .order_by(GridWorker.is_primary.desc(), GridWorker.id).limit(1))


def who_am_i(user: User) -> dict:
    """The signed-in user, the resident record they are, and the residents they act for."""
    community = db.session.get(Community, user.community_id) if user.community_id else None
    me = {"id": user.id, "display_name": user.display_name, "phone": user.phone, "roles": sorted(user.roles),
          "language": user.language, "text_size": user.text_size, "elder_mode": user.elder_mode,
          "high_contrast": user.high_contrast, "read_aloud": user.read_aloud, "resident": None, "proxy_for": []}
    resident = db.session.scalar(select(Resident).where(Resident.user_id == user.id))
    if resident is not None:
        community = community or community_of(resident)
        me["resident"] = {
            "id": resident.id, "address_as": resident.address_as, "status": resident.status,
            "away_until": resident.away_until, "building_label": resident.household.building.label,
            "grid_worker_phone": grid_worker_phone(grid_id_of(resident)),
        }
        add_audit(Access(user, resident, "self", "the resident themself"), "read", [])
    links = db.session.scalars(select(ProxyLink).where(
        ProxyLink.proxy_user_id == user.id, ProxyLink.ended_at.is_(None))
        .order_by(ProxyLink.id).limit(MAX_PROXIED))
    for link in links:
        proxied = link.resident
        community = community or community_of(proxied)
        scopes = link.active_scopes
        sees_status = "view_status" in scopes
        me["proxy_for"].append({
            "resident_id": proxied.id, "link_id": link.id, "address_as": proxied.address_as,
            "relation": link.relation, "is_guardian": link.is_guardian, "scopes": scopes,
            "status": proxied.status if sees_status else None,
            "away_until": proxied.away_until if sees_status else None,
            "grid_worker_phone": grid_worker_phone(grid_id_of(proxied)),
        })
        add_audit(Access(user, proxied, "proxy", f"proxy of resident {proxied.id}"), "read", [])
    me["community_phone"] = community.phone if community else None
    # The app shows every date and time in the community's zone, whatever the phone's own.
    me["time_zone"] = community.timezone if community else DEFAULT_TIME_ZONE
    db.session.commit()
    return me
