"""How each region exports its ledger: one writer per house style (layout, language, encoding).

Writers take ledger lines (doc, date, posted, user, text, account, name, debit, credit) in
chunks, so a large CSV region streams to disk; Excel regions are written once at the end.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange

from labs.accounting.chart import Region
from labs.accounting.xlsxio import save_workbook


def merge(ws, first_row: int, last_row: int, first_col: int, last_col: int) -> None:
    """``ws.merge_cells`` without its overlap check, which is linear in the merges so far
    (quadratic for a ledger with a merged voucher cell per entry); ranges here never overlap."""
    mcr = MergedCellRange(ws, CellRange(min_row=first_row, max_row=last_row, min_col=first_col,
                                        max_col=last_col).coord)
    ws.merged_cells.ranges.add(mcr)
    ws._clean_merge_range(mcr)


def _fmt(values: pd.Series, decimals: int, thousands: str = "", decimal: str = ".") -> list[str]:
    out = []
    for v in values.to_numpy():
        if v == 0:
            out.append("")
            continue
        s = f"{v:,.{decimals}f}" if thousands else f"{v:.{decimals}f}"
        if thousands or decimal != ".":
            s = s.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
        out.append(s)
    return out


def _dates(values: pd.Series, fmt: str) -> list[str]:
    return list(pd.to_datetime(values).dt.strftime(fmt))


class CsvExport:
    """A CSV region: written chunk by chunk, optional control-total footer."""

    def __init__(self, region: Region, path: Path):
        self.region, self.path = region, path
        self.totals = [0.0, 0.0]
        self.spec = CSV_STYLES[region.code]
        with path.open("w", encoding=self.spec["encoding"], newline="") as fh:
            csv.writer(fh, delimiter=self.spec["sep"]).writerow(self.spec["header"])

    def append(self, lines: pd.DataFrame) -> None:
        s, d = self.spec, self.region.decimals
        self.totals[0] += float(lines["debit"].sum())
        self.totals[1] += float(lines["credit"].sum())
        cols = [s["doc"](lines["doc"]), _dates(lines["date"], s["date"]),
                _dates(lines["posted"], s["date"]), list(lines["account"]), list(lines["name"]),
                list(lines["text"]), _fmt(lines["debit"], d, s["thousands"], s["decimal"]),
                _fmt(lines["credit"], d, s["thousands"], s["decimal"]), list(lines["user"])]
        with self.path.open("a", encoding=s["encoding"], newline="") as fh:
            w = csv.writer(fh, delimiter=s["sep"], quoting=s["quoting"])
            w.writerows(zip(*cols, strict=True))

    def finish(self) -> None:
        s = self.spec
        if not s["footer"]:
            return
        d = self.region.decimals
        tot = _fmt(pd.Series(self.totals), d, s["thousands"], s["decimal"])
        with self.path.open("a", encoding=s["encoding"], newline="") as fh:
            csv.writer(fh, delimiter=s["sep"], quoting=s["quoting"]).writerow(
                ["", "", "", "", "", "Total", *tot, ""])


CSV_STYLES = {
    "SZ": {"encoding": "gbk", "sep": ",", "thousands": "", "decimal": ".", "date": "%Y/%-m/%-d",
           "quoting": csv.QUOTE_MINIMAL, "footer": False,
           "doc": lambda s: [f"记-{d}" for d in s],
           "header": ["凭证字号", "日期", "记账日期", "科目编码", "科目名称", "摘要", "借方", "贷方", "制单"]},
    "DE": {"encoding": "utf-8-sig", "sep": ";", "thousands": ".", "decimal": ",", "date": "%d.%m.%Y",
           "quoting": csv.QUOTE_MINIMAL, "footer": False, "doc": lambda s: list(s),
           "header": ["Beleg", "Belegdatum", "Buchungsdatum", "Konto", "Kontobezeichnung",
                      "Buchungstext", "Soll", "Haben", "Benutzer"]},
    "US": {"encoding": "utf-8", "sep": ",", "thousands": ",", "decimal": ".", "date": "%m/%d/%Y",
           "quoting": csv.QUOTE_NONNUMERIC, "footer": True,
           "doc": lambda s: [f"JE-{d:06d}" for d in s],
           "header": ["JE Number", "Txn Date", "Posted", "Account", "Account Name", "Memo",
                      "Debit", "Credit", "Entered By"]},
}


class ExcelExport:
    """An Excel region: collects its lines, then writes one house-style workbook."""

    def __init__(self, region: Region, path: Path, rng: np.random.Generator, period: str):
        self.region, self.path, self.period = region, path, period
        self.parts: list[pd.DataFrame] = []
        self.header_row = int(rng.integers(3, 6))
        names = {"SH": ["凭证明细", "序时账", "记账凭证"], "HK": ["GL Export", "Journal Lines", "Sheet1"],
                 "JP": ["仕訳帳", "Journal", "GL"]}[region.code]
        self.sheet = str(rng.choice(names))

    def append(self, lines: pd.DataFrame) -> None:
        self.parts.append(lines)

    def finish(self) -> None:
        lines = pd.concat(self.parts, ignore_index=True)
        wb = Workbook()
        {"SH": self._shanghai, "HK": self._hongkong, "JP": self._tokyo}[self.region.code](wb, lines)
        save_workbook(wb, self.path)

    def _title(self, ws, texts: list[str], width: int) -> None:
        for i, text in enumerate(texts, start=1):
            ws.cell(i, 1, text).font = Font(bold=i == 1)
            merge(ws, i, i, 1, width)

    def _shanghai(self, wb: Workbook, lines: pd.DataFrame) -> None:
        cover = wb.active
        cover.title = "说明"
        cover["A1"] = "上海子公司序时账导出，金额单位：人民币元。凭证号与日期为合并单元格。"
        ws = wb.create_sheet(self.sheet)
        header = ["凭证日期", "记账日期", "凭证号", "科目代码", "科目名称", "摘要", "借方金额", "贷方金额", "制单人"]
        self._title(ws, [f"上海子公司 {self.period} 序时账", "单位：人民币元"], len(header))
        r0 = self.header_row
        for j, h in enumerate(header, start=1):
            ws.cell(r0, j, h).font = Font(bold=True)
        r = r0 + 1
        for doc, g in lines.groupby("doc", sort=False):
            first = r
            for row in g.itertuples(index=False):
                ws.cell(r, 4, str(row.account))
                ws.cell(r, 5, row.name)
                ws.cell(r, 6, row.text)
                ws.cell(r, 7, float(row.debit) or None)
                ws.cell(r, 8, float(row.credit) or None)
                ws.cell(r, 9, row.user)
                r += 1
            for col, value in ((1, pd.Timestamp(g["date"].iloc[0]).to_pydatetime()),
                               (2, pd.Timestamp(g["posted"].iloc[0]).to_pydatetime()),
                               (3, f"记-{doc:04d}")):
                c = ws.cell(first, col, value)
                if col < 3:
                    c.number_format = "yyyy-mm-dd"
                if r - 1 > first:
                    merge(ws, first, r - 1, col, col)
                    c.alignment = Alignment(vertical="center")

    def _hongkong(self, wb: Workbook, lines: pd.DataFrame) -> None:
        summary = wb.active
        summary.title = "Summary"
        summary.append(["GL Account", "Net movement"])
        net = (lines["debit"] - lines["credit"]).groupby(lines["account"]).sum().round(2)
        for acc, v in net.items():
            summary.append([str(acc), float(v)])
        ws = wb.create_sheet(self.sheet)
        ws.append(["Entry No", "Date", "Posted On", "GL Account", "Account Name", "Description",
                   "Amount", "Posted By"])
        d, p = _dates(lines["date"], "%d/%m/%Y"), _dates(lines["posted"], "%d/%m/%Y")
        amount = (lines["debit"] - lines["credit"]).round(2).to_numpy()
        for i, row in enumerate(lines.itertuples(index=False)):
            ws.append([int(row.doc), d[i], p[i], str(row.account), row.name, row.text,
                       float(amount[i]), row.user])

    def _tokyo(self, wb: Workbook, lines: pd.DataFrame) -> None:
        ws = wb.active
        ws.title = self.sheet
        header = ["Voucher", "Date", "Posting Date", "Account Code", "Account Name", "D/C", "Amount",
                  "Narrative", "Preparer"]
        self._title(ws, ["Tokyo KK - General Journal", f"Period {self.period} / Currency JPY"],
                    len(header))
        for j, h in enumerate(header, start=1):
            ws.cell(self.header_row, j, h).font = Font(bold=True)
        d = [int(x) for x in _dates(lines["date"], "%Y%m%d")]
        p = [int(x) for x in _dates(lines["posted"], "%Y%m%d")]
        r = self.header_row + 1
        for i, row in enumerate(lines.itertuples(index=False)):
            dc = "D" if row.debit else "C"
            values = [f"JV-{row.doc:06d}", d[i], p[i], int(row.account), row.name, dc,
                      int(round(row.debit or row.credit)), row.text, row.user]
            for j, v in enumerate(values, start=1):
                ws.cell(r, j, v)
            r += 1
        ws.cell(r, 1, "合計 / Total")
        ws.cell(r, 7, int(round(float(lines["debit"].sum()))))


def exporter(region: Region, folder: Path, rng: np.random.Generator, period: str):
    """The writer that produces ``region``'s export file in ``folder``."""
    path = folder / region.file
    return ExcelExport(region, path, rng, period) if path.suffix == ".xlsx" else CsvExport(region, path)
