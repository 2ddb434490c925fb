"""VAPID keys: from configuration in production, generated once under instance/ elsewhere."""
import json
import stat
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from backend import create_app
from backend.notifications import vapid
from config import ProductionConfig
from tests.notifications.push_service import verify_vapid


@pytest.fixture
def production(monkeypatch):
    """LINLI_ENV=production with a secret key, so only the VAPID settings decide."""
    monkeypatch.setenv("LINLI_ENV", "production")
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "a-production-secret-for-this-test")
    monkeypatch.setattr(ProductionConfig, "VAPID_SUBJECT", "mailto:it@community.example")
    monkeypatch.setattr(ProductionConfig, "VAPID_PRIVATE_KEY", None)
    monkeypatch.setattr(ProductionConfig, "VAPID_PUBLIC_KEY", None)
    return ProductionConfig


def test_production_refuses_to_start_without_vapid_keys(production):
    with pytest.raises(RuntimeError, match="VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY must be set in production"):
        create_app()


def test_production_refuses_a_public_key_that_is_not_the_private_keys_half(production, monkeypatch):
    private, _ = vapid.generate_pair()
    _, someone_elses_public = vapid.generate_pair()
    monkeypatch.setattr(production, "VAPID_PRIVATE_KEY", private)
    monkeypatch.setattr(production, "VAPID_PUBLIC_KEY", someone_elses_public)
    with pytest.raises(RuntimeError, match="not the public half"):
        create_app()


def test_production_refuses_to_start_without_a_contact_subject(production, monkeypatch):
    private, public = vapid.generate_pair()
    monkeypatch.setattr(production, "VAPID_PRIVATE_KEY", private)
    monkeypatch.setattr(production, "VAPID_PUBLIC_KEY", public)
    monkeypatch.setattr(production, "VAPID_SUBJECT", None)
    with pytest.raises(RuntimeError, match="VAPID_SUBJECT"):
        create_app()


def test_production_starts_with_generated_keys_and_offers_their_public_half(production, monkeypatch):
    private, public = vapid.generate_pair()
    monkeypatch.setattr(production, "VAPID_PRIVATE_KEY", private)
    monkeypatch.setattr(production, "VAPID_PUBLIC_KEY", public)

    app = create_app()

    with app.app_context():
        assert vapid.current_keys().application_server_key == public


def test_a_pem_private_key_is_accepted_and_its_public_half_derived(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()

    keys = vapid.load_keys({"VAPID_PRIVATE_KEY": pem, "VAPID_SUBJECT": "https://linli.example"}, str(tmp_path))

    assert keys.application_server_key == vapid.public_key_text(key)


def test_a_private_key_that_is_not_p256_is_refused_with_a_pointer_to_the_docs(tmp_path):
    with pytest.raises(RuntimeError, match="docs/push.md"):
        vapid.load_keys({"VAPID_PRIVATE_KEY": "not-a-key", "VAPID_SUBJECT": "mailto:a@b.cn"}, str(tmp_path))


def test_development_generates_one_pair_under_instance_readable_only_by_its_owner(tmp_path):
    config = {"VAPID_KEYS_IN_INSTANCE": True, "VAPID_SUBJECT": "mailto:linli@localhost"}

    first = vapid.load_keys(config, str(tmp_path))
    again = vapid.load_keys(config, str(tmp_path))

    path = Path(tmp_path) / "vapid.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["public_key"] == first.application_server_key
    assert again.application_server_key == first.application_server_key
    assert [entry.name for entry in Path(tmp_path).iterdir()] == ["vapid.json"]


def test_the_application_server_key_is_an_uncompressed_p256_point(app):
    point = vapid.b64url_decode(app.extensions["linli_vapid"].application_server_key)
    assert len(point) == 65 and point[0] == 4
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)


def test_the_signed_header_passes_a_push_services_checks(app):
    keys = app.extensions["linli_vapid"]
    expires = int(time.time()) + 12 * 3600

    key, claims = verify_vapid(keys.authorization("https://push.example.net", expires),
                               "https://push.example.net", time.time())

    assert key == keys.application_server_key
    assert claims == {"aud": "https://push.example.net", "exp": expires, "sub": keys.subject}
