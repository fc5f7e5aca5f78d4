"""Benchmark the logistics reference solver on the 56 Solomon VRPTW instances.

Objective as in the best-known-solution (BKS) table: fewest vehicles first, then distance.
Reports, per instance, vehicles and the distance gap to the BKS; overall, the share of
instances solved with the BKS fleet and the mean gap. Published copies of the BKS table differ
by up to 0.3 %, so a distance within 0.3 % of the BKS counts as matching it.

By default 30 % of each instance's time goes to PyVRP's fleet minimisation first
(``--fleet-share``), the rest to distance with that fleet.

    uv run python benchmarks/solomon.py --time-limit 30 --jobs 2 --json out/solomon.json
    uv run python benchmarks/solomon.py --instances C101,R101,RC201 --time-limit 5
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from labs.logistics.evaluate import evaluate, validate  # noqa: E402
from labs.logistics.reference import solve_raw  # noqa: E402
from labs.logistics.solomon import read_bks, read_solomon  # noqa: E402
from labs.logistics.submission import Plan  # noqa: E402

TOLERANCE = 0.003
TARGET_FLEET_SHARE, TARGET_MEAN_GAP = 0.75, 0.015


def run_one(path: Path, time_limit: float, seed: int, fleet_share: float) -> dict:
    inst = read_solomon(path)
    started = time.perf_counter()
    routes, _ = solve_raw(inst, seed=seed, time_limit=time_limit, objective="distance",
                          fleet_share=fleet_share)
    seconds = time.perf_counter() - started
    plan = Plan({f"V{k:02d}": tuple(r) for k, r in enumerate(routes, start=1)})
    problems = validate(inst, plan)
    m = evaluate(inst, plan)
    return {"instance": inst.name, "vehicles": int(m["vehicles_used"]),
            "distance": round(m["distance"], 2), "feasible": not problems,
            "problems": [str(p) for p in problems[:3]], "seconds": round(seconds, 1)}


def summarise(results: list[dict], bks) -> dict:
    for r in results:
        row = bks.loc[r["instance"]]
        r["bks_vehicles"], r["bks_distance"] = int(row["bks_vehicles"]), float(row["bks_distance"])
        r["gap"] = (r["distance"] - r["bks_distance"]) / r["bks_distance"]
        r["at_bks_fleet"] = r["feasible"] and r["vehicles"] <= r["bks_vehicles"]
        r["matches_bks"] = r["at_bks_fleet"] and r["gap"] <= TOLERANCE
    n = len(results)
    at_fleet = [r for r in results if r["at_bks_fleet"]]
    return {
        "instances": n, "feasible": sum(r["feasible"] for r in results),
        "share_at_bks_fleet": len(at_fleet) / n,
        "mean_gap_all": sum(r["gap"] for r in results) / n,
        "mean_gap_at_bks_fleet": (sum(r["gap"] for r in at_fleet) / len(at_fleet)
                                  if at_fleet else None),
        "share_matching_bks": sum(r["matches_bks"] for r in results) / n,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per instance")
    parser.add_argument("--instances", default="", help="comma-separated names (default: all 56)")
    parser.add_argument("--json", type=Path, help="write per-instance results and the summary")
    parser.add_argument("--jobs", type=int, default=1, help="instances solved in parallel")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fleet-share", type=float, default=0.3,
                        help="share of the time spent minimising the fleet first (0: none)")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "solomon")
    args = parser.parse_args(argv)
    if not (args.data / "solomon_bks.csv").is_file():
        print(f"skipped: the Solomon data is not at {args.data} (it lives next to the repository "
              "in ../shared/data, not on a user's machine); pass --data DIR")
        return 0
    bks = read_bks(args.data / "solomon_bks.csv")
    names = [s.strip() for s in args.instances.split(",") if s.strip()] or list(bks.index)
    paths = [args.data / f"{name}.txt" for name in names]
    print(f"{len(paths)} instances, {args.time_limit:g} s each, {args.jobs} job(s), "
          f"seed {args.seed}, fleet share {args.fleet_share:g}", flush=True)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(run_one, paths, [args.time_limit] * len(paths),
                                [args.seed] * len(paths), [args.fleet_share] * len(paths)))
    summary = summarise(results, bks)
    print(f"{'instance':9} {'veh':>4} {'bks':>4} {'distance':>9} {'bks':>9} {'gap %':>7}")
    for r in results:
        print(f"{r['instance']:9} {r['vehicles']:4d} {r['bks_vehicles']:4d} {r['distance']:9.2f} "
              f"{r['bks_distance']:9.2f} {100 * r['gap']:7.2f}"
              + ("" if r["feasible"] else "  INFEASIBLE: " + "; ".join(r["problems"])))
    gap = summary["mean_gap_at_bks_fleet"]
    print(f"at BKS fleet: {summary['share_at_bks_fleet']:.0%} (target ≥ {TARGET_FLEET_SHARE:.0%}); "
          f"mean gap at BKS fleet: {'n/a' if gap is None else f'{gap:.2%}'} "
          f"(target ≤ {TARGET_MEAN_GAP:.1%}); mean gap all: {summary['mean_gap_all']:.2%}; "
          f"within {TOLERANCE:.1%} of BKS: {summary['share_matching_bks']:.0%}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"time_limit": args.time_limit, "seed": args.seed,
                                         "fleet_share": args.fleet_share,
                                         "summary": summary, "results": results}, indent=1),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
