"""The `log` SMS provider keeps each message as an external system would; admins read them."""
from backend.extensions import db
from backend.notifications.models import NotificationPreference
from backend.notifications.services.outbox import Contact, notify
from tests.factories import make_admin, make_community, make_user
from tests.notifications.helpers import run_worker


def test_admins_read_the_sms_sent_to_their_community_and_to_no_community_newest_first(
        app, client, clock, ordinary_kind):
    community, elsewhere = make_community(), make_community("别的社区")
    volunteer, outsider = make_user(community, "volunteer"), make_user(elsewhere, "volunteer")
    for user in (volunteer, outsider):
        db.session.add(NotificationPreference(user_id=user.id, sms_opt_in=True))
    notify("test_offer", user=volunteer, params={"category": "送餐"})
    notify("test_offer", user=outsider, params={"category": "维修"})
    clock.advance(minutes=1)
    notify("verification_code", contact=Contact(name="", phone="13612345678"), params={"code": "042424"})
    db.session.commit()
    run_worker(app)

    client.login(make_admin(community))
    items = client.get("/api/v1/sms/messages").get_json()["items"]
    assert [(m["phone"], m["template_id"], m["params"]) for m in items] == [
        ("13612345678", "LINLI_VERIFICATION_CODE_ZH", {"code": "042424"}),
        (volunteer.phone, "T_TEST_OFFER_ZH", {"category": "送餐"})]
    assert items[1]["text"] == "邻里：送餐，有人需要帮助。" and items[1]["provider"] == "log"
    assert items[1]["delivery_id"] is not None

    only = client.get("/api/v1/sms/messages", query_string={"phone": volunteer.phone}).get_json()
    assert [m["phone"] for m in only["items"]] == [volunteer.phone]
    bad = client.get("/api/v1/sms/messages", query_string={"phone": "12"})
    assert bad.status_code == 422 and "phone" in bad.get_json()["errors"]
