"""Display preferences follow the person: kept on the server, elder mode on for residents and proxies."""
from backend.accounts.services import add_user
from backend.extensions import db
from tests.factories import make_community, make_user


def test_new_resident_and_proxy_accounts_start_in_elder_mode_and_others_do_not():
    community = make_community()
    resident = add_user(display_name="王奶奶", roles={"resident"}, community_id=community.id)
    proxy = add_user(display_name="李晓红", roles={"proxy"}, phone="13600000040", password="a-good-long-secret",
                     community_id=community.id)
    volunteer = add_user(display_name="张阿姨", roles={"volunteer"}, phone="13600000041",
                         password="a-good-long-secret", community_id=community.id)
    db.session.commit()
    assert (resident.elder_mode, proxy.elder_mode, volunteer.elder_mode) == (True, True, False)
    assert resident.text_size == "large"


def test_preferences_are_saved_and_returned_by_who_am_i(client):
    user = make_user(make_community(), "volunteer")
    client.login(user)
    response = client.patch("/api/v1/me/preferences", {"elder_mode": True, "text_size": "extra_large",
                                                         "high_contrast": True, "read_aloud": True,
                                                         "language": "en"})
    assert response.status_code == 200
    me = client.get("/api/v1/me").get_json()
    assert (me["elder_mode"], me["text_size"], me["high_contrast"], me["read_aloud"], me["language"]) == \
        (True, "extra_large", True, True, "en")


def test_an_unknown_text_size_changes_nothing(client):
    user = make_user(make_community(), "volunteer")
    client.login(user)
    response = client.patch("/api/v1/me/preferences", {"text_size": "huge", "elder_mode": True})
    assert response.status_code == 422
    assert "text_size" in response.get_json()["errors"]
    assert client.get("/api/v1/me").get_json()["elder_mode"] is False
