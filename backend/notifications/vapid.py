"""The server's VAPID key pair (RFC 8292), which signs every Web Push request as coming from Linli.

Keys come from configuration (VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY, VAPID_SUBJECT). Without
them, development and tests generate a pair once and keep it in instance/vapid.json (mode
0600); production refuses to start. `python -m backend.notifications.vapid` prints a new pair
for production's environment.
"""
import base64
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask, current_app
from py_vapid import Vapid02

log = logging.getLogger(__name__)

INSTANCE_FILE = "vapid.json"
# What push services accept as the `sub` claim: a contact for the server's operator.
_SUBJECT = re.compile(r"^(mailto:[^@\s]+@[^@\s]+|https://[^/\s]+(/\S*)?)$")


@dataclass(frozen=True)
class VapidKeys:
    """The private key that signs, its public half as browsers want it, and the contact claim."""

    signer: Vapid02
    application_server_key: str  # uncompressed P-256 point, base64url without padding
    subject: str

    def authorization(self, audience: str, expires_at: int) -> str:
        """The `Authorization: vapid t=<JWT>, k=<key>` value for one push service origin."""
        return self.signer.sign({"aud": audience, "exp": expires_at, "sub": self.subject})["Authorization"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decodes base64url with or without padding; raises ValueError on anything else."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*={0,2}", text):
        raise ValueError("not base64url")
    stripped = text.rstrip("=")
    if len(stripped) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))


def public_key_text(private_key: ec.EllipticCurvePrivateKey) -> str:
    point = private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                  serialization.PublicFormat.UncompressedPoint)
    return b64url(point)


def generate_pair() -> tuple[str, str]:
    """A new (private, public) pair as base64url text: the raw 32-byte scalar and the 65-byte point."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    scalar = private_key.private_numbers().private_value.to_bytes(32, "big")
    return b64url(scalar), public_key_text(private_key)


def _signer_from_text(text: str) -> Vapid02:
    """Reads a private key given as base64url raw scalar (what most tools print), PEM or DER."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.replace("\\n", "\n").encode(), password=None)
            if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
                raise ValueError("not a P-256 key")
            return Vapid02(key)
        return Vapid02.from_string(text)
    except Exception as error:
        raise RuntimeError(
            "VAPID_PRIVATE_KEY is not a P-256 private key (base64url raw key, PEM or DER); "
            "docs/push.md says how to generate one") from error


def _instance_pair(instance_path: str) -> tuple[str, str]:
    """The development pair in instance/vapid.json, created once with mode 0600.

    Several processes may start at once (the web server, the worker, test runs): the file is
    written under a temporary name and linked into place, so exactly one pair wins."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / INSTANCE_FILE
    if not path.exists():
        private, public = generate_pair()
        temporary = folder / f".{INSTANCE_FILE}.{os.getpid()}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump({"private_key": private, "public_key": public}, handle)
        try:
            os.link(temporary, path)
            log.info("Generated a development VAPID key pair in %s", path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    stored = json.loads(path.read_text())
    return stored["private_key"], stored["public_key"]


def load_keys(config, instance_path: str) -> VapidKeys:
    """The configured key pair, or the instance folder's where configuration allows it."""
    private, public = config.get("VAPID_PRIVATE_KEY"), config.get("VAPID_PUBLIC_KEY")
    if not private:
        if public:
            raise RuntimeError("VAPID_PUBLIC_KEY is set without VAPID_PRIVATE_KEY: set both or neither")
        if not config.get("VAPID_KEYS_IN_INSTANCE"):
            raise RuntimeError("VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY must be set in production; "
                               "generate them with `python -m backend.notifications.vapid` (docs/push.md)")
        private, public = _instance_pair(instance_path)
    signer = _signer_from_text(private)
    derived = public_key_text(signer.private_key)
    if public and public.strip().rstrip("=") != derived:
        raise RuntimeError("VAPID_PUBLIC_KEY is not the public half of VAPID_PRIVATE_KEY")
    subject = config.get("VAPID_SUBJECT") or ""
    if not _SUBJECT.match(subject):
        raise RuntimeError("VAPID_SUBJECT must be set to a mailto: address or an https:// URL where "
                           "push services can reach the operator, e.g. mailto:it@your-community.cn")
    return VapidKeys(signer=signer, application_server_key=derived, subject=subject)


def init_app(app: Flask) -> None:
    """Loads the key pair when the app is built, so a missing one stops start-up, not a push."""
    app.extensions["linli_vapid"] = load_keys(app.config, app.instance_path)


def current_keys() -> VapidKeys:
    return current_app.extensions["linli_vapid"]


if __name__ == "__main__":
    new_private, new_public = generate_pair()
    print("# Keep the private key secret; changing the pair invalidates every push subscription.")
    print(f"VAPID_PRIVATE_KEY={new_private}")
    print(f"VAPID_PUBLIC_KEY={new_public}")
