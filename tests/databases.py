"""Databases of their own for tests that need real commits (races, migrations, the live server).

Of the same kind as the suite's: a new SQLite file, or, when TEST_DATABASE_URL names a
PostgreSQL database, a sibling database created here and dropped afterwards.
"""
import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


@contextmanager
def suite_database(directory: Path):
    """Yield the URL of the database this pytest process runs the suite on.

    TEST_DATABASE_URL (or a new SQLite file). Under pytest-xdist (`make test` runs the suite in
    one process per core) each process gets a PostgreSQL database of its own, a sibling named
    after the process (`<name>_gw0`), created empty here and dropped afterwards: the processes'
    schemas and committed rows never meet."""
    configured = os.environ.get("TEST_DATABASE_URL")
    process = os.environ.get("PYTEST_XDIST_WORKER")
    url = make_url(configured) if configured else None
    if url is None:
        yield f"sqlite:///{directory / 'linli-test.db'}"
        return
    if url.get_backend_name() != "postgresql" or process is None:
        yield configured
        return
    name = f"{url.database}_{process}"
    server = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    _run(server, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    _run(server, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        _run(server, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _run(server: str, statement) -> None:
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(statement)


@contextmanager
def own_database(directory: Path, purpose: str):
    """Yield the URL of a new, empty database; `purpose` names it (e.g. "race", "e2e")."""
    configured = os.environ.get("TEST_DATABASE_URL")
    url = make_url(configured) if configured else None
    if url is None or url.get_backend_name() != "postgresql":
        yield f"sqlite:///{directory / f'linli-{purpose}.db'}"
        return
    name = f"{url.database}_{purpose}_{uuid.uuid4().hex[:8]}"
    server = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)

    _run(server, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        _run(server, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
