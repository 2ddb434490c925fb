"""Who may call the notifications routes. Push subscriptions: anyone signed in manages their own
browsers'; another's is not found. The public key is public."""
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.access import Expect

SIGNED_IN = ("resident", "proxy", "proxy_no_scope", "volunteer", "provider", "worker", "other_worker", "admin")


def _browser_keys() -> dict:
    from tests.notifications.push_service import b64url

    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"p256dh": b64url(point), "auth": b64url(secrets.token_bytes(16))}


def _residents_subscription(world) -> dict:
    from backend.extensions import db
    from backend.notifications.models import PushSubscription

    keys = _browser_keys()
    subscription = PushSubscription(user_id=world.users["resident"].id, label="王奶奶的手机",
                                    endpoint=f"https://push.example.net/{secrets.token_urlsafe(12)}", **keys)
    db.session.add(subscription)
    db.session.flush()
    return {"subscription_id": subscription.id}


MATRIX = {
    "GET /api/v1/push/public-key": Expect(statuses={actor: 200 for actor in ("anonymous", *SIGNED_IN)}),
    "GET /api/v1/push/subscriptions": Expect(default=200),
    "POST /api/v1/push/subscriptions": Expect(default=201, body=lambda world: {
        "endpoint": f"https://push.example.net/{secrets.token_urlsafe(12)}", "keys": _browser_keys(),
        "label": "我的手机"}),
    "DELETE /api/v1/push/subscriptions/<int:subscription_id>": Expect(
        statuses={"resident": 204}, default=404, params=_residents_subscription),
}


# The inbox, preferences, the SMS log, verification codes and health.

def _residents_notification(world) -> dict:
    from backend.notifications.services.outbox import notify

    return {"notification_id": notify("test_push", user=world.users["resident"]).id}


def _worker_alive(world) -> dict:
    from backend.common.time import now
    from backend.notifications.services.health import record_heartbeat

    record_heartbeat("matrix-worker", now())
    return {}


MATRIX.update({
    "GET /api/v1/notifications": Expect(default=200),
    "GET /api/v1/notifications/unread-count": Expect(default=200),
    # Only the recipient: anyone else's notification is not found.
    "POST /api/v1/notifications/<int:notification_id>/read": Expect(
        statuses={"resident": 200}, default=404, params=_residents_notification),
    "POST /api/v1/notifications/read-all": Expect(default=200),
    "GET /api/v1/me/notification-preferences": Expect(default=200),
    "PATCH /api/v1/me/notification-preferences": Expect(default=200, body=lambda world: {"sms_opt_in": True}),
    "GET /api/v1/sms/messages": Expect(statuses={"admin": 200}),
    # Anyone may ask for a code to prove a phone (e.g. before registering as a volunteer).
    "POST /api/v1/verification-codes": Expect(
        statuses={actor: 202 for actor in ("anonymous", *SIGNED_IN)},
        body=lambda world: {"phone": "13612345678", "purpose": "volunteer_registration"}),
    "GET /api/v1/health": Expect(statuses={actor: 200 for actor in ("anonymous", *SIGNED_IN)},
                                 params=_worker_alive),
})
