"""My notification preferences: push, SMS for ordinary kinds, quiet hours, and the one language."""
from backend.extensions import db
from backend.notifications.services.outbox import notify
from tests.factories import make_community, make_user
from tests.notifications.helpers import deliveries_of

URL = "/api/v1/me/notification-preferences"


def test_the_defaults_are_push_no_sms_and_quiet_from_21_to_07_in_the_communitys_zone(client):
    volunteer = make_user(make_community(), "volunteer")
    assert client.login(volunteer).get(URL).get_json() == {
        "push_enabled": True, "sms_opt_in": False, "quiet_hours_start": "21:00", "quiet_hours_end": "07:00",
        "language": "zh-CN", "time_zone": "Asia/Shanghai", "has_phone": True}


def test_changed_preferences_are_kept_and_used_by_the_channel_policy(client, ordinary_kind):
    volunteer = make_user(make_community(), "volunteer")
    client.login(volunteer)
    answer = client.patch(URL, {"sms_opt_in": True, "quiet_hours_start": "22:30", "quiet_hours_end": "06:00",
                                "push_enabled": False})
    assert answer.status_code == 200
    assert client.get(URL).get_json() == {
        "push_enabled": False, "sms_opt_in": True, "quiet_hours_start": "22:30", "quiet_hours_end": "06:00",
        "language": "zh-CN", "time_zone": "Asia/Shanghai", "has_phone": True}
    offer = notify("test_offer", user=volunteer, params={"category": "送餐"})
    assert [d.channel for d in deliveries_of(offer.id)] == ["sms"]


def test_the_language_is_the_accounts_own_display_language(client, ordinary_kind):
    volunteer = make_user(make_community(), "volunteer")
    client.login(volunteer)
    assert client.patch(URL, {"language": "en"}).get_json()["language"] == "en"
    assert client.get("/api/v1/me").get_json()["language"] == "en"
    notify("test_offer", user=volunteer, params={"category": "送餐"})
    db.session.commit()
    assert client.get("/api/v1/notifications").get_json()["items"][0]["title"] == "A new request"
    client.patch("/api/v1/me/preferences", {"language": "zh-CN"})
    assert client.get(URL).get_json()["language"] == "zh-CN"


def test_bad_input_is_refused_field_by_field_in_the_users_language(client):
    client.login(make_user(make_community(), "volunteer"))
    answer = client.patch(URL, {"quiet_hours_start": "25:00", "language": "fr", "sms": True})
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["reason"] == "invalid_input"
    assert set(body["errors"]) == {"quiet_hours_start", "language", "sms"}
    assert body["errors"]["quiet_hours_start"] == ["时间格式不对（应为 HH:MM，如 09:30）。"]
    assert client.get(URL).get_json()["quiet_hours_start"] == "21:00"
