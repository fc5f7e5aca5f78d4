"""What the regional files look like before any cleaning (for the page's inbox view)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from labs.accounting.ingest import _header_at, decode, separator

PREVIEW_ROWS = 12


def _decode(raw: bytes) -> tuple[str, str]:
    decoded = decode(raw)
    if decoded is None:
        return raw.decode("latin-1"), "unknown"
    return decoded[0], "UTF-8" if decoded[1] == "utf-8-sig" else "GBK"


def describe(path: Path) -> dict[str, str]:
    """The house style of one export: format, encoding, separator, sheets, header row."""
    if path.suffix.lower() == ".xlsx":
        sheets = pd.read_excel(path, sheet_name=None, header=None, nrows=30, dtype=object)
        found = {n: _header_at(df) for n, df in sheets.items()}
        data = next((n for n, h in found.items() if h is not None), "")
        merged = sum(1 for _ in _merged_ranges(path))
        return {"format": "Excel", "sheets": ", ".join(sheets), "data sheet": data,
                "header row": str((found.get(data) or 0) + 1), "merged cells": str(merged)}
    text, encoding = _decode(path.read_bytes())
    sep = separator(text)
    return {"format": "CSV", "encoding": encoding, "separator": sep,
            "decimal mark": "," if sep == ";" else ".", "header row": "1"}


def _merged_ranges(path: Path):
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=False)
    for ws in wb.worksheets:
        yield from ws.merged_cells.ranges


def raw_preview(path: Path, rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The first rows exactly as stored: title rows, blanks and all."""
    if path.suffix.lower() == ".xlsx":
        sheets = pd.read_excel(path, sheet_name=None, header=None, nrows=rows + 10, dtype=object)
        name, df = max(sheets.items(), key=lambda kv: len(kv[1]))
        df = df.head(rows).fillna("")
        df.columns = [chr(65 + i) if i < 26 else str(i) for i in range(df.shape[1])]
        return df.astype(str)
    text, _ = _decode(path.read_bytes())
    return pd.DataFrame({"raw line": text.splitlines()[:rows]})
