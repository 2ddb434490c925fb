"""The demo's on-duty roster (a day and a night shift every day, one override) and its one open
alert about 王奶奶, as the API shows them. The test clock stands on Thursday 2026-11-26, 10:00 in
Shanghai."""
import pytest

from backend.alerts.models import Alert, RosterShift
from backend.demo.seed import seed_demo
from backend.extensions import db
from tests.alerts.helpers import steps

ADMIN, WORKER = "13800000000", "13800000010"


@pytest.fixture
def demo():
    return seed_demo().community_id


def _on_duty(client, at):
    return client.get("/api/v1/roster/on-duty", query_string={"at": at}).get_json()


def test_the_demo_roster_has_a_day_and_a_night_shift_every_day_and_one_override(demo, client):
    client.login(WORKER)
    roster = client.get("/api/v1/roster").get_json()
    assert len(roster["pattern"]) == 14
    assert {shift["weekday"] for shift in roster["pattern"] if (shift["start"], shift["end"]) == ("18:00", "08:00")} \
        == set(range(7))
    assert _on_duty(client, "2026-11-26T10:00:00+08:00")["user"]["display_name"] == "郑晓梅"
    assert _on_duty(client, "2026-11-30T02:00:00+08:00")["user"]["display_name"] == "郑晓梅"  # Sunday's night
    assert _on_duty(client, "2026-11-26T23:00:00+08:00")["user"]["display_name"] == "林静"
    [override] = roster["overrides"]
    assert (override["date"], override["start"], override["end"], override["user"]["display_name"]) == (
        "2026-11-28", "08:00", "18:00", "郑晓梅")
    replaced = _on_duty(client, "2026-11-28T12:00:00+08:00")
    assert (replaced["user"]["display_name"], replaced["source"]) == ("郑晓梅", "override")


def test_the_demo_has_one_open_alert_about_wang_nainai_told_to_her_grids_workers(demo, client):
    listed = client.login(ADMIN).get("/api/v1/alerts").get_json()
    assert listed["total"] == 1
    [alert] = listed["items"]
    assert (alert["status"], alert["resident"]["address_as"], alert["label"]) == ("open", "王奶奶", "没有报平安（演示）")
    told = client.get(f"/api/v1/alerts/{alert['id']}").get_json()["timeline"][0]["told"]
    assert {person["display_name"] for person in told} == {"陈丽华", "黄志明"}
    assert client.login(WORKER).get("/api/v1/alerts", query_string={"status": "open"}).get_json()["total"] == 1


def test_seeding_again_adds_no_second_roster_or_alert(demo):
    shifts, alerts = db.session.query(RosterShift).count(), db.session.query(Alert).count()
    seed_demo()
    assert (db.session.query(RosterShift).count(), db.session.query(Alert).count()) == (shifts, alerts) == (14, 1)
    assert [step[0] for step in steps(db.session.query(Alert).one().id)] == ["raised"]
