"""Ids in URLs: `<int:…>` only matches what the database's integer keys can hold.

PostgreSQL refuses to compare an integer column with a number past its range (an error, where
SQLite just finds nothing), so /api/v1/alerts/2147483648 would be a 500. Every `<int:…>` in
the app is this converter: a positive id within the range, else no route matches (404)."""
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # INTEGER primary keys on PostgreSQL


class IdConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
