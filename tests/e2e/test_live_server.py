"""The live server the browser tests talk to closes every response, even one it drops half-sent.

Werkzeug's development server stops iterating a response without closing it when the browser
resets the connection while the server drains it. A PWA file left open that way is closed by the
garbage collector with a ResourceWarning, an error under filterwarnings, reported in whichever
test happens to be running. Here a response is dropped after its first chunk, as that server does.
"""
import warnings

from werkzeug.test import EnvironBuilder

from backend import create_app
from tests.e2e.conftest import closing_responses


def _drop_after_first_chunk(wsgi_app) -> list:
    """Ask for a PWA file, read one chunk, drop the response; the ResourceWarnings that follow."""
    environ = EnvironBuilder(path="/app/main.js").get_environ()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = wsgi_app(environ, lambda status, headers, exc_info=None: None)
        assert next(iter(response))
        del response
    return [str(warning.message) for warning in caught if issubclass(warning.category, ResourceWarning)]


def test_a_file_dropped_half_sent_is_closed_through_the_live_servers_wrapper():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert _drop_after_first_chunk(closing_responses(app)) == []


def test_without_the_wrapper_the_same_file_is_left_to_the_garbage_collector():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert any("unclosed file" in message and "main.js" in message for message in _drop_after_first_chunk(app))
