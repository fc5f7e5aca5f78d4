"""Reading (bounded) and writing of the report workbook, the lab's submission.

The contract itself (sheets, columns, keys) lives in :mod:`labs.accounting.kit.contract`, so a
student's code can write the workbook with the toolkit.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from labs.accounting.kit.contract import (
    COLUMNS,
    KEYS,
    NUMERIC,
    OPTIONAL,
    OPTIONAL_COLUMNS,
    REPORT_TABLES,
    SUBMISSION_NAME,
    TIME_KEYS,
    report_workbook,
)
from labs.accounting.xlsxio import save_workbook
from workbench.grading.bounded import LARGE_TABLES, bounded_reader
from workbench.i18n import N_
from workbench.lab import Problem, SubmissionError

__all__ = ["COLUMNS", "KEYS", "NUMERIC", "OPTIONAL", "REPORT_TABLES", "SUBMISSION_NAME",
           "TIME_KEYS", "Report", "read_submission", "write_submission"]


@dataclass
class Report:
    """A consolidation report with anomaly flags: the solution object of this lab."""

    tables: dict[str, pd.DataFrame]
    flags: pd.DataFrame
    meta: dict[str, object] = field(default_factory=dict)
    exceptions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=OPTIONAL["Exceptions"]))

    @property
    def processing_seconds(self) -> float:
        return float(sum(float(self.meta.get(k, float("nan"))) for k in TIME_KEYS))


def write_submission(report: Report, path: Path) -> Path:
    """Write the report workbook (reproducible bytes)."""
    wb = report_workbook(report.tables, report.flags, report.meta, report.exceptions)
    return save_workbook(wb, Path(path))


def _cells(ws) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        return pd.DataFrame()
    header = [str(h).strip() if h is not None else f"column {i + 1}" for i, h in enumerate(rows[0])]
    body = [r for r in rows[1:] if any(v is not None and str(v).strip() != "" for v in r)]
    return pd.DataFrame(body, columns=header, dtype=object)


def _key_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "" if v is None else str(v).strip()


def _coerce(name: str, df: pd.DataFrame, where: str, problems: list[Problem]) -> pd.DataFrame:
    for col in KEYS.get(name, []):
        df[col] = df[col].map(_key_text)
    for col in NUMERIC.get(name, []):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        for i in df.index[bad][:5]:
            problems.append(Problem(N_("{value!r} is not a number"),
                                    N_("{file} sheet {sheet!r} row {row} column {column!r}"),
                                    params={"value": df.at[i, col], "file": where,
                                            "sheet": name, "row": i + 2, "column": col}))
        df[col] = values.fillna(0.0).astype(float)
    return df


@bounded_reader(LARGE_TABLES)  # untrusted workbook: checked, then parsed in a limited worker
def read_submission(path: Path) -> Report:
    """Read a report workbook; raise SubmissionError listing every problem found."""
    path = Path(path)
    where = path.name
    if not path.is_file():
        raise SubmissionError(Problem(N_("file {path} not found; upload the report workbook"),
                                      "{file}", params={"path": str(path), "file": where}))
    if not zipfile.is_zipfile(path):
        raise SubmissionError(Problem(N_("not an Excel workbook (.xlsx); save the report as "
                                         "'Excel Workbook' with the sheets of the contract"),
                                      where))
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise SubmissionError(Problem(N_("the workbook cannot be opened ({error}); save it "
                                         "again from Excel"), "{file}",
                                      params={"error": f"{type(exc).__name__}: {exc}",
                                              "file": where})) from None
    problems: list[Problem] = []
    missing = [s for s in COLUMNS if s not in wb.sheetnames]
    if missing:
        problems.append(Problem(N_("sheet(s) {missing} missing; a report needs sheets {sheets}"),
                                "{file}", params={"missing": ", ".join(repr(s) for s in missing),
                                                  "sheets": ", ".join(COLUMNS), "file": where}))
    frames: dict[str, pd.DataFrame] = {}
    for name, cols in {**COLUMNS, **OPTIONAL}.items():
        if name not in wb.sheetnames:
            continue
        df = _cells(wb[name])
        absent = [c for c in cols if c not in df.columns and c not in OPTIONAL_COLUMNS]
        if absent:
            found = ", ".join(map(str, df.columns))
            problems.append(Problem(N_("column(s) {absent} missing (found: {found})") if found
                                    else N_("column(s) {absent} missing (found: nothing)"),
                                    N_("{file} sheet {sheet!r}"),
                                    params={"absent": ", ".join(absent), "found": found,
                                            "file": where, "sheet": name}))
            continue
        frames[name] = _coerce(name, df.reindex(columns=cols), where, problems)
    wb.close()
    if problems:
        raise SubmissionError(problems)
    meta = dict(zip(frames["Meta"]["key"], frames["Meta"]["value"], strict=True))
    flags = frames["Flags"].assign(reason=frames["Flags"]["reason"].fillna("").astype(str))
    exceptions = frames.get("Exceptions", pd.DataFrame(columns=OPTIONAL["Exceptions"]))
    return Report({k: frames[k] for k in REPORT_TABLES}, flags, meta, exceptions)
