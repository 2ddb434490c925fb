"""The inbox API: my notifications only, unread first, a cheap unread count with ETag, marking read."""
from backend.extensions import db
from backend.notifications.services.outbox import notify
from tests.factories import make_community, make_user


def _inbox_of_three(clock, user):
    """Three notifications a minute apart; the middle one read."""
    made = []
    for category in ("送餐", "陪伴聊天", "维修"):
        made.append(notify("test_offer", user=user, params={"category": category}))
        clock.advance(minutes=1)
    made[1].read_at = clock()
    db.session.commit()
    return made


def test_my_notifications_come_unread_first_then_newest(client, clock, ordinary_kind):
    volunteer = make_user(make_community(), "volunteer")
    first, second, third = _inbox_of_three(clock, volunteer)
    notify("test_offer", user=make_user(make_community(), "volunteer"), params={"category": "别人的"})
    db.session.commit()

    body = client.login(volunteer).get("/api/v1/notifications").get_json()

    assert [item["id"] for item in body["items"]] == [third.id, first.id, second.id]
    assert (body["total"], body["page"], body["per_page"]) == (3, 1, 20)
    item = body["items"][0]
    assert item == {"id": third.id, "kind": "test_offer", "title": "有新的求助", "body": "维修：有人需要帮助。",
                    "url": "/notifications", "data": {}, "urgency": "normal", "safety": False,
                    "created_at": item["created_at"], "read_at": None}


def test_marking_one_read_keeps_the_first_time_and_others_are_not_found(client, make_client, clock, ordinary_kind):
    volunteer = make_user(make_community(), "volunteer")
    first, *_ = _inbox_of_three(clock, volunteer)
    client.login(volunteer)

    read = client.post(f"/api/v1/notifications/{first.id}/read")
    assert read.status_code == 200 and read.get_json()["read_at"] is not None
    clock.advance(minutes=5)
    assert client.post(f"/api/v1/notifications/{first.id}/read").get_json()["read_at"] == read.get_json()["read_at"]

    stranger = make_client().login(make_user(make_community(), "volunteer"))
    refused = stranger.post(f"/api/v1/notifications/{first.id}/read")
    assert (refused.status_code, refused.get_json()["reason"]) == (404, "not_found")
    assert client.post("/api/v1/notifications/999999/read").status_code == 404


def test_read_all_marks_every_unread_one(client, clock, ordinary_kind):
    volunteer = make_user(make_community(), "volunteer")
    _inbox_of_three(clock, volunteer)
    client.login(volunteer)
    assert client.post("/api/v1/notifications/read-all").get_json() == {"marked": 2}
    assert client.get("/api/v1/notifications/unread-count").get_json()["unread"] == 0
    assert client.post("/api/v1/notifications/read-all").get_json() == {"marked": 0}


def test_the_unread_count_answers_304_while_nothing_changed(client, clock, ordinary_kind):
    volunteer = make_user(make_community(), "volunteer")
    first, _, third = _inbox_of_three(clock, volunteer)
    client.login(volunteer)

    answer = client.get("/api/v1/notifications/unread-count")
    assert answer.get_json() == {"unread": 2, "latest_unread_id": third.id}
    assert answer.headers["Cache-Control"] == "private, no-cache"
    etag = answer.headers["ETag"]
    unchanged = client.get("/api/v1/notifications/unread-count", headers={"If-None-Match": etag})
    assert (unchanged.status_code, unchanged.data, unchanged.headers["ETag"]) == (304, b"", etag)

    notify("test_offer", user=volunteer, params={"category": "送餐"})
    client.post(f"/api/v1/notifications/{first.id}/read")  # one more and one fewer: the count is 2 again
    changed = client.get("/api/v1/notifications/unread-count", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["unread"] == 2


def test_notifications_to_bare_contacts_and_sms_only_kinds_are_in_no_inbox(client, ordinary_kind):
    from backend.notifications.services.outbox import Contact

    volunteer = make_user(make_community(), "volunteer", phone="13911112222")
    notify("verification_code", contact=Contact(name="", phone=volunteer.phone), params={"code": "123456"})
    db.session.commit()
    assert client.login(volunteer).get("/api/v1/notifications").get_json()["total"] == 0


def test_the_inbox_needs_a_signed_in_user(client):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.get("/api/v1/notifications/unread-count").status_code == 401
