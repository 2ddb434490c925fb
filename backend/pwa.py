"""Serves the PWA's static files from pwa/ at `/`; app paths (e.g. /link/<code>) get index.html."""
from flask import Blueprint, abort, current_app, send_from_directory

pwa_blueprint = Blueprint("pwa", __name__)


@pwa_blueprint.get("/")
def index():
    """The PWA's shell."""
    return _shell()


@pwa_blueprint.get("/<path:path>")
def asset(path: str):
    """A file of the PWA, or the shell for an app path such as /link/<code>."""
    if path.startswith("api/"):
        abort(404)
    directory = current_app.config["PWA_DIR"]
    if (directory / path).is_file():
        return send_from_directory(directory, path)
    if "." in path.rsplit("/", 1)[-1]:
        abort(404)
    return _shell()


def _shell():
    response = send_from_directory(current_app.config["PWA_DIR"], "index.html")
    response.headers["Cache-Control"] = "no-cache"
    return response
