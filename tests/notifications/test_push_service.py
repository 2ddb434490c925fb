"""The test suite's push service refuses what a real one refuses, so passing it means something."""
import json
import time

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from pywebpush import WebPusher

from tests.notifications.push_service import PushService, b64url


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


def _key_text(private_key) -> str:
    return b64url(private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                        serialization.PublicFormat.UncompressedPoint))


def _jwt(signing_key, claims: dict, header: dict | None = None) -> str:
    """A JWT built by hand, so tests can make every mistake a broken sender could."""
    head = b64url(json.dumps(header or {"typ": "JWT", "alg": "ES256"}).encode())
    body = b64url(json.dumps(claims).encode())
    r, s = utils.decode_dss_signature(signing_key.sign(f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256())))
    return f"{head}.{body}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def _send(subscription, authorization: str, payload: dict | None = None, **headers):
    encoded = WebPusher(subscription.as_json()).encode(json.dumps(payload or {"id": 1}).encode())
    return requests.post(subscription.endpoint, data=encoded["body"], timeout=5, headers={
        "Authorization": authorization, "Content-Encoding": "aes128gcm", "TTL": "60", **headers})


@pytest.fixture
def server_key():
    return ec.generate_private_key(ec.SECP256R1())


def _claims(service, **changes) -> dict:
    return {"aud": service.origin, "exp": int(time.time()) + 3600, "sub": "mailto:ops@linli.example", **changes}


def test_a_correct_request_is_decrypted_and_recorded(push_service, server_key):
    subscription = push_service.subscribe()
    authorization = f"vapid t={_jwt(server_key, _claims(push_service))}, k={_key_text(server_key)}"

    response = _send(subscription, authorization, {"id": 7, "kind": "test"}, Urgency="high", Topic="offer-12")

    assert response.status_code == 201
    (received,) = push_service.delivered_to(subscription)
    assert (received.payload, received.ttl, received.urgency, received.topic) == \
        ({"id": 7, "kind": "test"}, 60, "high", "offer-12")
    assert push_service.refused == []


def test_a_signature_by_another_key_than_the_header_names_is_refused(push_service, server_key):
    subscription = push_service.subscribe()
    impostor = ec.generate_private_key(ec.SECP256R1())
    authorization = f"vapid t={_jwt(impostor, _claims(push_service))}, k={_key_text(server_key)}"

    assert _send(subscription, authorization).status_code == 401
    assert "signature" in push_service.refused[0].refusal
    assert push_service.delivered_to(subscription) == []


def test_a_token_for_another_push_service_is_refused(push_service, server_key):
    subscription = push_service.subscribe()
    claims = _claims(push_service, aud="https://fcm.googleapis.com")
    authorization = f"vapid t={_jwt(server_key, claims)}, k={_key_text(server_key)}"

    assert _send(subscription, authorization).status_code == 403
    assert "aud" in push_service.refused[0].refusal


def test_an_expired_token_is_refused(push_service, server_key):
    subscription = push_service.subscribe()
    claims = _claims(push_service, exp=int(time.time()) - 60)
    authorization = f"vapid t={_jwt(server_key, claims)}, k={_key_text(server_key)}"

    assert _send(subscription, authorization).status_code == 403
    assert push_service.refused[0].refusal == "JWT expired"


def test_a_token_valid_for_more_than_a_day_is_refused(push_service, server_key):
    subscription = push_service.subscribe()
    claims = _claims(push_service, exp=int(time.time()) + 25 * 3600)
    authorization = f"vapid t={_jwt(server_key, claims)}, k={_key_text(server_key)}"

    assert _send(subscription, authorization).status_code == 403


def test_a_token_signed_with_another_algorithm_name_is_refused(push_service, server_key):
    subscription = push_service.subscribe()
    token = _jwt(server_key, _claims(push_service), header={"typ": "JWT", "alg": "none"})

    assert _send(subscription, f"vapid t={token}, k={_key_text(server_key)}").status_code == 401


def test_a_request_without_ttl_is_refused(push_service, server_key):
    subscription = push_service.subscribe()
    encoded = WebPusher(subscription.as_json()).encode(b'{"id": 1}')
    authorization = f"vapid t={_jwt(server_key, _claims(push_service))}, k={_key_text(server_key)}"

    response = requests.post(subscription.endpoint, data=encoded["body"], timeout=5,
                             headers={"Authorization": authorization, "Content-Encoding": "aes128gcm"})

    assert response.status_code == 400
    assert "TTL" in push_service.refused[0].refusal


def test_a_body_encrypted_for_another_subscription_is_refused(push_service, server_key):
    subscription, other = push_service.subscribe(), push_service.subscribe()
    encoded = WebPusher(other.as_json()).encode(b'{"id": 1}')
    authorization = f"vapid t={_jwt(server_key, _claims(push_service))}, k={_key_text(server_key)}"

    response = requests.post(subscription.endpoint, data=encoded["body"], timeout=5, headers={
        "Authorization": authorization, "Content-Encoding": "aes128gcm", "TTL": "60"})

    assert response.status_code == 400
    assert "decrypt" in push_service.refused[0].refusal


def test_a_topic_outside_the_url_safe_alphabet_is_refused(push_service, server_key):
    subscription = push_service.subscribe()
    authorization = f"vapid t={_jwt(server_key, _claims(push_service))}, k={_key_text(server_key)}"

    assert _send(subscription, authorization, Topic="offer/12").status_code == 400


def test_a_subscription_made_for_another_server_key_refuses_ours(push_service, server_key):
    other_key = ec.generate_private_key(ec.SECP256R1())
    subscription = push_service.subscribe(application_server_key=_key_text(other_key))
    authorization = f"vapid t={_jwt(server_key, _claims(push_service))}, k={_key_text(server_key)}"

    assert _send(subscription, authorization).status_code == 403


def test_scripted_answers_come_in_order_and_gone_stays_gone(push_service, server_key):
    busy = push_service.subscribe(answers=[429, 500], retry_after="30")
    gone = push_service.subscribe(answers=[410])
    authorization = f"vapid t={_jwt(server_key, _claims(push_service))}, k={_key_text(server_key)}"

    first = _send(busy, authorization)
    assert (first.status_code, first.headers["Retry-After"]) == (429, "30")
    assert [_send(busy, authorization).status_code for _ in range(2)] == [500, 201]
    assert [_send(gone, authorization).status_code for _ in range(2)] == [410, 410]
    assert push_service.refused == []
