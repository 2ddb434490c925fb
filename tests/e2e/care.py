"""A resident with a grid worker and two relatives on the live server, for the home screens' tests."""
from dataclasses import dataclass

from sqlalchemy import select

from backend.community.models import Community
from backend.extensions import db
from tests.factories import (
    make_building, make_grid, make_household, make_proxy, make_resident, make_user, make_volunteer, make_worker,
)

ALL_SCOPES = ("view_status", "request_help", "receive_alerts", "view_visit_summaries", "manage_profile")


@dataclass(frozen=True)
class Family:
    resident_phone: str
    grid_worker_phone: str
    proxy_phone: str  # every consent scope
    viewer_phone: str  # view_status only
    volunteer_phone: str


def make_family(app) -> Family:
    """王奶奶 with her own account, her grid worker, a daughter with every scope and a relative who
    may only look, plus a volunteer. Accounts start as the service starts them: residents and
    proxies in elder mode, residents with large text."""
    with app.app_context():
        community = db.session.scalar(select(Community).order_by(Community.id))
        grid = make_grid(community)
        worker = make_worker(grid)
        account = make_user(community, "resident", name="王秀英")
        account.elder_mode, account.text_size = True, "large"
        resident = make_resident(make_household(make_building(grid)), user=account)
        proxy = make_proxy(resident, *ALL_SCOPES)
        viewer = make_proxy(resident, "view_status")
        for relative in (proxy, viewer):
            relative.elder_mode = True
        volunteer = make_volunteer(community)
        db.session.commit()
        family = Family(resident_phone=account.phone, grid_worker_phone=worker.phone, proxy_phone=proxy.phone,
                        viewer_phone=viewer.phone, volunteer_phone=volunteer.phone)
        db.session.remove()
    return family
