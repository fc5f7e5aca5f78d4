"""The plans the logistics page compares (built-in methods, the student's upload, an
optimisation run) and their key figures: pure helpers of the page, unit-tested without a
browser. Plans live in server-side scratch folders; only their tokens reach the browser."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from labs.logistics import LAB, baseline, reference
from labs.logistics.evaluate import evaluate, validate
from labs.logistics.instance import Instance
from labs.logistics.submission import Plan, read_plan, write_plan
from workbench.app import uploads
from workbench.app.components import claims_frame, metrics_frame
from workbench.grading import references
from workbench.i18n import N_, t
from workbench.lab import Case, SubmissionError

METHODS = {  # key → label, in the order the selectors list them
    "dispatcher": N_("Dispatcher (baseline)"),
    "time_aware": N_("Time-aware nearest neighbour"),
    "nearest": N_("Naive nearest neighbour"),
    "reference": N_("Optimised (reference)"),
    "optimised": N_("Your optimisation run"),
    "upload": N_("Your uploaded plan"),
}
BUILTIN = ("dispatcher", "time_aware", "nearest", "reference")
OPTIMISED_FILE = "optimised.json"
# Search budgets a class can try: too little search can leave the plan worse than it could be.
ITERATION_CHOICES = (200, 1000, 2500, 10000)
DEFAULT_ITERATIONS = reference.DEFAULT_ITERATIONS  # what the grading reference runs


def builtin_plans(c: Case, inst: Instance) -> dict[str, Plan]:
    """The dispatcher, the two nearest-neighbour heuristics and the grading reference."""
    refs = references(LAB, c)  # the very plans the grading compares with
    return {"dispatcher": refs.baseline_solution,
            "time_aware": baseline.time_aware_nearest_neighbour(inst),
            "nearest": baseline.nearest_neighbour(inst), "reference": refs.reference_solution}


def plan_in(token: object) -> Plan | None:
    """The readable plan stored under a scratch token, if any (unknown stops are not drawn;
    the grade lists them)."""
    path = uploads.stored_file(token)
    try:
        return read_plan(path) if path else None
    except SubmissionError:
        return None


def available_plans(builtins: dict[str, Plan], upload_token: object, optimised_token: object,
                    ) -> dict[str, Plan]:
    """Every plan that can be shown, by method key (see ``METHODS``)."""
    plans = dict(builtins)
    for key, token in (("optimised", optimised_token), ("upload", upload_token)):
        plan = plan_in(token)
        if plan is not None:
            plans[key] = plan
    return plans


def method_options(plans: dict[str, Plan]) -> list[dict[str, str]]:
    return [{"label": t(METHODS[key]), "value": key} for key in METHODS if key in plans]


def metrics_table(metrics_by_method: dict[str, dict[str, float]]) -> pd.DataFrame:
    """One row per lab metric, one column per method (by its label)."""
    return metrics_frame(LAB.metrics, {t(METHODS[m]): v for m, v in metrics_by_method.items()})


def claims_table(metrics_by_method: dict[str, dict[str, float]]) -> pd.DataFrame:
    """The case study's claims measured on this case: the reference against the dispatcher
    and against the competent time-aware heuristic (effects depend on the baseline)."""
    against = {t("Reference vs {baseline}", baseline=t(METHODS[k])): metrics_by_method[k]
               for k in ("dispatcher", "time_aware") if k in metrics_by_method}
    return claims_frame(LAB.claims, metrics_by_method["reference"], against)


def valid_metrics(inst: Instance, plans: dict[str, Plan]) -> dict[str, dict[str, float]]:
    """Metrics of every plan without problems (an invalid plan's figures would mislead)."""
    return {key: evaluate(inst, plan) for key, plan in plans.items() if not validate(inst, plan)}


def iterations_from(value: object) -> int:
    """The search budget chosen in the page; anything else falls back to the default."""
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_ITERATIONS
    return number if number in ITERATION_CHOICES else DEFAULT_ITERATIONS


def run_optimisation(inst: Instance, progress: Callable[[float, str], None],
                     iterations: int = DEFAULT_ITERATIONS) -> tuple[str, Plan]:
    """Solve with a fixed seed and iteration budget (reproducible) and store the plan."""
    plan = reference.solve(inst, seed=0, max_iterations=iterations, progress=progress)
    token, folder = uploads.new_folder()
    write_plan(plan, folder / OPTIMISED_FILE)
    return token, plan
