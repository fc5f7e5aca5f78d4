"""Grade one student's submission against their own case: the unit of work of a batch.

A **data** submission (a plan file, or a zip/folder holding exactly one) is read and scored on
the student's case. A **code** submission runs in the sandbox on the student's case *and* on
the course's fresh hidden cases; each run only produces files (the entry's output and the
values of the lab's exercise steps), which this (trusted) process reads, validates and scores:
the steps' public and hidden checks run here, on the student's case with its key and on the
hidden cases. The grade of code is ``OWN_WEIGHT`` (50 %) of the score on the
student's own case plus 50 % of the mean score on the hidden cases, per criterion, so a
hard-coded answer earns nothing on the hidden half.

:func:`run_task` never raises because of what a student handed in: that becomes a scored-zero
report with the reason. A fault of the course itself (a missing case folder, a lab that cannot
solve its reference) raises, and the batch lists the student as failed, to retry. It takes and
returns plain data, so a process pool or a Dask cluster can run it.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from workbench.grading.check import other_case
from workbench.grading.grade import References, grade_file, invalid_report
from workbench.grading.intake import IntakeError, classify
from workbench.grading.refcache import cached_references
from workbench.grading.report import Criterion, GradeReport
from workbench.grading.sandbox import Limits, run_submission_steps
from workbench.grading.steps import grade_steps
from workbench.i18n import N_
from workbench.lab import Case, Lab

OWN_WEIGHT = 0.5  # share of a code submission's grade earned on the student's own case


@dataclass(frozen=True)
class Task:
    """Everything a worker needs to grade one student (paths as strings: plain data)."""

    lab: str
    student: str
    submission: str
    case: str
    hidden: tuple[str, ...]
    refs: str  # the course's cache of baseline/reference results
    refs_key: str  # grader fingerprint the cached results must carry (see refcache)
    limits: Limits | None = None
    feedback: str | None = None
    require_code: bool = False  # the assignment grades code only (see workbench.assign)
    lang: str = "en"  # language of the feedback page
    # Set for a student graded before: only their feedback page is written, for this report
    # (the stored grade stands; nothing is graded or recorded again).
    stored_report: dict[str, Any] | None = None


def run_task(task: Task, lab: Lab | None = None) -> dict[str, Any]:
    """``{"student", "report" (dict), "seconds"}``; ``lab`` defaults to the registered one."""
    start = time.perf_counter()
    if lab is None:
        from workbench import registry

        lab = registry.get_lab(task.lab)
    case = Case.load(task.case, task.lab)
    refs = cached_references(lab, case, task.refs, grader=task.refs_key)
    if task.stored_report is not None:
        report = GradeReport.from_dict(task.stored_report)
        if task.feedback:
            solution = own_solution(lab, case, Path(task.submission), refs, task.limits)
            feedback_page(lab, case, report, solution, refs, Path(task.feedback), lang=task.lang)
        return {"student": task.student, "report": task.stored_report,
                "seconds": round(time.perf_counter() - start, 3), "feedback_only": True}
    try:
        report, solution = grade_submission(lab, task, case)
    except Exception as exc:  # a grader bug scores 0 with the error, never stops the batch
        report, solution = invalid_report(lab, case, refs, task.submission, [
            f"{task.submission}: the grader failed on this submission ({type(exc).__name__}: "
            f"{exc}); tell the instructor"]), None
    if task.feedback:
        feedback_page(lab, case, report, solution, refs, Path(task.feedback), lang=task.lang)
    return {"student": task.student, "report": report.to_dict(),
            "seconds": round(time.perf_counter() - start, 3)}


def grade_submission(lab: Lab, task: Task, case: Case) -> tuple[GradeReport, Any]:
    """The student's report and their solution on their own case (``None`` if unreadable)."""
    def refs_of(c: Case) -> References:
        return cached_references(lab, c, task.refs, grader=task.refs_key)

    hidden = [Case.load(root, task.lab) for root in task.hidden]
    return grade_any(lab, case, Path(task.submission), refs_of, hidden=hidden,
                     limits=task.limits, require_code=task.require_code)


def grade_any(lab: Lab, case: Case, source: Path, refs_of: Callable[[Case], References], *,
              hidden: Sequence[Case] = (), limits: Limits | None = None, lang: str = "en",
              require_code: bool = False) -> tuple[GradeReport, Any]:
    """Grade data or code ``source`` on ``case`` (code also on ``hidden``, see
    :func:`combine`); return the report and the solution on ``case`` (``None`` if none).
    With ``require_code`` a data file scores 0 with the reason."""
    with tempfile.TemporaryDirectory(prefix="workbench-intake-") as tmp:
        try:
            intake = classify(source, data_suffixes=tuple(lab.submission_suffixes),
                              dest=Path(tmp))
        except IntakeError as exc:
            return invalid_report(lab, case, refs_of(case), str(source), [str(exc)]), None
        if intake.kind == "data" and require_code:
            return invalid_report(lab, case, refs_of(case), str(source), [
                f"{source.name}: " + N_("this assignment grades code only; hand in your notebook "
                                        "or .py file (a data file earns no points here)")]), None
        if intake.kind == "data":
            assert intake.data_file is not None
            other = other_case(lab, intake.data_file, case, against="graded")
            if other:
                return invalid_report(lab, case, refs_of(case), str(source), [other]), None
            return _score_file(lab, case, intake.data_file, source, refs_of(case), source.name)
    own, solution = run_code_on(lab, case, source, refs_of(case), limits, lang=lang)
    runs = [run_code_on(lab, other, source, refs_of(other), limits, lang=lang)[0]
            for other in hidden]
    return combine(own, runs), solution


