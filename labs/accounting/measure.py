"""Reproduce the lab's claims over seeds: ``python -m labs.accounting.measure --seeds 10``.

For each seed: generate a case, run the baseline (clerk + JET rules) and the reference (bot +
detector), evaluate both, and compute every claim's measure (seeds 0..N-1 by default, the
same cases as ``workbench reproduce accounting``). Prints one line per seed and the
mean with a 95 % t-interval per claim.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from pathlib import Path

import numpy as np
from scipy import stats

from labs.accounting import LAB


def measure(seeds: list[int], size: str = "class") -> dict[str, list[float]]:
    out: dict[str, list[float]] = {c.name: [] for c in LAB.claims}
    extra = ("report_accuracy", "material_figures", "report_error_rate", "anomaly_ap",
             "precision_at_k", "false_positives", "k", "processing_time", "keying_time")
    for name in extra:
        out[f"baseline_{name}"], out[f"reference_{name}"] = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            case = LAB.make_case(seed, size, out=Path(tmp) / f"s{seed}")
            base = LAB.evaluate(case, LAB.baseline(case))
            ref = LAB.evaluate(case, LAB.reference(case))
            row = {c.name: c.measure(base, ref) for c in LAB.claims}
            for name in extra:
                row[f"baseline_{name}"], row[f"reference_{name}"] = base[name], ref[name]
            for k, v in row.items():
                out[k].append(float(v))
            print(json.dumps({"seed": seed, **{k: round(v, 4) for k, v in row.items()}}), flush=True)
    return out


def summarise(values: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    table = {}
    for name, xs in values.items():
        a = np.array(xs, dtype=float)
        finite = a[np.isfinite(a)]
        mean = float(finite.mean()) if len(finite) else math.nan
        half = float(stats.t.ppf(0.975, len(finite) - 1) * finite.std(ddof=1) / np.sqrt(len(finite))) \
            if len(finite) > 1 else math.nan
        table[name] = {"mean": mean, "ci_low": mean - half, "ci_high": mean + half,
                       "min": float(a.min()), "max": float(a.max())}
    for claim in LAB.claims:
        xs = values[claim.name]
        table[claim.name]["holds_in"] = float(sum(claim.holds(x) for x in xs))
        table[claim.name]["seeds"] = float(len(xs))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--size", default="class")
    args = parser.parse_args()
    values = measure(list(range(args.first, args.first + args.seeds)), args.size)
    print(json.dumps(summarise(values), indent=1))


if __name__ == "__main__":
    main()
