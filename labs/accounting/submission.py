"""The submission contract: ONE workbook (.xlsx) holding the report and the anomaly flags.

=================  =====================================================  ===================
sheet              columns (first row is the header)                      key
=================  =====================================================  ===================
Meta               key, value: keying_seconds, setup_seconds,             key
                   review_seconds (numbers), anything else is kept
FX                 currency, closing_rate, average_rate                   currency
TB_Regions         region, account, local_debit, local_credit, debit,     region + account
                   credit (group account; translated debit/credit in CNY)
Eliminations       region, account, debit, credit                         region + account
TB_Consolidated    account, name, debit, credit                           account
PL                 line, name, amount                                     line
BS                 line, name, amount                                     line
Flags              entry_id, risk_score (a number >= 0, higher = riskier;   entry_id
                   only the order counts), reason (optional text)
Exceptions         file, row, problem (optional: rows the process could    -
                   not use)
=================  =====================================================  ===================
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook

from labs.accounting.xlsxio import save_workbook
from workbench.grading.bounded import bounded_reader
from workbench.lab import Problem, SubmissionError

COLUMNS = {
    "Meta": ["key", "value"],
    "FX": ["currency", "closing_rate", "average_rate"],
    "TB_Regions": ["region", "account", "local_debit", "local_credit", "debit", "credit"],
    "Eliminations": ["region", "account", "debit", "credit"],
    "TB_Consolidated": ["account", "name", "debit", "credit"],
    "PL": ["line", "name", "amount"],
    "BS": ["line", "name", "amount"],
    "Flags": ["entry_id", "risk_score", "reason"],
}
OPTIONAL = {"Exceptions": ["file", "row", "problem"]}
KEYS = {"FX": ["currency"], "TB_Regions": ["region", "account"], "Eliminations": ["region", "account"],
        "TB_Consolidated": ["account"], "PL": ["line"], "BS": ["line"], "Flags": ["entry_id"],
        "Meta": ["key"]}
NUMERIC = {"FX": ["closing_rate", "average_rate"],
           "TB_Regions": ["local_debit", "local_credit", "debit", "credit"],
           "Eliminations": ["debit", "credit"], "TB_Consolidated": ["debit", "credit"],
           "PL": ["amount"], "BS": ["amount"], "Flags": ["risk_score"]}
REPORT_TABLES = ("FX", "TB_Regions", "Eliminations", "TB_Consolidated", "PL", "BS")
TIME_KEYS = ("keying_seconds", "setup_seconds", "review_seconds")
SUBMISSION_NAME = "consolidation.xlsx"


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
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    meta = pd.DataFrame(sorted(report.meta.items(), key=lambda kv: str(kv[0])), columns=["key", "value"])
    frames = {"Meta": meta, **{k: report.tables[k] for k in REPORT_TABLES},
              "Flags": report.flags, "Exceptions": report.exceptions}
    for name, df in frames.items():
        cols = COLUMNS.get(name) or OPTIONAL[name]
        ws = wb.create_sheet(name)
        ws.append(cols)
        for row in df.reindex(columns=cols).itertuples(index=False):
            ws.append([None if (isinstance(v, float) and v != v) else
                       (v.item() if hasattr(v, "item") else v) for v in row])
    return save_workbook(wb, path)


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
            problems.append(Problem(f"{df.at[i, col]!r} is not a number", f"{where} sheet {name!r} "
                                    f"row {i + 2} column {col!r}"))
        df[col] = values.fillna(0.0).astype(float)
    return df


@bounded_reader()  # untrusted workbook: size/dimension/strings checks, parsed in a limited worker
def read_submission(path: Path) -> Report:
    """Read a report workbook; raise SubmissionError listing every problem found."""
    path = Path(path)
    where = path.name
    if not path.is_file():
        raise SubmissionError(Problem(f"file {path} not found; upload the report workbook", where))
    if not zipfile.is_zipfile(path):
        raise SubmissionError(Problem("not an Excel workbook (.xlsx); save the report as "
                                      "'Excel Workbook' with the sheets of the contract", where))
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise SubmissionError(Problem(f"the workbook cannot be opened ({type(exc).__name__}: "
                                      f"{exc}); save it again from Excel", where)) from None
    problems: list[Problem] = []
    missing = [s for s in COLUMNS if s not in wb.sheetnames]
    if missing:
        problems.append(Problem(f"sheet(s) {', '.join(repr(s) for s in missing)} missing; a report "
                                f"needs sheets {', '.join(COLUMNS)}", where))
    frames: dict[str, pd.DataFrame] = {}
    for name, cols in {**COLUMNS, **OPTIONAL}.items():
        if name not in wb.sheetnames:
            continue
        df = _cells(wb[name])
        absent = [c for c in cols if c not in df.columns and c not in ("reason", "name")]
        if absent:
            problems.append(Problem(f"column(s) {', '.join(absent)} missing (found: "
                                    f"{', '.join(map(str, df.columns)) or 'nothing'})",
                                    f"{where} sheet {name!r}"))
            continue
        frames[name] = _coerce(name, df.reindex(columns=cols), where, problems)
    wb.close()
    if problems:
        raise SubmissionError(problems)
    meta = dict(zip(frames["Meta"]["key"], frames["Meta"]["value"], strict=True))
    flags = frames["Flags"].assign(reason=frames["Flags"]["reason"].fillna("").astype(str))
    exceptions = frames.get("Exceptions", pd.DataFrame(columns=OPTIONAL["Exceptions"]))
    return Report({k: frames[k] for k in REPORT_TABLES}, flags, meta, exceptions)
