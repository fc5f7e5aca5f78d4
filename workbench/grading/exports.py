"""Gradebook exports: plain CSV, and Canvas and Moodle grade imports.

Every export takes ``graded``: ``(student, GradeReport or None)`` pairs, where ``student`` is
the key the gradebook stores and None means "no submission" (every roster student is listed:
see :meth:`workbench.store.Gradebook.counting`). A ``roster`` maps that key to the LMS's own
fields (``name``, ``id``, ``sis_user_id``, ``sis_login_id``, ``section``, ``email``,
``username``, ``idnumber``).

What each LMS accepts (and the tests read every export back with these rules):

- **Canvas** (Grades → Import): students are matched by ``ID``, then ``SIS User ID``, then
  ``SIS Login ID``; an assignment column is matched by the id in ``Title (id)`` (the number in
  the assignment's URL, ``/assignments/<id>``) and only by its title without one, so give
  ``--canvas-id``. A blank cell changes nothing (no submission stays ungraded); scores above
  Points Possible are kept (Canvas takes extra credit), so the bonus survives.
- **Moodle** (Grades → Import → CSV file): the identifier column is mapped to one user field
  (email, username or ID number) and *any* row that matches no user aborts the whole import,
  as does any grade above the grade item's maximum (``gradevaluetoobig``) unless the site
  allows unlimited grades. So every row carries the chosen field from the roster (a roster
  without it is refused with the student named; for ``username`` the student id stands in
  when the roster has no username column), and grades are **scaled then capped**: the
  score out of the report's maximum becomes points out of the grade item's maximum
  (``grade_max``, default 100), and a bonus above it is cut to the maximum — the feedback
  column still says the full score with its bonus. No submission: an empty grade (Moodle reads
  a blank or ``-`` as "no grade").
- **Gradescope** is not exported: Gradescope reads ``results.json`` only from inside its own
  autograder container, and running the workbench's grading there would mean uploading every
  case's answer key and the hidden cases to Gradescope. Grade with the workbench and import
  the Canvas or Moodle file instead.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from workbench.grading.report import GradeReport

Graded = Iterable[tuple[str, GradeReport | None]]
Roster = Mapping[str, Mapping[str, str]]
FORMATS = ("csv", "canvas", "moodle")
MOODLE_IDENTIFIERS = {"email": "Email address", "username": "Username",
                      "idnumber": "ID number"}
NO_SUBMISSION = "no submission"


def _points(x: float) -> str:
    return f"{x:.2f}"


def _open(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    # utf-8-sig: Excel, Canvas and Moodle all read names with accents or Chinese correctly.
    return path.open("w", newline="", encoding="utf-8-sig")


def plain_csv(graded: Graded, path: str | Path) -> Path:
    """One row per student: score, validity, points per criterion, problems (``; ``);
    a student without a submission has an empty score and ``no submission``."""
    graded, path = list(graded), Path(path)
    names = sorted({c.name for _, r in graded if r for c in r.criteria})
    header = ["student", "lab", "case_id", "submission", "valid", "score", "max_score",
              *names, "problems"]
    with _open(path) as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for student, r in graded:
            if r is None:
                writer.writerow([student, "", "", NO_SUBMISSION, "", "", "",
                                 *("" for _ in names), ""])
                continue
            points = {c.name: _points(c.points) for c in r.criteria}
            writer.writerow([student, r.lab, r.case_id, r.submission, r.valid,
                             _points(r.score), _points(r.max_score),
                             *(points.get(n, "") for n in names), "; ".join(r.problems)])
    return path


def canvas_csv(graded: Graded, path: str | Path, *, assignment: str, assignment_id: str = "",
               roster: Roster | None = None) -> Path:
    """A Canvas gradebook import: fixed student columns, one assignment column ``Title (id)``
    (the id makes Canvas match the assignment whatever its title), and the ``Points
    Possible`` row. No submission: a blank cell (Canvas leaves the grade as it is)."""
    graded, path, roster = list(graded), Path(path), roster or {}
    if assignment_id and not str(assignment_id).isdigit():
        raise ValueError(f"Canvas assignment id {assignment_id!r} not understood; give the "
                         "number at the end of the assignment's address (/assignments/1234)")
    column = f"{assignment} ({assignment_id})" if assignment_id else assignment
    possible = max((r.max_score for _, r in graded if r), default=0.0)
    with _open(path) as f:
        writer = csv.writer(f)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
        writer.writerow(["Points Possible", "", "", "", "", _points(possible)])
        for student, r in graded:
            who = roster.get(student, {})
            writer.writerow([who.get("name", student), who.get("id", ""),
                             who.get("sis_user_id", ""), who.get("sis_login_id", student),
                             who.get("section", ""), _points(r.score) if r else ""])
    return path


def moodle_grade(report: GradeReport, grade_max: float = 100.0) -> float:
    """The score as points of a Moodle grade item out of ``grade_max``: scaled from the
    report's maximum, then capped at ``grade_max`` (a bonus cannot go above it in Moodle)."""
    if report.max_score <= 0:
        return 0.0
    return round(min(report.score * grade_max / report.max_score, grade_max), 2)


