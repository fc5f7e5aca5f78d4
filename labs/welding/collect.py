"""The collection bot: find every raw log, normalise it, join it into one board-level table.

Sources are found with ``RPA.FileSystem``, the Excel shift reports are read with
``RPA.Excel.Files``, and pandas does the heavy lifting: the oven's per-minute readings are
joined to each board with ``merge_asof`` on oven entry time plus transit time. Everything the
bot had to fix is written to a collection report (rows read per source, duplicates dropped,
clock skew corrected, missing values, unit conversions).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from labs.welding.kit import readers as src

Progress = Callable[[str, float], None]
PATTERNS = {"oven_a": "oven/**/*.log", "oven_b": "oven/**/*.jsonl", "spi": "spi/*.csv",
            "aoi": "aoi/*.csv", "mes": "mes/*.csv", "env": "env/*.csv",
            "shift_reports": "shift_reports/*.xlsx"}
PROCESS_COLUMNS = src.ZONE_COLUMNS + ["conv_cm_min", "o2_ppm"]


@dataclass
class CollectionReport:
    """What the bot read and every fix it made."""

    files: dict[str, int] = field(default_factory=dict)
    rows_read: dict[str, int] = field(default_factory=dict)
    duplicates_dropped: dict[str, int] = field(default_factory=dict)
    clock_skew_s: dict[str, float] = field(default_factory=dict)
    missing_values: dict[str, int] = field(default_factory=dict)
    filled_from_previous_minute: int = 0
    unit_conversions: dict[str, int] = field(default_factory=dict)
    false_calls_overturned: int = 0
    boards: int = 0
    boards_without_oven_reading: int = 0

    def fix_items(self) -> list[tuple[str, dict]]:
        """Each fix as (English template, values), so a page can translate it."""
        out = [("dropped {n} duplicate rows from {source} (re-sent files)", {"n": n, "source": s})
               for s, n in self.duplicates_dropped.items() if n]
        out += [("shifted line {line}'s oven clock by {s} s to match the MES",
                 {"line": line, "s": f"{-s:+.0f}"}) for line, s in self.clock_skew_s.items() if s]
        out += [("{n} missing values (-999) in {column} set to empty", {"n": n, "column": c})
                for c, n in self.missing_values.items() if n]
        if self.filled_from_previous_minute:
            out.append(("{n} oven readings filled from the previous minute",
                        {"n": self.filled_from_previous_minute}))
        out += [("converted {n} {what}", {"n": n, "what": what})
                for what, n in self.unit_conversions.items() if n]
        if self.false_calls_overturned:
            out.append(("{n} AOI false calls overturned by operators counted as good boards",
                        {"n": self.false_calls_overturned}))
        return out

    def fixes(self) -> list[str]:
        """One sentence per fix, for people."""
        return [template.format(**values) for template, values in self.fix_items()]


def find_sources(public_dir: Path) -> dict[str, list[Path]]:
    """Every raw log file under ``public_dir/logs``, by source, in a stable order."""
    from RPA.FileSystem import FileSystem

    fs, logs = FileSystem(), Path(public_dir) / "logs"
    if not logs.is_dir():
        raise FileNotFoundError(f"{logs}: no logs folder; is {public_dir} a welding case?")
    return {name: sorted(Path(str(p)) for p in fs.find_files(str(logs / pat), include_dirs=False))
            for name, pat in PATTERNS.items()}


def _dedupe(df: pd.DataFrame, keys: list[str], name: str, report: CollectionReport
            ) -> pd.DataFrame:
    report.rows_read[name] = len(df)
    out = df.drop_duplicates(subset=keys, keep="first")
    report.duplicates_dropped[name] = len(df) - len(out)
    return out.reset_index(drop=True)


def _missing(df: pd.DataFrame, columns: list[str], report: CollectionReport) -> pd.DataFrame:
    for c in columns:
        mask = df[c] == src.MISSING
        report.missing_values[c] = report.missing_values.get(c, 0) + int(mask.sum())
        df.loc[mask, c] = float("nan")
    return df


def read_oven(files: dict[str, list[Path]], report: CollectionReport
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    parts, events, converted = [], [], 0
    for path in files["oven_a"]:
        r, e = src.read_vendor_a(path)
        parts.append(r), events.append(e)
    for path in files["oven_b"]:
        r, e, n = src.read_vendor_b(path, line=path.parent.name)
        parts.append(r), events.append(e)
        converted += n
    report.unit_conversions["conveyor speeds from mm/s to cm/min"] = converted
    readings = pd.concat(parts, ignore_index=True)
    readings["ts"] = pd.to_datetime(readings["ts"])
    readings = _dedupe(readings, ["line", "ts"], "oven", report)
    readings = _missing(readings, PROCESS_COLUMNS, report)
    readings = readings.sort_values(["line", "ts"])
    before = int(readings[PROCESS_COLUMNS].isna().sum().sum())
    readings[PROCESS_COLUMNS] = readings.groupby("line")[PROCESS_COLUMNS].ffill(limit=2)
    report.filled_from_previous_minute = before - int(readings[PROCESS_COLUMNS].isna().sum().sum())
    events = pd.concat(events, ignore_index=True)
    events["ts"] = pd.to_datetime(events["ts"])
    return readings, _dedupe(events, ["serial"], "oven_events", report)


def correct_skew(readings: pd.DataFrame, events: pd.DataFrame, mes: pd.DataFrame,
                 report: CollectionReport) -> pd.DataFrame:
    """Each oven's clock offset = median(oven's board-in time − MES oven entry) per line."""
    both = events.merge(mes[["serial", "oven_in"]], on="serial")
    skew = (both["ts"] - both["oven_in"]).dt.total_seconds().groupby(both["line"]).median()
    report.clock_skew_s = {line: float(s) for line, s in skew.items()}
    offset = pd.to_timedelta(readings["line"].map(skew).fillna(0.0), unit="s")
    return readings.assign(ts=readings["ts"] - offset)


def collect(public_dir: Path, out_dir: Path | None = None, progress: Progress | None = None
            ) -> tuple[pd.DataFrame, CollectionReport]:
    """Run the bot; with ``out_dir``, write ``boards.csv`` and ``collection_report.json``."""
    public_dir = Path(public_dir)
    step = progress or (lambda msg, frac: None)
    meta = json.loads((public_dir / "case.json").read_text(encoding="utf-8"))
    report = CollectionReport()
    files = find_sources(public_dir)
    report.files = {k: len(v) for k, v in files.items()}
    step("reading MES travellers", 0.05)
    mes = _dedupe(pd.concat([src.read_mes(p) for p in files["mes"]]), ["serial"], "mes", report)
    step("reading oven logs", 0.15)
    readings, events = read_oven(files, report)
    readings = correct_skew(readings, events, mes, report)
    step("joining oven readings to boards", 0.55)
    boards = mes.assign(read_at=mes["oven_in"] + pd.Timedelta(seconds=meta["transit_s"]))
    boards = pd.merge_asof(boards.sort_values("read_at"),
                           readings.sort_values("ts")[["line", "ts"] + PROCESS_COLUMNS],
                           left_on="read_at", right_on="ts", by="line", direction="backward",
                           tolerance=pd.Timedelta(minutes=3))
    report.boards_without_oven_reading = int(boards["z7_pv"].isna().sum())
    step("reading SPI, environment and AOI", 0.7)
    boards = _join_spi_env(boards, files, report)
    boards = _join_aoi(boards, files, report)
    step("reading shift reports", 0.85)
    boards = _join_shift_reports(boards, files, report)
    boards = _tidy(boards, meta)
    report.boards = len(boards)
    if out_dir is not None:
        write_outputs(boards, report, Path(out_dir))
    step("done", 1.0)
    return boards, report


def _join_spi_env(boards: pd.DataFrame, files, report: CollectionReport) -> pd.DataFrame:
    spi_parts, ratios = [], 0
    for path in files["spi"]:
        df, n = src.read_spi(path)
        spi_parts.append(df)
        ratios += n
    report.unit_conversions["SPI volumes from ratio to percent"] = ratios
    spi = _missing(_dedupe(pd.concat(spi_parts), ["serial"], "spi", report), ["paste_pct"], report)
    env = pd.concat([src.read_env(p) for p in files["env"]])
    env = _missing(_dedupe(env, ["timestamp"], "env", report), ["rh_pct"], report)
    boards = boards.merge(spi, on="serial", how="left").sort_values("oven_in")
    return pd.merge_asof(boards, env.sort_values("timestamp")[["timestamp", "rh_pct"]],
                         left_on="oven_in", right_on="timestamp", direction="backward")


def _join_aoi(boards: pd.DataFrame, files, report: CollectionReport) -> pd.DataFrame:
    aoi = _dedupe(pd.concat([src.read_aoi(p) for p in files["aoi"]]), ["serial"], "aoi", report)
    confirmed = (aoi["result"] == "FAIL") & (aoi["operator_verdict"] == "CONFIRMED")
    report.false_calls_overturned = int((aoi["operator_verdict"] == "FALSE_CALL").sum())
    aoi = pd.DataFrame({"serial": aoi["serial"], "defect": confirmed.astype(float),
                        "defect_code": aoi["defect_codes"].where(confirmed, "")})
    return boards.merge(aoi, on="serial", how="left")


def _join_shift_reports(boards: pd.DataFrame, files, report: CollectionReport) -> pd.DataFrame:
    parts = []
    for path in files["shift_reports"]:
        df = src.read_shift_report(path)
        parts.append(df.assign(line=path.stem.split("_")[0]))
    shifts = _dedupe(pd.concat(parts), ["line", "date", "shift"], "shift_reports", report)
    production = boards["oven_in"] - pd.Timedelta(hours=6)
    boards = boards.assign(production_date=production.dt.strftime("%Y-%m-%d"),
                           shift=pd.Series(["D", "E", "N"])[production.dt.hour // 8].to_numpy(),
                           hours_into_shift=(production.dt.hour % 8) + production.dt.minute / 60)
    shifts["date"] = pd.to_datetime(shifts["date"]).dt.strftime("%Y-%m-%d")
    return boards.merge(shifts[["line", "date", "shift", "conv_sp", "paste_lot"]],
                        left_on=["line", "production_date", "shift"],
                        right_on=["line", "date", "shift"], how="left")


COLUMNS = (["serial", "line", "production_date", "shift", "hours_into_shift", "oven_in",
            "thickness_mm", "component_class"] + PROCESS_COLUMNS
           + ["paste_pct", "rh_pct", "conv_sp", "paste_lot", "split", "defect", "defect_code"])


def _tidy(boards: pd.DataFrame, meta: dict) -> pd.DataFrame:
    holdout = boards["production_date"] >= meta["first_holdout_day"]
    boards = boards.assign(split=pd.Series(holdout).map({True: "holdout", False: "train"}))
    return boards[COLUMNS].sort_values(["oven_in", "serial"]).reset_index(drop=True)


def write_outputs(boards: pd.DataFrame, report: CollectionReport, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    boards.to_csv(out_dir / "boards.csv", index=False, float_format="%.4f")
    data = asdict(report) | {"fixes": report.fixes(),
                             "fix_items": [[t, v] for t, v in report.fix_items()]}
    (out_dir / "collection_report.json").write_text(
        json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load_boards(path: Path) -> pd.DataFrame:
    """Read a ``boards.csv`` written by the bot with the right types."""
    return pd.read_csv(path, parse_dates=["oven_in"], keep_default_na=True,
                       dtype={"defect_code": "string", "paste_lot": "string"})
