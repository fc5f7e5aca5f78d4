"""The Dash shell: home page, navigation, language switch, background callbacks. Each lab's
``page.py`` registers its own pages through ``Lab.register_pages()``."""

from __future__ import annotations

from pathlib import Path

import dash

from workbench.app import demo, home, instructor, shell, student
from workbench.app.callbacks import adopt_page_callbacks, background_manager
from workbench.app.server import BOOTSTRAP_URL, add_routes
from workbench.app.uploads import MAX_UPLOAD_BYTES
from workbench.classroom.auth import install as install_auth
from workbench.registry import labs

__all__ = ["create_app"]

ASSETS = Path(__file__).parent / "assets"


def create_app() -> dash.Dash:
    """A new Dash app with every installed lab's pages. Safe to call more than once."""
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        serve_locally=True,
        external_stylesheets=[BOOTSTRAP_URL],
        suppress_callback_exceptions=True,
        background_callback_manager=background_manager(),
        title="Lab Workbench",
        update_title=None,
    )
    # an upload travels base64-encoded inside a JSON request; refuse anything far larger
    app.server.config["MAX_CONTENT_LENGTH"] = 4 * MAX_UPLOAD_BYTES
    add_routes(app.server)
    install_auth(app.server)  # session secret of the served course, sign-in routes
    home.register()
    for lab in labs().values():
        lab.register_pages()
    student.register()
    instructor.register()
    demo.register()
    adopt_page_callbacks(app)
    app.layout = shell.layout
    return app
