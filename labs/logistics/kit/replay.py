"""Replay a plan at real, time-of-day speeds: when would each parcel really arrive?

A plan is made with one planning speed (``speed_km_per_min`` in fleet.json), but traffic is
slower in the rush hours and faster at midday. The replay drives every route with a speed that
depends on the hour a leg starts: each van leaves the depot at the start of the shift, waits
where it arrives before a window opens, serves, and drives on. A stop is *on time* when
service starts by its due time; a van back after the shift end works overtime.

The cost of the day in real traffic counts what the company pays and what customers suffer:
every van's minutes from the shift start until it is back (drivers are paid from 08:00), plus
``LATE_PENALTY`` (10) minutes for every minute a customer is served late.

``speeds`` gives the straight-line km per minute for a departure in each hour of the day
(index 0–23). The grader replays with the city's real congestion profile (kept with the answer
key); a student can replay with speeds estimated from ``trips.csv``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from labs.logistics.kit.instance import Instance, distance_matrix
from labs.logistics.kit.plan import Plan

__all__ = ["REPLAY_COLUMNS", "replay", "replay_metrics", "speed_table"]

REPLAY_COLUMNS = ("vehicle", "seq", "customer", "arrival", "start", "due", "late")
EPS = 1e-6
LATE_PENALTY = 10.0  # a minute late costs as much as ten minutes of a van and its driver


def speed_table(speeds: Sequence[float] | pd.Series | float, fallback: float) -> np.ndarray:
    """24 speeds (km/min by departure hour) from a sequence, a Series indexed by hour (hours
    missing from it get ``fallback``) or one number."""
    if isinstance(speeds, int | float):
        table = np.full(24, float(speeds))
    elif isinstance(speeds, pd.Series):
        table = np.full(24, float(fallback))
        for hour, v in speeds.items():
            if 0 <= int(hour) < 24 and math.isfinite(float(v)):
                table[int(hour)] = float(v)
    else:
        table = np.asarray(speeds, dtype=float)
        if table.shape != (24,):
            raise ValueError(f"give 24 hourly speeds (hours 0–23), not {table.shape[0]}")
    if not (np.isfinite(table).all() and (table > 0).all()):
        raise ValueError("every hourly speed must be a positive number of km per minute")
    return table


def replay(
    inst: Instance,
    plan: Plan,
    speeds: Sequence[float] | pd.Series | float,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Drive ``plan`` at hour-dependent ``speeds``; return one row per stop (vehicle, seq,
    customer, arrival, start, due, late minutes) and each van's return time by vehicle.
    Stop ids the instance does not know are left out (``validate`` reports them)."""
    table = speed_table(speeds, inst.speed_km_per_min)
    km = distance_matrix(inst)
    index = inst.index_of()
    c = inst.customers
    ready, due = c["ready"].to_numpy(float), c["due"].to_numpy(float)
    service, ids = c["service"].to_numpy(float), c["id"].to_numpy(int)

    def drive(a: int, b: int, now: float) -> float:
        hour = min(23, max(0, int(now // 60)))
        return now + km[a, b] / table[hour]

    records, returns = [], {}
    for vehicle, stops in plan.used().items():
        now, at = inst.shift_start, 0
        for seq, r in enumerate((index[s] for s in stops if s in index), start=1):
            arrival = drive(at, r, now)
            start = max(arrival, ready[r - 1])
            records.append(
                (
                    vehicle,
                    seq,
                    int(ids[r - 1]),
                    arrival,
                    start,
                    due[r - 1],
                    max(0.0, start - due[r - 1]),
                )
            )
            now, at = start + service[r - 1], r
        returns[vehicle] = drive(at, 0, now) if at else now
    return pd.DataFrame.from_records(records, columns=list(REPLAY_COLUMNS)), returns


def replay_metrics(
    inst: Instance,
    plan: Plan,
    speeds: Sequence[float] | pd.Series | float,
) -> dict[str, float]:
    """``replay_on_time_rate`` (share of all customers served by their due time),
    ``replay_late_minutes`` (Σ minutes late), ``replay_max_late`` (worst stop),
    ``replay_overtime`` (Σ minutes vans are back after the shift end), ``replay_van_minutes``
    (Σ minutes from the shift start until each van is back) and ``replay_cost`` (van minutes
    + ``LATE_PENALTY`` × late minutes)."""
    stops, returns = replay(inst, plan, speeds)
    on_time = set(stops.loc[stops["late"] <= EPS, "customer"])
    overtime = sum(max(0.0, t - inst.shift_end) for t in returns.values())
    van_minutes = sum(t - inst.shift_start for t in returns.values())
    late = float(stops["late"].sum())
    return {
        "replay_on_time_rate": len(on_time) / inst.n,
        "replay_late_minutes": late,
        "replay_max_late": float(stops["late"].max()) if len(stops) else 0.0,
        "replay_overtime": float(overtime),
        "replay_van_minutes": float(van_minutes),
        "replay_cost": float(van_minutes + LATE_PENALTY * late),
    }
