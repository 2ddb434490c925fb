"""Who may call the community routes.

Staff see only their grids: a worker of another grid gets 404 for an object in the URL, and
422 for one named in the body (it is input that does not check out, not a page to find).
"""
from tests.access import Expect
from tests.factories import term

SIGNED_IN = ("resident", "proxy", "proxy_no_scope", "volunteer", "provider", "worker", "other_worker", "admin")
EVERYONE = {actor: 200 for actor in SIGNED_IN}
STAFF = {"worker": 200, "other_worker": 200, "admin": 200}
GRID_STAFF = {"worker": 200, "other_worker": 404, "admin": 200}
GRID_STAFF_CREATE = {"worker": 201, "other_worker": 422, "admin": 201}
GPS_FIX = {"latitude": 30.2741, "longitude": 120.1551, "accuracy_m": 8}

MATRIX = {
    "GET /api/v1/communities/current": Expect(statuses=EVERYONE),
    "PATCH /api/v1/communities/current": Expect(statuses={"admin": 200},
                                                body=lambda world: {"name": "幸福里社区"}),
    "GET /api/v1/communities/current/sign-up-choices": Expect(statuses=EVERYONE, anonymous=200),
    "GET /api/v1/terms": Expect(statuses=EVERYONE, query=lambda world: {"vocabulary": "skill"}),
    "POST /api/v1/terms": Expect(statuses={"admin": 201}, body=lambda world: {
        "vocabulary": "skill", "code": "hairdressing", "label_zh": "理发", "label_en": "Hairdressing"}),
    "PATCH /api/v1/terms/<int:term_id>": Expect(
        statuses={"admin": 200}, body=lambda world: {"label_en": "Shopping errands"},
        params=lambda world: {"term_id": term(world.community, "skill", "errands").id}),
    "GET /api/v1/grids": Expect(statuses=STAFF),
    "POST /api/v1/grids": Expect(statuses={"admin": 201}, body=lambda world: {"name": "第三网格"}),
    "GET /api/v1/grids/<int:grid_id>": Expect(statuses=GRID_STAFF),
    "PATCH /api/v1/grids/<int:grid_id>": Expect(statuses={"admin": 200},
                                                body=lambda world: {"name": "第一网格（东）"}),
    "PUT /api/v1/grids/<int:grid_id>/workers": Expect(statuses={"admin": 200}, body=lambda world: {
        "workers": [{"user_id": world.users["worker"].id, "is_primary": True}]}),
    "GET /api/v1/buildings": Expect(statuses=STAFF),
    "POST /api/v1/buildings": Expect(statuses=GRID_STAFF_CREATE, body=lambda world: {
        "grid_id": world.grid.id, "label": "幸福里 99 幢", "latitude": 30.2741, "longitude": 120.1551}),
    "POST /api/v1/buildings/import": Expect(
        statuses={"worker": 200, "other_worker": 422, "admin": 200}, body=lambda world: {
            "grid_id": world.grid.id, "csv": "label,address,latitude,longitude\n幸福里 98 幢,幸福里 98 号,30.27,120.15\n"}),
    "GET /api/v1/buildings/<int:building_id>": Expect(statuses=GRID_STAFF),
    "PATCH /api/v1/buildings/<int:building_id>": Expect(statuses=GRID_STAFF,
                                                        body=lambda world: {"address": "幸福里 3 号"}),
    "PUT /api/v1/buildings/<int:building_id>/position": Expect(statuses=GRID_STAFF, body=lambda world: GPS_FIX),
    "GET /api/v1/households": Expect(statuses=STAFF),
    "POST /api/v1/households": Expect(statuses=GRID_STAFF_CREATE, body=lambda world: {
        "building_id": world.building.id, "door_number": "1 单元 101"}),
    "GET /api/v1/households/<int:household_id>": Expect(statuses=GRID_STAFF),
    "PATCH /api/v1/households/<int:household_id>": Expect(statuses=GRID_STAFF,
                                                          body=lambda world: {"phone": "0571-88886666"}),
    "PUT /api/v1/households/<int:household_id>/position": Expect(statuses=GRID_STAFF, body=lambda world: GPS_FIX),
}
