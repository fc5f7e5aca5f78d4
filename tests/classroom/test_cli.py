"""``workbench user`` and ``workbench demo`` (their own click commands)."""

from __future__ import annotations

from click.testing import CliRunner

from workbench.classroom.auth import check_instructor
from workbench.classroom.cli import demo, user


def test_user_add_list_remove(course):
    runner = CliRunner()
    added = runner.invoke(user, ["add", "ta", "--course", str(course),
                                 "--password", "a long password"])
    assert added.exit_code == 0, added.output
    assert check_instructor("ta", "a long password")
    listed = runner.invoke(user, ["list", "--course", str(course)])
    assert "ta\tinstructor" in listed.output and "teacher\tinstructor" in listed.output
    assert "a long password" not in listed.output
    assert runner.invoke(user, ["remove", "ta", "--course", str(course)]).exit_code == 0
    assert not check_instructor("ta", "a long password")


def test_user_add_explains_what_is_wrong(course):
    runner = CliRunner()
    short = runner.invoke(user, ["add", "ta", "--course", str(course), "--password", "short"])
    assert short.exit_code == 2 and "at least 8" in short.output
    again = runner.invoke(user, ["add", "teacher", "--course", str(course),
                                 "--password", "another password"])
    assert again.exit_code == 2 and "--replace" in again.output
    missing = runner.invoke(user, ["remove", "nobody", "--course", str(course)])
    assert missing.exit_code == 2 and "no user nobody" in missing.output


def test_user_add_asks_for_the_password_twice(course):
    result = CliRunner().invoke(user, ["add", "ta", "--course", str(course)],
                                input="a long password\na long password\n")
    assert result.exit_code == 0 and check_instructor("ta", "a long password")


def test_demo_refuses_an_unknown_lab():
    result = CliRunner().invoke(demo, ["--lab", "nolab", "--no-open"])
    assert result.exit_code == 2 and "unknown lab 'nolab'" in result.output
