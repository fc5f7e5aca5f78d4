"""Flask routes of the shell: Bootstrap's CSS served from the installed package (no CDN), and
the language switch that sets the ``lang`` cookie read by :func:`workbench.i18n.t`."""

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
    """Register the shell's routes and the security headers on ``server`` (once per app)."""
    if "workbench_css" in server.view_functions:
        return
    server.add_url_rule("/_workbench/css/<path:name>", "workbench_css", _css)
    server.add_url_rule("/lang/<code>", "workbench_lang", _set_language)
    server.after_request(security_headers)


def content_security_policy() -> str:
    """What a page may load and run: everything from this server only (the assets are all
    served locally), inline scripts only those of Dash's own page (by their hashes: the
    renderer's start-up line; the JSON config block is data, not script), inline styles (Plotly
    and Dash set them), images from data:/blob: URLs (Plotly's icons and downloads); no
    plugins, no framing, forms post here only."""
    import dash

    try:
        hashes = " ".join(dash.get_app().csp_hashes())  # quoted already: 'sha256-...'
    except Exception:  # no Dash app (a bare Flask test app): no inline script at all
        hashes = ""
    return ("default-src 'self'; "
            f"script-src 'self' {hashes}; ".replace("  ", " ")
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
            "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'")


def security_headers(response: Response) -> Response:
    """No page of the app inside another site's frame (clickjacking), a Content-Security-
    Policy on every page, no content-type guessing, no full URLs sent to other sites."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
    return response


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
