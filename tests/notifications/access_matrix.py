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
