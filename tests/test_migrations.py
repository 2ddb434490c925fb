"""Migrations build the whole schema from empty and never drift from the models."""
import uuid

import psycopg
import pytest
import sqlalchemy as sa
from flask_migrate import check, upgrade
from sqlalchemy.engine import make_url

from backend import create_app
from backend.extensions import db


@pytest.fixture
def empty_database_url(app, tmp_path):
    """A brand-new database of the kind the suite runs on (SQLite file or PostgreSQL)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    name = f"linli_migrations_{uuid.uuid4().hex[:8]}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_upgrade_from_empty_then_check_finds_no_drift(empty_database_url):
    migrated = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with migrated.app_context():
        try:
            upgrade()
            check()  # exits non-zero when the models and the migrations disagree
            tables = set(sa.inspect(db.engine).get_table_names())
            assert set(db.metadata.tables) <= tables
        finally:
            db.session.remove()
            db.engine.dispose()


def test_audit_log_is_append_only_in_the_migrated_database(empty_database_url):
    migrated = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with migrated.app_context():
        try:
            upgrade()
            with db.engine.begin() as connection:
                connection.execute(sa.text(
                    "INSERT INTO audit_entries (at, action, fields, reason) "
                    "VALUES (CURRENT_TIMESTAMP, 'read', '[]', 'test')"))
            for statement in ("UPDATE audit_entries SET reason = 'changed'", "DELETE FROM audit_entries"):
                with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                    with db.engine.begin() as connection:
                        connection.execute(sa.text(statement))
        finally:
            db.session.remove()
            db.engine.dispose()


def test_downgrade_to_empty_removes_every_table(empty_database_url):
    from flask_migrate import downgrade

    migrated = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with migrated.app_context():
        try:
            upgrade()
            downgrade(revision="base")
            assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        finally:
            db.session.remove()
            db.engine.dispose()
