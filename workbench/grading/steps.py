"""Grade a lab's exercise steps from the files a sandboxed run wrote (trusted side).

The sandbox's bootstrap (``runner.py``) calls each step function and writes its value to
``out/steps/<id>.<json|csv|txt>`` plus a status file; :func:`grade_steps` reads those files
back with bounds, runs the public checks (and, with the answer key, the hidden ones) in this
process and returns one :class:`~workbench.exercise.StepReport` per step. Nothing the student
wrote can make it raise: an odd file is a failed step with a sentence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from workbench.exercise import (
    ERROR,
    NEEDS_CODE,
    NOT_DONE,
    NOT_RUN,
    SKIPPED,
    CheckContext,
    Step,
    StepReport,
    decode_value,
    lab_steps,
    missing_function_report,
    step_report,
    unrun_report,
)
from workbench.grading.bounded import run_bounded
from workbench.grading.report import Criterion, GradeReport
from workbench.grading.runner import STATUS_FILE, STEPS_DIR, SUFFIXES
from workbench.lab import CASE_FILE, Case

MAX_STATUS_BYTES = 2**20


def read_status(files: Mapping[str, Path]) -> dict[str, Any]:
    """The run's status file (``{}`` when absent or not a JSON object)."""
    path = files.get(f"{STEPS_DIR}/{STATUS_FILE}")
    if path is None or not path.is_file() or path.stat().st_size > MAX_STATUS_BYTES:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def grade_steps(
    lab: Any,
    case: Case,
    files: Mapping[str, Path],
    *,
    with_key: bool,
    lang: str = "en",
    why_not_run: str = "",
) -> list[StepReport]:
    """One report per step of ``lab`` from a run's step files. ``with_key`` runs the hidden
    checks too (``case`` must then hold ``private/``)."""
    steps = lab_steps(lab)
    status = read_status(files)
    info = _info(case.public)
    outputs: dict[str, Any] = {}
    unreadable: dict[str, str] = {}
    for step in steps:
        entry = status.get(step.id)
        if not isinstance(entry, dict) or entry.get("status") != "ok":
            continue
        path = files.get(f"{STEPS_DIR}/{step.id}{SUFFIXES[step.output]}")
        meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
        try:
            if path is None:
                raise ValueError("its file did not come back (too big, or removed)")
            # an untrusted file written in the sandbox: decoded in a limited worker
            outputs[step.id] = run_bounded(
                decode_value, path.read_bytes(), step.output, meta, what=path.name
            )
        except Exception as exc:  # any odd file: the step fails with a reason
            unreadable[step.id] = str(exc)[:200]
    ctx = CheckContext(
        public=case.public, info=info, case=case if with_key else None, outputs=outputs, lang=lang
    )
    reports = []
    for step in steps:
        if step.id in outputs:
            reports.append(step_report(step, outputs[step.id], ctx, hidden=with_key))
            continue
        reports.append(
            _unrun(step, status.get(step.id), unreadable.get(step.id), why_not_run, lang)
        )
    return reports


def _unrun(
    step: Step, entry: Any, unreadable: str | None, why_not_run: str, lang: str
) -> StepReport:
    from workbench.i18n import language, t

    with language(lang):
        if unreadable is not None:
            return unrun_report(
                step,
                ERROR,
                t(
                    "the value of {function} could not be read back: {error}",
                    function=step.function,
                    error=unreadable,
                ),
                lang,
            )
        if not isinstance(entry, dict):
            return unrun_report(
                step,
                NOT_RUN,
                why_not_run or t("your code did not get to this step (see the problems above)"),
                lang,
            )
        state = entry.get("status")
        detail = str(entry.get("message", ""))[:300]
        if state == "skipped":
            return unrun_report(
                step,
                SKIPPED,
                t("skipped: needs step {step} first", step=str(entry.get("needs", "?"))[:60]),
                lang,
            )
        if state == "missing":
            return missing_function_report(step, lang)
        if state == "not_done":
            return unrun_report(
                step,
                NOT_DONE,
                t("not done yet: {function} raises NotImplementedError", function=step.function),
                lang,
            )
        if state == "timed_out":
            return unrun_report(
                step,
                ERROR,
                t(
                    "{function} was stopped after {seconds} s, half of the run's time; "
                    "the steps after it still ran",
                    function=step.function,
                    seconds=str(entry.get("seconds", "?"))[:10],
                ),
                lang,
            )
        if state == "unstorable":
            return unrun_report(
                step,
                ERROR,
                t(
                    "{function} returned something the grader cannot store: {error}",
                    function=step.function,
                    error=detail,
                ),
                lang,
            )
        line = entry.get("line")
        where = f" (line {line})" if isinstance(line, int) and not isinstance(line, bool) else ""
        return unrun_report(
            step,
            ERROR,
            t(
                "{function} stopped with an error: {error}",
                function=step.function,
                error=detail + where,
            ),
            lang,
        )


def needs_code(lab: Any, lang: str = "en") -> list[StepReport]:
    """Reports of a data submission: every step needs code."""
    from workbench.i18n import language, t

    with language(lang):
        message = t("the steps are graded on your code: hand in your notebook or .py file")
        return [unrun_report(s, NEEDS_CODE, message, lang) for s in lab_steps(lab)]


def step_criterion(report: StepReport) -> Criterion:
    """The rubric line of one step: its points and one message naming what failed."""
    return Criterion(
        f"step_{report.id}",
        f"Step: {report.title}",
        report.points,
        report.max_points,
        step_message(report),
    )


def step_message(report: StepReport) -> str:
    if report.message:
        return report.message
    failed = [r for r in report.results if not r.passed]
    total = len(report.results)
    if not failed:
        return f"all {total} checks passed"
    shown = "; ".join(f"{r.name}: {r.message}" if r.message else r.name for r in failed[:3])
    more = f" (and {len(failed) - 3} more)" if len(failed) > 3 else ""
    return f"{total - len(failed)} of {total} checks passed; failed: {shown}{more}"


def with_steps(report: GradeReport, steps: Sequence[StepReport]) -> GradeReport:
    """``report`` with one criterion per step added (points, max, detail in ``steps``)."""
    if not steps:
        return report
    criteria = list(report.criteria) + [step_criterion(s) for s in steps]
    return replace(
        report,
        criteria=criteria,
        score=sum(c.points for c in criteria),
        steps=[s.to_dict() for s in steps],
    )


def _info(public: Path) -> dict[str, Any]:
    try:
        data = json.loads((public / CASE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
