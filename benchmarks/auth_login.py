"""Sign-in cost at the production argon2id parameters (t=2, m=19 MiB, p=1).

Password hashing is deliberately the most expensive thing Linli does per request: this
measures how long one hash takes, what a whole POST /api/v1/auth/login costs, and so how
many sign-ins one core can absorb (e.g. a community's workers all signing in at 08:30).

Run: .venv/bin/python -m benchmarks.auth_login   → benchmarks/results/auth_login.json
"""
import resource
import tempfile
import time
from pathlib import Path

from backend import create_app
from backend.accounts.passwords import hash_secret, verify_secret
from backend.extensions import db
from benchmarks.common import summary_ms, write_result
from config import ProductionConfig

ROUNDS = 30
PASSWORD = "linli-bench-password-2026"


def main() -> dict:
    with tempfile.TemporaryDirectory() as directory:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(directory) / 'bench.db'}",
            "ARGON2_TIME_COST": ProductionConfig.ARGON2_TIME_COST,
            "ARGON2_MEMORY_COST": ProductionConfig.ARGON2_MEMORY_COST,
            "ARGON2_PARALLELISM": ProductionConfig.ARGON2_PARALLELISM,
            "LOGIN_LIMIT_PER_PHONE": "100000 per minute",
            "LOGIN_LIMIT_PER_IP": "100000 per minute",
        })
        with app.app_context():
            db.create_all()
            hashes, verifies = [], []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                stored = hash_secret(PASSWORD)
                hashes.append(time.perf_counter() - started)
                started = time.perf_counter()
                assert verify_secret(stored, PASSWORD)
                verifies.append(time.perf_counter() - started)

            from backend.accounts.models import User, UserRole

            user = User(phone="13800000999", display_name="基准", password_hash=stored)
            user.role_rows = [UserRole(role="volunteer")]
            db.session.add(user)
            db.session.commit()

        logins = []
        for _ in range(ROUNDS):
            client = app.test_client()
            token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
            started = time.perf_counter()
            response = client.post("/api/v1/auth/login", json={"phone": "13800000999", "password": PASSWORD},
                                   headers={"X-CSRF-Token": token})
            logins.append(time.perf_counter() - started)
            assert response.status_code == 200, response.get_json()
        with app.app_context():
            db.engine.dispose()

    login = summary_ms(logins)
    figures = {
        "argon2": {"time_cost": 2, "memory_kib": 19 * 1024, "parallelism": 1},
        "hash": summary_ms(hashes),
        "verify": summary_ms(verifies),
        "login_request": login,
        "sign_ins_per_second_per_core": round(1000 / login["p50_ms"], 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    path = write_result("auth_login", figures)
    print(f"argon2id hash p50 {figures['hash']['p50_ms']} ms, verify p50 {figures['verify']['p50_ms']} ms; "
          f"POST /auth/login p50 {login['p50_ms']} ms p95 {login['p95_ms']} ms "
          f"(~{figures['sign_ins_per_second_per_core']} sign-ins/s per core); "
          f"peak RSS {figures['peak_rss_mib']} MiB → {path}")
    return figures


if __name__ == "__main__":
    main()
