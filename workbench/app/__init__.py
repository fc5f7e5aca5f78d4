"""The Dash shell: home page, navigation, language switch, background callbacks. Each lab's
``page.py`` describes its panels and registers them on the framework's lab page
(:mod:`workbench.app.labpage`) through ``Lab.register_pages()``. One Dash app per process."""

from __future__ import annotations

import threading
from pathlib import Path

import dash

from workbench.app import demo, home, instructor, shell, student, uploads
from workbench.app.jobs import limited_manager, refused_message
from workbench.app.server import BOOTSTRAP_URL, add_routes
from workbench.app.uploads import MAX_UPLOAD_BYTES
from workbench.classroom.auth import install as install_auth
from workbench.registry import labs

__all__ = ["create_app"]

ASSETS = Path(__file__).parent / "assets"
_APP: dash.Dash | None = None
_LOCK = threading.Lock()


def create_app() -> dash.Dash:
    """The process's Dash app with every installed lab's pages, built on the first call.
    Later calls return the same app, re-reading the served course's session secret (the CLI
    and tests may point the process at another course)."""
    global _APP
    with _LOCK:
        if _APP is None:
            _APP = _build()
        install_auth(_APP.server)  # session secret of the served course, sign-in routes
        return _APP


def _build() -> dash.Dash:
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        serve_locally=True,
        external_stylesheets=[BOOTSTRAP_URL],
        suppress_callback_exceptions=True,
        # every background job admitted within limits (per user/address, in total)
        background_callback_manager=limited_manager(),
        on_error=refused_message,
        title="Lab Workbench",
        update_title=None,
    )
    # an upload travels base64-encoded inside a JSON request; refuse anything far larger
    app.server.config["MAX_CONTENT_LENGTH"] = 4 * MAX_UPLOAD_BYTES
    add_routes(app.server)
    # the per-instance scratch root is chosen now, so every background job process forked
    # later inherits it (a first choice inside a job would be that job's alone)
    uploads.scratch_root()
    home.register()
    for lab in labs().values():
        lab.register_pages()
    student.register()
    instructor.register()
    demo.register()
    app.layout = shell.layout
    return app
