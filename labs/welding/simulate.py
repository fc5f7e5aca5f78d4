"""Re-run a batch with process actions applied and compute its expected defect rate exactly.

An action is an *interlock* (hold every board whose logged reading falls outside a range) or a
*setpoint* (run the conveyor or a zone at another value). The same random draws are reused
(common random numbers), and the expected rate is the mean of the hidden defect probabilities,
so two fixes are compared without sampling noise. Held boards wait until the oven is back in
its recipe window and are re-run there (an SPI hold also reprints the paste).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from labs.welding import physics as ph
from labs.welding.batch import Chunk, iter_chunks

READINGS = tuple(f"{z}_pv" for z in ph.ZONES) + ("conv_cm_min", "o2_ppm", "paste_pct", "rh_pct")
SETPOINTS = tuple(f"{z}_sp" for z in ph.ZONES) + ("conv_cm_min",)
SCOPE_LINES = ph.LINES + ("all",)
SCOPE_SHIFTS = ph.SHIFTS + ("all",)

# Costs per board, in the same currency: rework of a defective board, re-running a held one,
# and the line time lost (1.0 = the whole batch's line time).
COST_DEFECT = 40.0
COST_HOLD = 4.0
COST_LINE_TIME = 20.0


@dataclass(frozen=True)
class Action:
    """``interlock``: hold boards with ``variable`` outside [low, high] (a bound may be None).
    ``setpoint``: run ``variable`` at ``value``. ``line``/``shift`` limit where it applies."""

    kind: str
    variable: str
    line: str = "all"
    shift: str = "all"
    low: float | None = None
    high: float | None = None
    value: float | None = None

    def scope(self, chunk: Chunk) -> np.ndarray:
        if self.line not in ("all", chunk.line):
            return np.zeros(len(chunk.oven_in_s), dtype=bool)
        if self.shift == "all":
            return np.ones(len(chunk.oven_in_s), dtype=bool)
        return chunk.shift == ph.SHIFTS.index(self.shift)


def _process(chunk: Chunk, zone_sp: np.ndarray, speed_sp: np.ndarray, faults: bool
             ) -> tuple[np.ndarray, np.ndarray]:
    """Zone readings (boards × 7) and conveyor speed each board meets."""
    m = chunk.minute
    zones = zone_sp + chunk.zone_noise[m]
    if faults:
        zones[:, 6] += chunk.burst[m] - chunk.sag()[m]
    return zones, speed_sp + chunk.speed_noise[m]


def _probability(chunk: Chunk, zones: np.ndarray, speed: np.ndarray, paste: np.ndarray
                 ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    mass = ph.thermal_mass(chunk.thickness, chunk.component)
    peak = ph.peak_temperature(zones[:, 5], zones[:, 6], speed, mass, chunk.peak_noise)
    tal = ph.time_above_liquidus(peak, speed)
    terms = ph.defect_terms(peak, tal, paste, chunk.component, chunk.o2[chunk.minute], chunk.rh)
    return ph.defect_probability(terms), terms


def realise(chunk: Chunk, actions: Sequence[Action] = (), faults: bool = True) -> dict:
    """Board-level readings, hold flags and defect probabilities of one chunk."""
    n = len(chunk.oven_in_s)
    zone_sp = np.tile(np.asarray(ph.ZONE_SP), (n, 1))
    speed_sp = ph.SPEED_SP + (chunk.speedup()[chunk.minute] if faults else 0.0)
    speed_sp = np.broadcast_to(speed_sp, (n,)).copy()
    for a in actions:
        if a.kind == "setpoint":
            mask = a.scope(chunk)
            if a.variable == "conv_cm_min":
                speed_sp[mask] = a.value
            else:
                zone_sp[mask, ph.ZONES.index(a.variable[:2])] = a.value
    zones, speed = _process(chunk, zone_sp, speed_sp, faults)
    readings = {f"{z}_pv": zones[:, i] for i, z in enumerate(ph.ZONES)}
    readings |= {"conv_cm_min": speed, "o2_ppm": chunk.o2[chunk.minute],
                 "paste_pct": chunk.paste, "rh_pct": chunk.rh}
    held, spi_held = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    for a in actions:
        if a.kind != "interlock":
            continue
        value = readings[a.variable]
        out = np.zeros(n, dtype=bool)
        if a.low is not None:
            out |= value < a.low
        if a.high is not None:
            out |= value > a.high
        out &= a.scope(chunk)
        held |= out
        if a.variable == "paste_pct":
            spi_held |= out
    p, terms = _probability(chunk, zones, speed, chunk.paste)
    nominal_zones, nominal_speed = _process(
        chunk, np.tile(np.asarray(ph.ZONE_SP), (n, 1)), np.full(n, ph.SPEED_SP), faults=False)
    rerun_paste = np.where(spi_held, chunk.paste_reprint, chunk.paste)
    p_rerun, _ = _probability(chunk, nominal_zones, nominal_speed, rerun_paste)
    return {"readings": readings, "held": held, "p": np.where(held, p_rerun, p),
            "terms": terms, "speed": speed, "rerun_speed": nominal_speed}


@dataclass(frozen=True)
class Outcome:
    """What a batch run gives: expected defect rate, holds, lost line time, cost per board."""

    expected_defect_rate: float
    held_fraction: float
    throughput_loss: float
    boards: int

    @property
    def cost_per_board(self) -> float:
        return (COST_DEFECT * self.expected_defect_rate + COST_HOLD * self.held_fraction
                + COST_LINE_TIME * self.throughput_loss)


def run_batch(seed: int, size: str, actions: Sequence[Action] = (), faults: bool = True
              ) -> Outcome:
    """Re-run the whole batch chunk by chunk (memory stays at one chunk)."""
    n = held = 0
    p_sum = time_new = time_asis = 0.0
    for chunk in iter_chunks(seed, size):
        asis = realise(chunk, (), faults)
        new = asis if not actions else realise(chunk, actions, faults)
        n += len(new["p"])
        p_sum += float(new["p"].sum())
        held += int(new["held"].sum())
        # Line time ∝ 1/speed; a held board also needs a second pass through the oven.
        time_new += float((1 / new["speed"]).sum() + (1 / new["rerun_speed"][new["held"]]).sum())
        time_asis += float((1 / asis["speed"]).sum())
    return Outcome(expected_defect_rate=p_sum / n, held_fraction=held / n,
                   throughput_loss=max(0.0, time_new / time_asis - 1.0), boards=n)
