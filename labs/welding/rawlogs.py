"""Writers of the raw machine logs, each in its own vendor's format and with its own dirt.

Oven vendor A (lines 1 and 3): key=value text, one reading per minute plus board events.
Oven vendor B (line 2): JSON lines shaped like IPC-CFX messages, conveyor speed in mm/s.
SPI: lines 1–2 write ``;``-separated CSV with decimal commas; line 3 writes volume as a ratio.
AOI: defect codes per board; false calls are overturned by an operator (not defects).
Missing values are written as -999, line 3's oven clock runs 90 s ahead. Both ovens log their
deviation warnings and alarms with the operator's acknowledgement (see ``physics.WARN_C``).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from labs.welding import physics as ph
from labs.welding.batch import START, Chunk
from labs.welding.kit.readers import MISSING

CLOCK_SKEW_S = {"L1": 0, "L2": 0, "L3": 90}
OVEN_ID = {"L1": "RF-01", "L2": "RF-02", "L3": "RF-03"}
VENDOR_B_LINES = ("L2",)
FALSE_CALL_RATE = 0.03
CODES = ("BRIDGE", "INSUFF", "TOMBSTONE", "COLD", "MISSING")


def stamp(day: int, seconds: np.ndarray | int) -> list[str]:
    base = START + timedelta(days=day)
    return [(base + timedelta(seconds=int(s))).isoformat() for s in np.atleast_1d(seconds)]


def day_label(day: int) -> str:
    return (START + timedelta(days=day)).strftime("%Y%m%d")


def _with_missing(values: np.ndarray, rng: np.random.Generator, rate: float) -> np.ndarray:
    out = values.astype(float).copy()
    out[rng.random(out.shape) < rate] = MISSING
    return out


def write_oven(chunk: Chunk, readings: dict, folder: Path, rng: np.random.Generator) -> Path:
    """One oven log file of one line and production day."""
    zones = _with_missing(readings["zones"], rng, 0.003)
    skew = CLOCK_SKEW_S[chunk.line]
    minute_times = stamp(chunk.day, np.arange(len(zones)) * 60 + skew)
    board_times = stamp(chunk.day, chunk.oven_in_s + skew)
    oven, serials = OVEN_ID[chunk.line], chunk.serials
    events = sorted([(t, 0, i) for i, t in enumerate(minute_times)]
                    + [(t, 1, i) for i, t in enumerate(board_times)])
    lines = []
    vendor_b = chunk.line in VENDOR_B_LINES
    for t, kind, i in events:
        if vendor_b:
            lines.append(json.dumps(_cfx(t, kind, i, oven, zones, readings, serials),
                                    separators=(",", ":")))
        elif kind == 1:
            lines.append(f"{t} line={chunk.line} oven={oven} event=BOARD_IN serial={serials[i]}")
        else:
            lines.append(_key_value(t, chunk.line, oven, zones[i], readings, i))
    path = folder / chunk.line / f"{day_label(chunk.day)}.{'jsonl' if vendor_b else 'log'}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def alarm_state(zones_row: np.ndarray) -> tuple[str, bool]:
    """(code, acknowledged) of the oven's deviation check in one minute.

    Beyond ``ALARM_C`` the red lamp stops the conveyor (``Zk_DEV_ALARM``); beyond ``WARN_C``
    the yellow lamp lights (``Zk_DEV_WARN``). Operators acknowledge warnings at the panel;
    the log keeps the acknowledgement."""
    dev = np.abs(zones_row - np.asarray(ph.ZONE_SP))
    dev[zones_row == MISSING] = 0
    k = int(np.argmax(dev))
    if dev[k] > ph.ALARM_C:
        return f"Z{k + 1}_DEV_ALARM", True
    if dev[k] > ph.WARN_C:
        return f"Z{k + 1}_DEV_WARN", True
    return "NONE", False


def _key_value(t: str, line: str, oven: str, zrow: np.ndarray, readings: dict, i: int) -> str:
    zones = " ".join(f"z{k + 1}_sp={ph.ZONE_SP[k]:.0f} z{k + 1}_pv={zrow[k]:.1f}"
                     for k in range(7))
    code, ack = alarm_state(zrow)
    return (f"{t} line={line} oven={oven} recipe=SAC305_STD {zones} "
            f"conv_sp={readings['speed_sp'][i]:.0f} conv_cm_min={readings['speed'][i]:.1f} "
            f"o2_ppm={readings['o2'][i]:.0f} alarm={code}" + (" ack=OPERATOR" if ack else ""))


def _cfx(t: str, kind: int, i: int, oven: str, zones: np.ndarray, readings: dict,
         serials: list[str]) -> dict:
    if kind == 1:
        return {"MessageName": "CFX.Production.UnitsArrived", "Source": oven, "TimeStamp": t,
                "Units": [{"UnitIdentifier": serials[i], "PositionNumber": 1}]}
    values = [{"Name": f"Zone{k + 1}.PV", "Value": round(float(zones[i, k]), 1), "Unit": "C"}
              for k in range(7)]
    values += [{"Name": "Conveyor.Speed", "Value": round(readings["speed"][i] / 6.0, 3),
                "Unit": "mm/s"},
               {"Name": "Atmosphere.O2", "Value": round(float(readings["o2"][i])), "Unit": "ppm"}]
    message = {"MessageName": "CFX.Production.Processing.ReadingsRecorded", "Source": oven,
               "TimeStamp": t, "Readings": values}
    code, ack = alarm_state(zones[i])
    if code != "NONE":
        message["Alarms"] = [{"Code": code, "Acknowledged": ack}]
    return message


def write_spi(chunk: Chunk, folder: Path, rng: np.random.Generator) -> Path:
    n = len(chunk.oven_in_s)
    volume = _with_missing(np.round(chunk.paste, 1), rng, 0.005)
    height = np.round(120 * chunk.paste / 100 + rng.normal(0, 3, n), 1)
    area = np.round(100 + rng.normal(0, 4, n), 1)
    times = stamp(chunk.day, chunk.oven_in_s - 600)
    result = np.where((volume != MISSING) & ((volume < 70) | (volume > 130)), "WARN", "PASS")
    path = folder / f"{chunk.line}_{day_label(chunk.day)}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    if chunk.line == "L3":
        ratio = np.where(volume == MISSING, MISSING, np.round(volume / 100, 3))
        rows = ["serial,timestamp,volume_ratio,height_um,area_ratio,result"]
        rows += [f"{s},{t},{v:g},{h:.1f},{a / 100:.3f},{r}"
                 for s, t, v, h, a, r in zip(chunk.serials, times, ratio, height, area, result,
                                             strict=True)]
    else:
        rows = ["Barcode;Inspection time;Volume(%);Height(um);Area(%);Result"]
        rows += [_decimal_commas(f"{s};{t};{v:.1f};{h:.1f};{a:.1f};{r}")
                 for s, t, v, h, a, r in zip(chunk.serials, times, volume, height, area, result,
                                             strict=True)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _decimal_commas(row: str) -> str:
    """Decimal commas in the numeric fields only (serial and timestamp keep their dots)."""
    serial, time, *rest = row.split(";")
    return ";".join([serial, time] + [f.replace(".", ",") for f in rest])


def aoi_codes(terms: dict[str, np.ndarray], defect: np.ndarray, u: np.ndarray) -> list[str]:
    """A code per defective board, drawn in proportion to each mechanism's excess risk."""
    weights = np.stack([
        terms["paste_high"] + terms["overheat"] + 0.25,  # BRIDGE
        terms["paste_low"] + 0.3 * terms["cold"] + 0.25,  # INSUFF
        0.25 + 0.1 * terms["component"],  # TOMBSTONE
        terms["cold"] + 0.05,  # COLD
        np.full(len(u), 0.15),  # MISSING
    ], axis=1)
    cum = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
    idx = (u[:, None] > cum).sum(axis=1)
    return [CODES[k] if d else "" for k, d in zip(idx, defect, strict=True)]


