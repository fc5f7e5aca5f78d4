"""Score a solution against the case's baseline and reference, the same way for every lab.

Per metric with weight > 0, the fraction of the way from the baseline to the reference is
``(student − baseline) / (reference − baseline)`` (sign-flipped for lower-is-better metrics),
clipped at 0 and capped at ``1 + BONUS_CAP``. ``BONUS_CAP = 0.2``: beating the reference earns
at most a 20 % bonus per criterion, so a score may exceed ``max_score`` (the sum of weights).
If the reference does not improve on the baseline on a criterion (equal, or worse because it
trades that metric for another), the criterion is full when the student is at least as good as
the reference, else 0: the reference always earns full marks. Problems whose ``affects`` names a metric zero that criterion; ``affects=None`` voids the
whole submission. Non-finite metric values count as 0 with a reason.

A lab with exercise steps (``lab.steps``) splits the grade: the metric criteria are rescaled
to its ``outcome_points`` and each step is one more criterion (graded on code only; see
:mod:`workbench.grading.steps`). A data file earns the outcome points only, and its report
says that the steps need code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.exercise import StepReport, lab_steps, outcome_points, step_points
from workbench.grading.report import Criterion, GradeReport
from workbench.i18n import N_
from workbench.lab import Case, Lab, Metric, Problem, SubmissionError

BONUS_CAP = 0.2


@dataclass(frozen=True)
class References:
    """Metrics of the case's baseline, reference and sensitivity baselines (and the solutions,
    for feedback figures)."""

    baseline_metrics: dict[str, float]
    reference_metrics: dict[str, float]
    sensitivity_metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    baseline_solution: Any = None
    reference_solution: Any = None


_REFERENCES: dict[tuple[str, str, str], References] = {}


def references(lab: Lab, case: Case) -> References:
    """Solve and evaluate the baseline, reference and sensitivity baselines of ``case``.

    Memoised per (lab, case folder, case id) in this process: the reference solve may take
    a while, and a case regenerated in the same folder gets a new id.
    """
    key = (lab.slug, str(Path(case.root).resolve()), case.case_id)
    if key not in _REFERENCES:
        base, ref = lab.baseline(case), lab.reference(case)
        sensitivity = {name: _floats(lab.evaluate(case, sol))
                       for name, sol in lab.sensitivity_baselines(case).items()}
        _REFERENCES[key] = References(_floats(lab.evaluate(case, base)),
                                      _floats(lab.evaluate(case, ref)), sensitivity, base, ref)
    return _REFERENCES[key]


def _floats(metrics: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in metrics.items()}


def criterion_fraction(metric: Metric, value: float, baseline: float, reference: float,
                       ) -> tuple[float, str]:
    """Fraction of the criterion earned by ``value`` and a sentence explaining it."""
    if not math.isfinite(value):
        return 0.0, f"Not credited: your {metric.title} is not a finite number."
    if not (math.isfinite(baseline) and math.isfinite(reference)):
        return 0.0, (f"Not credited: the baseline or reference {metric.title} is not a finite "
                     "number on this case; ask the instructor.")
    sign = 1.0 if metric.higher_is_better else -1.0
    where = f"{_fmt(value)} {metric.unit}".strip()
    against = f"baseline {_fmt(baseline)}, reference {_fmt(reference)}"
    if sign * (reference - baseline) <= 0:
        # The reference does not improve on the baseline here (it trades this metric for
        # another): the scale has no length, so matching the reference earns the criterion.
        full = sign * (value - reference) >= 0
        return (1.0 if full else 0.0), (
            f"{where} ({against}): {'at least as good as' if full else 'worse than'} the "
            "reference, which does not improve on the baseline on this case.")
    low, high = baseline, reference
    fraction = (value - low) / (high - low)
    if fraction <= 0:
        return 0.0, f"{where} ({against}): no better than the baseline."
    if fraction > 1 + BONUS_CAP:
        return 1 + BONUS_CAP, (f"{where} ({against}): beyond the reference; the bonus is capped "
                               f"at {BONUS_CAP:.0%}.")
    return fraction, f"{where} ({against}): {fraction:.0%} of the way from baseline to reference."


def max_points(lab: Lab) -> float:
    """The grade's maximum: outcome points plus step points (without steps: the weights)."""
    if not lab_steps(lab):
        return float(sum(m.weight for m in lab.metrics))
    return outcome_points(lab) + step_points(lab)


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def grade(lab: Lab, case: Case, solution: Any, *, refs: References | None = None,
          submission: str = "", steps: list[StepReport] | None = None) -> GradeReport:
    """Grade a solution object. Never raises for a bad solution: it scores 0 with reasons.

    ``steps``: the step reports of a code submission; ``None`` (a data file) gives every step
    of the lab 0 points with "needs code"."""
    from workbench.grading.steps import with_steps

    refs = refs or references(lab, case)
    steps = _steps_or_needs_code(lab, steps)
    try:
        problems = list(lab.validate(case, solution))
    except Exception as exc:  # a lab's validator must not crash a batch on odd input
        return invalid_report(lab, case, refs, submission, [_crash("checked", exc)],
                              steps=steps)
    if any(p.affects is None for p in problems):
        return invalid_report(lab, case, refs, submission, [str(p) for p in problems],
                              steps=steps)
    try:
        metrics = _floats(lab.evaluate(case, solution))
    except Exception as exc:
        return invalid_report(lab, case, refs, submission,
                              [str(p) for p in problems] + [_crash("evaluated", exc)],
                              steps=steps)
    scale = outcome_scale(lab)
    criteria = [_criterion(m, metrics, refs, problems, scale)
                for m in lab.metrics if m.weight > 0]
    return with_steps(_report(lab, case, refs, submission, valid=True, criteria=criteria,
                              problems=[str(p) for p in problems], metrics=metrics), steps)


