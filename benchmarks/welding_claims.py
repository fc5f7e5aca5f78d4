"""Reproduce the welding lab's claims over seeds, with the fault each seed drew and whether
the reference and the control class diagnosed it.

Usage: ``uv run python benchmarks/welding_claims.py [--seeds 10] [--size class] [--workers 2]``.
Prints one row per seed and the mean with a 95 % t-interval of every figure; the claims
themselves are what ``workbench reproduce welding`` reports (same methods, same seeds).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy import stats

from labs.welding import LAB


def measure(seed: int, size: str) -> tuple[dict[str, float], str]:
    with tempfile.TemporaryDirectory() as tmp:
        case = LAB.make_case(seed, size, out=Path(tmp) / f"seed{seed}")
        base_sub, ref_sub = LAB.baseline(case), LAB.reference(case)
        base, ref = LAB.evaluate(case, base_sub), LAB.evaluate(case, ref_sub)
        fault = json.loads((case.private / "batch.json").read_text())["fault"]
    where = (f"fault {fault['line']} {fault['zone']} worst {fault['shift']} "
             f"from {fault['onset'][:16]} | reference {ref_sub.diagnosis} "
             f"{[a.kind + ' ' + a.variable + ' ' + a.line for a in ref_sub.actions]} | "
             f"control {base_sub.diagnosis}")
    return {"asis": base["asis_defect_rate"], "control_fix": base["expected_defect_rate"],
            "experimental_fix": ref["expected_defect_rate"], "ref_pr_auc": ref["pr_auc"],
            "ref_roc_auc": ref["roc_auc"], "bayes_pr_auc": ref["bayes_pr_auc"],
            "base_pr_auc": base["pr_auc"], "ref_cost": ref["fix_cost"],
            "base_cost": base["fix_cost"], "asis_cost": ref["asis_cost"],
            "ref_diagnosis": ref["diagnosis"], "base_diagnosis": base["diagnosis"]}, where


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--size", default="class")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    rows = []
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for seed, (row, where) in enumerate(pool.map(measure, range(args.seeds),
                                                     [args.size] * args.seeds)):
            rows.append(row)
            print(seed, where, flush=True)
            print("   ", {k: round(v, 4) for k, v in row.items()}, flush=True)
    right = sum(r["ref_diagnosis"] == 1.0 for r in rows)
    print(f"reference names line, zone, worst shift and the suspect right on {right} of "
          f"{len(rows)} seeds; the control class on "
          f"{sum(r['base_diagnosis'] == 1.0 for r in rows)}")
    for key in rows[0]:
        x = np.array([r[key] for r in rows])
        half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
        print(f"{key:18s} mean {x.mean():.4f}  95% CI [{x.mean() - half:.4f}, "
              f"{x.mean() + half:.4f}]  min {x.min():.4f} max {x.max():.4f}")
    for claim in LAB.claims:
        print(claim.name, claim.claimed, f"low={claim.low} high={claim.high}")


if __name__ == "__main__":
    main()
