"""A student's self-check: is my submission valid, and which metrics may I see?

With the full case (``private/`` present, e.g. one the student generated to practise) the
result is the full grade report. With only the public part, the submission is read and
validated and the metrics the lab can compute without the answer key are shown; no score.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.grading.grade import grade_file
from workbench.grading.report import finite_or_none
from workbench.lab import Case, Lab, SubmissionError

NEEDS_KEY = "the metrics need the answer key; the instructor's grader computes them"


def self_check(lab: Lab, case: Case, path: str | Path) -> dict[str, Any]:
    """``{"submission", "valid", "problems", "metrics", ...}`` as plain JSON types; never
    raises for a bad submission. Includes ``score``/``max_score`` only with the answer key."""
    path = Path(path)
    if case.private is not None:
        return grade_file(lab, case, path).to_dict()
    result: dict[str, Any] = {"submission": str(path), "valid": False, "problems": [],
                              "metrics": {}, "note": ""}
    try:
        solution = lab.read_submission(path)
        problems = lab.validate(case, solution)
    except SubmissionError as exc:
        result["problems"] = [str(p) for p in exc.problems]
        return result
    except Exception as exc:  # a student's odd file must get an answer, not a traceback
        result["problems"] = [f"{path}: the submission could not be read "
                              f"({type(exc).__name__}: {exc})"]
        return result
    result["problems"] = [str(p) for p in problems]
    result["valid"] = not any(p.affects is None for p in problems)
    if result["valid"]:
        try:
            metrics = lab.evaluate(case, solution)
            result["metrics"] = {k: finite_or_none(v) for k, v in metrics.items()}
        except Exception:  # public cases lack the answer key that some metrics need
            result["note"] = NEEDS_KEY
    return result