def moodle_csv(graded: Graded, path: str | Path, *, identifier: str = "idnumber",
               grade_column: str = "Grade", grade_max: float = 100.0,
               roster: Roster | None = None) -> Path:
    """A Moodle grade import: the chosen identifier (``email``, ``username`` or
    ``idnumber``, taken from the roster), the grade scaled and capped to ``grade_max`` and a
    feedback column with the full score; map them in Moodle's "Import grades → CSV" screen."""
    graded, path, roster = list(graded), Path(path), roster or {}
    if identifier not in MOODLE_IDENTIFIERS:
        raise ValueError(f"identifier {identifier!r} not understood; use one of "
                         + ", ".join(MOODLE_IDENTIFIERS))
    if grade_max <= 0:
        raise ValueError(f"the grade item's maximum {grade_max:g} must be above 0")
    def key(student: str) -> str:  # a student id stands for the username when none is given
        value = str(roster.get(student, {}).get(identifier, "")).strip()
        return value or (student if identifier == "username" else "")

    missing = [s for s, _ in graded if not key(s)]
    if missing:
        raise ValueError(f"the roster has no {identifier} for {', '.join(missing[:5])}"
                         f"{' …' if len(missing) > 5 else ''}: Moodle would refuse the whole "
                         f"file; add a {identifier} column to the roster (workbench assign "
                         "--roster) or choose another identifier")
    with _open(path) as f:
        writer = csv.writer(f)
        writer.writerow([MOODLE_IDENTIFIERS[identifier], grade_column, "Feedback"])
        for student, r in graded:
            if r is None:
                writer.writerow([key(student), "", NO_SUBMISSION.capitalize()])
            else:
                writer.writerow([key(student), f"{moodle_grade(r, grade_max):.2f}",
                                 feedback_text(r)])
    return path


def feedback_text(report: GradeReport) -> str:
    """A short plain-text summary: score, each criterion, every problem, in the language in
    force (``workbench.i18n.language``; the CLI's ``--lang``)."""
    from workbench.i18n import t, translate_message

    score = t("Score {score} / {max}", score=_points(report.score),
              max=_points(report.max_score))
    lines = [score if report.valid else t("{score} (submission not valid)", score=score)]
    lines += [t("{criterion}: {points} / {max}. {message}", criterion=translate_message(c.label),
                points=_points(c.points), max=_points(c.max_points),
                message=translate_message(c.message))
              for c in report.criteria]
    lines += [t("Problem: {problem}", problem=translate_message(p)) for p in report.problems]
    return "\n".join(lines)


def export(fmt: str, graded: Graded, out: str | Path, *, assignment: str = "",
           assignment_id: str = "", roster: Roster | None = None, identifier: str = "idnumber",
           grade_max: float = 100.0) -> list[Path]:
    """Write ``graded`` in ``fmt`` to the file ``out``; with a ``roster``, Canvas and Moodle
    rows carry the students' LMS ids (Moodle needs them: see the module's notes)."""
    graded, out = list(graded), Path(out)
    if fmt == "csv":
        return [plain_csv(graded, out)]
    if fmt == "canvas":
        return [canvas_csv(graded, out, assignment=assignment or "Lab",
                           assignment_id=assignment_id, roster=roster)]
    if fmt == "moodle":
        return [moodle_csv(graded, out, identifier=identifier, grade_max=grade_max,
                           roster=roster)]
    if fmt == "gradescope":
        raise ValueError("the Gradescope export was dropped: Gradescope reads results only "
                         "from its own autograder container; import the canvas or moodle "
                         "export instead")
    raise ValueError(f"export format {fmt!r} not understood; use one of {', '.join(FORMATS)}")
