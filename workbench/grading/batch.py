"""Grade a folder's worth of submissions: store, resume, write feedback pages.

``grade_batch`` grades files against one case. ``grade_course`` grades a course made by
``workbench assign``: each student against their own case, code also on the hidden cases, on
a process pool or a Dask cluster (:mod:`workbench.grading.pool`). In both, a crash in one
submission scores it 0 with the error and the batch goes on, and each grade is committed as
soon as it is computed, so a rerun skips what is already graded and continues where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from tqdm import tqdm

from workbench.assign import Course
from workbench.grading.grade import References, grade_file, references
from workbench.grading.pool import run_all
from workbench.grading.refcache import cached_references
from workbench.grading.report import GradeReport
from workbench.grading.sandbox import Limits
from workbench.grading.task import Task, feedback_page, grade_any, own_solution, run_task
from workbench.lab import Case, Lab
from workbench.store import Gradebook, course_database


def student_keys(paths: Sequence[Path]) -> list[str]:
    """One gradebook key per file: its name without suffix, or its folder's name when names
    collide (LMS bulk downloads put each student's ``solution.json`` in a folder of their own).
    """
    stems = [Path(p).stem for p in paths]
    repeated = {s for s, n in Counter(stems).items() if n > 1}
    keys = [Path(p).parent.name if s in repeated else s for p, s in zip(paths, stems, strict=True)]
    clashes = sorted(k for k, n in Counter(keys).items() if n > 1)
    if clashes:
        raise ValueError(f"several submissions would be stored under the same student "
                         f"{clashes[0]!r}; give one file per student or rename them")
    return keys


def file_digest(path: Path) -> str:
    """sha256 of a submission file ("" if it is not a readable file)."""
    try:
        with Path(path).open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return ""


def submission_digest(path: Path) -> str:
    """sha256 of a submission file, or of a folder's relative names and contents."""
    path = Path(path)
    if not path.is_dir():
        return file_digest(path)
    digest = hashlib.sha256()
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(item.relative_to(path).as_posix().encode() + b"\0")
        digest.update(file_digest(item).encode())
    return digest.hexdigest()


def grade_batch(lab: Lab, case: Case, paths: Sequence[str | Path], *,
                gradebook: Gradebook | None = None, resume: bool = False,
                feedback_dir: str | Path | None = None, refs: References | None = None,
                limits: Limits | None = None, progress: bool = True, lang: str = "en",
                ) -> list[tuple[str, GradeReport]]:
    """Grade every submission; return ``(student, report)`` pairs in the order given.

    Plan files are read as they are; code (.py, .ipynb, a zip or folder of it) runs in the
    sandbox under ``limits`` and its output file is graded. With ``resume`` and a gradebook,
    a submission whose student already has a grade for this very content, made by the same
    grader (:func:`grader_fingerprint`), is not graded again: the stored report is returned.
    """
    paths = [Path(p) for p in paths]
    keys = student_keys(paths)
    if refs is None:
        if progress:
            print(f"Solving the baseline and reference of case {case.case_id}…", file=sys.stderr)
        refs = references(lab, case)
    grader = grader_fingerprint(lab, limits=limits)
    graded = []
    for student, path in tqdm(list(zip(keys, paths, strict=True)), desc="grading", unit="file",
                              file=sys.stderr, disable=not progress):
        digest = submission_digest(path)
        stored = (gradebook.graded_file(lab.slug, case.case_id, student, digest)
                  if gradebook is not None and resume and digest else None)
        if stored is not None and stored.grader == grader:
            graded.append((student, stored.report))
            if feedback_dir is not None:  # the page is asked for: write it, grade stands
                feedback_page(lab, case, stored.report,
                              own_solution(lab, case, path, refs, limits), refs,
                              Path(feedback_dir) / f"{student}.html", lang=lang)
            continue
        report, solution = _grade_one(lab, case, path, refs, limits, feedback_dir is not None)
        if gradebook is not None:
            gradebook.record(report, student=student, digest=digest, grader=grader)
        if feedback_dir is not None:
            feedback_page(lab, case, report, solution, refs,
                          Path(feedback_dir) / f"{student}.html", lang=lang)
        graded.append((student, report))
    return graded


def _grade_one(lab: Lab, case: Case, path: Path, refs: References, limits: Limits | None,
               want_solution: bool) -> tuple[GradeReport, Any]:
    if path.is_file() and path.suffix.lower() in lab.submission_suffixes:
        report = grade_file(lab, case, path, refs=refs)
        return report, (lab.read_submission(path) if report.valid and want_solution else None)
    return grade_any(lab, case, path, lambda _: refs, limits=limits)


# --- a course: every student graded against their own case (see workbench.assign) ---------

_SKIPPED = ("__MACOSX", "__pycache__", "Thumbs.db", "desktop.ini")
# Modules whose changes cannot change a grade: a fix there does not force a regrade.
_NOT_GRADING = {"batch.py", "check.py", "exports.py", "feedback.py", "pool.py",
                "page.py", "plots.py", "i18n.py"}


def find_submissions(folder: str | Path, students: Iterable[str],
                     ) -> tuple[dict[str, Path], list[str]]:
    """``{student: submission}`` and the names in ``folder`` that match no student.

    A student's submission is a file named by their id (``s01.json``, ``s01.py``,
    ``s01.zip``…) or a folder named by it; a folder holding a single file stands for that file
    (LMS bulk downloads put each upload in a folder of its own).
    """
    folder, known = Path(folder), set(students)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder of submissions (one file, folder or zip "
                         "per student, named by student id)")
    found: dict[str, Path] = {}
    unknown: list[str] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name in _SKIPPED:
            continue
        student = entry.name if entry.is_dir() else entry.stem
        if student not in known:
            unknown.append(entry.name)
        elif student in found:
            raise ValueError(f"{folder}: two submissions for student {student!r} "
                             f"({found[student].name} and {entry.name}); keep one")
        else:
            found[student] = _unwrap(entry)
    return found, unknown


def _unwrap(entry: Path) -> Path:
    if not entry.is_dir() or entry.is_symlink():
        return entry
    inside = [p for p in entry.iterdir() if not p.name.startswith(".") and p.name not in _SKIPPED]
    return inside[0] if len(inside) == 1 and inside[0].is_file() else entry


def grader_fingerprint(lab: Lab, *, hidden: Sequence[str] = (), limits: Limits | None = None,
                       require_code: bool = False) -> str:
    """A short hash of everything a grade depends on: the grading and sandbox code, the lab's
    code, the hidden cases, the weighting and the sandbox limits. A stored grade computed by
    another fingerprint is stale and a rerun grades it again."""
    from workbench.grading import task as task_module

    digest = hashlib.sha256()
    module = sys.modules[type(lab).__module__]
    lab_root = Path(module.__file__ or ".")
    lab_files = sorted(lab_root.parent.rglob("*.py")) if lab_root.name == "__init__.py" \
        else [lab_root]
    exercise = Path(__file__).parents[1] / "exercise.py"  # the step checking machinery
    for path in sorted(Path(__file__).parent.glob("*.py")) + [exercise] + lab_files:
        if path.name not in _NOT_GRADING:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    config = {"lab": lab.slug, "hidden": list(hidden), "own_weight": task_module.OWN_WEIGHT,
              "limits": asdict(limits) if limits else None}
    if require_code:
        config["require_code"] = True
    digest.update(json.dumps(config, sort_keys=True).encode())
    return digest.hexdigest()[:16]


@dataclass
class CourseGrades:
    """The outcome of grading a course's submissions, by student (roster order)."""

    graded: list[tuple[str, GradeReport]] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        rate = f", {60 * len(self.new) / self.seconds:.1f} students/min" \
            if self.new and self.seconds else ""
        parts = [f"{len(self.graded)} graded ({len(self.new)} now in {self.seconds:.1f} s"
                 f"{rate}, {len(self.resumed)} already in the gradebook)",
                 f"{len(self.failed)} failed", f"{len(self.missing)} without a submission"]
        if self.unknown:
            parts.append(f"{len(self.unknown)} not on the roster ({', '.join(self.unknown[:5])})")
        return ", ".join(parts)


def grade_course(lab: Lab, course: str | Path, submissions: str | Path, *, workers: int = 1,
                 dask: str | None = None, regrade: bool = False, limits: Limits | None = None,
                 feedback_dir: str | Path | None = None, db: str | Path | None = None,
                 progress: bool = True, lang: str = "en") -> CourseGrades:
    """Grade every student's submission in ``submissions`` against their own case of
    ``course`` and store each grade in the course gradebook as soon as it is computed.

    Unless ``regrade``, a student whose file (same digest) was graded before by the same
    :func:`grader_fingerprint` is not graded again (a rerun after a crash resumes). Each grade
    is an attempt of the student: the grade that counts follows
    :data:`workbench.store.COUNTING_RULE` (a browser upload may count instead).
    ``db`` replaces the course's database (a path or a SQLAlchemy URL; default
    ``WORKBENCH_DB`` or ``COURSE/gradebook.sqlite``); ``feedback_dir`` gets one HTML page per
    graded student, those graded before included (their stored grade is not recomputed; their
    solution is read, or their code run on their own case, again to draw it), in ``lang``. Every path a task carries is absolute (Dask workers run elsewhere).
    On Dask, :class:`~workbench.grading.pool.NoWorkers` stops the batch when no worker is
    left; what was graded until then is stored and a rerun resumes.
    """
    course = Course(Path(course).resolve())
    roster = course.assignment(lab.slug)["students"]
    found, unknown = find_submissions(submissions, roster)
    hidden = course.hidden_cases(lab.slug)
    ids = [c.case_id for c in hidden]
    grader = grader_fingerprint(lab, hidden=ids, limits=limits,
                                require_code=bool(course.assignment(lab.slug)
                                                  .get("require_code", False)))
    refs_key = grader_fingerprint(lab, hidden=ids)  # sandbox limits never change a reference
    result = CourseGrades(missing=[s for s in roster if s not in found], unknown=unknown)
    reports: dict[str, GradeReport] = {}
    with Gradebook(db or course_database(course.gradebook_path)) as book:
        tasks, digests = [], {}
        for student, path in found.items():
            digest = submission_digest(path)
            stored = book.graded_file(lab.slug, roster[student]["case_id"], student, digest)
            if not regrade and stored is not None and stored.grader == grader:
                reports[student] = stored.report
                result.resumed.append(student)
                if feedback_dir is not None:  # the page is asked for: write it, grade stands
                    tasks.append(replace(
                        _task(lab, course, student, path, hidden, refs_key, limits,
                              feedback_dir, lang),
                        stored_report=stored.report.to_dict()))
                continue
            digests[student] = digest
            tasks.append(_task(lab, course, student, path, hidden, refs_key, limits,
                               feedback_dir, lang))
        if tasks:  # solve the shared hidden cases once, before the workers all need them
            for case in hidden:
                cached_references(lab, case, course.refs_dir(lab.slug), grader=refs_key)
        fn = run_task if (workers > 1 or dask) else partial(run_task, lab=lab)
        start = time.perf_counter()
        outcomes = run_all(fn, tasks, workers=workers, dask=dask)
        for task, done, error in tqdm(outcomes, total=len(tasks), desc="grading",
                                      unit="student", file=sys.stderr, disable=not progress):
            if error is not None:
                result.failed[task.student] = f"{type(error).__name__}: {error}"
                continue
            if task.stored_report is not None:  # a feedback page only; nothing new graded
                continue
            # the file's name as handed in, never a path of this machine
            report = replace(GradeReport.from_dict(done["report"]),
                             submission=found[task.student].name)
            book.record(report, student=task.student, digest=digests[task.student],
                        grader=grader)
            reports[task.student] = report
            result.new.append(task.student)
        result.seconds = time.perf_counter() - start
    result.graded = [(s, reports[s]) for s in roster if s in reports]
    return result


def _task(lab: Lab, course: Course, student: str, path: Path, hidden: list[Case],
          refs_key: str, limits: Limits | None, feedback_dir: str | Path | None,
          lang: str = "en") -> Task:
    page = Path(feedback_dir).resolve() / f"{student}.html" if feedback_dir else None
    return Task(lab=lab.slug, student=student, submission=str(path.resolve()),
                case=str(course.case_dir(lab.slug, student).resolve()),
                hidden=tuple(str(c.root.resolve()) for c in hidden),
                refs=str(course.refs_dir(lab.slug).resolve()),
                refs_key=refs_key, limits=limits, feedback=str(page) if page else None,
                require_code=bool(course.assignment(lab.slug).get("require_code", False)),
                lang=lang)
