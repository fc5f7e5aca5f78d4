"""Sub-commands: grade (one case, or a whole course) and check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from workbench.cli.common import BadInput, _case, _echo_json, _lab, main
from workbench.grading.exports import FORMATS, export
from workbench.grading.report import GradeReport


@main.command()
@click.argument("lab")
@click.argument("submissions", nargs=-1, required=True, type=click.Path())
@click.option("--case", "case_dir", type=click.Path(file_okay=False),
              help="Grade every file against this case (the instructor's copy, with private/).")
@click.option("--course", "course_dir", type=click.Path(file_okay=False),
              help="Grade a course made by `workbench assign`: SUBMISSIONS is one folder with "
              "a file, folder or zip per student, named by student id.")
@click.option("--db", help="Gradebook: SQLite file path or SQLAlchemy URL. With --course it "
              "defaults to COURSE/gradebook.sqlite; with --case nothing is stored without it.")
@click.option("--resume", is_flag=True, help="--case: skip files already graded in --db "
              "(--course always resumes).")
@click.option("--regrade", is_flag=True, help="--course: grade everything again (after a fix).")
@click.option("--workers", type=click.IntRange(min=1),
              help="--course: grade this many students at once on a local process pool "
              "(default: one per CPU; 1 grades in this process).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="--course: grade on this Dask scheduler (tcp://host:8786) instead.")
@click.option("--time-limit", type=click.FloatRange(min=1), help="Wall and CPU seconds each "
              "run of code may take (default 60).")
@click.option("--memory-mb", type=click.IntRange(min=64), help="Memory of each run of code "
              "(default 2048).")
@click.option("--export", "export_fmt", type=click.Choice(FORMATS), help="Gradebook export.")
@click.option("--out", type=click.Path(), help="Where --export writes.")
@click.option("--assignment", default="", help="Assignment column name (Canvas export).")
@click.option("--canvas-id", default="", help="Canvas assignment id (the number in its address,"
              " /assignments/1234): the column becomes 'Title (1234)', which Canvas matches "
              "whatever the title.")
@click.option("--moodle-identifier", type=click.Choice(["idnumber", "email", "username"]),
              default="idnumber", show_default=True,
              help="Moodle export: the roster column Moodle matches users by.")
@click.option("--moodle-max", type=click.FloatRange(min=0, min_open=True), default=100.0,
              show_default=True, help="Moodle export: the grade item's maximum; scores are "
              "scaled to it and a bonus above it is capped (stated in the feedback).")
@click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False),
              help="Write one HTML feedback page per submission into this folder.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the feedback pages and of the export's feedback column.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of reports.")
def grade(lab: str, submissions: tuple[str, ...], case_dir: str | None,
          course_dir: str | None, **options: Any) -> None:
    """Grade submissions; a bad one scores 0 with its reasons and the batch goes on.

    Per metric: 0 points at the baseline's value, full points at the reference's, up to a
    20 % bonus beyond it (BONUS_CAP = 0.2), so a score may exceed the maximum.

    --case DIR: each submission is stored under its name without suffix (its folder's name
    when names repeat); code runs in the sandbox on that case. --course COURSE: each student is graded against their own case; code
    (.py, .ipynb, or a zip/folder of them) runs in the sandbox on that case and on the
    course's hidden cases: 50 % own case, 50 % mean of the hidden cases. A rerun skips
    students whose submission and grader are unchanged.
    """
    if (case_dir is None) == (course_dir is None):
        raise BadInput("give either --case DIR (one case for every file) or --course COURSE "
                       "(each student's own case)")
    the_lab = _lab(lab)
    if course_dir is not None:
        from workbench.cli.course import grade_course_command

        grade_course_command(the_lab, course_dir, submissions, **options)
        return
    flags = {"--regrade": options["regrade"], "--dask": options["dask_address"],
             "--workers": options["workers"] is not None and options["workers"] > 1}
    given = [flag for flag, value in flags.items() if value]
    if given:
        raise BadInput(f"{given[0]} works with --course only")
    limits = sandbox_limits(options["time_limit"], options["memory_mb"])
    _grade_case(the_lab, case_dir, submissions, limits=limits, **{
        k: options[k] for k in ("db", "resume", "export_fmt", "out", "assignment",
                                "feedback_dir", "as_json", "canvas_id", "moodle_identifier",
                                "moodle_max", "lang")})


def sandbox_limits(time_limit: float | None, memory_mb: int | None) -> Any:
    """``Limits`` from the command line; ``None`` keeps the sandbox's defaults."""
    from workbench.grading.sandbox import Limits

    if time_limit is None and memory_mb is None:
        return None
    values: dict[str, Any] = {}
    if time_limit is not None:
        values.update(wall_s=time_limit, cpu_s=max(1, int(time_limit)))
    if memory_mb is not None:
        values.update(memory_bytes=memory_mb * 2**20)
    try:
        return Limits(**values)
    except ValueError as exc:
        raise BadInput(str(exc)) from None


