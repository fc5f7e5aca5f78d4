"""Readers of each raw log format, returning tidy pandas frames (one concern per function).

Part of the student kit. Each reader takes one file of one source and returns what the file
says: missing values stay -999, re-sent files read twice, clocks are as the machine wrote
them. A reader that can convert units says so (``convert``) and returns how many values it
converted, so a collection report can name the fix.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

MISSING = -999
ZONE_COLUMNS = [f"z{k}_pv" for k in range(1, 8)]


class LogFormatError(ValueError):
    """A log line that cannot be understood; names the file and line."""


def read_vendor_a(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """key=value oven log: per-minute readings and BOARD_IN events."""
    readings, events = [], []
    for no, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            stamp, rest = text.split(" ", 1)
            fields = dict(kv.split("=", 1) for kv in rest.split())
        except ValueError as exc:
            raise LogFormatError(
                f"{path.name} line {no}: not 'time key=value ...' ({exc})") from exc
        if fields.get("event") == "BOARD_IN":
            events.append({"line": fields["line"], "ts": stamp, "serial": fields["serial"]})
            continue
        row = {"line": fields["line"], "ts": stamp, "conv_cm_min": float(fields["conv_cm_min"]),
               "o2_ppm": float(fields["o2_ppm"]), "alarm": fields.get("alarm", "NONE")}
        row |= {c: float(fields[c]) for c in ZONE_COLUMNS}
        readings.append(row)
    return pd.DataFrame(readings), pd.DataFrame(events)


def read_vendor_b(path: Path, line: str, convert: bool = True
                  ) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """IPC-CFX-like JSON lines: per-minute readings and UnitsArrived events. With ``convert``
    the conveyor speed (written in mm/s) becomes cm/min; the count converted is returned.
    Without it the value stays as written and ``conv_unit`` says its unit."""
    readings, events, converted = [], [], 0
    for no, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            msg = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LogFormatError(f"{path.name} line {no}: not JSON ({exc.msg})") from exc
        if msg["MessageName"].endswith("UnitsArrived"):
            events += [{"line": line, "ts": msg["TimeStamp"], "serial": u["UnitIdentifier"]}
                       for u in msg["Units"]]
            continue
        alarms = msg.get("Alarms") or [{}]
        row = {"line": line, "ts": msg["TimeStamp"], "alarm": alarms[0].get("Code", "NONE")}
        for r in msg["Readings"]:
            name, value = r["Name"], float(r["Value"])
            if name.startswith("Zone"):
                row[f"z{name[4]}_pv"] = value
            elif name == "Conveyor.Speed":
                unit = r.get("Unit", "cm/min")
                if convert and unit == "mm/s" and value != MISSING:
                    value, converted, unit = value * 6.0, converted + 1, "cm/min"
                row["conv_cm_min"] = value
                if not convert:
                    row["conv_unit"] = unit
            elif name == "Atmosphere.O2":
                row["o2_ppm"] = value
        readings.append(row)
    return pd.DataFrame(readings), pd.DataFrame(events), converted


def read_spi(path: Path) -> tuple[pd.DataFrame, int]:
    """SPI CSV of either vendor -> serial, paste_pct. Returns the count of ratio conversions."""
    head = path.open(encoding="utf-8").readline()
    if ";" in head:
        df = pd.read_csv(path, sep=";", decimal=",")
        df = df.rename(columns={"Barcode": "serial", "Volume(%)": "paste_pct"})
        return df[["serial", "paste_pct"]], 0
    df = pd.read_csv(path)
    ratio = df["volume_ratio"]
    paste = np.where(ratio == MISSING, MISSING, ratio * 100.0)
    return pd.DataFrame({"serial": df["serial"], "paste_pct": paste}), int((ratio != MISSING).sum())


def read_aoi(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={"defect_codes": "string", "operator_verdict": "string"},
                     keep_default_na=False)
    missing = {"serial", "result", "defect_codes", "operator_verdict"} - set(df.columns)
    if missing:
        raise LogFormatError(f"{path.name}: AOI columns missing: {sorted(missing)}")
    return df


def read_mes(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, parse_dates=["oven_in", "oven_out"])


def read_env(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, parse_dates=["timestamp"])


def read_shift_report(path: Path) -> pd.DataFrame:
    """Excel shift report with a merged group header: row 2 holds the column names."""
    from RPA.Excel.Files import Files

    excel = Files()
    excel.open_workbook(str(path))
    try:
        rows = excel.read_worksheet(excel.get_active_worksheet(), header=False)
    finally:
        excel.close_workbook()
    columns = list(rows[1].keys())
    names = [rows[1][c] for c in columns]
    df = pd.DataFrame([[r.get(c) for c in columns] for r in rows[2:]], columns=names)
    return df.rename(columns={"Conveyor set (cm/min)": "conv_sp", "Date": "date",
                              "Shift": "shift", "Paste lot": "paste_lot",
                              "AOI rejects": "aoi_rejects", "Boards": "boards",
                              "Notes": "notes", "Operator": "operator"})
