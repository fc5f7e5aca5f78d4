"""Fixtures of the classroom tests: a tiny course of the logistics lab (three students), an
instructor account, and the app served with that course for real-browser tests."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from browser.conftest import Ui, browser  # noqa: F401  (tests/browser's fixture, here too)

from labs.logistics import LAB
from workbench.classroom import Settings, add_user, create_assignment
from workbench.classroom.course import ENV, gradebook
from workbench.store import DB_ENV

STUDENTS = ("s01", "s02", "s03")
PASSWORD = "correct horse battery"
PASSPHRASE = "k7dq-m2xe-hv9a"  # s03's instructor-issued passphrase


def make_course(root: Path, *, due: datetime | None = None) -> Path:
    """A course folder with a 3-student tiny logistics assignment and instructor ``teacher``."""
    roster = {s: {"name": f"Student {s[-1]}"} for s in STUDENTS}
    settings = Settings("logistics", due or datetime.now(UTC) + timedelta(days=7), 3,
                        ("route_duration",))
    create_assignment(LAB, roster, settings, size="tiny")
    add_user("teacher", PASSWORD, "instructor")
    add_user("s03", PASSPHRASE, "student")  # s03 signs in with a passphrase, the others without
    return root


@pytest.fixture(scope="session")
def template_course(tmp_path_factory) -> Path:
    """Made once: cases, solved references, accounts; each test gets a copy."""
    root = tmp_path_factory.mktemp("template") / "course"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV, str(root))
        make_course(root)
        gradebook().close()  # all of the database in the main file before it is copied
    return root


@pytest.fixture(scope="session")
def template_course_pg(tmp_path_factory, postgres) -> tuple[Path, str]:
    """The same course with its database in PostgreSQL: (folder, template database name)."""
    root = tmp_path_factory.mktemp("template-pg") / "course"
    url = postgres.database()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV, str(root))
        patch.setenv(DB_ENV, url)
        make_course(root)
        gradebook().close()  # no connection left: the database is copied as a template
    return root, url.rsplit("/", 1)[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def course(request, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the course, its database an SQLite file, then a PostgreSQL database."""
    root = tmp_path / "course"
    if request.param == "sqlite":
        shutil.copytree(request.getfixturevalue("template_course"), root)
        monkeypatch.delenv(DB_ENV, raising=False)
    else:
        template, name = request.getfixturevalue("template_course_pg")
        shutil.copytree(template, root)
        monkeypatch.setenv(DB_ENV, request.getfixturevalue("postgres").database(name))
    monkeypatch.setenv(ENV, str(root))
    return root


@pytest.fixture(scope="module")
def course_server(template_course, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """(base URL, course folder) of an app serving a fresh course, in a thread."""
    import os

    from werkzeug.serving import make_server

    from workbench.app import create_app

    root = tmp_path_factory.mktemp("served") / "course"
    old = os.environ.get(ENV)
    os.environ[ENV] = str(root)
    try:
        shutil.copytree(template_course, root)
        server = make_server("127.0.0.1", 0, create_app().server, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}", root
        finally:
            server.shutdown()
            thread.join(timeout=10)
    finally:
        if old is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = old


@pytest.fixture
def course_ui(browser, course_server, tmp_path) -> Ui:  # noqa: F811
    """Waiting helpers on the course app (see tests/browser/conftest.py)."""
    return Ui(browser, course_server[0], tmp_path / "screenshots")
