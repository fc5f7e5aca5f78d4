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


def test_assign_makes_the_assignment_the_app_shows_and_the_form_what_the_cli_grades(
        course, tmp_path):
    """CLI → app: `assign` writes the assignment row (defaults, then --due/--daily-limit);
    app → CLI: the course made through the web form's create_assignment grades from the CLI."""
    from datetime import UTC, datetime

    from labs.logistics import LAB
    from labs.logistics.baseline import dispatcher
    from labs.logistics.instance import load_instance
    from labs.logistics.submission import write_plan
    from workbench.classroom.assignments import settings_of, student_case
    from workbench.cli import main

    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,email\nn01,n01@x.edu\n", encoding="utf-8")
    runner = CliRunner()
    made = runner.invoke(main, ["assign", "welding", "--roster", str(roster), "--out",
                                str(course), "--size", "tiny", "--hidden", "0"])
    assert made.exit_code == 0, made.output
    first = settings_of("welding")
    assert first is not None and first.daily_limit == 5 and first.public_metrics
    again = runner.invoke(main, ["assign", "welding", "--roster", str(roster), "--out",
                                 str(course), "--size", "tiny", "--hidden", "0",
                                 "--due", "2031-01-02", "--daily-limit", "2"])
    assert again.exit_code == 0, again.output
    changed = settings_of("welding")
    assert changed.due == datetime(2031, 1, 2, tzinfo=UTC) and changed.daily_limit == 2

    subs = tmp_path / "subs"
    subs.mkdir()
    write_plan(dispatcher(load_instance(student_case(LAB, "s02"))), subs / "s02.json")
    graded = runner.invoke(main, ["grade", "logistics", "--course", str(course), str(subs),
                                  "--workers", "1"])
    assert graded.exit_code == 0, graded.output
    assert "s02:" in graded.output and "No submission from: s01, s03" in graded.output