def _grade_case(the_lab: Any, case_dir: str, submissions: tuple[str, ...], *, limits: Any,
                db: str | None, resume: bool, export_fmt: str | None, out: str | None,
                assignment: str, feedback_dir: str | None, as_json: bool, canvas_id: str,
                moodle_identifier: str, moodle_max: float, lang: str = "en") -> None:
    from workbench.grading.batch import grade_batch, student_keys
    from workbench.i18n import language

    case = _case(the_lab, case_dir)
    if case.private is None:
        raise BadInput(f"{case.root} has no private/ folder (answer key); grade with the "
                       "instructor's copy of the case")
    if export_fmt and not out:
        raise BadInput("--export needs --out (the file to write)")
    if resume and not db:
        raise BadInput("--resume needs --db (the gradebook to resume from)")
    try:
        student_keys([Path(s) for s in submissions])
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    gradebook = _gradebook(db)
    graded = grade_batch(the_lab, case, [Path(s) for s in submissions],
                         gradebook=gradebook, resume=resume, feedback_dir=feedback_dir,
                         limits=limits, lang=lang)
    if export_fmt and out:
        with language(lang):
            export_grades(export_fmt, graded, out, assignment=assignment or the_lab.title,
                          canvas_id=canvas_id, moodle_identifier=moodle_identifier,
                          moodle_max=moodle_max)
    print_grades(graded, as_json)


def export_grades(fmt: str, graded: list[tuple[str, GradeReport | None]], out: str, *,
                  assignment: str, roster: dict[str, dict[str, str]] | None = None,
                  canvas_id: str = "", moodle_identifier: str = "idnumber",
                  moodle_max: float = 100.0) -> None:
    """Write an export; with a roster, Canvas and Moodle rows carry the students' LMS ids."""
    try:
        written = export(fmt, graded, out, assignment=assignment, roster=roster,
                         assignment_id=canvas_id, identifier=moodle_identifier,
                         grade_max=moodle_max)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    click.echo(f"Exported {len(graded)} grades ({fmt}) to "
               f"{written[0] if len(written) == 1 else out}", err=True)


def print_grades(graded: list[tuple[str, GradeReport]], as_json: bool) -> None:
    if as_json:
        _echo_json([{"student": student, **report.to_dict()} for student, report in graded])
        return
    for student, report in graded:
        _print_report(student, report)


def _gradebook(db: str | None) -> Any:
    from sqlalchemy.exc import SQLAlchemyError

    from workbench.store import Gradebook

    if not db:
        click.echo("Not stored: pass --db course/gradebook.sqlite to keep these grades.",
                   err=True)
        return None
    try:
        return Gradebook(db)
    except (SQLAlchemyError, ImportError, OSError) as exc:
        raise BadInput(f"--db {db}: the gradebook cannot be opened ({exc})") from None


def _print_report(student: str, report: GradeReport) -> None:
    state = "valid" if report.valid else "NOT VALID"
    click.echo(f"{student}: {report.score:.2f} / {report.max_score:g} ({state})")
    for problem in report.problems:
        click.echo(f"  problem: {problem}")


@main.command()
@click.argument("lab")
@click.argument("submission", type=click.Path())
@click.option("--case", "case_dir", required=True, type=click.Path(file_okay=False),
              help="Your case folder (its public/ part is enough).")
@click.option("--lang", type=click.Choice(["en", "zh"]), envvar="WORKBENCH_LANG",
              default="en", show_default=True, help="Language of the report.")
@click.option("--time-limit", type=click.FloatRange(min=1), help="Wall and CPU seconds your "
              "code may take (default 60).")
