"""Re-run a batch with process actions applied and compute its expected defect rate exactly.

Actions, as a process engineer would take them:

* ``interlock``: hold every board whose logged reading falls outside a range; held boards
  wait and are re-run on a healthy oven (an SPI hold also reprints the paste);
* ``setpoint``: run the conveyor or a zone at another value (a failed heater cannot reach
  more than it has power for: raising its set point does not lift it);
* ``repair``: replace the heater elements of one zone of one line's oven before the batch
  (line down for ``REPAIR_HOURS``, plus the part);
* ``revert``: go back to the previous paste lot on a line (the open jars are scrapped).

The same random draws are reused (common random numbers), and the expected rate is the mean
of the hidden defect probabilities, so two fixes are compared without sampling noise. The
plant manager's figure is the cost per good board: material and line time of every board
made, handling of held boards, repairs and scrapped material, divided by the boards that
pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from labs.welding import physics as ph
from labs.welding.batch import SHIFT_MIN, Chunk, Plan, iter_chunks

READINGS = tuple(f"{z}_pv" for z in ph.ZONES) + ("conv_cm_min", "o2_ppm", "paste_pct", "rh_pct")
SETPOINTS = tuple(f"{z}_sp" for z in ph.ZONES) + ("conv_cm_min",)
REPAIRABLE = ph.ZONES
REVERTIBLE = ("paste_lot",)
KINDS = ("interlock", "setpoint", "repair", "revert")
SCOPE_LINES = ph.LINES + ("all",)
SCOPE_SHIFTS = ph.SHIFTS + ("all",)

# Costs in one currency unit. A module's material (board, components, paste); the line's
# running cost (people, energy, nitrogen, depreciation) per board slot at the nominal 75
# cm/min; handling a held board (its second pass is charged as line time); a heater repair
# (cool down, swap the element bank, heat up, run a profile board) and the part; the open
# jars of a paste lot scrapped when a line goes back to the previous lot.
COST_MATERIAL = 20.0
COST_LINE_SLOT = 6.0
COST_HOLD = 1.0
REPAIR_HOURS = 4.0
COST_REPAIR_PART = 400.0
COST_REVERT_LOT = 250.0


@dataclass(frozen=True)
class Action:
    """``interlock``: hold boards with ``variable`` outside [low, high] (a bound may be None).
    ``setpoint``: run ``variable`` at ``value``. ``repair``: ``variable`` is a zone (z1..z7).
    ``revert``: ``variable`` is ``paste_lot``. ``line``/``shift`` limit where it applies."""

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

    def lines(self) -> tuple[str, ...]:
        return ph.LINES if self.line == "all" else (self.line,)


def _repaired(chunk: Chunk, actions: Sequence[Action]) -> bool:
    return any(a.kind == "repair" and a.variable == chunk.fault.zone
               and chunk.line in a.lines() for a in actions)


def _process(chunk: Chunk, zone_sp: np.ndarray, speed_sp: np.ndarray, heater_failed: bool
             ) -> tuple[np.ndarray, np.ndarray]:
    """Zone readings (boards × 7) and conveyor speed each board meets.

    A failed heater caps its zone at what the remaining elements can hold: set point at
    most ``nominal − sag``, whatever the set point asks for."""
    m = chunk.minute
    target = zone_sp.copy()
    if heater_failed:
        k = chunk.fault_zone
        sag = chunk.sag_c[m]
        ceiling = np.where(sag > 0, ph.ZONE_SP[k] - sag, np.inf)  # a healthy bank has headroom
        target[:, k] = np.minimum(target[:, k], ceiling)
    zones = target + chunk.zone_noise[m]
    zones[:, 6] += chunk.burst[m]
    return zones, speed_sp + chunk.speed_noise[m]


def _probability(chunk: Chunk, zones: np.ndarray, speed: np.ndarray, paste: np.ndarray,
                 new_lot: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    mass = ph.thermal_mass(chunk.thickness, chunk.component)
    peak = ph.peak_temperature(zones[:, 5], zones[:, 6], speed, mass, chunk.peak_noise)
    tal = ph.time_above_liquidus(peak, speed)
    terms = ph.defect_terms(peak, tal, paste, chunk.component, chunk.o2[chunk.minute], chunk.rh,
                            new_lot)
    return ph.defect_probability(terms), terms


def realise(chunk: Chunk, actions: Sequence[Action] = (), faults: bool = True) -> dict:
    """Board-level readings, hold flags and defect probabilities of one chunk."""
    n = len(chunk.oven_in_s)
    nominal = np.tile(np.asarray(ph.ZONE_SP), (n, 1))
    zone_sp, speed_sp, paste = nominal.copy(), np.full(n, ph.SPEED_SP), chunk.paste.copy()
    new_lot = chunk.new_lot.copy()
    for a in actions:
        mask = a.scope(chunk)
        if a.kind == "setpoint":
            if a.variable == "conv_cm_min":
                speed_sp[mask] = a.value
            else:
                zone_sp[mask, ph.ZONES.index(a.variable[:2])] = a.value
        elif a.kind == "revert":
            paste[mask & new_lot] -= ph.NEW_LOT_VOLUME_PCT
            new_lot &= ~mask
    failed = faults and not _repaired(chunk, actions)
    zones, speed = _process(chunk, zone_sp, speed_sp, failed)
    readings = {f"{z}_pv": zones[:, i] for i, z in enumerate(ph.ZONES)}
    readings |= {"conv_cm_min": speed, "o2_ppm": chunk.o2[chunk.minute],
                 "paste_pct": paste, "rh_pct": chunk.rh}
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
    p, terms = _probability(chunk, zones, speed, paste, new_lot)
    # Held boards wait and go through a healthy oven at the recipe.
    healthy, nominal_speed = _process(chunk, nominal, np.full(n, ph.SPEED_SP), False)
    rerun_paste = np.where(spi_held, chunk.paste_reprint, paste)
    p_rerun, _ = _probability(chunk, healthy, nominal_speed, rerun_paste, new_lot)
    return {"readings": readings, "held": held, "p": np.where(held, p_rerun, p),
            "terms": terms, "speed": speed, "rerun_speed": nominal_speed}


@dataclass(frozen=True)
class Outcome:
    """What a batch run gives: expected defect rate, holds, line time, cost per good board."""

    expected_defect_rate: float
    held_fraction: float
    throughput_loss: float
    boards: int
    cost_per_good_board: float


def fixed_costs(actions: Sequence[Action], size: str) -> tuple[float, float]:
    """(currency spent on repairs and scrapped lots, board slots of line time lost to repairs)."""
    per_hour = Plan.of(size).boards_per_shift / (SHIFT_MIN / 60)
    spent = slots = 0.0
    repairs = {(line, a.variable) for a in actions if a.kind == "repair" for line in a.lines()}
    spent += len(repairs) * COST_REPAIR_PART
    slots += len(repairs) * REPAIR_HOURS * per_hour
    reverts = {line for a in actions if a.kind == "revert" for line in a.lines()}
    spent += len(reverts) * COST_REVERT_LOT
    return spent, slots


def run_batch(seed: int, size: str, actions: Sequence[Action] = (), faults: bool = True
              ) -> Outcome:
    """Re-run the whole batch chunk by chunk (memory stays at one chunk)."""
    n = held = 0
    p_sum = slots_new = slots_asis = 0.0
    for chunk in iter_chunks(seed, size):
        asis = realise(chunk, (), faults)
        new = asis if not actions else realise(chunk, actions, faults)
        n += len(new["p"])
        p_sum += float(new["p"].sum())
        held += int(new["held"].sum())
        # Line time ∝ 1/speed; a held board also needs a second pass through the oven.
        slots_new += float((ph.SPEED_SP / new["speed"]).sum()
                           + (ph.SPEED_SP / new["rerun_speed"][new["held"]]).sum())
        slots_asis += float((ph.SPEED_SP / asis["speed"]).sum())
    spent, down = fixed_costs(actions, size)
    slots_new += down
    rate = p_sum / n
    cost = (COST_MATERIAL * n + COST_LINE_SLOT * slots_new + COST_HOLD * held + spent)
    return Outcome(expected_defect_rate=rate, held_fraction=held / n,
                   throughput_loss=max(0.0, slots_new / slots_asis - 1.0), boards=n,
                   cost_per_good_board=cost / (n * (1.0 - rate)))