def write_aoi(chunk: Chunk, defect: np.ndarray, codes: list[str], folder: Path,
              rng: np.random.Generator) -> Path:
    false_call = (~defect) & (rng.random(len(defect)) < FALSE_CALL_RATE)
    fc_codes = rng.choice(CODES, size=len(defect))
    times = stamp(chunk.day, chunk.oven_in_s + 540)
    rows = ["serial,inspected_at,result,defect_codes,operator_verdict"]
    for s, t, d, c, f, fc in zip(chunk.serials, times, defect, codes, false_call, fc_codes,
                                 strict=True):
        if d:
            rows.append(f"{s},{t},FAIL,{c},CONFIRMED")
        elif f:
            rows.append(f"{s},{t},FAIL,{fc},FALSE_CALL")
        else:
            rows.append(f"{s},{t},PASS,,")
    path = folder / f"{chunk.line}_{day_label(chunk.day)}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def write_mes(day: int, chunks: list[Chunk], speeds: list[np.ndarray], folder: Path) -> Path:
    rows = ["serial,line,product,thickness_mm,component_class,oven_in,oven_out"]
    for chunk, speed in zip(chunks, speeds, strict=True):
        # 450 cm of oven at the board's conveyor speed.
        out_s = chunk.oven_in_s + np.round(450 / speed * 60).astype(int)
        for s, th, c, tin, tout in zip(chunk.serials, chunk.thickness, chunk.component,
                                        stamp(day, chunk.oven_in_s), stamp(day, out_s),
                                        strict=True):
            rows.append(f"{s},{chunk.line},PCB-{int(th * 10):02d}-{c},{th:.1f},{c},{tin},{tout}")
    path = folder / f"traveller_{day_label(day)}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def write_environment(day: int, rh_5min: np.ndarray, folder: Path, rng: np.random.Generator
                      ) -> Path:
    rh = _with_missing(np.round(rh_5min, 1), rng, 0.01)
    temp = np.round(23 + rng.normal(0, 0.6, len(rh)), 1)
    times = stamp(day, np.arange(len(rh)) * 300)
    rows = ["timestamp,rh_pct,temp_c"] + [f"{t},{h:g},{c:.1f}"
                                          for t, h, c in zip(times, rh, temp, strict=True)]
    path = folder / f"env_{day_label(day)}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def date_of(day: int) -> datetime:
    return START + timedelta(days=day)
