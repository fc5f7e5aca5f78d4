"""Reproduce the welding lab's claims over seeds: as-is rate, control fix, experimental fix.

Usage: ``uv run python benchmarks/welding_claims.py [--seeds 10] [--size class]``. Prints one
row per seed and the mean with a 95 % t-interval of every figure.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from scipy import stats

from labs.welding import LAB


def measure(seed: int, size: str, root: Path) -> dict[str, float]:
    case = LAB.make_case(seed, size, out=root / f"seed{seed}")
    base, ref = LAB.evaluate(case, LAB.baseline(case)), LAB.evaluate(case, LAB.reference(case))
    return {"asis": base["asis_defect_rate"], "control_fix": base["expected_defect_rate"],
            "experimental_fix": ref["expected_defect_rate"], "ref_pr_auc": ref["pr_auc"],
            "ref_roc_auc": ref["roc_auc"], "bayes_pr_auc": ref["bayes_pr_auc"],
            "base_pr_auc": base["pr_auc"], "ref_held": ref["held_fraction"],
            "ref_diagnosis": ref["diagnosis"], "base_diagnosis": base["diagnosis"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--size", default="class")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.seeds):
            rows.append(measure(seed, args.size, Path(tmp)))
            print(seed, {k: round(v, 4) for k, v in rows[-1].items()}, flush=True)
    for key in rows[0]:
        x = np.array([r[key] for r in rows])
        half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
        print(f"{key:18s} mean {x.mean():.4f}  95% CI [{x.mean() - half:.4f}, "
              f"{x.mean() + half:.4f}]  min {x.min():.4f} max {x.max():.4f}")
    for claim in LAB.claims:
        print(claim.name, claim.claimed, f"low={claim.low} high={claim.high}")


if __name__ == "__main__":
    main()
