"""Reproduce every lab's case-study claims over many seeds, with 95 % confidence intervals.

For seeds ``0..N−1`` a case of the given size is generated, the baseline and the reference are
solved and evaluated, and each claim's measure is taken. A claim *holds* when the mean over
seeds lies within its bounds. The same measure against each sensitivity baseline (instead of
the lab's baseline) is reported too, not judged: effect sizes depend on the control.
"""

from __future__ import annotations

import math
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats
from tqdm import tqdm

from workbench import registry
from workbench.grading.report import finite_or_none
from workbench.lab import Lab, check_size

SeedRun = tuple[dict[str, float], dict[str, float], dict[str, dict[str, float]]]


def solve_seed(lab: Lab | str, seed: int, size: str = "class") -> SeedRun:
    """Baseline, reference and sensitivity metrics on the case of one seed."""
    lab = registry.get_lab(lab) if isinstance(lab, str) else lab
    with tempfile.TemporaryDirectory(prefix=f"reproduce-{lab.slug}-") as tmp:
        case = lab.make_case(seed, size, out=Path(tmp) / "case")
        base = lab.evaluate(case, lab.baseline(case))
        ref = lab.evaluate(case, lab.reference(case))
        sens = {name: lab.evaluate(case, sol)
                for name, sol in lab.sensitivity_baselines(case).items()}
    return base, ref, sens


def mean_ci(values: Sequence[float], confidence: float = 0.95,
            ) -> tuple[float, tuple[float, float] | None]:
    """Mean and Student-t confidence interval; ``None`` when fewer than two values."""
    data = np.asarray(values, dtype=float)
    mean = float(data.mean()) if data.size else math.nan
    if data.size < 2 or not np.isfinite(data).all():
        return mean, None
    sem = float(stats.sem(data))
    if sem == 0.0:
        return mean, (mean, mean)
    low, high = stats.t.interval(confidence, data.size - 1, loc=mean, scale=sem)
    return mean, (float(low), float(high))


def _ci_json(ci: tuple[float, float] | None) -> list[float | None]:
    return [None, None] if ci is None else [finite_or_none(ci[0]), finite_or_none(ci[1])]


def _portable(lab: Lab) -> Lab | str:
    """The slug for registered labs (workers load them by entry point), else the object."""
    try:
        return lab.slug if registry.labs().get(lab.slug) is lab else lab
    except Exception:
        return lab


def _runs(lab: Lab, seeds: int, size: str, workers: int, bar: tqdm) -> list[SeedRun]:
    if workers <= 1:
        runs = []
        for seed in range(seeds):
            runs.append(solve_seed(lab, seed, size))
            bar.update()
        return runs
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(solve_seed, _portable(lab), seed, size) for seed in range(seeds)]
        runs = []
        for future in futures:
            runs.append(future.result())
            bar.update()
        return runs


def summarise(lab: Lab, runs: Sequence[SeedRun]) -> dict[str, Any]:
    """The JSON entry of one lab from its per-seed metrics."""
    claims = []
    for claim in lab.claims:
        values = [float(claim.measure(base, ref)) for base, ref, _ in runs]
        mean, ci = mean_ci(values)
        claims.append({"name": claim.name, "claimed": claim.claimed,
                       "measured": finite_or_none(mean), "ci95": _ci_json(ci),
                       "holds": bool(claim.holds(mean)),
                       "values": [finite_or_none(v) for v in values]})
    names = sorted({name for _, _, sens in runs for name in sens})
    sensitivity: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        sensitivity[name] = []
        for claim in lab.claims:
            values = [float(claim.measure(sens[name], ref)) for _, ref, sens in runs
                      if name in sens]
            mean, ci = mean_ci(values)
            sensitivity[name].append({"name": claim.name, "measured": finite_or_none(mean),
                                      "ci95": _ci_json(ci)})
    return {"lab": lab.slug, "claims": claims, "sensitivity": sensitivity,
            "scenario": str(getattr(lab, "scenario", "") or "")}


def reproduce(labs: Sequence[Lab], *, seeds: int = 5, size: str = "class", workers: int = 1,
              progress: bool = True) -> dict[str, Any]:
    """Measure every claim of every lab over ``seeds`` seeds; see the module docstring."""
    check_size(size)
    if seeds < 1:
        raise ValueError(f"seeds={seeds} not understood; give at least 1")
    out = []
    with tqdm(total=seeds * len(labs), desc="reproduce", unit="case", file=sys.stderr,
              disable=not progress) as bar:
        for lab in labs:
            bar.set_postfix_str(lab.slug)
            out.append(summarise(lab, _runs(lab, seeds, size, workers, bar)))
    return {"labs": out}