def _steps_or_needs_code(lab: Lab, steps: list[StepReport] | None) -> list[StepReport]:
    if steps is not None:
        return steps
    from workbench.grading.steps import needs_code

    return needs_code(lab)


def outcome_scale(lab: Lab) -> float:
    """Factor from metric weights to outcome points (1 for a lab without steps)."""
    weights = sum(m.weight for m in lab.metrics if m.weight > 0)
    return outcome_points(lab) / weights if weights else 0.0


def grade_file(lab: Lab, case: Case, path: str | Path, *, refs: References | None = None,
               steps: list[StepReport] | None = None) -> GradeReport:
    """Read a submission file and grade it; an unreadable file scores 0 with every problem
    (``steps`` as in :func:`grade`)."""
    refs = refs or references(lab, case)
    try:
        solution = lab.read_submission(Path(path))
    except SubmissionError as exc:
        return invalid_report(lab, case, refs, str(path), [str(p) for p in exc.problems],
                              steps=_steps_or_needs_code(lab, steps))
    except Exception as exc:
        return invalid_report(lab, case, refs, str(path), [_crash("read", exc, path)],
                              steps=_steps_or_needs_code(lab, steps))
    return grade(lab, case, solution, refs=refs, submission=str(path), steps=steps)


CRASHES = {  # a catalogue template per stage, so the sentence is shown in the reader's language
    "checked": N_("the submission could not be checked ({error}); check it against the lab's "
                  "file format."),
    "evaluated": N_("the submission could not be evaluated ({error}); check it against the "
                    "lab's file format."),
    "read": N_("the submission could not be read ({error}); check it against the lab's file "
               "format."),
}


def _crash(verb: str, exc: Exception, path: str | Path | None = None) -> str:
    where = f"{path}: " if path else ""
    return where + CRASHES[verb].format(error=f"{type(exc).__name__}: {exc}")


def _criterion(metric: Metric, metrics: dict[str, float], refs: References,
               problems: list[Problem], scale: float = 1.0) -> Criterion:
    full = metric.weight * scale
    blocking = [p for p in problems if p.affects is not None and metric.name in p.affects]
    if blocking:
        return Criterion(metric.name, metric.title, 0.0, full,
                         "Not credited: " + "; ".join(str(p) for p in blocking))
    if metric.name not in metrics:
        return Criterion(metric.name, metric.title, 0.0, full,
                         "Not credited: the lab reported no value for this metric.")
    fraction, message = criterion_fraction(
        metric, metrics[metric.name], refs.baseline_metrics.get(metric.name, math.nan),
        refs.reference_metrics.get(metric.name, math.nan))
    return Criterion(metric.name, metric.title, full * fraction, full, message)


def invalid_report(lab: Lab, case: Case, refs: References, submission: str,
                   problems: list[str], *, steps: list[StepReport] | None = None,
                   ) -> GradeReport:
    """A valid=False report: the outcome scores 0, every criterion explained by the problems;
    ``steps`` (a code submission's step reports) keep their points."""
    from workbench.grading.steps import with_steps

    problems = problems or ["the submission is not valid"]
    scale = outcome_scale(lab)
    criteria = [Criterion(m.name, m.title, 0.0, m.weight * scale,
                          "Not credited: the submission is not valid (see problems).")
                for m in lab.metrics if m.weight > 0]
    report = _report(lab, case, refs, submission, valid=False, criteria=criteria,
                     problems=problems, metrics={})
    return with_steps(report, _steps_or_needs_code(lab, steps))


def _report(lab: Lab, case: Case, refs: References, submission: str, *, valid: bool,
            criteria: list[Criterion], problems: list[str], metrics: dict[str, float],
            ) -> GradeReport:
    return GradeReport(
        lab=lab.slug, case_id=case.case_id, submission=submission, valid=valid,
        score=sum(c.points for c in criteria),
        max_score=max_points(lab),
        criteria=criteria, problems=problems, metrics=metrics,
        baseline_metrics=dict(refs.baseline_metrics),
        reference_metrics=dict(refs.reference_metrics),
        graded_at=datetime.now(UTC).isoformat(timespec="seconds"))
