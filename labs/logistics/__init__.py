"""Logistics lab: delivery scheduling (VRP with time windows).

Control class: an experienced dispatcher (zones per driver, stops by deadline). Experimental
class: VRPTW optimisation with PyVRP. Claimed: −15 % delivery time, +20 % vehicle use.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from labs.logistics import baseline as _baseline
from labs.logistics import evaluate as _evaluate
from labs.logistics import generate as _generate
from labs.logistics import reference as _reference
from labs.logistics.instance import Instance, load_instance
from labs.logistics.submission import SUFFIXES, Plan, read_plan, write_plan
from workbench.lab import Case, Claim, CodeEntry, Metric, Problem, relative_change

__all__ = ["LAB", "LogisticsLab", "Instance", "Plan", "load_instance", "read_plan",
           "write_plan"]

METRICS = (
    Metric("route_duration", "min", False, 50, "Route duration",
           "Σ over used vehicles of (return − departure), departing as late as feasible"),
    Metric("load_factor", "", True, 30, "Load factor",
           "Σ demand / (vehicles used × capacity)"),
    Metric("distance", "km", False, 20, "Distance", "Σ Euclidean km driven"),
    Metric("travel_time", "min", False, 0, "Travel time", "Σ driving minutes"),
    Metric("waiting_time", "min", False, 0, "Waiting time",
           "Σ minutes waiting for windows to open (after the latest feasible departure)"),
    Metric("vehicles_used", "", False, 0, "Vehicles used", "routes with at least one stop"),
    Metric("shift_utilisation", "", True, 0, "Shift utilisation",
           "(travel + service) / (vehicles used × shift length)"),
    Metric("route_time_utilisation", "", True, 0, "Route-time utilisation",
           "1 − waiting / route duration"),
    Metric("on_time_rate", "", True, 0, "On-time rate",
           "share of customers served within their window"),
)

CLAIMS = (
    Claim("delivery_time", "Total route duration, optimised vs the dispatcher",
          "−15 % delivery time", relative_change("route_duration"), high=-0.15, unit="%"),
    Claim("vehicle_use", "Load factor, optimised vs the dispatcher", "+20 % vehicle use",
          relative_change("load_factor"), low=0.20, unit="%"),
)

_REFERENCE_CACHE: dict[tuple[str, float, float], Plan] = {}


class LogisticsLab:
    """Delivery scheduling lab (see the module docstring)."""

    slug = "logistics"
    title = "Delivery scheduling: dispatcher vs route optimisation"
    summary = ("Plan a day of city deliveries with time windows. An experienced dispatcher "
               "splits the city into zones and orders stops by deadline; a VRPTW optimiser "
               "(PyVRP) plans all routes together. Compare delivery time and vehicle use, "
               "analyse historical trips for rush-hour congestion, and see how the size of "
               "the improvement depends on the baseline.")
    metrics = METRICS
    claims = CLAIMS
    submission_suffixes = SUFFIXES
    code_entry = CodeEntry("solve", "plan.json", doc=(
        "def solve(public_dir: Path, out_dir: Path) -> None: read customers.csv and "
        "fleet.json from public_dir and write plan.json "
        '({"routes": [{"vehicle": "V01", "stops": [3, 17, 5]}]}) into out_dir.'))

    def make_case(self, seed: int, size: str = "class", *, out: Path,
                  layout: str | None = None, capacity: int = _generate.CAPACITY) -> Case:
        return _generate.make_case(seed, size, out=out, layout=layout, capacity=capacity)

    def baseline(self, case: Case) -> Plan:
        return _baseline.dispatcher(load_instance(case))

    def reference(self, case: Case) -> Plan:
        """The optimised plan (seeded, fixed iteration budget), cached per case folder."""
        files = [case.public / "customers.csv", case.public / "fleet.json"]
        key = (str(case.root.resolve()), *(f.stat().st_mtime for f in files))
        if key not in _REFERENCE_CACHE:
            _REFERENCE_CACHE[key] = _reference.solve(load_instance(case), seed=0)
        return _REFERENCE_CACHE[key]

    def sensitivity_baselines(self, case: Case) -> dict[str, Plan]:
        """Competent and naive heuristics. On tight benchmark instances (Solomon R1/RC1) the
        naive one needs more vans than the fleet has; it is then left out, not made up."""
        inst = load_instance(case)
        out = {}
        for name, method in (("competent_dispatcher", _baseline.time_aware_nearest_neighbour),
                             ("naive_nearest_neighbour", _baseline.nearest_neighbour)):
            try:
                out[name] = method(inst)
            except _baseline.FleetTooSmall:
                continue
        return out

    def read_submission(self, path: Path) -> Plan:
        return read_plan(path)

    def write_submission(self, solution: Plan, path: Path) -> Path:
        return write_plan(solution, path)

    def validate(self, case: Case, solution: Plan) -> list[Problem]:
        return _evaluate.validate(load_instance(case), solution)

    def evaluate(self, case: Case, solution: Plan) -> dict[str, float]:
        return _evaluate.evaluate(load_instance(case), solution)

    def figures(self, case: Case, solutions: Mapping[str, Plan]) -> list[Any]:
        from labs.logistics import plots

        inst = load_instance(case)
        figs = [plots.route_map(inst, plan, title=plots.t(name)) for name, plan in
                solutions.items()]
        figs += [plots.timeline(inst, plan, title=plots.t(name)) for name, plan in
                 solutions.items()]
        figs.append(plots.kpi_comparison({name: _evaluate.evaluate(inst, plan)
                                          for name, plan in solutions.items()}))
        return figs

    def register_pages(self) -> None:
        from labs.logistics import page

        page.register()


LAB = LogisticsLab()
