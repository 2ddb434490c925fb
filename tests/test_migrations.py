"""Migrations build the whole schema from empty and never drift from the models."""
import pytest
import sqlalchemy as sa
from flask_migrate import check, downgrade, upgrade

from backend import create_app
from backend.extensions import db
from tests.databases import own_database


@pytest.fixture
def migrated(tmp_path):
    """An app context on a brand-new, empty database of the kind the suite runs on."""
    with own_database(tmp_path, "migrations") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


def test_upgrade_from_empty_then_check_finds_no_drift(migrated):
    upgrade()
    check()  # exits non-zero when the models and the migrations disagree
    tables = set(sa.inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables


def test_audit_log_is_append_only_in_the_migrated_database(migrated):
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO audit_entries (at, action, fields, reason) "
            "VALUES (CURRENT_TIMESTAMP, 'read', '[]', 'test')"))
    for statement in ("UPDATE audit_entries SET reason = 'changed'", "DELETE FROM audit_entries"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with db.engine.begin() as connection:
                connection.execute(sa.text(statement))


def test_downgrade_to_empty_removes_every_table(migrated):
    upgrade()
    downgrade(revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_stepping_back_and_forth_keeps_every_row(migrated):
    """SQLite rebuilds a table to change it; that must never cascade into its child tables."""
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO users (id, display_name, language, text_size, is_enabled, created_at, "
            "elder_mode, high_contrast, read_aloud) "
            "VALUES (1, '王奶奶', 'zh-CN', 'large', TRUE, CURRENT_TIMESTAMP, FALSE, FALSE, FALSE)"))
        connection.execute(sa.text("INSERT INTO user_roles (user_id, role) VALUES (1, 'resident')"))
    downgrade(revision="e5e02487a821")  # back before the display preferences rebuilt `users`
    upgrade()
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM user_roles")).scalar() == 1
        assert connection.execute(sa.text("SELECT elder_mode FROM users")).scalar() in (True, 1)
