"""The push subscription API: public key, subscribe (idempotent per browser), list and remove own."""
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.notifications.models import Delivery, Notification, PushSubscription
from backend.notifications.push_schemas import check_endpoint
from tests.factories import make_community, make_user
from tests.notifications.push_service import PushService, b64url


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


@pytest.fixture
def volunteer():
    return make_user(make_community(), "volunteer", name="张阿姨")


def _body(browser, label="我的手机"):
    return {**browser.as_json(), "label": label}


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(PushSubscription))


def test_the_public_key_is_the_servers_application_server_key(client, app):
    response = client.get("/api/v1/push/public-key")

    assert response.status_code == 200
    assert response.get_json() == {"public_key": app.extensions["linli_vapid"].application_server_key}


def test_subscribing_stores_the_browser_for_this_user_and_device(client, volunteer, push_service):
    browser = push_service.subscribe()
    client.login(volunteer)

    response = client.post("/api/v1/push/subscriptions", _body(browser))

    assert response.status_code == 201
    answer = response.get_json()
    assert (answer["endpoint"], answer["label"], answer["push_service"]) == (browser.endpoint, "我的手机", "127.0.0.1")
    stored = db.session.get(PushSubscription, answer["id"])
    assert (stored.user_id, stored.p256dh, stored.auth) == (volunteer.id, browser.p256dh, browser.auth)
    assert stored.device_session_id is not None


def test_posting_the_same_browser_again_updates_it_instead_of_adding_one(client, volunteer, push_service):
    browser = push_service.subscribe()
    client.login(volunteer)
    first = client.post("/api/v1/push/subscriptions", _body(browser)).get_json()
    renewed = {**_body(browser, label="新手机"), "keys": {"p256dh": browser.p256dh, "auth": b64url(secrets.token_bytes(16))}}

    again = client.post("/api/v1/push/subscriptions", renewed)

    assert again.status_code == 200
    assert (again.get_json()["id"], again.get_json()["label"]) == (first["id"], "新手机")
    assert db.session.get(PushSubscription, first["id"]).auth == renewed["keys"]["auth"]
    assert _count() == 1


def test_each_signed_in_phone_is_its_own_device(make_client, volunteer, push_service):
    phone, tablet = make_client().login(volunteer), make_client().login(volunteer)

    ids = [device.post("/api/v1/push/subscriptions", _body(push_service.subscribe())).get_json()["id"]
           for device in (phone, tablet)]

    sessions = {db.session.get(PushSubscription, id_).device_session_id for id_ in ids}
    assert len(sessions) == 2
    assert phone.get("/api/v1/push/subscriptions").get_json()["total"] == 2


def test_a_browser_taken_over_by_another_person_no_longer_reaches_the_first(
        make_client, volunteer, push_service, clock):
    shared = push_service.subscribe()
    neighbour = make_user(make_community("另一社区"), "resident", name="李大爷")
    first, second = make_client().login(volunteer), make_client().login(neighbour)
    old_id = first.post("/api/v1/push/subscriptions", _body(shared)).get_json()["id"]
    queued = _queued_push(volunteer, old_id, clock)

    taken = second.post("/api/v1/push/subscriptions", _body(shared, label="李大爷的手机"))

    assert taken.status_code == 201
    assert db.session.get(PushSubscription, taken.get_json()["id"]).user_id == neighbour.id
    assert db.session.get(Delivery, queued).push_subscription_id is None
    assert first.get("/api/v1/push/subscriptions").get_json()["items"] == []
    assert _count() == 1


def _queued_push(user, subscription_id, clock) -> int:
    notification = Notification(kind="test", recipient_user_id=user.id, urgency="normal",
                                expires_at=clock() + timedelta(hours=1))
    db.session.add(notification)
    db.session.flush()
    delivery = Delivery(notification_id=notification.id, channel="push", push_subscription_id=subscription_id,
                        next_attempt_at=clock())
    db.session.add(delivery)
    db.session.commit()
    return delivery.id


