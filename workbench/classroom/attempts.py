"""Students' uploads from the browser: graded on the server against their own case, limited
per UTC day, shown with the private criteria hidden until the due date, and ranked on a
pseudonymous leaderboard (public part now, private part after the due date)."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.assign import Course
from workbench.classroom.assignments import Settings, grader_of, references_of, student_case
from workbench.classroom.course import current_course, gradebook, pseudonym
from workbench.classroom.models import AttemptRow
from workbench.grading import GradeReport, grade_file
from workbench.lab import Lab


class AttemptRefused(ValueError):
    """An upload that is not graded (limit reached, closed, wrong file); says why."""


@dataclass(frozen=True)
class Ranked:
    """The scores of a student's selected attempt."""

    student: str
    score: float
    public_score: float
    at: datetime


@dataclass(frozen=True)
class Attempt:
    student: str
    at: datetime
    filename: str
    report: GradeReport
    public_score: float


def public_score(report: GradeReport, settings: Settings) -> float:
    return sum(c.points for c in report.criteria if c.name in settings.public_metrics)


def visible_report(report: GradeReport, settings: Settings,
                   now: datetime | None = None) -> GradeReport:
    """What the student may see: before the due date only the public criteria, the score out
    of their points, and no metric values of the answer key; after it, everything."""
    if not settings.is_open(now):
        return report
    criteria = [replace(c, hidden=c.name not in settings.public_metrics) for c in report.criteria]
    shown = [c for c in criteria if not c.hidden]
    return replace(report, criteria=criteria, score=sum(c.points for c in shown),
                   max_score=sum(c.max_points for c in shown), metrics={},
                   baseline_metrics={}, reference_metrics={})


def _count_on(db: Session, lab: str, student: str, day: str) -> int:
    return db.scalar(select(func.count()).select_from(AttemptRow).where(
        AttemptRow.lab == lab, AttemptRow.student == student, AttemptRow.day == day,
        AttemptRow.source == "browser")) or 0


def _limit_reached(settings: Settings) -> AttemptRefused:
    return AttemptRefused(f"you have used all {settings.daily_limit} attempts of today (UTC); "
                          "try again tomorrow")


def attempts_today(lab: str, student: str, now: datetime | None = None,
                   course: Course | None = None) -> int:
    day = (now or datetime.now(UTC)).date().isoformat()
    with Session(gradebook(course).engine) as db:
        return _count_on(db, lab, student, day)


def submit(lab: Lab, settings: Settings, student: str, path: Path, *,
           now: datetime | None = None, course: Course | None = None) -> Attempt:
    """Grade ``path`` against the student's own case and store the attempt (its file under
    ``COURSE/attempts/<lab>/<student>/``); the student's best attempt (by public score)
    becomes their grade in the course gradebook."""
    course = course or current_course()
    now = now or datetime.now(UTC)
    if not settings.is_open(now):
        raise AttemptRefused(f"the assignment closed on {settings.due:%Y-%m-%d %H:%M} UTC")
    if path.suffix.lower() not in lab.submission_suffixes:
        raise AttemptRefused(f"{path.name}: hand in a {' or '.join(lab.submission_suffixes)} "
                             "file")
    if attempts_today(lab.slug, student, now, course) >= settings.daily_limit:
        raise _limit_reached(settings)
    case = student_case(lab, student, course)
    report = grade_file(lab, case, path, refs=references_of(lab, student, course))
    report = replace(report, submission=path.name)  # never a server path in what is stored
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    keep = course.root / "attempts" / lab.slug / student / f"{now:%Y%m%dT%H%M%S%f}-{path.name}"
    keep.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, keep)  # the instructor's copy, e.g. to regrade after a fix
    attempt = Attempt(student, now, path.name, report, public_score(report, settings))
    _store(lab.slug, settings, attempt, digest, course, grader_of(lab, course))
    return attempt


def _store(lab: str, settings: Settings, attempt: Attempt, digest: str, course: Course,
           grader: str) -> None:
    """Store the attempt and select the grade that counts (``workbench.store.COUNTING_RULE``:
    the latest valid attempt, browser or batch) in one transaction."""
    def within_limit(db: Session, row: AttemptRow) -> None:
        # counted again after inserting: two uploads at once cannot both slip under the limit
        if _count_on(db, lab, attempt.student, row.day) > settings.daily_limit:
            raise _limit_reached(settings)  # the transaction, attempt included, is undone

    gradebook(course).add_attempt(attempt.report, student=attempt.student, digest=digest,
                                  grader=grader, source="browser", at=attempt.at,
                                  filename=attempt.filename, public_score=attempt.public_score,
                                  check=within_limit)


def attempts(lab: str, student: str | None = None, course: Course | None = None,
             ) -> list[Attempt]:
    """Stored attempts of one lab (of one student), oldest first."""
    query = select(AttemptRow).where(AttemptRow.lab == lab).order_by(AttemptRow.at,
                                                                      AttemptRow.id)
    if student is not None:
        query = query.where(AttemptRow.student == student)
    with Session(gradebook(course).engine) as db:
        return [Attempt(r.student, r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC),
                        r.filename, GradeReport.from_dict(r.report), r.public_score)
                for r in db.scalars(query)]


def best_attempts(lab: str, course: Course | None = None) -> dict[str, Ranked]:
    """Each student's counting attempt (``workbench.store.COUNTING_RULE``: the latest valid
    one, uploaded or batch-graded), the same one the gradebook and the exports show. Reads the
    scores only, never the stored reports: the leaderboard is asked for often."""
    return {student: Ranked(student, score, public, at)
            for student, score, public, at in gradebook(course).counting_scores(lab)}


def leaderboard(lab: str, settings: Settings, *, private: bool,
                course: Course | None = None) -> list[dict[str, object]]:
    """Rows of rank, pseudonym, student, score and public score, best first; the public board
    ranks the public score, the private board (shown to students only after the due date) the
    full score of the same attempts. Ties go to the earlier attempt."""
    course = course or current_course()
    key = (lambda r: (-r.score, r.at)) if private else (lambda r: (-r.public_score, r.at))
    ranked = sorted(best_attempts(lab, course).values(), key=key)
    return [{"rank": k, "pseudonym": pseudonym(r.student, course), "student": r.student,
             "score": r.score, "public_score": r.public_score}
            for k, r in enumerate(ranked, start=1)]
