"""What the OpenAPI document says about conventions that hold for every route rather than one.

Every write under /api/v1 (except signing in and out) takes an optional Idempotency-Key header and
may answer with Idempotent-Replayed: true (backend/common/idempotency.py, docs/idempotency.md). The
routes don't declare this one by one; this apispec plugin adds it to each write operation.
"""
from apispec import BasePlugin

# Kept here rather than imported from backend.common.idempotency: that module needs the database
# extension, and this plugin is built together with the Api object, before the models exist.
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
# Signing in and out always runs (a replayed answer would lack its session cookie).
SESSION_PATH_PREFIXES = ("/api/v1/auth/", "/auth/")

KEY_PARAMETER = {
    "name": IDEMPOTENCY_HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "description": (
        "For a signed-in user: a fresh random key per user action (a UUID). A retry with the same key and the same request "
        "gets the first answer again (with Idempotent-Replayed: true) and changes nothing a second "
        "time; the same key with a different request is refused with 422 idempotency_mismatch; while "
        "the first copy is still running, 409 idempotency_in_flight. Keys are kept for 7 days."
    ),
}

REPLAYED_RESPONSE_HEADER = {
    "description": "true when this answer is the stored answer to an earlier request with the same Idempotency-Key.",
    "schema": {"type": "string", "enum": ["true"]},
}


class IdempotencyPlugin(BasePlugin):
    """Adds the Idempotency-Key request header and the Idempotent-Replayed answer header to writes."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        if not operations or (path or "").startswith(SESSION_PATH_PREFIXES):
            return
        for method, operation in operations.items():
            if method not in WRITE_METHODS:
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == IDEMPOTENCY_HEADER for p in parameters if isinstance(p, dict)):
                parameters.append(dict(KEY_PARAMETER))
            for code, response in operation.get("responses", {}).items():
                if str(code).startswith("2") and isinstance(response, dict):
                    response.setdefault("headers", {})[REPLAYED_HEADER] = REPLAYED_RESPONSE_HEADER
