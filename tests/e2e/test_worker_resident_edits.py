"""Changing a resident after registration, in Chromium: details, status, emergency contacts,
consents and family proxies, each checked against the database afterwards; the server's refusals
shown in the error summary and at their field; a form without network says it needs it."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from backend.accounts.models import User
from backend.audit.models import AuditEntry
from backend.community.models import Community
from backend.extensions import db
from backend.people.models import ConsentRecord, EmergencyContact, ProxyLink, Resident
from tests.e2e.test_worker_home import _heading, _sign_in_as, _with_app
from tests.factories import make_building, make_grid, make_household, make_resident, make_worker

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Record:
    worker_phone: str
    worker_id: int
    resident_id: int


def _today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def record(live_server) -> Record:
    """吴桂英（吴奶奶）, registered with her registry consent, in a grid of her own worker."""
    def make():
        community = db.session.scalar(select(Community).order_by(Community.id))
        grid = make_grid(community)
        worker = make_worker(grid)
        resident = make_resident(make_household(make_building(grid)), family_name="吴", given_name="桂英",
                                 address_as="吴奶奶", birth_year=1940)
        db.session.add(ConsentRecord(resident_id=resident.id, purpose="registry", given_by="resident",
                                     giver_name="吴桂英", recorded_by_id=worker.id))
        db.session.commit()
        return Record(worker_phone=worker.phone, worker_id=worker.id, resident_id=resident.id)
    return _with_app(live_server, make)


def _open_record(open_tab, record):
    tab = open_tab("/")
    _sign_in_as(tab.page, record.worker_phone, "您好，网格员")
    tab.page.goto(f"/worker/residents/{record.resident_id}")
    expect(_heading(tab.page)).to_have_text("吴桂英（吴奶奶）")
    return tab


def _resident(live_server, record, read):
    return _with_app(live_server, lambda: read(db.session.get(Resident, record.resident_id)))


def test_worker_edits_details_and_the_servers_refusal_is_marked_at_the_field(open_tab, live_server, record):
    tab = _open_record(open_tab, record)
    page = tab.page
    page.get_by_role("link", name="修改资料").click()
    expect(_heading(page)).to_have_text("修改 吴奶奶 的资料")
    expect(page.get_by_label("出生年份")).to_have_value("1940")

    page.get_by_label("出生年份").fill("1850")
    page.get_by_role("button", name="保存修改").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("出生年份应在 1900 到今年之间。")
    expect(page.get_by_label("出生年份")).to_have_attribute("aria-invalid", "true")
    expect(page.locator('[data-field="birth_year"] .field-error')).to_contain_text("出生年份应在 1900 到今年之间。")
    assert page.title().startswith("错误：")
    assert _resident(live_server, record, lambda r: r.birth_year) == 1940

    page.get_by_label("出生年份").fill("1941")
    page.get_by_label("称呼").fill("吴阿婆")
    page.get_by_label("慢病").check()
    page.get_by_label("粤语").check()
    page.locator('[data-field="prefers_volunteer_gender"]').get_by_label("女", exact=True).check()
    page.get_by_label("备注").fill("耳背，请大声说话")
    page.get_by_label("本人手机").fill("")
    page.get_by_role("button", name="保存修改").click()
    expect(_heading(page)).to_have_text("吴桂英（吴阿婆）")
    expect(page.locator("#status")).to_have_text("资料已保存。")
    expect(page.get_by_text("耳背，请大声说话")).to_be_visible()
    assert not page.title().startswith("错误：")

    saved = _resident(live_server, record, lambda r: (
        r.birth_year, r.address_as, [t.code for t in r.tags], [t.code for t in r.languages],
        r.prefers_volunteer_gender, r.preference_notes, r.phone, r.gender))
    assert saved == (1941, "吴阿婆", ["chronic_illness"], ["cantonese"], "female", "耳背，请大声说话", None, "female")
    # Only what changed was sent: the health tag and the phone are audited as changed.
    updates = _with_app(live_server, lambda: [entry.fields for entry in db.session.scalars(select(AuditEntry).where(
        AuditEntry.resident_id == record.resident_id, AuditEntry.action == "update"))])
    assert len(updates) == 1 and {"health_tags", "phone"} <= set(updates[0])

    page.get_by_role("link", name="修改资料").click()
    expect(page.get_by_label("慢病")).to_be_checked()
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("#status")).to_have_text("没有改动，什么也没有发送。")
    assert tab.page_errors == [] and tab.csp_violations() == []


def test_worker_sets_away_until_a_date_and_deceased_only_after_confirming(open_tab, live_server, record):
    tab = _open_record(open_tab, record)
    page = tab.page
    page.get_by_role("link", name="修改状态").click()
    expect(_heading(page)).to_have_text("吴奶奶 的状态")
    expect(page.get_by_text("现在：在家")).to_be_visible()
    expect(page.get_by_label("预计回来的日期")).to_be_hidden()
    page.get_by_label("外出", exact=True).check()
    page.get_by_role("button", name="保存状态").click()
    expect(page.get_by_role("alert")).to_contain_text("请填写预计回来的日期。")

    page.get_by_label("预计回来的日期").fill((_today() - timedelta(days=2)).isoformat())
    page.get_by_role("button", name="保存状态").click()
    expect(page.get_by_role("alert")).to_contain_text("回来日期不能早于今天。")
    expect(page.get_by_label("预计回来的日期")).to_have_attribute("aria-invalid", "true")
    assert _resident(live_server, record, lambda r: r.status) == "active"

    back = _today() + timedelta(days=30)
    page.get_by_label("预计回来的日期").fill(back.isoformat())
    page.get_by_role("button", name="保存状态").click()
    expect(page.locator("#status")).to_have_text("状态已改为「外出」。")
    expect(page.get_by_text(f"外出（到 {back.isoformat()}）")).to_be_visible()
    assert _resident(live_server, record, lambda r: (r.status, r.away_until)) == ("away", back)

    page.get_by_role("link", name="修改状态").click()
    page.get_by_label("已去世").check()
    page.get_by_role("button", name="保存状态").click()
    question = page.get_by_role("heading", name="确认 吴奶奶 已经去世？")
    expect(question).to_be_focused()
    assert _resident(live_server, record, lambda r: r.status) == "away"
    page.get_by_role("button", name="取消", exact=True).click()
    expect(question).to_be_hidden()
    expect(page.get_by_label("已去世")).to_be_focused()
    page.get_by_role("button", name="保存状态").click()
    page.get_by_role("button", name="确认已去世").click()
    expect(page.locator("#status")).to_have_text("状态已改为「已去世」。")
    assert _resident(live_server, record, lambda r: (r.status, r.away_until)) == ("deceased", None)
    assert tab.page_errors == []


def test_worker_adds_edits_and_removes_an_emergency_contact(open_tab, live_server, record):
    tab = _open_record(open_tab, record)
    page = tab.page
    expect(page.get_by_text("还没有紧急联系人。")).to_be_visible()
    page.get_by_role("link", name="添加紧急联系人").click()
    expect(_heading(page)).to_have_text("为 吴奶奶 添加紧急联系人")
    page.get_by_role("button", name="添加紧急联系人").click()
    expect(page.get_by_role("alert")).to_contain_text("请填写联系人姓名。")
    page.get_by_label("联系人姓名").fill("吴明")
    page.get_by_label("关系").fill("儿子")
    page.get_by_label("联系人电话").fill("1391234567")
    page.get_by_role("button", name="添加紧急联系人").click()
    expect(page.get_by_role("alert")).to_contain_text("手机号应为 11 位")
    expect(page.get_by_label("联系人电话")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("联系人电话").fill("13912345678")
    page.get_by_role("button", name="添加紧急联系人").click()
    expect(page.locator("#status")).to_have_text("已添加紧急联系人 吴明。")
    expect(page.get_by_text("吴明（儿子） 139 1234 5678")).to_be_visible()
    expect(page.get_by_role("heading", name="紧急联系人")).to_be_focused()

    def contacts():
        return [(c.name, c.relation, c.phone, c.language) for c in db.session.scalars(
            select(EmergencyContact).where(EmergencyContact.resident_id == record.resident_id))]
    assert _with_app(live_server, contacts) == [("吴明", "儿子", "13912345678", "zh-CN")]

    page.get_by_role("link", name="修改 吴明").click()
    expect(_heading(page)).to_have_text("修改 吴奶奶 的紧急联系人")
    expect(page.get_by_label("关系")).to_have_value("儿子")
    page.get_by_label("关系").fill("女婿")
    page.get_by_label("English").check()
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("#status")).to_have_text("已保存紧急联系人 吴明。")
    expect(page.get_by_text("吴明（女婿） 139 1234 5678")).to_be_visible()
    assert _with_app(live_server, contacts) == [("吴明", "女婿", "13912345678", "en")]

    page.get_by_role("button", name="删除 吴明").click()
    expect(page.get_by_role("heading", name="删除紧急联系人 吴明？")).to_be_focused()
    page.get_by_role("button", name="取消", exact=True).click()
    expect(page.get_by_role("button", name="删除 吴明")).to_be_focused()
    assert len(_with_app(live_server, contacts)) == 1
    page.get_by_role("button", name="删除 吴明").click()
    page.get_by_role("button", name="确定删除").click()
    expect(page.locator("#status")).to_have_text("已删除紧急联系人 吴明。")
    expect(page.get_by_text("还没有紧急联系人。")).to_be_visible()
    assert _with_app(live_server, contacts) == []
    assert tab.page_errors == []


def test_worker_records_and_withdraws_a_consent(open_tab, live_server, record):
    tab = _open_record(open_tab, record)
    page = tab.page
    expect(page.get_by_text("登记进社区居民名册 · 本人 吴桂英 同意", exact=False)).to_be_visible()
    page.get_by_role("link", name="记录一项同意").click()
    expect(_heading(page)).to_have_text("为 吴奶奶 记录一项同意")
    page.get_by_role("button", name="记录一项同意").click()
    expect(page.get_by_role("alert")).to_contain_text("请选择同意什么。")

    # The registry consent is already on record: the server refuses, and says so.
    page.get_by_label("登记进社区居民名册").check()
    page.get_by_label("本人", exact=True).check()
    page.get_by_label("同意人姓名").fill("吴桂英")
    page.get_by_role("button", name="记录一项同意").click()
    expect(page.get_by_role("alert")).to_contain_text("这项同意已经登记过，尚未撤回。")

    page.get_by_label("让家属代为操作").check()
    page.get_by_label("说明").fill("电话中同意")
    page.get_by_role("button", name="记录一项同意").click()
    expect(page.locator("#status")).to_have_text("已记录同意：让家属代为操作。")
    expect(page.get_by_text("让家属代为操作 · 本人 吴桂英 同意", exact=False)).to_be_visible()

    def consents():
        return {c.purpose: (c.given_by, c.giver_name, c.note, c.withdrawn_at is not None, c.recorded_by_id)
                for c in db.session.scalars(select(ConsentRecord).where(ConsentRecord.resident_id == record.resident_id))}
    assert _with_app(live_server, consents)["proxy_access"] == ("resident", "吴桂英", "电话中同意", False, record.worker_id)

    page.get_by_role("button", name="撤回「让家属代为操作」").click()
    expect(page.get_by_role("heading", name="撤回「让家属代为操作」的同意？")).to_be_focused()
    expect(page.get_by_text("所有家属代理人的关联都会解除")).to_be_visible()
    page.get_by_role("button", name="确定撤回").click()
    expect(page.locator("#status")).to_have_text("已撤回「让家属代为操作」的同意。")
    expect(page.get_by_text("已撤回", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="撤回「让家属代为操作」")).to_have_count(0)
    saved = _with_app(live_server, consents)
    assert saved["proxy_access"][3] is True and saved["registry"][3] is False
    assert tab.page_errors == []


def test_worker_adds_a_proxy_changes_the_scopes_and_ends_the_link(open_tab, live_server, record):
    tab = _open_record(open_tab, record)
    page = tab.page
    page.get_by_role("link", name="添加家属代理人").click()
    expect(_heading(page)).to_have_text("为 吴奶奶 添加家属代理人")
    phone = f"1377{record.resident_id:07d}"
    page.get_by_label("家属的手机号").fill(phone)
    page.get_by_label("关系").fill("女儿")
    page.get_by_label("查看状态：", exact=False).check()
    page.get_by_label("本人", exact=True).check()
    page.get_by_role("button", name="添加家属代理人").click()
    # A number without an account: the server asks for the account's name and first password.
    expect(page.get_by_role("alert")).to_contain_text("家属的名字：新建家属账号时必填。")
    expect(page.get_by_label("家属的名字")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("第一次登录用的密码")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("家属的名字").fill("吴小红")
    page.get_by_label("第一次登录用的密码").fill("Wu-family-2026")
    page.get_by_role("button", name="添加家属代理人").click()
    expect(page.locator("#status")).to_have_text("已添加家属代理人 吴小红。")
    expect(page.get_by_text(f"吴小红（女儿） {phone[:3]} {phone[3:7]} {phone[7:]}")).to_be_visible()
    expect(page.get_by_text("可以：查看状态")).to_be_visible()
    # The first link recorded the family-access consent on the resident's word.
    expect(page.get_by_text("让家属代为操作 · 本人 吴桂英 同意", exact=False)).to_be_visible()

    def link():
        row = db.session.scalar(select(ProxyLink).where(ProxyLink.resident_id == record.resident_id))
        account = db.session.get(User, row.proxy_user_id)
        return (account.phone, account.display_name, "proxy" in account.roles, row.relation, row.is_guardian,
                sorted(row.active_scopes), row.ended_at is not None)
    assert _with_app(live_server, link) == (phone, "吴小红", True, "女儿", False, ["view_status"], False)

    page.get_by_role("link", name="修改 吴小红 的权限").click()
    expect(_heading(page)).to_have_text("修改 吴小红 的权限")
    expect(page.get_by_label("查看状态：", exact=False)).to_be_checked()
    page.get_by_label("代为求助", exact=False).check()
    page.get_by_role("button", name="保存权限").click()
    expect(page.get_by_role("alert")).to_contain_text("新增权限时请选择谁同意了。")
    page.get_by_label("本人", exact=True).check()
    page.get_by_role("button", name="保存权限").click()
    expect(page.locator("#status")).to_have_text("已保存 吴小红 的权限。")
    expect(page.get_by_text("可以：查看状态、代为求助")).to_be_visible()
    assert _with_app(live_server, link)[5] == ["request_help", "view_status"]

    page.get_by_role("button", name="解除 吴小红 的关联").click()
    expect(page.get_by_role("heading", name="解除 吴小红 的家属关联？")).to_be_focused()
    page.get_by_role("button", name="确定解除").click()
    expect(page.locator("#status")).to_have_text("已解除 吴小红 的家属关联。")
    expect(page.get_by_text("还没有家属代理人。")).to_be_visible()
    ended = _with_app(live_server, link)
    assert ended[6] is True and ended[5] == []
    assert tab.page_errors == []


def test_a_change_without_network_says_it_needs_the_network_and_keeps_what_was_typed(open_tab, live_server, record):
    tab = _open_record(open_tab, record)
    page = tab.page
    page.get_by_role("link", name="添加紧急联系人").click()
    page.get_by_label("联系人姓名").fill("吴明")
    page.get_by_label("关系").fill("儿子")
    page.get_by_label("联系人电话").fill("13912345678")
    page.context.set_offline(True)
    page.get_by_role("button", name="添加紧急联系人").click()
    expect(page.get_by_role("alert")).to_contain_text("需要联网")
    expect(page.get_by_label("联系人姓名")).to_have_value("吴明")
    page.context.set_offline(False)
    page.get_by_role("button", name="添加紧急联系人").click()
    expect(page.locator("#status")).to_have_text("已添加紧急联系人 吴明。")
    count = _with_app(live_server, lambda: len(db.session.scalars(select(EmergencyContact).where(
        EmergencyContact.resident_id == record.resident_id)).all()))
    assert count == 1
