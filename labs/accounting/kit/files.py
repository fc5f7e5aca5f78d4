"""Low-level helpers for the regional exports: text encodings, CSV separators, the raw cells of
a workbook, entry ids. They do not read an export into a ledger: that is your work."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

ENCODINGS = ("utf-8-sig", "gbk")  # what the regional CSV exports are saved in
MAX_EXPORT_BYTES = 200 * 2**20  # an export bigger than this is refused


def decode_text(raw: bytes) -> tuple[str, str] | None:
    """``(text, encoding)`` of bytes saved as UTF-8 (with or without BOM) or GBK; ``None``
    when neither decodes."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


def read_text(path: str | Path) -> tuple[str, str]:
    """The text of a CSV export and its encoding; a clear error when it is neither."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_EXPORT_BYTES:
        raise ValueError(
            f"{path.name}: {size:,} bytes, more than an export can be ({MAX_EXPORT_BYTES:,})"
        )
    decoded = decode_text(path.read_bytes())
    if decoded is None:
        raise ValueError(f"{path.name}: neither UTF-8 nor GBK text")
    return decoded


def sniff_separator(text: str) -> str:
    """``";"`` when the first line has more semicolons than commas (German exports), else
    ``","``."""
    first = text.splitlines()[0] if text else ""
    return ";" if first.count(";") > first.count(",") else ","


def raw_sheets(path: str | Path) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as raw cells (no header, object values): you find the header
    row, the merged cells and the total rows yourself."""
    return pd.read_excel(Path(path), sheet_name=None, header=None, dtype=object)


def entry_ids(region: str, docs: Iterable[int]) -> list[str]:
    """Journal-entry ids: region code and six-digit document number (``SH-000123``)."""
    return [f"{region}-{int(d):06d}" for d in docs]
