"""Bounded lists: `page`/`per_page` query arguments and the `{items, total, page, per_page}` envelope."""
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from sqlalchemy import Select, func, select

from backend.extensions import db

MAX_PER_PAGE = 100
# A page past this is refused (422): its offset would overflow PostgreSQL's BIGINT long before any
# list is that long, and a 500 is never the answer to bad input.
MAX_PAGE = 1_000_000


class PageQuery(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=MAX_PAGE))
    per_page = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE))


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int


def paginate(statement: Select, page: int = 1, per_page: int = 20) -> Page:
    """Run a select for one page of rows (scalars) and count them all."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=list(rows), total=total or 0, page=page, per_page=per_page)


_envelopes: dict[type, type] = {}


def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The list envelope schema for items of `item_schema` (one class per item schema)."""
    if item_schema not in _envelopes:
        name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
        _envelopes[item_schema] = type(name, (ma.Schema,), {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "total": ma.fields.Integer(required=True),
            "page": ma.fields.Integer(required=True),
            "per_page": ma.fields.Integer(required=True),
        })
    return _envelopes[item_schema]