def test_the_list_shows_only_my_own_subscriptions_in_the_list_envelope(make_client, volunteer, push_service):
    mine, theirs = make_client().login(volunteer), make_client().login(make_user(make_community(), "worker"))
    mine.post("/api/v1/push/subscriptions", _body(push_service.subscribe()))
    theirs.post("/api/v1/push/subscriptions", _body(push_service.subscribe()))

    answer = mine.get("/api/v1/push/subscriptions", query_string={"per_page": 5}).get_json()

    assert (answer["total"], answer["page"], answer["per_page"], len(answer["items"])) == (1, 1, 5, 1)


def test_removing_my_subscription_deletes_it_and_someone_elses_is_not_found(make_client, volunteer, push_service):
    mine, theirs = make_client().login(volunteer), make_client().login(make_user(make_community(), "worker"))
    own_id = mine.post("/api/v1/push/subscriptions", _body(push_service.subscribe())).get_json()["id"]
    other_id = theirs.post("/api/v1/push/subscriptions", _body(push_service.subscribe())).get_json()["id"]

    assert mine.delete(f"/api/v1/push/subscriptions/{own_id}").status_code == 204
    refused = mine.delete(f"/api/v1/push/subscriptions/{other_id}")

    assert refused.status_code == 404
    assert refused.get_json()["reason"] == "not_found"
    assert db.session.get(PushSubscription, own_id) is None
    assert db.session.get(PushSubscription, other_id) is not None


def test_subscribing_needs_a_signed_in_person(client, push_service):
    response = client.post("/api/v1/push/subscriptions", _body(push_service.subscribe()))

    assert response.status_code == 401
    assert response.get_json()["reason"] == "not_signed_in"


@pytest.mark.parametrize("endpoint", [
    "http://push.example.net/abc",      # plain http to the internet
    "https://10.0.0.8/push/abc",        # an address on our own network
    "https://[fd00::1]/push/abc",
    "https://intranet/push/abc",        # a bare host name
    "https://user:pw@push.example.net/abc",
    "ftp://push.example.net/abc",
    "not a url",
])
def test_an_endpoint_that_is_not_a_push_service_on_the_internet_is_refused(client, volunteer, push_service, endpoint):
    client.login(volunteer)

    response = client.post("/api/v1/push/subscriptions", {**_body(push_service.subscribe()), "endpoint": endpoint})

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"endpoint": ["推送地址应为浏览器推送服务的 https 地址。"]}
    assert _count() == 0


def test_loopback_endpoints_are_refused_where_the_settings_do_not_allow_them():
    for endpoint in ("http://127.0.0.1:8080/push/a", "https://localhost/push/a", "https://127.0.0.1/push/a"):
        with pytest.raises(Exception, match="https"):
            check_endpoint(endpoint, allow_loopback_http=False)
    check_endpoint("https://fcm.googleapis.com/fcm/send/abc", allow_loopback_http=False)


@pytest.mark.parametrize("keys, field", [
    ({"p256dh": b64url(b"\x04" + b"\x01" * 64), "auth": b64url(b"a" * 16)}, "p256dh"),  # not on the curve
    ({"p256dh": b64url(b"\x04" + b"\x01" * 10), "auth": b64url(b"a" * 16)}, "p256dh"),  # too short
    ({"p256dh": "@@not-base64@@", "auth": b64url(b"a" * 16)}, "p256dh"),
    ({"p256dh": None, "auth": b64url(b"a" * 8)}, "auth"),  # p256dh filled in below; auth too short
])
def test_keys_that_are_not_a_browsers_are_refused_field_by_field(client, volunteer, push_service, keys, field):
    browser = push_service.subscribe()
    keys = {name: value if value is not None else browser.p256dh for name, value in keys.items()}
    client.login(volunteer)

    response = client.post("/api/v1/push/subscriptions", {**_body(browser), "keys": keys},
                           headers={"Accept-Language": "en"})

    assert response.status_code == 422
    assert list(response.get_json()["errors"]["keys"]) == [field]
    assert _count() == 0


def test_missing_keys_are_named_in_the_users_language(client, push_service):
    english = make_user(make_community(), "volunteer")
    english.language = "en"
    client.login(english)

    response = client.post("/api/v1/push/subscriptions", {"endpoint": push_service.subscribe().endpoint})

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"keys": ["Missing data for required field."]}
