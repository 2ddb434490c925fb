"""The registry's list and detail endpoints on the demo neighbourhood, SQLite and PostgreSQL.

A worker opening "my residents" on a phone in a stairwell should not wait: this measures each
endpoint's latency through the whole app (routing, checks, audit writes, serialisation) and
counts its SQL statements, so an N+1 query pattern shows up as a number, not a hunch.

Run: .venv/bin/python -m benchmarks.registry_lists   → benchmarks/results/registry_lists.json
"""
import os
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import event
from sqlalchemy.engine import make_url

from backend import create_app
from backend.demo.seed import seed_demo
from backend.extensions import db
from benchmarks.common import summary_ms, write_result

ROUNDS = 30
PASSWORD = "linli-demo-2026"
ENDPOINTS = {
    "worker": ["/api/v1/residents?per_page=100", "/api/v1/residents?tag=lives_alone&per_page=100",
               "/api/v1/households?per_page=100", "/api/v1/buildings?per_page=100",
               "/api/v1/volunteers?per_page=100", "/api/v1/residents/1", "/api/v1/me"],
    "admin": ["/api/v1/residents?per_page=100", "/api/v1/audit?per_page=100"],
}
LOGINS = {"worker": "13800000010", "admin": "13800000000"}
DEFAULT_BENCH_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/linli_bench"


def _postgres_database():
    url = make_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_BENCH_URL))
    server = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    name = sql.Identifier(url.database)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))

    def drop():
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))

    return url.render_as_string(hide_password=False), drop


def measure(database_url: str) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url,
                      "LOGIN_LIMIT_PER_IP": "100000 per minute"})
    statements = {"count": 0}
    with app.app_context():
        db.create_all()
        seed_demo()
        event.listen(db.engine, "before_cursor_execute",
                     lambda *args, **kwargs: statements.__setitem__("count", statements["count"] + 1))
    figures = {}
    for role, paths in ENDPOINTS.items():
        client = app.test_client()
        token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
        signed_in = client.post("/api/v1/auth/login", json={"phone": LOGINS[role], "password": PASSWORD},
                                headers={"X-CSRF-Token": token})
        assert signed_in.status_code == 200, signed_in.get_json()
        for path in paths:
            samples, queries = [], 0
            for _ in range(ROUNDS):
                statements["count"] = 0
                started = time.perf_counter()
                response = client.get(path)
                samples.append(time.perf_counter() - started)
                queries = statements["count"]
                assert response.status_code == 200, (path, response.get_json())
            body = response.get_json()
            figures[f"{role} GET {path}"] = {**summary_ms(samples), "sql_statements": queries,
                                             "items": len(body["items"]) if "items" in body else 1}
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return figures


def main() -> dict:
    with tempfile.TemporaryDirectory() as directory:
        sqlite = measure(f"sqlite:///{Path(directory) / 'bench.db'}")
    postgres_url, drop = _postgres_database()
    try:
        postgres = measure(postgres_url)
    finally:
        drop()
    figures = {"rounds": ROUNDS, "dataset": "demo neighbourhood (200 residents, 150 households, 120 volunteers)",
               "sqlite": sqlite, "postgresql": postgres}
    path = write_result("registry_lists", figures)
    for name in sqlite:
        print(f"{name:62} SQLite p50 {sqlite[name]['p50_ms']:6.1f} ms ({sqlite[name]['sql_statements']:3} SQL)"
              f"   PostgreSQL p50 {postgres[name]['p50_ms']:6.1f} ms ({postgres[name]['sql_statements']:3} SQL)")
    print(f"→ {path}")
    return figures


if __name__ == "__main__":
    main()
