"""The community's settings and its configurable lists: risk tags, skills, languages."""
from types import SimpleNamespace

from sqlalchemy import select

from backend.accounts.models import User
from backend.common.pagination import Page, paginate
from backend.community.models import Community, Grid, Term
from backend.community.services import admin_community, community_of
from backend.errors import Conflict, NotFound
from backend.extensions import db

MAX_TERMS_PER_LIST = 100  # keeps the lists embedded in GET /communities/current bounded
MAX_SIGN_UP_AREAS = 200  # far above any real community's grids; keeps the public answer bounded


class TermCodeTaken(Conflict):
    reason = "term_code_taken"
    messages = {"zh-CN": "这个列表里已经有这个代码了。", "en": "This list already has an entry with this code."}


class TermListFull(Conflict):
    reason = "term_list_full"
    messages = {"zh-CN": "这个列表已满（最多 {n} 项）。", "en": "This list is full (at most {n} entries)."}


def current_community(user: User) -> Community:
    """The caller's community, with its risk tags, skills and languages."""
    return community_of(user)


def sign_up_choices() -> SimpleNamespace:
    """For a person not signed in, signing up as a volunteer: the deployment's community (one per
    deployment today, as the shell's service phone assumes), its areas and its skills and languages."""
    community = db.session.scalar(select(Community).order_by(Community.id).limit(1))
    if community is None:
        raise NotFound("社区", "Community")
    areas = db.session.scalars(select(Grid).where(Grid.community_id == community.id)
                               .order_by(Grid.id).limit(MAX_SIGN_UP_AREAS)).all()
    return SimpleNamespace(name=community.name, grids=areas, terms=community.terms)


def update_community(user: User, changes: dict) -> Community:
    """An admin changes the community's name, time zone, centre or service phone."""
    community = admin_community(user)
    for field in ("name", "timezone", "phone"):
        if field in changes:
            setattr(community, field, changes[field])
    if "centre" in changes:
        centre = changes["centre"] or {}
        community.centre_lat, community.centre_lng = centre.get("latitude"), centre.get("longitude")
    db.session.commit()
    return community


def list_terms(user: User, vocabulary: str | None, page: int, per_page: int) -> Page:
    """Entries of the caller's community lists, one list or all, in the order they were added."""
    community = community_of(user)
    statement = select(Term).where(Term.community_id == community.id)
    if vocabulary is not None:
        statement = statement.where(Term.vocabulary == vocabulary)
    return paginate(statement.order_by(Term.vocabulary, Term.id), page, per_page)


def add_term_to_list(user: User, entry: dict) -> Term:
    """An admin adds an entry (a risk tag, skill or language) to one of the community's lists."""
    community = admin_community(user)
    in_list = select(Term.id).where(Term.community_id == community.id, Term.vocabulary == entry["vocabulary"])
    if db.session.scalar(in_list.where(Term.code == entry["code"])) is not None:
        raise TermCodeTaken(field_errors={"code": [TermCodeTaken().message]})
    if len(db.session.scalars(in_list).all()) >= MAX_TERMS_PER_LIST:
        raise TermListFull(n=MAX_TERMS_PER_LIST)
    term = Term(community_id=community.id, **entry)
    db.session.add(term)
    db.session.commit()
    return term


def relabel_term(user: User, term_id: int, labels: dict) -> Term:
    """An admin corrects an entry's labels; its code stays, so stored choices keep their meaning."""
    community = admin_community(user)
    term = db.session.get(Term, term_id)
    if term is None or term.community_id != community.id:
        raise NotFound("该条目", "Entry")
    for field in ("label_zh", "label_en"):
        if field in labels:
            setattr(term, field, labels[field])
    db.session.commit()
    return term
