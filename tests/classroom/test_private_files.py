"""Acceptance 6 of issue 13: no file the workbench creates outside the sandbox is
world-writable (even under a careless umask of 000), and the gradebook, the answer keys
(``private/``), the secrets and the server's scratch folders are closed to other users."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.classroom.course import ENV
from workbench.store import DB_ENV


@pytest.fixture
def careless_umask():
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def modes(root: Path) -> dict[Path, int]:
    return {p: stat.S_IMODE(os.lstat(p).st_mode) for p in [root, *root.rglob("*")]
            if not p.is_symlink()}


def test_course_files_are_private(careless_umask, tmp_path, monkeypatch):
    from workbench.cli import main

    monkeypatch.delenv(DB_ENV, raising=False)
    course, case = tmp_path / "course", tmp_path / "case"
    monkeypatch.setenv(ENV, str(course))
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\ns01\ns.2\n", encoding="utf-8")
    runner = CliRunner()
    for args in (["assign", "logistics", "--roster", str(roster), "--out", str(course),
                  "--size", "tiny"],
                 ["user", "add", "teacher", "--course", str(course), "--password",
                  "a long password"],
                 ["user", "add", "s01", "--role", "student", "--generate", "--course",
                  str(course)],
                 ["data", "generate", "logistics", "--seed", "3", "--size", "tiny", "--out",
                  str(case)]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (args, result.output)

    # the web app on that course: session secret, an upload graded and kept, scratch folders
    from labs.logistics import LAB
    from labs.logistics.baseline import dispatcher
    from labs.logistics.kit.instance import load_instance
    from labs.logistics.submission import write_plan
    from workbench.app import create_app, uploads
    from workbench.classroom import settings_of, submit
    from workbench.classroom.assignments import Settings, save_settings, student_case

    create_app()
    from datetime import UTC, datetime, timedelta

    save_settings(Settings("logistics", datetime.now(UTC) + timedelta(days=1), 3,
                           ("route_duration",)))
    plan = write_plan(dispatcher(load_instance(student_case(LAB, "s01"))), tmp_path / "p.json")
    submit(LAB, settings_of("logistics"), "s01", plan)
    token, stored = uploads.save_upload("data:application/json;base64,e30=", "x.json")

    found = {**modes(course), **modes(case)}
    writable = [str(p) for p, m in found.items() if m & 0o002]
    assert writable == [], writable
    assert modes(course)[course] & 0o077 == 0, "the course folder is its owner's only"
    for path, mode in found.items():
        name = path.name
        if name.startswith("gradebook.sqlite") or name.endswith("secret.txt"):
            assert mode & 0o077 == 0, (path, oct(mode))
        if "private" in path.relative_to(tmp_path).parts:
            assert mode & 0o077 == 0, (path, oct(mode))
    assert (course / "gradebook.sqlite").is_file()
    assert (course / "instructor" / "session-secret.txt").is_file()
    assert any((course / "attempts" / "logistics" / "s01").iterdir())
    for folder in (uploads.scratch_root(), stored.parent):
        assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0, folder
    assert uploads.folder_of(token) == stored.parent


def test_a_scratch_folder_of_another_user_is_refused(tmp_path):
    from workbench.private import NotPrivate, private_dir

    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    with pytest.raises(NotPrivate, match="not a folder"):
        private_dir(link)
    if os.getuid() == 0:
        other = tmp_path / "theirs"
        other.mkdir()
        os.chown(other, 65534, 65534)  # nobody
        with pytest.raises(NotPrivate, match="belongs to another user"):
            private_dir(other)
    opened = tmp_path / "open"
    opened.mkdir(mode=0o777)
    os.chmod(opened, 0o777)
    private_dir(opened)
    assert stat.S_IMODE(opened.stat().st_mode) == 0o700
