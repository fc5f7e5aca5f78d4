"""Detection delay after a drift starts: a CUSUM on the collected per-board readings against
the p-chart on shift counts (what a line without log capture has).

Delays are counted in boards of the drifting line after the onset, the unit an engineer
cares about (every board made before the alarm is at risk).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def lower_cusum_alarm(x: np.ndarray, mean: float, sd: float, k: float = 0.5, h: float = 5.0
                      ) -> int | None:
    """Index of the first point where the lower CUSUM (in σ units) exceeds ``h``."""
    s = 0.0
    for i, z in enumerate((np.asarray(x, float) - mean) / sd):
        if np.isnan(z):
            continue
        s = max(0.0, s - z - k)
        if s > h:
            return i
    return None


def detection_delays(boards: pd.DataFrame, line: str, variable: str, onset: pd.Timestamp
                     ) -> dict[str, float]:
    """Boards of ``line`` made after ``onset`` before each method raises its first alarm.

    CUSUM: in-control mean and σ from the line's boards before the onset. p-chart: the alarm
    comes with the first shift report (end of shift) whose defect rate is above the 3σ limit
    of the shifts before the onset.
    """
    own = boards[boards["line"] == line].sort_values("oven_in")
    before, after = own[own["oven_in"] < onset], own[own["oven_in"] >= onset]
    ref = before[variable].dropna()
    hit = lower_cusum_alarm(after[variable].to_numpy(), float(ref.mean()), float(ref.std()))
    shifts = own[own["defect"].notna()].groupby(["production_date", "shift"], sort=False).agg(
        end=("oven_in", "max"), n=("defect", "size"), d=("defect", "sum"))
    old = shifts[shifts["end"] < onset]
    p0 = old["d"].sum() / old["n"].sum()
    late = shifts[shifts["end"] >= onset]
    alarms = late[late["d"] / late["n"] > p0 + 3 * np.sqrt(p0 * (1 - p0) / late["n"])]
    p_delay = float((after["oven_in"] <= alarms["end"].min()).sum()) if len(alarms) else np.nan
    return {"cusum_boards": float(hit + 1) if hit is not None else np.nan,
            "p_chart_boards": p_delay}
