"""Ids from outside: in URLs, bodies and query strings, only what the database's integer keys can hold.

PostgreSQL refuses to compare an integer column with a number past its range (an error, where
SQLite just finds nothing), so /api/v1/alerts/2147483648 would be a 500. Every `<int:…>` in
the app is this converter: a positive id within the range, else no route matches (404). An id in
a body or a query string is validated with ID_RANGE (422); a service given an id some other way
checks `in_id_range()` before it looks the row up."""
import marshmallow as ma
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # INTEGER primary keys on PostgreSQL
ID_RANGE = ma.validate.Range(min=1, max=MAX_ID)


def in_id_range(value: int) -> bool:
    """Whether a row can have this id (one past the range names nothing, and PostgreSQL would
    refuse the query)."""
    return 1 <= value <= MAX_ID


class IdConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
