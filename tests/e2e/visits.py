"""A household that is visited, on the live server, for the visit screens' tests: 王奶奶 (with her
own account) in a grid with 走访网格员, the community's admin and visit rules, a vetted volunteer
张阿姨, her daughter 王丽 (who may read the visit summaries) and her son 王强 (who may not); and the
two visits recorded through the API as the recording screens would."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import select

from backend.extensions import db
from backend.visits.models import VisitRule
from backend.volunteers.models import Volunteer
from tests.e2e.journeys import submit_sign_in
from tests.factories import (
    DEMO_PASSWORD, make_admin, make_building, make_community, make_grid, make_household, make_proxy, make_resident,
    make_user, make_volunteer, make_worker,
)

WORKER_SUMMARY = "王奶奶今天精神不错，冰箱里菜不多，已安排志愿者明天送菜。"
STAFF_NOTES = "厨房煤气灶有点漏气，已提醒，下次带维修师傅"
NEEDS = "想要一台新的电饭煲"
VOLUNTEER_SUMMARY = "陪王奶奶聊了一个小时，一起包了饺子。"


@dataclass(frozen=True)
class Kin:
    resident_id: int
    household_id: int
    volunteer_id: int
    resident_phone: str
    worker_phone: str
    admin_phone: str
    volunteer_phone: str
    daughter_phone: str  # view_status and view_visit_summaries
    son_phone: str  # view_status only


def make_kin(app) -> Kin:
    """A community of its own, so its rules and visits are the test's alone. Residents and
    relatives start in elder mode, as the service starts them."""
    with app.app_context():
        community = make_community("走访小结社区")
        grid = make_grid(community)
        worker = make_worker(grid)
        worker.display_name = "走访网格员"
        admin = make_admin(community)
        admin.display_name = "走访管理员"
        db.session.add_all([
            VisitRule(community_id=community.id, tags=["aged_80_plus", "lives_alone"], interval_days=7),
            VisitRule(community_id=community.id, tags=["left_behind_woman"], interval_days=14, first_interval_days=7,
                      first_period_days=30),
            VisitRule(community_id=community.id, tags=[], interval_days=30),
        ])
        household = make_household(make_building(grid))
        account = make_user(community, "resident", name="王秀英")
        account.elder_mode = True
        grandma = make_resident(household, tags=("lives_alone",), user=account)
        daughter = make_proxy(grandma, "view_status", "view_visit_summaries")
        son = make_proxy(grandma, "view_status")
        for relative, name in ((daughter, "王丽"), (son, "王强")):
            relative.display_name, relative.elder_mode = name, True
        volunteer = make_volunteer(community)
        volunteer.display_name = "张阿姨"
        volunteer_id = db.session.scalar(select(Volunteer.id).where(Volunteer.user_id == volunteer.id))
        db.session.commit()
        kin = Kin(resident_id=grandma.id, household_id=household.id, volunteer_id=volunteer_id,
                  resident_phone=account.phone, worker_phone=worker.phone, admin_phone=admin.phone,
                  volunteer_phone=volunteer.phone, daughter_phone=daughter.phone, son_phone=son.phone)
        db.session.remove()
    return kin


def sign_in(page, phone, greeting):
    submit_sign_in(page, phone, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(greeting)


def post(page, path, body):
    """POST `body` to the API as whoever `page` is signed in as; the answer must be a success."""
    token = page.request.get("/api/v1/auth/csrf").json()["csrf_token"]
    answer = page.request.post(path, data=body, headers={"X-CSRF-Token": token})
    assert answer.ok, answer.json()
    return answer.json()


def record_visits(open_tab, kin):
    """The worker's visit (summary, staff notes, a checklist concern and a need), then the
    volunteer's companionship visit, newer, with a summary of its own."""
    worker = open_tab("/").page
    sign_in(worker, kin.worker_phone, "您好，走访网格员")
    post(worker, "/api/v1/visits", {
        "household_id": kin.household_id, "outcome": "met", "notes": STAFF_NOTES, "summary": WORKER_SUMMARY,
        "residents": [{"resident_id": kin.resident_id, "outcome": "met", "checklist": {"gas": "concern"},
                       "needs": NEEDS}]})
    due_on = (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=3)).isoformat()
    delegation = post(worker, "/api/v1/visit-delegations", {
        "household_id": kin.household_id, "volunteer_id": kin.volunteer_id, "due_on": due_on})
    volunteer = open_tab("/").page
    sign_in(volunteer, kin.volunteer_phone, "您好，张阿姨")
    post(volunteer, f"/api/v1/visit-delegations/{delegation['id']}/record", {
        "outcome": "met", "residents": [{"resident_id": kin.resident_id, "outcome": "met"}],
        "summary": VOLUNTEER_SUMMARY})


def expect_both_summaries(page):
    """The two summaries, newest first, each with who came."""
    cards = page.locator(".summary-card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text(VOLUNTEER_SUMMARY)
    expect(cards.nth(0)).to_contain_text("志愿者 张阿姨 上门陪伴")
    expect(cards.nth(1)).to_contain_text(WORKER_SUMMARY)
    expect(cards.nth(1)).to_contain_text("走访网格员 上门看望")
