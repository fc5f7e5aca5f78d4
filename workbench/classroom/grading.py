"""The instructor's side of grading in the browser: a class's submissions uploaded as a zip,
graded against each student's own case with progress, the gradebook as tables and figures,
and exports in every format as downloadable bytes."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.assign import Course
from workbench.classroom.course import current_course, gradebook
from workbench.grading.batch import CourseGrades, find_submissions, grade_course
from workbench.grading.exports import FORMATS, export
from workbench.grading.intake import IntakeError, IntakeLimits, safe_unzip
from workbench.grading.report import GradeReport
from workbench.lab import Lab

# a class's zip holds many students' files: wider bounds than one student's hand-in
CLASS_LIMITS = IntakeLimits(max_files=2000, max_total_bytes=200 * 2**20)
EXPORT_NAMES = {"csv": "grades.csv", "canvas": "canvas.csv", "moodle": "moodle.csv"}


def unpack_class_zip(archive: Path, into: Path) -> Path:
    """Unpack a zip of submissions (checked member by member: paths, links, sizes) and return
    the folder holding one entry per student (a single top folder is stepped into)."""
    try:
        safe_unzip(archive, into, CLASS_LIMITS)
    except IntakeError as exc:
        raise ValueError(str(exc)) from None
    entries = [p for p in into.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else into


def grade_class(lab: Lab, folder: Path, *, progress: Callable[[int, int, str], None] | None,
                course: Course | None = None) -> CourseGrades:
    """Grade every student's submission in ``folder`` against their own case (one student at a
    time, so progress is reported as it goes); grades land in the course gradebook."""
    course = course or current_course()
    roster = course.assignment(lab.slug)["students"]
    found, unknown = find_submissions(folder, roster)
    total = CourseGrades(missing=[s for s in roster if s not in found], unknown=unknown)
    for done, (student, path) in enumerate(sorted(found.items()), start=1):
        with tempfile.TemporaryDirectory(prefix="workbench-class-") as tmp:
            target = Path(tmp) / (student + ("" if path.is_dir() else path.suffix))
            (shutil.copytree if path.is_dir() else shutil.copyfile)(path, target)
            one = grade_course(lab, course.root, tmp, progress=False)
        total.graded += one.graded
        total.new += one.new
        total.resumed += one.resumed
        total.failed.update(one.failed)
        if progress:
            progress(done, len(found), student)
    return total


def graded(lab: str, course: Course | None = None) -> list[tuple[str, GradeReport]]:
    """``(student, report)`` of every grade of ``lab`` in the course gradebook."""
    return [(g.student, g.report) for g in gradebook(course).all(lab)]


def gradebook_table(lab: Lab, course: Course | None = None) -> pd.DataFrame:
    """One row per roster student (the grade that counts: see ``workbench.store``): score,
    validity, points per criterion, number of problems; ``valid`` None = no submission."""
    titles = {f"points_{m.name}": m.title for m in lab.metrics if m.weight > 0}
    keep = ["student", "score", "max_score", "valid", *titles, "problems"]
    rows = []
    for student, g in gradebook(course).counting(lab.slug):
        row: dict[str, object] = {"student": student, "valid": None}
        if g is not None:
            r = g.report
            row.update(score=r.score, max_score=r.max_score, valid=r.valid,
                       problems=len(r.problems), **{f"points_{c.name}": c.points
                                                    for c in r.criteria})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=keep).astype({"valid": object})
    return frame.rename(columns=titles).reset_index(drop=True).round(2)


def score_histogram(lab: Lab, course: Course | None = None, *, title: str = "") -> go.Figure:
    frame = gradebook(course).frame(lab.slug)
    fig = px.histogram(frame, x="score", nbins=20, title=title, template="plotly_white")
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=50, b=10), bargap=0.05)
    return fig


def criteria_figure(lab: Lab, course: Course | None = None, *, title: str = "") -> go.Figure:
    """Points per criterion, one box per criterion with every student as a dot."""
    frame = gradebook(course).frame(lab.slug)
    long = pd.DataFrame([{"criterion": m.title, "points": p, "student": s}
                         for m in lab.metrics if m.weight > 0 and f"points_{m.name}" in frame
                         for s, p in zip(frame["student"], frame[f"points_{m.name}"],
                                         strict=True)],
                        columns=["criterion", "points", "student"])
    fig = px.box(long, x="criterion", y="points", points="all", hover_data=["student"],
                 title=title, template="plotly_white")
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=50, b=10))
    return fig


def export_bytes(fmt: str, lab: Lab, course: Course | None = None) -> tuple[str, bytes]:
    """``(file name, content)`` of the gradebook of ``lab`` in ``fmt``: every roster student
    (the grade that counts, or "no submission") with the roster's LMS ids; Moodle keyed by
    the first of idnumber, email, username that every student has (else the student id as
    the Moodle username)."""
    if fmt not in FORMATS:
        raise ValueError(f"export format {fmt!r} not understood; use one of {', '.join(FORMATS)}")
    book = gradebook(course)
    roster = book.roster(lab.slug)
    rows = [(s, g.report if g else None) for s, g in book.counting(lab.slug)]
    identifier = next((f for f in ("idnumber", "email", "username")
                       if rows and all(roster.get(s, {}).get(f) for s, _ in rows)), "username")
    with tempfile.TemporaryDirectory(prefix="workbench-export-") as tmp:
        out = Path(tmp) / EXPORT_NAMES[fmt]
        export(fmt, rows, out, assignment=lab.title, roster=roster, identifier=identifier,
               assignment_id=str(roster_assignment_id(roster)))
        return f"{lab.slug}-{EXPORT_NAMES[fmt]}", out.read_bytes()


def roster_assignment_id(roster: dict[str, dict[str, str]]) -> str:
    """A Canvas assignment id given in the roster's ``canvas_assignment_id`` column, if any."""
    ids = {v.get("canvas_assignment_id", "") for v in roster.values()} - {""}
    return ids.pop() if len(ids) == 1 else ""
