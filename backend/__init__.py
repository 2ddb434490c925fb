"""Linli's application factory: a table of contents of extensions, blueprints and commands."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from backend.common.ids import IdConverter
from config import TestConfig, selected_config


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app from LINLI_ENV's config, or from TestConfig plus `test_config` in tests."""
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.url_map.converters["int"] = IdConverter  # before any route: ids the database can hold
    if test_config is None:
        app.config.from_object(selected_config())
    else:
        app.config.from_object(TestConfig)
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in production")
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from backend.accounts.services import load_session_user, unauthorized
    from backend.common.sqlite import configure_sqlite_engine
    from backend.extensions import api, compress, db, limiter, login_manager, migrate
    from backend.notifications import vapid

    import_models()
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_sqlite_engine(engine)
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.session_protection = None  # device sessions are checked server-side instead
    login_manager.user_loader(load_session_user)
    login_manager.unauthorized_handler(unauthorized)
    limiter.init_app(app)
    compress.init_app(app)
    api.init_app(app)
    vapid.init_app(app)  # production without VAPID keys stops here, not at the first push


def import_models() -> None:
    """Every domain's models, so the metadata (and Alembic) sees all tables."""
    import backend.accounts.models  # noqa: F401
    import backend.alerts.models  # noqa: F401
    import backend.audit.models  # noqa: F401
    import backend.batch.models  # noqa: F401
    import backend.common.idempotency  # noqa: F401
    import backend.community.models  # noqa: F401
    import backend.help_requests.models  # noqa: F401
    import backend.matching.models  # noqa: F401
    import backend.notifications.models  # noqa: F401
    import backend.onboarding.models  # noqa: F401
    import backend.people.models  # noqa: F401
    import backend.providers.models  # noqa: F401
    import backend.safety.models  # noqa: F401
    import backend.safety.sweep_models  # noqa: F401
    import backend.timebank.models  # noqa: F401
    import backend.visits.models  # noqa: F401
    import backend.volunteers.models  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from backend.accounts.routes import blp as accounts_blp
    from backend.alerts import kinds as alert_kinds
    from backend.alerts.routes import blp as alerts_blp
    from backend.audit.routes import blp as audit_blp
    from backend.batch.routes import blp as batch_blp
    from backend.community.routes import blp as community_blp
    from backend.extensions import api
    from backend.help_requests.routes import blp as help_requests_blp
    from backend.matching.routes import blp as matching_blp
    from backend.notifications.push_routes import blp as push_blp
    from backend.notifications.routes import blp as notifications_blp
    from backend.onboarding.routes import blp as onboarding_blp
    from backend.people.routes import blp as people_blp
    from backend.providers.routes import blp as providers_blp
    from backend.safety.routes import blp as safety_blp
    from backend.safety.sweep_routes import blp as sweeps_blp
    from backend.timebank.routes import blp as timebank_blp
    from backend.visits.routes import blp as visits_blp
    from backend.volunteers.routes import blp as volunteers_blp
    from backend.pwa import pwa_blueprint

    for blueprint in (accounts_blp, community_blp, onboarding_blp, volunteers_blp, people_blp, audit_blp,
                      notifications_blp, push_blp, alerts_blp, help_requests_blp, matching_blp, timebank_blp,
                      providers_blp, batch_blp, visits_blp, safety_blp, sweeps_blp):
        api.register_blueprint(blueprint)
    alert_kinds.check_settings(app)  # once every domain's alert kinds are registered
    app.register_blueprint(pwa_blueprint)


def register_hooks(app: Flask) -> None:
    from backend.common import idempotency
    from backend.common.csrf import protect_api_writes
    from backend.errors import register_error_handlers

    register_error_handlers(app)
    app.before_request(protect_api_writes)
    idempotency.install(app)  # after the CSRF check: a forged request claims no key

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", app.config["CONTENT_SECURITY_POLICY"])
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "application/json":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def register_commands(app: Flask) -> None:
    """CLI commands are added here as domains need them (e.g. `flask seed-demo`)."""
    from backend.common.idempotency import purge_idempotency_command
    from backend.demo.commands import seed_demo_command
    from backend.notifications.worker import worker_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(purge_idempotency_command)
    app.cli.add_command(worker_command)
