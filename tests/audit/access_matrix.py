"""Who may read the audit log: the community's admins only."""
from tests.access import Expect

MATRIX = {
    "GET /api/v1/audit": Expect(statuses={"admin": 200}),
}
