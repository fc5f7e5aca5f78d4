"""Flask routes of the shell: Bootstrap's CSS served from the installed package (no CDN), and
the language switch that sets the ``lang`` cookie read by :func:`workbench.app.i18n.t`."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import flask_bootstrap
from flask import Flask, Response, abort, redirect, request, send_from_directory

from workbench.i18n import LANGUAGES

BOOTSTRAP_DIR = Path(flask_bootstrap.__file__).parent / "static" / "bootstrap5" / "css"
BOOTSTRAP_URL = "/_workbench/css/bootstrap.min.css"
LANG_COOKIE_AGE = 365 * 24 * 3600


def add_routes(server: Flask) -> None:
    """Register the shell's routes on ``server`` (once per Flask app)."""
    if "workbench_css" in server.view_functions:
        return
    server.add_url_rule("/_workbench/css/<path:name>", "workbench_css", _css)
    server.add_url_rule("/lang/<code>", "workbench_lang", _set_language)


def _css(name: str) -> Response:
    # Only the stylesheet and its source map; send_from_directory refuses paths outside.
    if name not in ("bootstrap.min.css", "bootstrap.min.css.map"):
        abort(404)
    return send_from_directory(BOOTSTRAP_DIR, name, max_age=24 * 3600)


def back_path(referrer: str | None) -> str:
    """The local path to return to after switching language: the referring page's path and
    query, never another host (an open redirect would let a link send users elsewhere)."""
    if not referrer:
        return "/"
    parts = urlsplit(referrer)
    path = parts.path if parts.path.startswith("/") and not parts.path.startswith("//") else "/"
    if path.startswith("/lang/"):
        path = "/"
    return path + (f"?{parts.query}" if parts.query else "")


def _set_language(code: str) -> Response:
    if code not in LANGUAGES:
        abort(404)
    response = redirect(back_path(request.referrer))
    response.set_cookie("lang", code, max_age=LANG_COOKIE_AGE, samesite="Lax")
    return response