def own_solution(lab: Lab, case: Case, source: Path, refs: References,
                 limits: Limits | None) -> Any:
    """The student's solution on their own case, for a feedback page: a data file is read
    (bounded, as when graded), code runs once more in the sandbox on that case only.
    ``None`` when there is none to draw."""
    with tempfile.TemporaryDirectory(prefix="workbench-intake-") as tmp:
        try:
            intake = classify(source, data_suffixes=tuple(lab.submission_suffixes),
                              dest=Path(tmp))
        except IntakeError:
            return None
        if intake.kind == "data":
            assert intake.data_file is not None
            return _score_file(lab, case, intake.data_file, source, refs, source.name)[1]
    return run_code_on(lab, case, source, refs, limits)[1]


def run_code_on(lab: Lab, case: Case, source: Path, refs: References, limits: Limits | None,
                *, lang: str = "en") -> tuple[GradeReport, Any]:
    """Run code ``source`` in the sandbox on ``case`` (with its key): its steps are checked,
    public and hidden checks, and its output file graded."""
    with tempfile.TemporaryDirectory(prefix="workbench-run-") as tmp:
        run = run_submission_steps(lab, source, case.public, limits=limits, workdir=Path(tmp))
        steps = grade_steps(lab, case, run.files, with_key=True, lang=lang,
                            why_not_run=run.reasons[0] if run.reasons and not run.ran else "")
        if run.output is None:
            reasons = run.reasons or [N_("Your code wrote no {output}; nothing was graded.")
                                      .format(output=lab.code_entry.output)]
            return invalid_report(lab, case, refs, str(source), reasons, steps=steps), None
        report, solution = _score_file(lab, case, run.output, source, refs,
                                       N_("{file} (written by your code)").format(
                                           file=lab.code_entry.output),
                                       steps=steps)
    report.problems.extend(run.reasons)
    return report, solution


def _score_file(lab: Lab, case: Case, path: Path, source: Path, refs: References, shown: str,
                *, steps: list | None = None) -> tuple[GradeReport, Any]:
    """Grade ``path`` as the submission ``source``; problems name it ``shown``, not the path
    of a temporary folder (a grade must not depend on where it was computed)."""
    report = grade_file(lab, case, path, refs=refs, steps=steps)
    report = replace(report, submission=str(source),
                     problems=[p.replace(str(path), shown) for p in report.problems])
    solution = None
    if report.valid:
        try:
            solution = lab.read_submission(path)
        except Exception:  # only for the feedback page; the grade stands
            solution = None
    return report, solution


def combine(own: GradeReport, hidden: list[GradeReport]) -> GradeReport:
    """One report: ``OWN_WEIGHT`` of each own-case criterion, the rest from the mean of the
    same criterion over the hidden cases (marked ``hidden``)."""
    if not hidden:
        return own
    share = 1.0 - OWN_WEIGHT
    criteria = [replace(c, label=f"Your case: {c.label}", points=c.points * OWN_WEIGHT,
                        max_points=c.max_points * OWN_WEIGHT) for c in own.criteria]
    for c in own.criteria:
        runs = [next((h for h in r.criteria if h.name == c.name), None) for r in hidden]
        fractions = [h.points / h.max_points if h and h.max_points else 0.0 for h in runs]
        mean = sum(fractions) / len(fractions)
        shown = ", ".join(f"{f:.0%}" for f in fractions)
        criteria.append(Criterion(
            f"hidden_{c.name}", N_("Fresh cases: {label}").format(label=c.label),
            c.max_points * share * mean, c.max_points * share,
            N_("Your code on {n} fresh case(s) of this lab earned {shares} of this criterion "
               "(mean {mean:.0%}).").format(n=len(hidden), shares=shown, mean=mean),
            hidden=True))
    problems = list(own.problems)
    for k, r in enumerate(hidden, start=1):
        problems += [N_("Fresh case {k}").format(k=k) + f": {p}" for p in r.problems]
    return replace(own, criteria=criteria, problems=problems,
                   score=sum(c.points for c in criteria))


def feedback_page(lab: Lab, case: Case, report: GradeReport, solution: Any, refs: References,
                  path: Path, *, lang: str = "en") -> None:
    """Write the student's HTML feedback page (their solution next to the baseline and
    reference, when it could be read)."""
    # Imported here: feedback pages pull in the app's translations, which import this module.
    from workbench.grading.feedback import write_feedback

    solutions = {"baseline": refs.baseline_solution, "reference": refs.reference_solution}
    if solution is not None:
        solutions = {"you": solution, **solutions}
    tmp = path.with_name(f".{path.name}.tmp")
    write_feedback(lab, case, report, solutions, tmp, lang=lang)
    shutil.move(tmp, path)  # a page is either complete or absent
