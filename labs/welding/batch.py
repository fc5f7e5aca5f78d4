"""A production batch as random draws, one chunk per line and production day.

Every random number of a chunk is drawn up front from its own stream
(``default_rng([seed, line, day])``), so re-simulating the batch with actions applied reuses
exactly the same draws (common random numbers) and a large batch streams chunk by chunk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy.signal import lfilter

from labs.welding import physics as ph

START = datetime(2024, 3, 4, 6, 0, 0)  # production day 0 starts with the day shift
MINUTES = 1440
SHIFT_MIN = 480
# size -> (production days, boards per line and shift)
SIZE_PLAN = {"tiny": (5, 40), "class": (10, 267), "large": (90, 1250)}


@dataclass(frozen=True)
class Plan:
    """Which days a size has, when the faults run and which days are held out."""

    days: int
    boards_per_shift: int

    @classmethod
    def of(cls, size: str) -> Plan:
        return cls(*SIZE_PLAN[size])

    @property
    def fault_days(self) -> range:
        return range(int(0.3 * self.days), int(0.9 * self.days))

    @property
    def first_holdout_day(self) -> int:
        return int(0.7 * self.days)


@dataclass
class Chunk:
    """The draws of one line on one production day (06:00 to 06:00)."""

    line: str
    day: int
    fault_day: bool
    zone_noise: np.ndarray   # (minutes, 7)
    speed_noise: np.ndarray  # (minutes,)
    o2: np.ndarray           # (minutes,)
    burst: np.ndarray        # (minutes,) extra °C on zone 7 while a heater overshoots
    oven_in_s: np.ndarray    # seconds since the day's 06:00, sorted
    thickness: np.ndarray
    component: np.ndarray
    paste: np.ndarray
    paste_reprint: np.ndarray
    peak_noise: np.ndarray
    rh: np.ndarray
    u_defect: np.ndarray
    u_code: np.ndarray

    @property
    def minute(self) -> np.ndarray:
        """The oven reading each board meets at the peak zone (as-of entry + transit)."""
        return (self.oven_in_s + ph.TRANSIT_S) // 60

    @property
    def shift(self) -> np.ndarray:
        return (self.oven_in_s // (SHIFT_MIN * 60)).astype(int)

    @property
    def serials(self) -> list[str]:
        date = (START + timedelta(days=self.day)).strftime("%y%m%d")
        return [f"{self.line}-{date}-{k:04d}" for k in range(len(self.oven_in_s))]

    def sag(self) -> np.ndarray:
        """Zone-7 heater sag per minute (°C): grows through the night shift on the faulty line."""
        out = np.zeros(MINUTES)
        if self.fault_day and self.line == ph.SAG_LINE:
            night = np.arange(MINUTES) >= 2 * SHIFT_MIN
            hours = (np.arange(MINUTES) - 2 * SHIFT_MIN) / 60.0
            out[night] = ph.SAG_START_C + ph.SAG_PER_HOUR_C * hours[night]
        return out

    def oven_minutes(self) -> dict[str, np.ndarray]:
        """The oven as it ran, minute by minute (what its log records)."""
        zones = np.asarray(ph.ZONE_SP) + self.zone_noise
        zones[:, 6] += self.burst - self.sag()
        speed_sp = ph.SPEED_SP + self.speedup()
        return {"zones": zones, "speed_sp": speed_sp, "speed": speed_sp + self.speed_noise,
                "o2": self.o2}

    def speedup(self) -> np.ndarray:
        """Operators run the conveyor faster while the heater sags (they chase the output)."""
        return np.where(self.sag() > 0, ph.OPERATOR_SPEEDUP, 0.0)


def _ar1(rng: np.random.Generator, n: int, sd: float, phi: float, cols: int = 1) -> np.ndarray:
    """Stationary AR(1) noise with standard deviation ``sd`` (process readings drift slowly)."""
    e = rng.normal(0.0, sd * np.sqrt(1 - phi**2), size=(n, cols))
    e[0] = rng.normal(0.0, sd, size=cols)
    out = lfilter([1.0], [1.0, -phi], e, axis=0)
    return out if cols > 1 else out[:, 0]


def environment(seed: int, day: int) -> np.ndarray:
    """Relative humidity (%) every 5 minutes of one production day; the hall is shared."""
    rng = np.random.default_rng([seed, 99, day])
    return 48.0 + _ar1(rng, MINUTES // 5, 6.0, 0.98)


def make_chunk(seed: int, plan: Plan, line: str, day: int, rh_5min: np.ndarray) -> Chunk:
    rng = np.random.default_rng([seed, ph.LINES.index(line), day])
    zone_noise = _ar1(rng, MINUTES, 1.5, 0.7, cols=7)
    speed_noise = _ar1(rng, MINUTES, 2.5, 0.9)
    o2 = np.exp(np.log(700.0) + _ar1(rng, MINUTES, 0.35, 0.9))
    burst = np.zeros(MINUTES)
    for _ in range(rng.poisson(ph.BURSTS_PER_DAY)):
        start, length = rng.integers(0, MINUTES - 30), rng.integers(6, 21)
        burst[start:start + length] = ph.BURST_C
    if line != ph.BURST_LINE:
        burst[:] = 0.0
    times = []
    for s in range(3):
        n = rng.poisson(plan.boards_per_shift)
        lo, hi = s * SHIFT_MIN * 60, (s + 1) * SHIFT_MIN * 60 - ph.TRANSIT_S - 60
        times.append(np.sort(rng.integers(lo, hi, size=n)))
    oven_in = np.concatenate(times)
    n = len(oven_in)
    return Chunk(
        line=line, day=day, fault_day=day in plan.fault_days,
        zone_noise=zone_noise, speed_noise=speed_noise, o2=o2, burst=burst, oven_in_s=oven_in,
        thickness=rng.choice(ph.THICKNESSES, size=n, p=ph.THICKNESS_P),
        component=rng.choice(ph.COMPONENTS, size=n, p=ph.COMPONENT_P),
        paste=rng.normal(100.0, 9.0, size=n), paste_reprint=rng.normal(100.0, 9.0, size=n),
        peak_noise=rng.normal(0.0, 1.0, size=n), rh=rh_5min[oven_in // 300],
        u_defect=rng.random(n), u_code=rng.random(n),
    )


def iter_chunks(seed: int, size: str) -> Iterator[Chunk]:
    """Every chunk of the batch in time order (day by day, line by line)."""
    plan = Plan.of(size)
    for day in range(plan.days):
        rh = environment(seed, day)
        for line in ph.LINES:
            yield make_chunk(seed, plan, line, day, rh)
