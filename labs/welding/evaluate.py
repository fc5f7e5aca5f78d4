"""Validate a submission against a case and compute its metrics (pure; reads the answer key).

Predictions are scored on the held-out boards' true defects (and against the Bayes-optimal
ranking by the hidden probabilities); the diagnosis against the fault that was simulated; the
fix by re-running the same batch with its actions: the exact expected defect rate, and the
cost per good board with the defect rate as a cap (a fix that leaves the batch above
``DEFECT_TARGET`` is credited with no saving, however cheap it is).
"""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, matthews_corrcoef, roc_auc_score, roc_curve

from labs.welding import physics as ph
from labs.welding.simulate import READINGS, SETPOINTS, Action, Outcome, run_batch
from labs.welding.submission import Submission
from workbench.i18n import N_
from workbench.lab import Case, Problem

PREDICTION_METRICS = ("pr_auc", "roc_auc", "mcc", "recall_at_5pct_false_alarm", "pr_auc_vs_bayes")
FIX_METRICS = ("expected_defect_rate", "fix_cost", "effective_fix_cost", "held_fraction",
               "throughput_loss")
DEFECT_TARGET = 0.012  # the case study's "about 1 %"
SUSPECTS = ("paste_lot", "operator", "product")
MAX_HELD_FRACTION = 0.10
MAX_THROUGHPUT_LOSS = 0.10
FALSE_ALARM_RATE = 0.05


@lru_cache(maxsize=64)
def outcome(seed: int, size: str, actions: tuple[Action, ...]) -> Outcome:
    return run_batch(seed, size, actions)


def answers(case: Case) -> pd.DataFrame:
    return pd.read_csv(case.private / "answers.csv", dtype={"serial": str})


def validate(case: Case, sub: Submission) -> list[Problem]:
    problems: list[Problem] = []
    wanted = set(pd.read_csv(case.public / "holdout.csv", dtype=str)["serial"])
    missing, unknown = wanted - set(sub.predictions), set(sub.predictions) - wanted
    if missing:
        problems.append(Problem(
            N_("{n} of {total} held-out boards have no prediction (first: {first}); predict "
               "every serial in holdout.csv"), "predictions", affects=PREDICTION_METRICS,
            params={"n": len(missing), "total": len(wanted),
                    "first": ", ".join(sorted(missing)[:3])}))
    if unknown:
        problems.append(Problem(
            N_("{n} serials are not held-out boards of this case (first: {first})"),
            "predictions", affects=PREDICTION_METRICS,
            params={"n": len(unknown), "first": ", ".join(sorted(unknown)[:3])}))
    causes = READINGS + SETPOINTS + ph.ZONES + SUSPECTS
    choices = {"line": ph.LINES, "shift": ph.SHIFTS, "variable": causes,
               "confounder": causes + ("none",)}
    for key, allowed in choices.items():
        if sub.diagnosis.get(key) not in allowed:
            problems.append(Problem(N_("{value!r} not understood; use one of {allowed}"),
                                    "diagnosis.{key}", affects=("diagnosis",),
                                    params={"value": sub.diagnosis.get(key), "key": key,
                                            "allowed": ", ".join(allowed)}))
    key = case.key()
    result = outcome(key["seed"], key["size"], tuple(sub.actions))
    if result.held_fraction > MAX_HELD_FRACTION:
        problems.append(Problem(
            N_("the actions hold {held:.0%} of all boards (budget {budget:.0%}); widen the "
               "interlock limits"), "actions", affects=FIX_METRICS,
            params={"held": result.held_fraction, "budget": MAX_HELD_FRACTION}))
    if result.throughput_loss > MAX_THROUGHPUT_LOSS:
        problems.append(Problem(
            N_("the actions cost {loss:.0%} of the line time (budget {budget:.0%}); hold "
               "fewer boards or run faster"), "actions", affects=FIX_METRICS,
            params={"loss": result.throughput_loss, "budget": MAX_THROUGHPUT_LOSS}))
    return problems


def prediction_metrics(truth: pd.DataFrame, predictions: dict[str, float]) -> dict[str, float]:
    y = truth["defect"].to_numpy()
    p = truth["serial"].map(predictions).fillna(0.0).to_numpy()
    k = int(y.sum())
    flagged = np.zeros_like(y)
    flagged[np.argsort(-p, kind="stable")[:k]] = 1  # flag as many boards as there are defects
    fpr, tpr, _ = roc_curve(y, p)
    bayes = average_precision_score(y, truth["p_true"])
    pr = average_precision_score(y, p)
    return {"pr_auc": pr, "roc_auc": roc_auc_score(y, p), "mcc": matthews_corrcoef(y, flagged),
            "recall_at_5pct_false_alarm": float(np.interp(FALSE_ALARM_RATE, fpr, tpr)),
            "bayes_pr_auc": bayes, "pr_auc_vs_bayes": pr / bayes,
            "holdout_defect_rate": float(y.mean())}


def _same(given: str, truth: str) -> bool:
    """A zone reading may be named by its zone (``z7`` for ``z7_pv``)."""
    return given == truth or (truth.endswith("_pv") and given == truth[:-3])


def diagnosis_score(case: Case, sub: Submission) -> float:
    """Share of the four fields named right: line, variable, shift, confounder."""
    truth = json.loads((case.private / "batch.json").read_text(encoding="utf-8"))["diagnosis"]
    given = {k: str(v).strip().lower() for k, v in sub.diagnosis.items()}
    return sum(_same(given.get(k, ""), v.lower()) for k, v in truth.items()) / len(truth)


def effective_cost(fixed: Outcome, asis: Outcome) -> float:
    """Cost per good board with the defect rate as a cap: a fix that leaves the batch above
    the target is credited as running as is (no saving counts, whatever it cost)."""
    if fixed.expected_defect_rate <= DEFECT_TARGET:
        return fixed.cost_per_good_board
    return asis.cost_per_good_board


def evaluate(case: Case, sub: Submission) -> dict[str, float]:
    key = case.key()
    asis = outcome(key["seed"], key["size"], ())
    fixed = outcome(key["seed"], key["size"], tuple(sub.actions))
    metrics = prediction_metrics(answers(case), sub.predictions)
    metrics |= {"diagnosis": diagnosis_score(case, sub),
                "expected_defect_rate": fixed.expected_defect_rate,
                "fix_cost": fixed.cost_per_good_board,
                "effective_fix_cost": effective_cost(fixed, asis),
                "held_fraction": fixed.held_fraction,
                "throughput_loss": fixed.throughput_loss,
                "asis_defect_rate": asis.expected_defect_rate,
                "asis_cost": asis.cost_per_good_board}
    return {k: float(v) for k, v in metrics.items()}
