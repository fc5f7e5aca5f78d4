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
    def first_holdout_day(self) -> int:
        return int(0.7 * self.days)


@dataclass(frozen=True)
class Fault:
    """The heater failure of one batch: where, which shift is worst, and when it started."""

    line: str
    zone: str
    shift: str         # the shift with the highest heat demand (deepest sag)
    onset_day: int     # production day of the failure
    onset_minute: int  # minute of that production day (0 = 06:00)

    @property
    def lot_change_minute(self) -> int:
        """The new paste lot was opened at the start of the shift the element failed in."""
        return (self.onset_minute // SHIFT_MIN) * SHIFT_MIN

    def to_json(self) -> dict:
        return {"line": self.line, "zone": self.zone, "shift": self.shift,
                "onset_day": self.onset_day, "onset_minute": self.onset_minute,
                "onset": (START + timedelta(days=self.onset_day,
                                            minutes=self.onset_minute)).isoformat(),
                "onset_date": (START + timedelta(days=self.onset_day)).date().isoformat()}


def draw_fault(seed: int, plan: Plan) -> Fault:
    """The fault of a seed, drawn from the set of plausible ones (any line, any worst shift,
    an onset early in the batch so that the inspected days see it)."""
    rng = np.random.default_rng([seed, 31])
    line = ph.LINES[int(rng.integers(len(ph.LINES)))]
    shift = ph.SHIFTS[int(rng.integers(len(ph.SHIFTS)))]
    fraction = float(rng.choice(ph.FAULT_ONSET_FRACTION))
    onset_day = max(1, round(fraction * plan.days))
    # Late enough in the day that the failure is not at the very start of the production day.
    onset_minute = int(rng.integers(60, MINUTES - 60))
    return Fault(line, ph.FAULT_ZONE, shift, onset_day, onset_minute)


@dataclass
class Chunk:
    """The draws of one line on one production day (06:00 to 06:00)."""

    line: str
    day: int
    fault: Fault
    sag_c: np.ndarray        # (minutes,) °C the failed heater leaves its zone short (0: healthy)
    zone_noise: np.ndarray   # (minutes, 7)
    speed_noise: np.ndarray  # (minutes,)
    o2: np.ndarray           # (minutes,)
    burst: np.ndarray        # (minutes,) extra °C on zone 7 while a heater overshoots
    oven_in_s: np.ndarray    # seconds since the day's 06:00, sorted
    thickness: np.ndarray
    component: np.ndarray
    paste: np.ndarray        # SPI volume as printed (%), new lot included
    new_lot: np.ndarray      # printed with the new supplier's paste lot
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

    @property
    def fault_zone(self) -> int:
        return ph.ZONES.index(self.fault.zone)

    def oven_minutes(self) -> dict[str, np.ndarray]:
        """The oven as it ran, minute by minute (what its log records)."""
        sp = np.asarray(ph.ZONE_SP)
        zones = sp + self.zone_noise
        zones[:, self.fault_zone] -= self.sag_c
        zones[:, 6] += self.burst
        speed_sp = np.full(MINUTES, ph.SPEED_SP)
        return {"zones": zones, "zone_sp": np.tile(sp, (MINUTES, 1)), "speed_sp": speed_sp,
                "speed": speed_sp + self.speed_noise, "o2": self.o2}


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


def fault_sag(seed: int, fault: Fault, line: str, day: int) -> np.ndarray:
    """°C the failed heater leaves its zone short, per minute of one line and day."""
    out = np.zeros(MINUTES)
    if line != fault.line or day < fault.onset_day:
        return out
    rng = np.random.default_rng([seed, 41, day])
    worst, other = ph.FAULT_SHIFT_FACTOR
    factor = np.repeat([worst if s == fault.shift else other for s in ph.SHIFTS], SHIFT_MIN)
    out = ph.FAULT_SAG_C * factor + _ar1(rng, MINUTES, ph.FAULT_SAG_NOISE_C, 0.95)
    if day == fault.onset_day:
        out[:fault.onset_minute] = 0.0
    return np.maximum(out, 0.0)


def make_chunk(seed: int, plan: Plan, line: str, day: int, rh_5min: np.ndarray,
               fault: Fault) -> Chunk:
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
    thickness = rng.choice(ph.THICKNESSES, size=n, p=ph.THICKNESS_P)
    component = rng.choice(ph.COMPONENTS, size=n, p=ph.COMPONENT_P)
    paste, reprint = rng.normal(100.0, 9.0, size=n), rng.normal(100.0, 9.0, size=n)
    # Printing happens ~10 min before the oven; the new lot is on from its opening onwards.
    new_lot = np.zeros(n, dtype=bool)
    if line == fault.line and day >= fault.onset_day:
        start = fault.lot_change_minute * 60 if day == fault.onset_day else -(10**9)
        new_lot = oven_in - 600 >= start
    return Chunk(
        line=line, day=day, fault=fault, sag_c=fault_sag(seed, fault, line, day),
        zone_noise=zone_noise, speed_noise=speed_noise, o2=o2, burst=burst, oven_in_s=oven_in,
        thickness=thickness, component=component,
        paste=paste + ph.NEW_LOT_VOLUME_PCT * new_lot, new_lot=new_lot, paste_reprint=reprint,
        peak_noise=rng.normal(0.0, 1.0, size=n), rh=rh_5min[oven_in // 300],
        u_defect=rng.random(n), u_code=rng.random(n),
    )


def iter_chunks(seed: int, size: str) -> Iterator[Chunk]:
    """Every chunk of the batch in time order (day by day, line by line)."""
    plan = Plan.of(size)
    fault = draw_fault(seed, plan)
    for day in range(plan.days):
        rh = environment(seed, day)
        for line in ph.LINES:
            yield make_chunk(seed, plan, line, day, rh, fault)
