"""The hidden defect model: reflow physics of a SAC305 board and the defect probability.

Nothing here is visible to a student: the logs carry zone readings, conveyor speed, paste
volume, O2 and humidity, never the board's peak temperature, its time above liquidus or its
defect probability. Figures follow the domain brief (J-STD-020 / IPC-7530 style profile).
"""

from __future__ import annotations

import numpy as np

LINES = ("L1", "L2", "L3")
SHIFTS = ("D", "E", "N")  # day 06-14, evening 14-22, night 22-06
ZONES = tuple(f"z{i}" for i in range(1, 8))
ZONE_SP = (120.0, 150.0, 170.0, 180.0, 190.0, 215.0, 250.0)
SPEED_SP = 75.0  # cm/min
THICKNESSES = (1.0, 1.6, 2.4)  # mm
THICKNESS_P = (0.3, 0.5, 0.2)
COMPONENTS = ("chip0402", "QFN", "BGA")
COMPONENT_P = (0.5, 0.3, 0.2)
TRANSIT_S = 300  # oven entry to the peak zone at nominal speed (375 cm oven head at 75 cm/min)

# Calibrated (benchmarks/welding_scenario.py) so that lines with a healthy oven run at about
# 1 % defective modules (70-100 DPMO at ~120 joints per module, the domain brief's "ordinary").
BASE_RATE = 0.0075
# Thermal mass lowers the peak a board reaches for the same oven profile (°C).
THERMAL_MASS_THICKNESS = {1.0: -1.0, 1.6: 0.5, 2.4: 3.0}
THERMAL_MASS_COMPONENT = {"chip0402": 0.0, "QFN": 0.5, "BGA": 1.5}
# Finer pitch, more joints per package: a small extra risk at any profile.
COMPONENT_LOGIT = {"chip0402": 0.0, "QFN": 0.15, "BGA": 0.25}

# The fault of the bad batch: one heater element of the peak zone (z7) of one line's oven
# fails (an element of the zone's bank burns open). From then on the zone cannot reach its
# set point under load: it runs FAULT_SAG_C below it, a little more on the shift with the
# highest heat demand, a little less on the others. Which line, which shift is worst, and
# the onset day are drawn per seed (``batch.draw_fault``); the size is fixed by calibration.
FAULT_ZONE = "z7"
FAULT_SAG_C = 12.0              # °C below set point at average heat demand
FAULT_SHIFT_FACTOR = (1.05, 0.975)  # (worst shift, the other two)
FAULT_SAG_NOISE_C = 0.5          # slow wander of the sag (AR(1), minutes)
FAULT_ONSET_FRACTION = (0.1, 0.2)  # onset day = this share of the batch's days (at least 1)
# Oven alarms (both vendors): a deviation beyond WARN_C lights the yellow lamp, is logged and
# acknowledged by the operator; beyond ALARM_C the red lamp stops the conveyor. The plant set
# the alarm band wide after nuisance stops during warm-up, so a sag of 11-14 °C only warns.
WARN_C, ALARM_C = 5.0, 20.0
# The non-causal suspect: the failure shift coincides with the first jar of a new supplier's
# paste lot on that line. It prints the same volume (SPI sees no difference) and has no
# effect of its own in this scenario; both are parameters of the sensitivity table.
NEW_LOT_VOLUME_PCT = 0.0
NEW_LOT_LOGIT = 0.0
# Cold joints: below this board peak wetting suffers (SAC305 liquidus 217-220 °C plus the
# 15-20 °C a joint needs to wet; profiles aim at 235-245 °C). The nominal board peak is about
# 238.8 °C, so the recipe's cold-joint margin is about 3.8 °C.
COLD_PEAK_C = 235.0
BURST_LINE, BURST_C = "L3", 19.0  # rare heater overshoots (a stuck solid-state relay)
BURSTS_PER_DAY = 1.2


def thermal_mass(thickness: np.ndarray, component: np.ndarray) -> np.ndarray:
    """Degrees the board's peak falls short of a bare board's because of its mass."""
    t = np.select([thickness == k for k in THERMAL_MASS_THICKNESS],
                  list(THERMAL_MASS_THICKNESS.values()), 0.0)
    c = np.select([component == k for k in THERMAL_MASS_COMPONENT],
                  list(THERMAL_MASS_COMPONENT.values()), 0.0)
    return t + c


def peak_temperature(z6: np.ndarray, z7: np.ndarray, speed: np.ndarray, mass: np.ndarray,
                     noise: np.ndarray) -> np.ndarray:
    """Board peak (°C): mostly zone 7, some zone 6; a faster conveyor leaves less time to heat."""
    return 0.72 * z7 + 0.22 * z6 + 12.5 - 0.9 * (speed - SPEED_SP) - mass + noise


def time_above_liquidus(peak: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """Seconds above 217 °C: grows with the peak, shrinks with conveyor speed."""
    return 60.0 + 2.2 * (peak - 240.0) - 1.1 * (speed - SPEED_SP)


def defect_terms(peak: np.ndarray, tal: np.ndarray, paste: np.ndarray, component: np.ndarray,
                 o2: np.ndarray, rh: np.ndarray, new_lot: np.ndarray | None = None
                 ) -> dict[str, np.ndarray]:
    """Each mechanism's contribution to the defect log-odds (used for the AOI defect codes)."""
    sensitive = np.isin(component, ("BGA", "QFN"))
    comp = np.select([component == k for k in COMPONENT_LOGIT], list(COMPONENT_LOGIT.values()), 0.0)
    return {
        "cold": 0.28 * np.maximum(0.0, COLD_PEAK_C - peak) + 0.05 * np.maximum(0.0, 45.0 - tal),
        "overheat": 0.45 * np.maximum(0.0, peak - 249.0) * sensitive,
        "paste_low": 0.09 * np.maximum(0.0, (100.0 - paste) - 18.0),
        "paste_high": 0.09 * np.maximum(0.0, (paste - 100.0) - 18.0),
        "component": comp,
        # Oxidation above ~1000 ppm O2 and moisture far from the 48 % RH norm hurt wetting a little.
        "environment": 0.4 * np.maximum(0.0, np.log(o2 / 1000.0))
        + 0.04 * np.maximum(0.0, np.abs(rh - 48.0) - 12.0),
        "paste_lot": NEW_LOT_LOGIT * (new_lot if new_lot is not None else 0.0),
    }


def defect_probability(terms: dict[str, np.ndarray]) -> np.ndarray:
    """Logistic link over the base rate plus every mechanism's term."""
    logit = np.log(BASE_RATE / (1.0 - BASE_RATE)) + sum(terms.values())
    return 1.0 / (1.0 + np.exp(-logit))
