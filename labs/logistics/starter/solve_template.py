"""Starter: plan a delivery day and write plan.json.

Complete ``solve``: it must read the public case files and write ``out_dir/plan.json``::

    {"routes": [{"vehicle": "V01", "stops": [3, 17, 5]}, {"vehicle": "V02", "stops": [8]}]}

It already works: a greedy that sends each van to the closest customer it can still serve on
time. Improve it (order by deadline, look ahead, insert stops between others, use PyVRP...)
and check your plan with ``workbench check`` (see ``workbench check --help``).

Rules (the grader checks them): every customer exactly once, at most ``vehicles`` vans named
V01, V02, ..., a van's load ≤ ``capacity``, service starts between ``ready`` and ``due``
(arriving early means waiting), every van back at the depot by ``shift_end``. Travel minutes =
straight-line km / ``speed_km_per_min``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd


def read_day(public_dir: Path) -> tuple[pd.DataFrame, dict]:
    """Customers (id, x, y, demand, ready, due, service) and the fleet (depot, vans, shift)."""
    customers = pd.read_csv(public_dir / "customers.csv")
    fleet = json.loads((public_dir / "fleet.json").read_text(encoding="utf-8"))
    return customers, fleet


def minutes(a: tuple[float, float], b: tuple[float, float], speed: float) -> float:
    return math.dist(a, b) / speed


def greedy_routes(customers: pd.DataFrame, fleet: dict) -> list[list[int]]:
    """One van at a time: go to the nearest customer that fits and can be served on time."""
    depot = (fleet["depot_x"], fleet["depot_y"])
    todo = {int(r.id): r for r in customers.itertuples()}
    routes = []
    while todo:
        here, now, load, route = depot, fleet["shift_start"], 0, []
        while True:
            best, best_time = None, math.inf
            for cid, c in todo.items():
                arrive = now + minutes(here, (c.x, c.y), fleet["speed_km_per_min"])
                start = max(arrive, c.ready)
                back = start + c.service + minutes((c.x, c.y), depot, fleet["speed_km_per_min"])
                fits = load + c.demand <= fleet["capacity"]
                if fits and start <= c.due and back <= fleet["shift_end"] and start < best_time:
                    best, best_time = cid, start
            if best is None:
                break
            c = todo.pop(best)
            here, now, load = (c.x, c.y), best_time + c.service, load + c.demand
            route.append(best)
        if not route:
            raise RuntimeError(f"customers {sorted(todo)[:5]} cannot be served by any van")
        routes.append(route)
    return routes


def solve(public_dir: Path, out_dir: Path) -> None:
    """Read the case in ``public_dir`` and write ``out_dir / "plan.json"``."""
    customers, fleet = read_day(Path(public_dir))
    routes = greedy_routes(customers, fleet)
    width = max(2, len(str(fleet["vehicles"])))
    plan = {"routes": [{"vehicle": f"V{k:0{width}d}", "stops": r}
                       for k, r in enumerate(routes, start=1)]}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "plan.json").write_text(json.dumps(plan, indent=1), encoding="utf-8")


if __name__ == "__main__":
    import sys

    solve(Path(sys.argv[1]), Path(sys.argv[2] if len(sys.argv) > 2 else "."))
