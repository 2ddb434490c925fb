"""The live servers the browser tests talk to leave nothing for the garbage collector to close.

Werkzeug's development server stops iterating a response without closing it when the browser
resets the connection while the server drains it: a streamed file left open that way is closed by
the garbage collector with a ResourceWarning, an error under filterwarnings, reported in whichever
test happens to be running (here a response is dropped after its first chunk, as that server
does). The PWA's own files are read whole before they are sent (so they can be compressed), so
they are never left open; any file the app streams still relies on the wrapper. And a request still running when a server stops must finish before the app's database
connections are closed, or the connection it gives back afterwards stays open.
"""
import socket
import threading
import warnings

import pytest
from flask import request, send_file
from werkzeug.test import EnvironBuilder

from backend import create_app
from config import BASE_DIR
from tests.e2e.conftest import closing_responses, serving

SAFETY_SECONDS = 60  # only so that a broken server fails the test instead of hanging it


def _drop_after_first_chunk(wsgi_app, path: str = "/streamed") -> list:
    """Ask for a file, read one chunk, drop the response; the ResourceWarnings that follow."""
    environ = EnvironBuilder(path=path).get_environ()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = wsgi_app(environ, lambda status, headers, exc_info=None: None)
        assert next(iter(response))
        del response
    return [str(warning.message) for warning in caught if issubclass(warning.category, ResourceWarning)]


class Held:
    """A request to /held is in hand until the test releases it."""

    in_hand = threading.Event()
    release = threading.Event()
    finished = threading.Event()


@pytest.fixture(scope="module")
def app():
    """A Linli of its own (nothing here touches a database), with /held."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})

    @app.route("/streamed")
    def _streamed():
        """A file sent as a stream, as Flask sends any file by default."""
        return send_file(BASE_DIR / "pwa" / "app" / "main.js")

    @app.before_request
    def _held():
        if request.path != "/held":
            return None
        Held.in_hand.set()
        Held.release.wait(SAFETY_SECONDS)
        Held.finished.set()
        return "done"

    return app


def test_a_file_dropped_half_sent_is_closed_through_the_live_servers_wrapper(app):
    assert _drop_after_first_chunk(closing_responses(app)) == []


def test_without_the_wrapper_the_same_file_is_left_to_the_garbage_collector(app):
    assert any("unclosed file" in message and "main.js" in message for message in _drop_after_first_chunk(app))


def test_a_pwa_file_is_closed_before_it_is_sent_even_without_the_wrapper(app):
    assert _drop_after_first_chunk(app, "/app/main.js") == []


def test_closing_ends_connections_without_a_request_and_lets_the_request_in_hand_finish(app):
    """What the live servers rely on to close the app's database connections last."""
    ended: list[bytes] = []

    def release_once_the_silent_connection_ends(silent):
        ended.append(_read_to_the_end(silent))  # only a closing server ends it
        Held.release.set()

    with serving(app, "linli-test-server") as url:
        port = int(url.rsplit(":", 1)[1])
        silent = socket.create_connection(("127.0.0.1", port), timeout=SAFETY_SECONDS)  # as Chromium preconnects
        busy = socket.create_connection(("127.0.0.1", port), timeout=SAFETY_SECONDS)
        busy.sendall(b"GET /held HTTP/1.1\r\nHost: linli\r\n\r\n")
        assert Held.in_hand.wait(SAFETY_SECONDS)
        threading.Thread(target=release_once_the_silent_connection_ends, args=(silent,), daemon=True).start()

    assert Held.finished.is_set()
    assert ended == [b""]
    assert _read_to_the_end(busy).startswith(b"HTTP/1.1 200")
    silent.close()
    busy.close()


def _read_to_the_end(connection) -> bytes:
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
    return data
