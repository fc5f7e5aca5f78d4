"""Validate a plan against an instance, build its timetable and compute every metric.

The timetable of a route departs from the depot at the *latest feasible departure*: as late as
possible without delaying the return or making a stop late, so waiting that a later start
would remove is never counted.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterator

import numpy as np
import pandas as pd

from labs.logistics.kit.instance import Instance, distance_matrix, travel_matrix
from labs.logistics.kit.plan import Plan
from workbench.i18n import N_, t
from workbench.lab import Problem

__all__ = [
    "EPS",
    "REPLAY_METRICS",
    "SCHEDULE_COLUMNS",
    "evaluate",
    "latest_departure",
    "mean_time_to_serve",
    "route_summary",
    "schedule",
    "summarise_problems",
    "timed_routes",
    "validate",
]

EPS = 1e-6  # minutes; below this a window is not "missed" (float noise)
SCHEDULE_COLUMNS = ("vehicle", "seq", "customer", "arrival", "start", "wait", "end", "load")
VEHICLE_METRICS = ("vehicles_used", "load_factor", "shift_utilisation")
ROUTE_METRICS = (
    "route_duration",
    "travel_time",
    "waiting_time",
    "distance",
    "route_time_utilisation",
    "mean_time_to_serve",
)
REPLAY_METRICS = (
    "replay_on_time_rate",
    "replay_late_minutes",
    "replay_max_late",
    "replay_overtime",
    "replay_van_minutes",
    "replay_cost",
)


def _forward(inst: Instance, tt: np.ndarray, rows: list[int], depart: float) -> list[tuple]:
    """(arrival, start, wait, end) per stop when leaving the depot at ``depart``."""
    ready = inst.customers["ready"].to_numpy(float)
    service = inst.customers["service"].to_numpy(float)
    out, t, prev = [], depart, 0
    for r in rows:
        arrival = t + tt[prev, r]
        start = max(arrival, ready[r - 1])
        t = start + service[r - 1]
        out.append((arrival, start, start - arrival, t))
        prev = r
    return out


def latest_departure(inst: Instance, tt: np.ndarray, rows: list[int]) -> float:
    """Latest departure that neither delays the return nor makes any stop (more) late.

    Delaying the departure by d delays stop i by max(0, d − waiting before and at i); so d may
    grow up to the total waiting, but not beyond any stop's remaining slack to its due time.
    """
    due = inst.customers["due"].to_numpy(float)
    times = _forward(inst, tt, rows, inst.shift_start)
    waited, slack = 0.0, np.inf
    for r, (_, start, wait, _) in zip(rows, times, strict=True):
        waited += wait
        slack = min(slack, waited + due[r - 1] - start)
    end = times[-1][3] + tt[rows[-1], 0] if rows else inst.shift_start
    slack = min(slack, waited + inst.shift_end - end)
    return inst.shift_start + max(0.0, min(waited, slack))


def timed_routes(
    inst: Instance,
    plan: Plan,
    tt: np.ndarray,
) -> Iterator[tuple[str, list[int], float, list[tuple[float, ...]]]]:
    """Per used vehicle: (vehicle, customer rows, latest feasible departure, per-stop
    (arrival, start, wait, end)); unknown stop ids are left out (``validate`` reports them)."""
    index = inst.index_of()
    for vehicle, stops in plan.used().items():
        rows = [index[s] for s in stops if s in index]
        if rows:
            depart = latest_departure(inst, tt, rows)
            yield vehicle, rows, depart, _forward(inst, tt, rows, depart)


def schedule(inst: Instance, plan: Plan) -> pd.DataFrame:
    """Timetable: one row per known stop (vehicle, seq, customer, arrival, start, wait, end,
    load after the stop)."""
    demand = inst.customers["demand"].to_numpy(float)
    records = []
    for vehicle, rows, _, times in timed_routes(inst, plan, travel_matrix(inst)):
        load = 0.0
        for seq, (r, stop_times) in enumerate(zip(rows, times, strict=True), start=1):
            load += demand[r - 1]
            records.append((vehicle, seq, int(inst.customers["id"].iat[r - 1]), *stop_times, load))
    return pd.DataFrame.from_records(records, columns=list(SCHEDULE_COLUMNS))


def route_summary(inst: Instance, plan: Plan) -> pd.DataFrame:
    """One row per used vehicle: departure, return, travel, wait, service, distance, load."""
    tt, dist = travel_matrix(inst), distance_matrix(inst)
    service = inst.customers["service"].to_numpy(float)
    demand = inst.customers["demand"].to_numpy(float)
    records = []
    for vehicle, rows, depart, times in timed_routes(inst, plan, tt):
        path = [0, *rows, 0]
        records.append(
            {
                "vehicle": vehicle,
                "stops": len(rows),
                "departure": depart,
                "return_time": times[-1][3] + tt[rows[-1], 0],
                "travel": float(sum(tt[a, b] for a, b in itertools.pairwise(path))),
                "wait": float(sum(t[2] for t in times)),
                "service": float(service[[r - 1 for r in rows]].sum()),
                "distance": float(sum(dist[a, b] for a, b in itertools.pairwise(path))),
                "load": float(demand[[r - 1 for r in rows]].sum()),
            }
        )
    return pd.DataFrame.from_records(
        records,
        columns=[
            "vehicle",
            "stops",
            "departure",
            "return_time",
            "travel",
            "wait",
            "service",
            "distance",
            "load",
        ],
    )


def _coverage_problems(inst: Instance, plan: Plan) -> list[Problem]:
    ids = set(int(c) for c in inst.customers["id"])
    visits: dict[int, list[str]] = defaultdict(list)
    problems = []
    for vehicle, stops in plan.routes.items():
        for s in stops:
            if s in ids:
                visits[s].append(vehicle)
            else:
                problems.append(
                    Problem(
                        N_("unknown stop id {stop} on vehicle {vehicle}; customer ids are "
                           "{first}–{last} and the depot is not listed as a stop"),
                        where=N_("vehicle {vehicle}, stop {stop}"),
                        params={"stop": s, "vehicle": vehicle, "first": min(ids), "last": max(ids)},
                    )
                )
    for c in sorted(ids):
        if not visits[c]:
            problems.append(
                Problem(
                    N_("customer {customer} is missing: no vehicle visits it"),
                    where=N_("customer {customer}"),
                    params={"customer": c},
                )
            )
        elif len(visits[c]) > 1:
            problems.append(
                Problem(
                    N_("customer {customer} is repeated: visited {n} times by vehicles {vehicles}"),
                    where=N_("customer {customer}"),
                    params={"customer": c, "n": len(visits[c]), "vehicles": ", ".join(visits[c])},
                )
            )
    return problems


def _fleet_problems(inst: Instance, plan: Plan) -> list[Problem]:
    fleet = inst.vehicle_ids()
    problems = [
        Problem(
            N_("unknown vehicle {vehicle}; the fleet is {first}–{last}"),
            where=N_("vehicle {vehicle}"),
            affects=VEHICLE_METRICS,
            params={"vehicle": v, "first": fleet[0], "last": fleet[-1]},
        )
        for v in plan.used()
        if v not in fleet
    ]
    if len(plan.used()) > inst.vehicles:
        problems.append(
            Problem(
                N_("more vehicles than the fleet: {routes} routes for {vehicles} vehicles"),
                where=N_("the fleet"),
                affects=VEHICLE_METRICS + ROUTE_METRICS + REPLAY_METRICS,
                params={"routes": len(plan.used()), "vehicles": inst.vehicles},
            )
        )
    return problems


def _route_problems(inst: Instance, plan: Plan) -> list[Problem]:
    problems = []
    for row in route_summary(inst, plan).itertuples():
        if row.load > inst.capacity:
            problems.append(
                Problem(
                    N_("capacity exceeded on vehicle {vehicle} by {excess:g}"),
                    where=N_("vehicle {vehicle}"),
                    affects=VEHICLE_METRICS + ROUTE_METRICS + REPLAY_METRICS,
                    params={"vehicle": row.vehicle, "excess": row.load - inst.capacity},
                )
            )
        late = row.return_time - inst.shift_end
        if late > EPS:
            problems.append(
                Problem(
                    N_("vehicle {vehicle} returns after shift end by {late:.2f} minutes"),
                    where=N_("vehicle {vehicle}"),
                    affects=ROUTE_METRICS + REPLAY_METRICS + ("shift_utilisation",),
                    params={"vehicle": row.vehicle, "late": late},
                )
            )
    due = dict(
        zip(inst.customers["id"].astype(int), inst.customers["due"].astype(float), strict=True)
    )
    for stop in schedule(inst, plan).itertuples():
        late = stop.start - due[stop.customer]
        if late > EPS:
            problems.append(
                Problem(
                    N_("time window missed at stop {stop} by {late:.2f} minutes"),
                    where=N_("vehicle {vehicle}, stop {stop}"),
                    affects=ROUTE_METRICS + VEHICLE_METRICS + REPLAY_METRICS + ("on_time_rate",),
                    params={"stop": stop.customer, "vehicle": stop.vehicle, "late": late},
                )
            )
    return problems


def validate(inst: Instance, plan: Plan) -> list[Problem]:
    """Every feasibility problem: coverage, fleet, capacity, time windows, shift end."""
    return (
        _coverage_problems(inst, plan) + _fleet_problems(inst, plan) + _route_problems(inst, plan)
    )


def mean_time_to_serve(inst: Instance, plan: Plan, tt: np.ndarray | None = None) -> float:
    """Mean minutes from the shift start until a customer's service starts, every van leaving
    the depot at the shift start (the customer's reading of "delivery time")."""
    tt = travel_matrix(inst) if tt is None else tt
    index = inst.index_of()
    starts = [
        start
        for stops in plan.used().values()
        for _, start, _, _ in _forward(
            inst, tt, [index[s] for s in stops if s in index], inst.shift_start
        )
    ]
    return float(np.mean(starts)) - inst.shift_start if starts else 0.0


def evaluate(inst: Instance, plan: Plan) -> dict[str, float]:
    """All metrics of a plan (see docs/logistics/instructor-notes.md for the definitions)."""
    routes = route_summary(inst, plan)
    stops = schedule(inst, plan)
    k = len(routes)
    duration = float((routes["return_time"] - routes["departure"]).sum())
    travel, wait, service = (float(routes[c].sum()) for c in ("travel", "wait", "service"))
    due = stops["customer"].map(dict(zip(inst.customers["id"], inst.customers["due"], strict=True)))
    on_time = set(stops.loc[stops["start"] <= due + EPS, "customer"])
    return {
        "route_duration": duration,
        "travel_time": travel,
        "waiting_time": wait,
        "travel_plus_waiting": travel + wait,
        "service_time": service,
        "distance": float(routes["distance"].sum()),
        "vehicles_used": float(k),
        "load_factor": float(routes["load"].sum()) / (k * inst.capacity) if k else 0.0,
        "shift_utilisation": (travel + service) / (k * inst.horizon) if k else 0.0,
        "route_time_utilisation": 1.0 - wait / duration if duration else 0.0,
        "on_time_rate": len(on_time) / inst.n,
        "makespan": float(routes["return_time"].max() - routes["departure"].min()) if k else 0.0,
        "mean_service_start": float(stops["start"].mean()) if len(stops) else 0.0,
        "mean_time_to_serve": mean_time_to_serve(inst, plan),
    }


_SHAPES = (  # (pattern on a problem's text, summary template, number to take the worst of)
    (re.compile(r"customer \d+ is missing"), N_("{n} customers not visited"), None),
    (re.compile(r"customer \d+ is repeated"), N_("{n} customers visited more than once"), None),
    (re.compile(r"unknown stop id"), N_("{n} unknown stop ids"), None),
    (re.compile(r"time window missed at stop \d+ by ([\d.]+) minutes"),
     N_("{n} late stops, worst by {worst} min"), 1),
    (re.compile(r"capacity exceeded on vehicle \S+ by ([\d.]+)"),
     N_("{n} vans over capacity, worst by {worst} parcels"), 1),
    (re.compile(r"returns after shift end by ([\d.]+) minutes"),
     N_("{n} vans back after the shift end, worst by {worst} min"), 1),
    (re.compile(r"more vehicles than the fleet|unknown vehicle"),
     N_("more vans than the fleet, or vehicle ids not in the fleet"), None),
)


def summarise_problems(problems: list[Problem | str]) -> list[str]:
    """One sentence summing up a long list of feasibility problems, e.g. "50 customers not
    visited; 37 late stops, worst by 600 min" (the details follow it in a report)."""
    parts = []
    for pattern, template, group in _SHAPES:
        found = [m for m in (pattern.search(str(p)) for p in problems) if m]
        if not found:
            continue
        worst = max(float(m.group(group)) for m in found) if group else 0.0
        parts.append(t(template, n=len(found), worst=f"{worst:.0f}"))
    return [t("; ").join(parts)] if parts else []
