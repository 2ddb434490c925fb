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
def own_database(directory: Path, purpose: str):
    """Yield the URL of a new, empty database; `purpose` names it (e.g. "race", "e2e")."""
    configured = os.environ.get("TEST_DATABASE_URL")
    url = make_url(configured) if configured else None
    if url is None or url.get_backend_name() != "postgresql":
        yield f"sqlite:///{directory / f'linli-{purpose}.db'}"
        return
    name = f"{url.database}_{purpose}_{uuid.uuid4().hex[:8]}"
    server = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)

    def run(statement):
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(statement)

    run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
