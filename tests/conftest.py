"""Test fixtures: one schema per run; each test inside a transaction that is rolled back.

The database is SQLite (a temporary file) unless TEST_DATABASE_URL names another, e.g. the
PostgreSQL database that .ci/run creates. See STYLE.md for why the engines are patched.
After every test each table must be empty again: a test that committed for real on the shared
database (past the rolled-back transaction) fails at once, named with the tables it left rows in.
"""
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from flask import request_started, request_tearing_down
from sqlalchemy import text

from backend import create_app
from backend.extensions import db, limiter
from tests.client import ApiClient
from tests.databases import suite_database


class FrozenClock:
    """The app's clock in tests: stands still until a test moves it."""

    def __init__(self, start: datetime):
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta) -> datetime:
        self.current += timedelta(**delta)
        return self.current


@pytest.fixture(scope="session")
def _database_url(tmp_path_factory):
    with suite_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def app(_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": _database_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
    request_started.connect(_request_started, app)
    request_tearing_down.connect(_request_tearing_down, app)
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture(scope="session")
def _count_rows(app):
    """One statement counting the rows of every table (written out once: cheap to run per test)."""
    with app.app_context():
        table_name = db.engine.dialect.identifier_preparer.format_table
    return text(" UNION ALL ".join(f"SELECT '{table.name}', COUNT(*) FROM {table_name(table)}"
                                   for table in db.metadata.sorted_tables))


@pytest.fixture(autouse=True)
def _isolated(app, request, _count_rows):
    """Each test runs in one outer transaction, rolled back at its end; commits become savepoints.
    Then, on the same connection, every table must be empty again (_fail_on_leaked_rows)."""
    with app.app_context():
        engines = db.engines
        connections, transactions = {}, []
        for key, engine in engines.items():
            connection = engine.connect()
            transactions.append(connection.begin())
            connections[key] = connection
        factory_kw = db.session.session_factory.kw
        with mock.patch.dict(engines, connections), \
                mock.patch.dict(factory_kw, {"join_transaction_mode": "create_savepoint"}):
            db.session.remove()
            yield
            db.session.remove()
        for transaction in transactions:
            transaction.rollback()
        leaked = {name: rows for name, rows in connections[None].execute(_count_rows) if rows}
        for connection in connections.values():
            connection.close()
        if leaked:
            db.drop_all()  # a new, empty schema for the tests after it (audit_entries refuses DELETE)
            db.create_all()
    limiter.reset()
    if leaked:
        _fail_on_leaked_rows(request, leaked)


def _fail_on_leaked_rows(request, leaked: dict[str, int]) -> None:
    """A test that committed for real on the shared database, past its rolled-back transaction,
    would change what a later test sees: it fails at once, naming the tables."""
    tables = ", ".join(f"{name} ({rows})" for name, rows in sorted(leaked.items()))
    pytest.fail(f"{request.node.nodeid} left rows committed in the test database, by table: {tables}",
                pytrace=False)


def _request_started(sender, **_extra):
    """Tests keep an app context open, which Flask reuses for every request. Make each request
    start as in production: what the test built is committed (so a request that fails cannot
    take it with it) and `g` is empty (Flask-Login's user, Flask-Limiter's state)."""
    from flask import g

    db.session.commit()
    for name in list(g):
        g.pop(name)


def _request_tearing_down(sender, **_extra):
    """In production the session is removed at the end of each request, dropping whatever a
    refused request staged but did not commit, and the next request loads everything afresh; do
    the same, so tests see "nothing half-written" and nothing a request only held in memory."""
    db.session.rollback()
    db.session.expire_all()


@pytest.fixture(autouse=True)
def clock(app):
    clock = FrozenClock(datetime(2026, 11, 26, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai
    app.extensions["linli_clock"] = clock
    yield clock
    app.extensions.pop("linli_clock", None)


@pytest.fixture
def client(app) -> ApiClient:
    return ApiClient(app.test_client())


@pytest.fixture
def make_client(app):
    """Another phone: a client with its own cookies."""
    return lambda: ApiClient(app.test_client())