@click.option("--memory-mb", type=click.IntRange(min=64), help="Memory of the run (default "
              "2048).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def check(lab: str, submission: str, case_dir: str, lang: str, time_limit: float | None,
          memory_mb: int | None, as_json: bool) -> None:
    """Self-check a submission (a data file, a .py, a notebook or a zip): each exercise step
    with its public checks, and whether the outcome is valid. Exit 1 if not valid.

    Code runs in the sandbox on your case, exactly as when graded. With only the public part
    of a case, checks and metrics that need the answer key are "graded by your instructor"
    and no score is given; with a full case (e.g. one you generated), you get the full grade.
    """
    from workbench.grading.check import format_check, self_check
    from workbench.i18n import language

    the_lab = _lab(lab)
    case = _case(the_lab, case_dir)
    if not Path(submission).exists():
        raise BadInput(f"{submission}: no such file or folder")
    limits = sandbox_limits(time_limit, memory_mb)
    if case.private is not None:
        click.echo("Full case: solving the baseline and reference to score against…", err=True)
    result = self_check(the_lab, case, submission, limits=limits, lang=lang)
    if as_json:
        _echo_json(result)
    else:
        with language(lang):
            click.echo(format_check(result))
    if not result["valid"]:
        sys.exit(1)


@main.command("similarity")
@click.argument("lab")
@click.argument("submissions", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", type=click.Path(file_okay=False),
              help="Folder for index.html, similarity.json and one side-by-side page per "
              "flagged pair.")
@click.option("--threshold", default=0.6, show_default=True,
              type=click.FloatRange(min=0, max=1, min_open=True),
              help="Flag a pair when this share of either side's code is in the other.")
@click.option("--course", "course_dir", type=click.Path(file_okay=False, exists=True),
              help="Store the flags in this course's gradebook (column similar_to) and write "
              "the report to COURSE/instructor/LAB/similarity/ unless --out is given.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def similarity_command(lab: str, submissions: tuple[str, ...], out: str | None,
                       threshold: float, course_dir: str | None, as_json: bool) -> None:
    """Flag code submissions that are near copies of each other or of the lab's solution.

    Each SUBMISSION is one student's .py, notebook, zip or folder (named like `grade` names
    them). Code handed to every student (the student notebook, starter files) is not counted.
    Flags are for review: they never change a grade.
    """
    from workbench.grading.batch import student_keys
    from workbench.grading.similarity import similarity

    the_lab = _lab(lab)
    paths = [Path(s) for s in submissions]
    try:
        student_keys(paths)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if course_dir and not out:
        from workbench.assign import Course

        out = str(Course(Path(course_dir)).lab_dir(lab) / "similarity")
    result = similarity(the_lab, paths, out=Path(out) if out else None, threshold=threshold)
    if course_dir:
        _store_similarity(the_lab.slug, course_dir, result, out)
    if as_json:
        _echo_json(result.to_dict())
        return
    compared = len(paths) - len(result.skipped)
    click.echo(f"{len(result.flagged)} flagged pair(s) among {compared} code submission(s) "
               f"and the lab's solution (threshold {threshold:.0%}); flags are for review, "
               "never zeros.")
    for pair in result.flagged:
        page = f" -> {Path(out) / pair.report}" if out and pair.report else ""
        click.echo(f"  {pair.a} ~ {pair.b}: {pair.share_a:.0%} / {pair.share_b:.0%}{page}")
    for name, why in result.skipped.items():
        click.echo(f"  not compared: {name}: {why}", err=True)
    if out:
        click.echo(f"Report: {Path(out) / 'index.html'}", err=True)


def _store_similarity(lab: str, course_dir: str, result: Any, out: str | None) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from workbench.assign import Course
    from workbench.store import Gradebook, course_database

    pages = Path(out) if out else None
    pairs = [(p.a, p.b, p.share, str(pages / p.report) if pages and p.report else "")
             for p in result.flagged]
    try:
        with Gradebook(course_database(Course(Path(course_dir)).gradebook_path)) as book:
            book.set_similarity(lab, pairs)
    except (SQLAlchemyError, OSError) as exc:
        raise BadInput(f"{course_dir}: the gradebook cannot be opened ({exc})") from None
    click.echo(f"Stored {len(pairs)} flag(s) in the gradebook (column similar_to).", err=True)
