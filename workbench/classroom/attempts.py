"""Students' uploads from the browser: graded on the server against their own case, limited
per UTC day, shown with the private criteria hidden until the due date, and ranked on a
pseudonymous leaderboard (public part now, private part after the due date)."""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from workbench.assign import Course
from workbench.classroom.assignments import Settings, grader_of, references_of, student_case
from workbench.classroom.course import current_course, gradebook, pseudonym
from workbench.classroom.models import AttemptRow, AttemptSlotRow
from workbench.grading import GradeReport, grade
from workbench.grading.check import other_case
from workbench.i18n import N_, t
from workbench.lab import Lab, SubmissionError
from workbench.private import private_dir

# a grading still holding its slot after this long died without giving it back (a killed job);
# every grading from the browser is bounded far below this
STALE_SLOT = timedelta(minutes=20)  # longer than a job may live (jobs.JobLimits.job_s)


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


MAX_PROBLEMS = 100  # kept per attempt: a plan of 60,000 bad stops is not 60,000 lines
MAX_MESSAGE = 2000


def bounded_report(report: GradeReport) -> GradeReport:
    """``report`` with at most ``MAX_PROBLEMS`` problems (and a line saying how many more)
    and criteria messages of at most ``MAX_MESSAGE`` characters: what is stored and shown
    stays small whatever the file held."""
    def cut(text: str) -> str:
        return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " …"

    problems = [cut(p) for p in report.problems[:MAX_PROBLEMS]]
    if len(report.problems) > MAX_PROBLEMS:
        problems.append(N_("… and {n} more problems of the same kind (the first ones are "
                           "listed)").format(n=len(report.problems) - MAX_PROBLEMS))
    return replace(report, problems=problems,
                   criteria=[replace(c, message=cut(c.message)) for c in report.criteria])


def _limit_reached(settings: Settings) -> AttemptRefused:
    return AttemptRefused(t("you have used all {n} attempts of today (UTC); try again tomorrow",
                            n=settings.daily_limit))


def attempts_today(lab: str, student: str, now: datetime | None = None,
                   course: Course | None = None) -> int:
    """Attempts the student has taken today (UTC): graded ones and those being graded."""
    day = (now or datetime.now(UTC)).date().isoformat()
    with Session(gradebook(course).engine) as db:
        return db.scalar(select(func.count()).select_from(AttemptSlotRow).where(
            AttemptSlotRow.lab == lab, AttemptSlotRow.student == student,
            AttemptSlotRow.day == day)) or 0


def reserve(lab: str, settings: Settings, student: str, now: datetime,
            course: Course | None = None) -> int:
    """Take one of the student's attempts of ``now``'s UTC day before grading; return its id.

    Slots are numbered 1..daily limit and unique per (lab, student, day) in the database, so
    however many uploads arrive at once, at most the limit are taken (a second writer of the
    same number fails on the constraint and tries the next). Raise :class:`AttemptRefused` when
    every slot is taken."""
    engine = gradebook(course).engine
    day = now.astimezone(UTC).date().isoformat()
    of_student = (AttemptSlotRow.lab == lab, AttemptSlotRow.student == student,
                  AttemptSlotRow.day == day)
    for attempt in range(50):
        try:
            with Session(engine) as db, db.begin():
                db.execute(delete(AttemptSlotRow).where(
                    *of_student, AttemptSlotRow.state == "grading",
                    AttemptSlotRow.taken < now - STALE_SLOT))
                taken = set(db.scalars(select(AttemptSlotRow.slot).where(*of_student)))
                free = [k for k in range(1, settings.daily_limit + 1) if k not in taken]
                if not free:
                    raise _limit_reached(settings)
                row = AttemptSlotRow(lab=lab, student=student, day=day, slot=free[0],
                                     state="grading", taken=now)
                db.add(row)
                db.flush()
                return row.id
        except (IntegrityError, OperationalError):  # another upload took it first: next one
            time.sleep(0.005 * (attempt + 1))
    raise AttemptRefused(t("too many uploads at the same moment; upload the file again"))


def give_back(slot: int, course: Course | None = None) -> None:
    """Return a slot taken by :func:`reserve` (the grading failed or the file was no
    submission of the lab)."""
    with Session(gradebook(course).engine) as db, db.begin():
        db.execute(delete(AttemptSlotRow).where(AttemptSlotRow.id == slot))


def _mark_used(db: Session, slot: int) -> None:
    db.execute(update(AttemptSlotRow).where(AttemptSlotRow.id == slot).values(state="used"))


Progress = Callable[[str], None]


def submit(lab: Lab, settings: Settings, student: str, path: Path, *,
           now: datetime | None = None, course: Course | None = None,
           progress: Progress | None = None) -> Attempt:
    """Grade ``path`` against the student's own case and store the attempt (its file under
    ``COURSE/attempts/<lab>/<student>/``); the gradebook's counting rule then picks the grade.

    The attempt is taken (:func:`reserve`) before grading starts. A file of the wrong kind, a
    file for another case than the student's (its case id), or one the lab cannot read as its
    submission (wrong format, another lab's file, a file refused by the readers' bounds), is
    refused with the reason and uses no attempt; a grading that fails gives the attempt back.
    ``progress(sentence)`` is told each stage."""
    course = course or current_course()
    now = now or datetime.now(UTC)
    say = progress or (lambda _: None)
    if not settings.is_open(now):
        raise AttemptRefused(t("the assignment closed on {due} UTC",
                               due=f"{settings.due:%Y-%m-%d %H:%M}"))
    if path.suffix.lower() not in lab.submission_suffixes:
        raise AttemptRefused(t("{file}: hand in a {kinds} file; this did not use an attempt",
                               file=path.name, kinds=t(" or ").join(lab.submission_suffixes)))
    case = student_case(lab, student, course)
    other = other_case(lab, path, case, against="graded")
    if other:  # a file for another case (e.g. a classmate's): one sentence, no attempt used
        raise AttemptRefused(t("{reason} This did not use an attempt.", reason=other))
    slot = reserve(lab.slug, settings, student, now, course)
    try:
        say("reading")
        try:
            solution = lab.read_submission(path)
        except SubmissionError as exc:
            problems = t("; ").join(p.text() for p in exc.problems) or str(exc)
            raise AttemptRefused(t("{file} is not a {lab} submission the grader can read: "
                                   "{problems} (this did not use an attempt)", file=path.name,
                                   lab=lab.slug, problems=problems)) from None
        say("grading")
        report = bounded_report(grade(lab, case, solution, refs=references_of(lab, student,
                                                                              course),
                                      submission=path.name))  # never a server path stored
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        keep = (course.root / "attempts" / lab.slug / student
                / f"{now:%Y%m%dT%H%M%S%f}-{path.name}")
        private_dir(keep.parent)
        shutil.copyfile(path, keep)  # the instructor's copy, e.g. to regrade after a fix
        attempt = Attempt(student, now, path.name, report, public_score(report, settings))
        _store(attempt, digest, course, grader_of(lab, course), slot)
    except BaseException:
        give_back(slot, course)
        raise
    return attempt


def _store(attempt: Attempt, digest: str, course: Course, grader: str, slot: int) -> None:
    """Store the attempt, mark its slot used and select the grade that counts
    (``workbench.store.COUNTING_RULE``: the latest valid attempt, browser or batch), in one
    transaction."""
    gradebook(course).add_attempt(attempt.report, student=attempt.student, digest=digest,
                                  grader=grader, source="browser", at=attempt.at,
                                  filename=attempt.filename, public_score=attempt.public_score,
                                  check=lambda db, _row: _mark_used(db, slot))


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
