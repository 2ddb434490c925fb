"""Unbound extension singletons; `create_app` binds them to an app."""
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
import marshmallow as ma
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from flask_sqlalchemy import SQLAlchemy
from webargs.flaskparser import FlaskParser

from backend.common.openapi import IdempotencyPlugin
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# A use case commits once and then its answer is serialised from what it just wrote: keeping
# the objects loaded after commit saves reloading every row of a list one by one.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# Compresses the PWA's own files only (backend/pwa.py marks its views): the API's answers carry
# personal data next to what the caller typed, the mix that compression side channels (BREACH)
# feed on, and are small.
compress = Compress()


class LinliApi(Api):
    """flask-smorest's Api, answering HTTP errors in Linli's one error shape."""

    def handle_http_exception(self, error):
        from backend.errors import http_error_response

        return http_error_response(error)


api = LinliApi(spec_kwargs={"extra_plugins": [IdempotencyPlugin()]})


class _StrictParser(FlaskParser):
    # webargs ignores unknown query parameters by default; Linli refuses them like unknown
    # body fields, so a typo such as ?grid=2 for ?grid_id=2 is an error, not a silent no-op.
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": ma.RAISE,
                                   "querystring": ma.RAISE}


class Blueprint(SmorestBlueprint):
    """flask-smorest's Blueprint with Linli's argument rules; every domain's routes use it."""

    ARGUMENTS_PARSER = _StrictParser()
