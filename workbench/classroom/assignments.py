"""Assignments of the served course: per-student cases (``workbench.assign``) plus how the
assignment runs in class — due date, daily attempt limit, the criteria on the public board."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.assign import Course, Roster, assign
from workbench.classroom.course import current_course, gradebook
from workbench.classroom.models import AssignmentRow
from workbench.grading.batch import grader_fingerprint
from workbench.grading.grade import References
from workbench.grading.refcache import cached_references
from workbench.lab import Case, Lab
from workbench.store import StudentRow

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Settings:
    """How one lab's assignment runs. ``public_metrics`` rank the public leaderboard and are
    the only criteria a student sees before ``due``; the full score decides the private one."""

    lab: str
    due: datetime
    daily_limit: int
    public_metrics: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.daily_limit < 1:
            raise ValueError(f"daily limit {self.daily_limit} not understood; allow at least "
                             "one attempt a day")
        if self.due.tzinfo is None:
            raise ValueError("the due date needs a time zone (UTC)")

    def is_open(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) < self.due


def default_public_metrics(lab: Lab) -> tuple[str, ...]:
    """The graded metrics, in the lab's order, up to the first half of the rubric's weight:
    the rest is the private part of the leaderboard."""
    graded = [m for m in lab.metrics if m.weight > 0]
    total, chosen, running = sum(m.weight for m in graded), [], 0.0
    for metric in graded:
        if running >= total / 2:
            break
        chosen.append(metric.name)
        running += metric.weight
    return tuple(chosen)


def create_assignment(lab: Lab, roster: Roster, settings: Settings, *, size: str = "class",
                      progress: Progress | None = None, course: Course | None = None) -> None:
    """Make every student's case, store the settings, then solve each case's baseline and
    reference once (cached on disk) so students get their score at once when they upload."""
    course = course or current_course()
    unknown = set(settings.public_metrics) - {m.name for m in lab.metrics if m.weight > 0}
    if unknown or not settings.public_metrics:
        raise ValueError(f"public criteria {sorted(unknown) or '(none)'} not understood; "
                         "choose one or more graded metrics of the lab")
    if settings.lab != lab.slug:
        raise ValueError(f"settings of lab {settings.lab!r} given for lab {lab.slug!r}")
    assign(lab, roster, course.root, size=size, progress=False)
    save_settings(settings, course)
    students = list(course.assignment(lab.slug)["students"])
    for done, student in enumerate(students, start=1):
        references_of(lab, student, course)
        if progress:
            progress(done, len(students), student)


def save_settings(settings: Settings, course: Course | None = None) -> None:
    """Store the settings (the same row `workbench assign --due --daily-limit` writes)."""
    gradebook(course).set_assignment(settings.lab, due=settings.due,
                                     daily_limit=settings.daily_limit,
                                     public_metrics=list(settings.public_metrics))


def settings_of(lab: str, course: Course | None = None) -> Settings | None:
    """The settings of ``lab``'s assignment, or None if the course has none."""
    with Session(gradebook(course).engine) as db:
        row = db.scalars(select(AssignmentRow).where(AssignmentRow.lab == lab)).first()
    if row is None:
        return None
    due = row.due if row.due.tzinfo else row.due.replace(tzinfo=UTC)  # SQLite drops it
    return Settings(row.lab, due, row.daily_limit, tuple(row.public_metrics))


def assignments(course: Course | None = None) -> list[Settings]:
    """Every assignment of the course, by lab."""
    with Session(gradebook(course).engine) as db:
        labs = list(db.scalars(select(AssignmentRow.lab).order_by(AssignmentRow.lab)))
    return [s for s in (settings_of(lab, course) for lab in labs) if s is not None]


def on_roster(lab: str, student: str, course: Course | None = None) -> bool:
    with Session(gradebook(course).engine) as db:
        return db.scalar(select(StudentRow.id).where(StudentRow.lab == lab,
                                                     StudentRow.student == student)) is not None


def student_case(lab: Lab, student: str, course: Course | None = None) -> Case:
    """The student's own case (answer key included: server side only)."""
    course = course or current_course()
    if student not in course.assignment(lab.slug)["students"]:
        raise KeyError(f"{student} is not on the roster of {lab.slug}")
    return Case.load(course.case_dir(lab.slug, student), lab.slug)


@cache
def _fingerprint(lab_slug: str, course_root: str, hidden: tuple[str, ...]) -> str:
    from workbench.registry import get_lab

    return grader_fingerprint(get_lab(lab_slug), hidden=list(hidden))


def grader_of(lab: Lab, course: Course) -> str:
    """The batch grader's fingerprint, so browser uploads share its cache of references."""
    hidden = tuple(course.assignment(lab.slug).get("hidden", []))
    try:
        return _fingerprint(lab.slug, str(course.root), hidden)
    except KeyError:  # a lab not in the registry (tests): fingerprint it directly
        return grader_fingerprint(lab, hidden=list(hidden))


def references_of(lab: Lab, student: str, course: Course | None = None) -> References:
    course = course or current_course()
    case = student_case(lab, student, course)
    return cached_references(lab, case, course.refs_dir(lab.slug), grader=grader_of(lab, course))


