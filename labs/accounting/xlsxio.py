"""Byte-reproducible Excel files: fixed document properties and fixed zip timestamps."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

FIXED_TIME = datetime(2024, 1, 1, 0, 0, 0)
STAMP = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()


def save_workbook(wb: Workbook, path: Path) -> Path:
    """Save ``wb`` so the same content always gives the same bytes.

    openpyxl stamps the core properties and every zip member with the current time; both are
    replaced by a fixed instant here.
    """
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "Lab Workbench"
    wb.properties.lastModifiedBy = "Lab Workbench"
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl sets "modified" to now on save
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + STAMP + rb"\g<2>", data)
            dst.writestr(fixed, data)
    path.write_bytes(out.getvalue())
    return path
