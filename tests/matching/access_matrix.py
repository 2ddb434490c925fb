"""Who may call the matching routes: only volunteers see and answer their offers (each their own);
grid staff see a request's ranked candidates (another grid's worker gets 404); the resident, a
proxy with manage_profile and the grid's staff block and unblock volunteers."""
from tests.access import Expect

BLOCKERS = {"resident": 201, "proxy": 201, "proxy_no_scope": 403, "worker": 201, "other_worker": 404, "admin": 201}


def _offer(world) -> dict:
    from backend.extensions import db
    from backend.matching.models import Offer
    from tests.help_requests.helpers import make_request

    request = make_request(world.resident, status="offered")
    offer = Offer(help_request_id=request.id, volunteer_id=world.volunteer_user.volunteer_id, wave=1, reasons=[])
    db.session.add(offer)
    db.session.flush()
    return {"offer_id": offer.id, "request_id": request.id}


def _taken_by_provider(world) -> dict:
    """A meal a provider's staff member's service has taken: only its staff mark it done."""
    from backend.extensions import db
    from backend.providers.models import ProviderOffer
    from tests.help_requests.helpers import make_request
    from tests.providers.builders import link_staff, make_provider

    provider = make_provider(world.community, delivers=True)
    link_staff(provider, world.users["provider"])
    request = make_request(world.resident, status="accepted", category="meal_delivery", provider_id=provider.id)
    offer = ProviderOffer(help_request_id=request.id, provider_id=provider.id, status="accepted")
    db.session.add(offer)
    db.session.flush()
    return {"offer_id": offer.id, "request_id": request.id}


def _block(world) -> dict:
    from backend.extensions import db
    from backend.matching.models import VolunteerBlock

    db.session.add(VolunteerBlock(resident_id=world.resident.id, volunteer_id=world.volunteer_user.volunteer_id))
    db.session.flush()
    return {}


MATRIX = {
    "GET /api/v1/offers": Expect(statuses={"volunteer": 200}),
    "GET /api/v1/offers/<int:offer_id>": Expect(statuses={"volunteer": 200}, params=_offer),
    "POST /api/v1/offers/<int:offer_id>/accept": Expect(statuses={"volunteer": 200}, params=_offer),
    "POST /api/v1/offers/<int:offer_id>/decline": Expect(statuses={"volunteer": 200}, params=_offer,
                                                         body=lambda world: {"reason": "今天不在家"}),
    "POST /api/v1/offers/<int:offer_id>/complete": Expect(statuses={"provider": 200}, params=_taken_by_provider),
    "GET /api/v1/help-requests/<int:request_id>/candidates": Expect(
        statuses={"worker": 200, "admin": 200, "other_worker": 404}, params=_offer),
    "POST /api/v1/residents/<int:resident_id>/blocked-volunteers": Expect(
        statuses=BLOCKERS, body=lambda world: {"volunteer_id": world.volunteer_user.volunteer_id}),
    "DELETE /api/v1/residents/<int:resident_id>/blocked-volunteers/<int:volunteer_id>": Expect(
        statuses={**{actor: 204 for actor, status in BLOCKERS.items() if status == 201},
                  "proxy_no_scope": 403, "other_worker": 404}, params=_block),
}
