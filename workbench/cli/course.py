"""Sub-command ``assign`` and the ``grade --course`` mode: per-student variants of a lab."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from workbench.assign import DEFAULT_HIDDEN, Course, assign, read_roster
from workbench.cli.common import BadInput, _echo_json, _lab, main
from workbench.cli.grading import export_grades, print_grades, sandbox_limits
from workbench.lab import SIZES, Lab


@main.command("assign")
@click.argument("lab")
@click.option("--roster", required=True, type=click.Path(dir_okay=False),
              help="CSV with a student_id column (name, email, section... are kept).")
@click.option("--out", "course_dir", required=True, type=click.Path(file_okay=False),
              help="The course folder (created, or completed when it exists).")
@click.option("--size", default="class", show_default=True, type=click.Choice(SIZES))
@click.option("--secret-file", type=click.Path(dir_okay=False, exists=True),
              help="The course secret, kept outside the course folder (default: "
              "COURSE/instructor/secret.txt, created once).")
@click.option("--hidden", default=DEFAULT_HIDDEN, show_default=True,
              type=click.IntRange(min=0),
              help="Fresh hidden cases every code submission is also run on.")
@click.option("--due", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
              help="Due date (UTC) of the assignment in the web app (default: 14 days from "
              "now, or what it was).")
@click.option("--daily-limit", type=click.IntRange(min=1),
              help="Uploads a student may grade per UTC day in the web app (default 5, or "
              "what it was).")
@click.option("--db", envvar="WORKBENCH_DB", metavar="URL",
              help="The course's database (SQLAlchemy URL or SQLite path; default "
              "COURSE/gradebook.sqlite). Sets WORKBENCH_DB.")
@click.option("--require-code/--allow-data", default=None,
              help="Grade only code (a notebook or .py), so the exercise steps and hidden "
              "cases apply to everyone; data files score 0 with the reason (default: allow "
              "data, or what the assignment had).")
@click.option("--json", "as_json", is_flag=True, help="Print assignment.json.")
def assign_command(lab: str, roster: str, course_dir: str, size: str, secret_file: str | None,
                   hidden: int, due: datetime | None, daily_limit: int | None,
                   db: str | None, require_code: bool | None, as_json: bool) -> None:
    """Give each student their own case of LAB, seeded from the course secret.

    Writes COURSE/release/LAB/<student>.zip (the student notebook, the handout and starter
    files, and the case's public files in case/public: hand these out), COURSE/instructor/LAB/
    (answer keys, hidden cases, the solution notebook: keep private), and the roster and the
    assignment (due date, daily limit: what `serve --course` shows) into the course's
    database. Running it again gives the same cases; new roster rows get new ones.
    """
    from workbench.store import Gradebook, check_database, course_database

    the_lab = _lab(lab)
    if db:
        try:
            check_database(db)
        except ValueError as exc:
            raise BadInput(f"--db {exc}") from None
        os.environ["WORKBENCH_DB"] = db
    try:
        data = assign(the_lab, read_roster(roster), course_dir, size=size,
                      secret_file=secret_file, hidden=hidden, require_code=require_code)
    except (ValueError, OSError) as exc:
        raise BadInput(str(exc)) from None
    from workbench.classroom.assignments import default_public_metrics

    with Gradebook(course_database(Course(Path(course_dir)).gradebook_path)) as book:
        book.set_assignment(lab, due=due.replace(tzinfo=UTC) if due else None,
                            daily_limit=daily_limit,
                            defaults=dict(due=datetime.now(UTC) + timedelta(days=14),
                                          daily_limit=5,
                                          public_metrics=list(default_public_metrics(the_lab))))
    if as_json:
        _echo_json(data)
        return
    course = Course(Path(course_dir))
    click.echo(f"Assigned {lab} ({size}) to {len(data['students'])} students in {course.root}:"
               f" hand out {course.root / 'release' / lab}/<student>.zip; keep "
               f"{course.instructor} private ({len(data['hidden'])} hidden cases for code).")


def grade_course_command(lab: Lab, course_dir: str, submissions: tuple[str, ...], *,
                         db: str | None, resume: bool, regrade: bool, workers: int | None,
                         dask_address: str | None, time_limit: float | None,
                         memory_mb: int | None, export_fmt: str | None, out: str | None,
                         assignment: str, feedback_dir: str | None, as_json: bool,
                         canvas_id: str = "", moodle_identifier: str = "idnumber",
                         moodle_max: float = 100.0, lang: str = "en") -> None:
    """``workbench grade LAB --course COURSE SUBMISSIONS_DIR``; see ``grade --help``."""
    from workbench.grading.batch import grade_course

    del resume  # a course batch always resumes; --regrade turns that off
    if len(submissions) != 1 or not Path(submissions[0]).is_dir():
        raise BadInput("with --course, give one folder of submissions (a file, folder or zip "
                       "per student, named by student id)")
    if export_fmt and not out:
        raise BadInput("--export needs --out (the file to write)")
    if workers is not None and dask_address:
        raise BadInput("give --workers or --dask, not both")
    if workers is None:
        workers = 1 if dask_address else len(os.sched_getaffinity(0))
    course = Course(Path(course_dir))
    try:
        roster = course.assignment(lab.slug)["students"]
        result = grade_course(lab, course.root, submissions[0], workers=workers,
                              dask=dask_address, regrade=regrade,
                              limits=sandbox_limits(time_limit, memory_mb), feedback_dir=feedback_dir,
                              db=db, lang=lang)
    except (FileNotFoundError, ValueError) as exc:
        raise BadInput(str(exc)) from None
    except ConnectionError as exc:  # no Dask scheduler, or every worker gone mid-batch
        raise click.ClickException(f"{exc}. Grades finished so far are stored in "
                                   f"{db or course.gradebook_path}.") from None
    if export_fmt and out:  # every roster student, by the counting rule (browser uploads too)
        from workbench.store import Gradebook, course_database

        with Gradebook(db or course_database(course.gradebook_path)) as book:
            rows = [(s, g.report if g else None) for s, g in book.counting(lab.slug)]
            roster = book.roster(lab.slug) or roster
        from workbench.i18n import language

        with language(lang):
            export_grades(export_fmt, rows, out, assignment=assignment or lab.title,
                          roster=roster, canvas_id=canvas_id,
                          moodle_identifier=moodle_identifier, moodle_max=moodle_max)
    print_grades(result.graded, as_json)
    for student, error in result.failed.items():
        click.echo(f"{student}: could not be graded ({error}); run again to retry", err=True)
    if result.missing:
        click.echo("No submission from: " + ", ".join(result.missing), err=True)
    click.echo(f"Done: {result.summary()}. Gradebook: {db or course.gradebook_path}", err=True)
    if feedback_dir:
        pages = sum(1 for s, _ in result.graded if (Path(feedback_dir) / f"{s}.html").is_file())
        click.echo(f"Feedback pages: {pages} in {feedback_dir}", err=True)
    if result.failed:
        raise click.ClickException(f"{len(result.failed)} submission(s) could not be graded; "
                                   "run the same command again to retry them")


