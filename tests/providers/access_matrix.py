"""Who may call the neighbourhood services routes: every signed-in member of the community reads
the catalogue; only admins change it and link provider staff."""
from tests.access import Expect
from tests.providers.builders import link_staff, make_provider, valid_body

READERS = ("resident", "proxy", "proxy_no_scope", "volunteer", "provider", "worker", "other_worker", "admin")
ALL_OK = {actor: 200 for actor in READERS}


def _provider(world) -> dict:
    return {"provider_id": make_provider(world.community).id}


def _own_provider(world) -> dict:
    link_staff(make_provider(world.community), world.users["provider"])
    return {}


def _linked_staff(world) -> dict:
    provider = make_provider(world.community)
    link_staff(provider, world.users["provider"])
    return {"provider_id": provider.id, "user_id": world.users["provider"].id}


MATRIX = {
    "GET /api/v1/providers": Expect(statuses=ALL_OK),
    "POST /api/v1/providers": Expect(statuses={"admin": 201}, body=lambda world: valid_body()),
    "GET /api/v1/providers/categories": Expect(statuses=ALL_OK, params=_provider),
    "GET /api/v1/providers/mine": Expect(statuses={"provider": 200}, params=_own_provider),
    "GET /api/v1/providers/<int:provider_id>": Expect(statuses=ALL_OK, params=_provider),
    "PATCH /api/v1/providers/<int:provider_id>": Expect(statuses={"admin": 200}, params=_provider,
                                                        body=lambda world: {"delivers": True}),
    "GET /api/v1/providers/<int:provider_id>/staff": Expect(statuses={"admin": 200}, params=_provider),
    "POST /api/v1/providers/<int:provider_id>/staff": Expect(
        statuses={"admin": 201}, params=_provider, body=lambda world: {"user_id": world.users["provider"].id}),
    "DELETE /api/v1/providers/<int:provider_id>/staff/<int:user_id>": Expect(statuses={"admin": 204},
                                                                             params=_linked_staff),
    # Routing per category: the community's workers read it, its admin sets it.
    "GET /api/v1/providers/routing": Expect(statuses={"worker": 200, "other_worker": 200, "admin": 200}),
    "PUT /api/v1/providers/routing/<string:category>": Expect(
        statuses={"admin": 200}, params=lambda world: {"category": "meal_delivery"},
        body=lambda world: {"route": "both"}),
}
