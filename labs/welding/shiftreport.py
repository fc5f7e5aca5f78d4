"""The Excel shift report each line keeps: merged group headers, set points, output, notes.

It carries set points (what the operator dialled in), never the per-minute zone readings: that
is all a line without automated log capture knows about its oven.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from labs.welding import physics as ph

GROUPS = (("Shift", 3), ("Oven set points", 8), ("Output", 2), ("Material and notes", 2))
COLUMNS = (["Date", "Shift", "Operator"] + [f"Z{k} set (°C)" for k in range(1, 8)]
           + ["Conveyor set (cm/min)", "Boards", "AOI rejects", "Paste lot", "Notes"])
FIXED_TIME = datetime(2024, 1, 1)


def write_shift_report(line: str, rows: list[dict], path: Path) -> Path:
    """One workbook per line, one row per shift, byte-identical for the same rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Shifts"
    col = 1
    for title, width in GROUPS:
        ws.cell(row=1, column=col, value=title).font = Font(bold=True)
        ws.cell(row=1, column=col).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=1, start_column=col, end_row=1, end_column=col + width - 1)
        col += width
    for j, name in enumerate(COLUMNS, start=1):
        ws.cell(row=2, column=j, value=name).font = Font(bold=True)
    for i, r in enumerate(rows, start=3):
        values = ([r["date"], r["shift"], r["operator"]] + list(r["zone_sp"])
                  + [r["speed_sp"], r["boards"], r["rejects"], r["paste_lot"], r["notes"]])
        for j, v in enumerate(values, start=1):
            ws.cell(row=i, column=j, value=v)
    wb.properties.creator = f"{line} line leader"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_zip_times(buffer.getvalue()))
    return path


def _fixed_zip_times(data: bytes) -> bytes:
    """openpyxl stamps the zip members and the 'modified' property with the current time;
    fix both so the bytes repeat."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)",
                                 rb"\g<1>2024-01-01T00:00:00Z\g<2>", content)
            dst.writestr(fixed, content)
    return out.getvalue()


OPERATORS = {"D": "Chen", "E": "Okafor", "N": "Lindqvist"}


def shift_row(line: str, date: str, shift: str, speed_sp: float, boards: int,
              rejects: int | None, paste_lot: str, notes: str) -> dict:
    return {"date": date, "shift": shift, "operator": OPERATORS[shift],
            "zone_sp": [int(z) for z in ph.ZONE_SP], "speed_sp": speed_sp, "boards": boards,
            "rejects": rejects, "paste_lot": paste_lot, "notes": notes}
