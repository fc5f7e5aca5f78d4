"""Gradebook exports: plain CSV, Canvas and Moodle grade imports, Gradescope ``results.json``.

Every export takes ``graded``: ``(student, GradeReport)`` pairs, where ``student`` is the key
the gradebook stores (by default the submission's file name). A ``roster`` maps that key to the
LMS's own fields (``name``, ``id``, ``sis_user_id``, ``sis_login_id``, ``section``, ``email``,
``idnumber``); without one the key is used as the login / identifier.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from workbench.grading.report import GradeReport

Graded = Iterable[tuple[str, GradeReport]]
Roster = Mapping[str, Mapping[str, str]]
FORMATS = ("csv", "canvas", "moodle", "gradescope")


def _points(x: float) -> str:
    return f"{x:.2f}"


def _open(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    # utf-8-sig: Excel, Canvas and Moodle all read names with accents or Chinese correctly.
    return path.open("w", newline="", encoding="utf-8-sig")


def plain_csv(graded: Graded, path: str | Path) -> Path:
    """One row per submission: score, validity, points per criterion, problems (``; ``)."""
    graded, path = list(graded), Path(path)
    names = sorted({c.name for _, r in graded for c in r.criteria})
    header = ["student", "lab", "case_id", "submission", "valid", "score", "max_score",
              *names, "problems"]
    with _open(path) as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for student, r in graded:
            points = {c.name: _points(c.points) for c in r.criteria}
            writer.writerow([student, r.lab, r.case_id, r.submission, r.valid,
                             _points(r.score), _points(r.max_score),
                             *(points.get(n, "") for n in names), "; ".join(r.problems)])
    return path


def canvas_csv(graded: Graded, path: str | Path, *, assignment: str, assignment_id: str = "",
               roster: Roster | None = None) -> Path:
    """A Canvas gradebook import: fixed student columns, one assignment column, and the
    ``Points Possible`` row Canvas expects under the header."""
    graded, path, roster = list(graded), Path(path), roster or {}
    column = f"{assignment} ({assignment_id})" if assignment_id else assignment
    possible = max((r.max_score for _, r in graded), default=0.0)
    with _open(path) as f:
        writer = csv.writer(f)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
        writer.writerow(["Points Possible", "", "", "", "", _points(possible)])
        for student, r in graded:
            who = roster.get(student, {})
            writer.writerow([who.get("name", student), who.get("id", ""),
                             who.get("sis_user_id", ""), who.get("sis_login_id", student),
                             who.get("section", ""), _points(r.score)])
    return path


def moodle_csv(graded: Graded, path: str | Path, *, identifier: str = "ID number",
               grade_column: str = "Grade", roster: Roster | None = None) -> Path:
    """A Moodle grade import: an identifier column (``ID number`` or ``Email address``), a
    grade and a feedback column; map them in Moodle's "Import grades → CSV" screen."""
    graded, path, roster = list(graded), Path(path), roster or {}
    field = {"ID number": "idnumber", "Email address": "email", "Username": "username"}
    if identifier not in field:
        raise ValueError(f"identifier {identifier!r} not understood; use one of "
                         + ", ".join(field))
    with _open(path) as f:
        writer = csv.writer(f)
        writer.writerow([identifier, grade_column, "Feedback"])
        for student, r in graded:
            key = roster.get(student, {}).get(field[identifier], student)
            writer.writerow([key, _points(r.score), feedback_text(r)])
    return path


def feedback_text(report: GradeReport) -> str:
    """A short plain-text summary: score, each criterion, every problem."""
    lines = [f"Score {_points(report.score)} / {_points(report.max_score)}"
             + ("" if report.valid else " (submission not valid)")]
    lines += [f"{c.label}: {_points(c.points)} / {_points(c.max_points)}. {c.message}"
              for c in report.criteria]
    lines += [f"Problem: {p}" for p in report.problems]
    return "\n".join(lines)


def gradescope_results(report: GradeReport) -> dict[str, Any]:
    """Gradescope autograder ``results.json`` content for one submission."""
    tests = [{"name": c.label, "score": round(c.points, 4), "max_score": c.max_points,
              "output": c.message, "visibility": "after_published" if c.hidden else "visible"}
             for c in report.criteria]
    output = "\n".join(report.problems) if report.problems else "No problems found."
    return {"score": round(report.score, 4), "output": output, "tests": tests}


def gradescope_json(report: GradeReport, path: str | Path) -> Path:
    """Write ``results.json`` for one submission (``/autograder/results/results.json``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(gradescope_results(report), indent=1, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path


def export(fmt: str, graded: Graded, out: str | Path, *, assignment: str = "",
           roster: Roster | None = None) -> list[Path]:
    """Write ``graded`` in ``fmt``; with a ``roster``, Canvas and Moodle rows carry the
    students' LMS ids. Gradescope: ``out`` ending in ``.json`` holds the one submission's
    results; otherwise ``out`` is a folder with ``<student>/results.json``."""
    graded, out = list(graded), Path(out)
    if fmt == "csv":
        return [plain_csv(graded, out)]
    if fmt == "canvas":
        return [canvas_csv(graded, out, assignment=assignment or "Lab", roster=roster)]
    if fmt == "moodle":
        return [moodle_csv(graded, out, roster=roster)]
    if fmt == "gradescope":
        if out.suffix == ".json":
            if len(graded) != 1:
                raise ValueError(f"{out}: a single results.json holds one submission, "
                                 f"not {len(graded)}; give a folder instead")
            return [gradescope_json(graded[0][1], out)]
        return [gradescope_json(r, out / student / "results.json") for student, r in graded]
    raise ValueError(f"export format {fmt!r} not understood; use one of {', '.join(FORMATS)}")
