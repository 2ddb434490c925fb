"""Who may call the assisted-onboarding routes."""
from tests.access import Expect

STAFF_OF_THE_GRID = {"worker": 200, "admin": 200, "other_worker": 404}

MATRIX = {
    "POST /api/v1/residents/<int:resident_id>/link-codes": Expect(
        statuses={"worker": 201, "admin": 201, "other_worker": 404}),
    # Anyone may redeem a code (no sign-in needed); an invalid one is not found for everyone.
    "POST /api/v1/auth/link": Expect(default=404, anonymous=404, body=lambda world: {"code": "ZZZZ2222"}),
    "GET /api/v1/residents/<int:resident_id>/devices": Expect(statuses=STAFF_OF_THE_GRID),
    "POST /api/v1/residents/<int:resident_id>/devices/sign-out": Expect(
        statuses=STAFF_OF_THE_GRID, body=lambda world: {}),
}
