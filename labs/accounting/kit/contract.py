"""The submission contract: ONE workbook (.xlsx) holding the report and the anomaly flags.

=================  =====================================================  ===================
sheet              columns (first row is the header)                      key
=================  =====================================================  ===================
Meta               key, value: keying_seconds, setup_seconds,             key
                   review_seconds (numbers), anything else is kept
FX                 currency, closing_rate, average_rate, historical_rate  currency
                   (historical_rate optional)
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

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

COLUMNS = {
    "Meta": ["key", "value"],
    "FX": ["currency", "closing_rate", "average_rate", "historical_rate"],
    "TB_Regions": ["region", "account", "local_debit", "local_credit", "debit", "credit"],
    "Eliminations": ["region", "account", "debit", "credit"],
    "TB_Consolidated": ["account", "name", "debit", "credit"],
    "PL": ["line", "name", "amount"],
    "BS": ["line", "name", "amount"],
    "Flags": ["entry_id", "risk_score", "reason"],
}
OPTIONAL = {"Exceptions": ["file", "row", "problem"]}
OPTIONAL_COLUMNS = ("reason", "name", "historical_rate")  # a sheet may leave these out
KEYS = {
    "FX": ["currency"],
    "TB_Regions": ["region", "account"],
    "Eliminations": ["region", "account"],
    "TB_Consolidated": ["account"],
    "PL": ["line"],
    "BS": ["line"],
    "Flags": ["entry_id"],
    "Meta": ["key"],
}
NUMERIC = {
    "FX": ["closing_rate", "average_rate", "historical_rate"],
    "TB_Regions": ["local_debit", "local_credit", "debit", "credit"],
    "Eliminations": ["debit", "credit"],
    "TB_Consolidated": ["debit", "credit"],
    "PL": ["amount"],
    "BS": ["amount"],
    "Flags": ["risk_score"],
}
REPORT_TABLES = ("FX", "TB_Regions", "Eliminations", "TB_Consolidated", "PL", "BS")
TIME_KEYS = ("keying_seconds", "setup_seconds", "review_seconds")
SUBMISSION_NAME = "consolidation.xlsx"


def _cell(v: object) -> object:
    if isinstance(v, float) and v != v:
        return None
    return v.item() if hasattr(v, "item") else v


def report_workbook(
    tables: Mapping[str, pd.DataFrame],
    flags: pd.DataFrame,
    meta: Mapping[str, object] | None = None,
    exceptions: pd.DataFrame | None = None,
) -> Workbook:
    """The report as an openpyxl workbook with the sheets and columns of the contract."""
    wb = Workbook()
    wb.remove(wb.active)
    meta_frame = pd.DataFrame(
        sorted((meta or {}).items(), key=lambda kv: str(kv[0])), columns=["key", "value"]
    )
    empty = pd.DataFrame(columns=OPTIONAL["Exceptions"])
    frames = {
        "Meta": meta_frame,
        **{k: tables[k] for k in REPORT_TABLES},
        "Flags": flags,
        "Exceptions": empty if exceptions is None else exceptions,
    }
    for name, df in frames.items():
        cols = COLUMNS.get(name) or OPTIONAL[name]
        ws = wb.create_sheet(name)
        ws.append(cols)
        for row in df.reindex(columns=cols).itertuples(index=False):
            ws.append([_cell(v) for v in row])
    return wb


def write_report(
    path: str | Path,
    tables: Mapping[str, pd.DataFrame],
    flags: pd.DataFrame,
    meta: Mapping[str, object] | None = None,
    exceptions: pd.DataFrame | None = None,
) -> Path:
    """Write the report workbook to ``path`` (see the module docstring for the sheets).

    ``meta`` needs keying_seconds, setup_seconds and review_seconds (numbers of seconds).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    report_workbook(tables, flags, meta, exceptions).save(path)
    return path
