"""Score a solution against the case's baseline and reference, the same way for every lab.

Per metric with weight > 0, the fraction of the way from the baseline to the reference is
``(student − baseline) / (reference − baseline)`` (sign-flipped for lower-is-better metrics),
clipped at 0 and capped at ``1 + BONUS_CAP``. ``BONUS_CAP = 0.2``: beating the reference earns
at most a 20 % bonus per criterion, so a score may exceed ``max_score`` (the sum of weights).
If the reference does not improve on the baseline on a criterion (equal, or worse because it
trades that metric for another), the criterion is full when the student is at least as good as
the reference, else 0: the reference always earns full marks. Problems whose ``affects`` names a metric zero that criterion; ``affects=None`` voids the
whole submission. Non-finite metric values count as 0 with a reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.grading.report import Criterion, GradeReport
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


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def grade(lab: Lab, case: Case, solution: Any, *, refs: References | None = None,
          submission: str = "") -> GradeReport:
    """Grade a solution object. Never raises for a bad solution: it scores 0 with reasons."""
    refs = refs or references(lab, case)
    try:
        problems = list(lab.validate(case, solution))
    except Exception as exc:  # a lab's validator must not crash a batch on odd input
        return invalid_report(lab, case, refs, submission, [_crash("checked", exc)])
    if any(p.affects is None for p in problems):
        return invalid_report(lab, case, refs, submission, [str(p) for p in problems])
    try:
        metrics = _floats(lab.evaluate(case, solution))
    except Exception as exc:
        return invalid_report(lab, case, refs, submission,
                              [str(p) for p in problems] + [_crash("evaluated", exc)])
    criteria = [_criterion(m, metrics, refs, problems) for m in lab.metrics if m.weight > 0]
    return _report(lab, case, refs, submission, valid=True, criteria=criteria,
                   problems=[str(p) for p in problems], metrics=metrics)


def grade_file(lab: Lab, case: Case, path: str | Path, *, refs: References | None = None,
               ) -> GradeReport:
    """Read a submission file and grade it; an unreadable file scores 0 with every problem."""
    refs = refs or references(lab, case)
    try:
        solution = lab.read_submission(Path(path))
    except SubmissionError as exc:
        return invalid_report(lab, case, refs, str(path), [str(p) for p in exc.problems])
    except Exception as exc:
        return invalid_report(lab, case, refs, str(path), [_crash("read", exc, path)])
    return grade(lab, case, solution, refs=refs, submission=str(path))


def _crash(verb: str, exc: Exception, path: str | Path | None = None) -> str:
    where = f"{path}: " if path else ""
    return (f"{where}the submission could not be {verb} ({type(exc).__name__}: {exc}); "
            "check it against the lab's file format.")


def _criterion(metric: Metric, metrics: dict[str, float], refs: References,
               problems: list[Problem]) -> Criterion:
    blocking = [p for p in problems if p.affects is not None and metric.name in p.affects]
    if blocking:
        return Criterion(metric.name, metric.title, 0.0, metric.weight,
                         "Not credited: " + "; ".join(str(p) for p in blocking))
    if metric.name not in metrics:
        return Criterion(metric.name, metric.title, 0.0, metric.weight,
                         "Not credited: the lab reported no value for this metric.")
    fraction, message = criterion_fraction(
        metric, metrics[metric.name], refs.baseline_metrics.get(metric.name, math.nan),
        refs.reference_metrics.get(metric.name, math.nan))
    return Criterion(metric.name, metric.title, metric.weight * fraction, metric.weight, message)


def invalid_report(lab: Lab, case: Case, refs: References, submission: str,
                   problems: list[str]) -> GradeReport:
    """A valid=False report scored 0, every criterion explained by the problems."""
    problems = problems or ["the submission is not valid"]
    criteria = [Criterion(m.name, m.title, 0.0, m.weight,
                          "Not credited: the submission is not valid (see problems).")
                for m in lab.metrics if m.weight > 0]
    return _report(lab, case, refs, submission, valid=False, criteria=criteria,
                   problems=problems, metrics={})


def _report(lab: Lab, case: Case, refs: References, submission: str, *, valid: bool,
            criteria: list[Criterion], problems: list[str], metrics: dict[str, float],
            ) -> GradeReport:
    return GradeReport(
        lab=lab.slug, case_id=case.case_id, submission=submission, valid=valid,
        score=sum(c.points for c in criteria),
        max_score=float(sum(m.weight for m in lab.metrics)),
        criteria=criteria, problems=problems, metrics=metrics,
        baseline_metrics=dict(refs.baseline_metrics),
        reference_metrics=dict(refs.reference_metrics),
        graded_at=datetime.now(UTC).isoformat(timespec="seconds"))
