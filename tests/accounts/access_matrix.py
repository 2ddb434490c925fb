"""Who may call the accounts routes."""
from tests.access import Expect

EVERYONE_SIGNED_IN = {actor: 200 for actor in (
    "resident", "proxy", "proxy_no_scope", "volunteer", "provider", "worker", "other_worker", "admin")}
NO_CONTENT = {actor: 204 for actor in EVERYONE_SIGNED_IN}

MATRIX = {
    "GET /api/v1/auth/csrf": Expect(statuses={"anonymous": 200, **EVERYONE_SIGNED_IN}),
    # Signing in again while signed in simply starts another session.
    "POST /api/v1/auth/login": Expect(
        statuses={"anonymous": 200, **EVERYONE_SIGNED_IN},
        body=lambda world: {"phone": world.users["volunteer"].phone, "password": "linli-demo-2026"}),
    # No linked device in these clients: PIN sign-in is refused for everyone.
    "POST /api/v1/auth/pin-login": Expect(statuses={"anonymous": 403}, default=403,
                                          body=lambda world: {"pin": "135790"}),
    "POST /api/v1/auth/logout": Expect(statuses=NO_CONTENT),
    "PUT /api/v1/me/pin": Expect(default=403, body=lambda world: {"pin": "135790"}),
    "POST /api/v1/me/password": Expect(
        statuses=NO_CONTENT,
        body=lambda world: {"current_password": "linli-demo-2026", "new_password": "a-much-better-one-42"}),
    "PATCH /api/v1/me/preferences": Expect(statuses=EVERYONE_SIGNED_IN, body=lambda world: {"text_size": "large"}),
    "GET /api/v1/me/sessions": Expect(statuses=EVERYONE_SIGNED_IN),
    # Another user's session id is not found; one's own cannot be guessed here, so 404 for all.
    "DELETE /api/v1/me/sessions/<int:session_id>": Expect(default=404,
                                                           params=lambda world: {"session_id": 999999}),
}
