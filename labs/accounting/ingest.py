"""Read any region's export into one tidy table of ledger lines, listing every row it cannot use.

Nothing is hard-wired per region: the header row is found by its column names (English,
Chinese or German aliases), CSV encoding and separator are sniffed, merged cells are filled
down, day/month order is chosen so dates fall in the period, control-total rows are checked
and removed. A row that cannot be read becomes an exception (file, row, reason), never a
silent drop.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from labs.accounting.kit.files import decode_text, entry_ids, sniff_separator

ALIASES = {
    "doc": ["doc no", "document", "凭证号", "凭证字号", "beleg", "voucher", "entry no", "je number"],
    "date": ["date", "entry date", "凭证日期", "日期", "belegdatum", "txn date"],
    "posted": ["posting date", "posted on", "posted", "记账日期", "buchungsdatum"],
    "account": ["account", "gl account", "account code", "科目代码", "科目编码", "konto"],
    "name": ["account name", "科目名称", "kontobezeichnung"],
    "text": ["description", "摘要", "buchungstext", "memo", "narrative", "text"],
    "debit": ["debit", "借方", "借方金额", "soll"],
    "credit": ["credit", "贷方", "贷方金额", "haben"],
    "amount": ["amount", "金额", "betrag"],
    "dc": ["d/c", "dr/cr", "借贷方向", "s/h"],
    "user": ["user", "posted by", "制单人", "制单", "benutzer", "entered by", "preparer"],
}
_LOOKUP = {alias: key for key, names in ALIASES.items() for alias in names}
TOTAL_WORDS = re.compile(r"total|合計|合计|summe", re.IGNORECASE)
LINE_COLUMNS = ["region", "entry_id", "doc", "date", "posted", "account", "text", "user",
                "debit", "credit", "source_row"]


@dataclass
class Ingested:
    """Lines read from one export, and what could not be read."""

    lines: pd.DataFrame
    exceptions: list[dict] = field(default_factory=list)


decode = decode_text  # the toolkit's helpers, under the names the bot and the portal use
separator = sniff_separator
format_entry_ids = entry_ids


def _canon(cell: object) -> str | None:
    return _LOOKUP.get(str(cell).strip().lower()) if cell is not None else None


def _header_at(frame: pd.DataFrame) -> int | None:
    for i in range(min(25, len(frame))):
        keys = {_canon(c) for c in frame.iloc[i] if pd.notna(c)}
        if {"date", "account"} <= keys and len(keys) >= 4:
            return i
    return None


def read_table(path: Path, sheets: dict[str, pd.DataFrame] | None = None,
               ) -> tuple[pd.DataFrame, int]:
    """The raw data block of an export (object cells) and the file row number of its first row."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if sheets is None:
            sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object)
        found = [(name, df, _header_at(df)) for name, df in sheets.items()]
        found = [(n, df, h) for n, df, h in found if h is not None]
        if not found:
            raise ValueError(f"{path.name}: no sheet has a header row with a date and an account column")
        _, df, h = max(found, key=lambda f: len(f[1]) - f[2])
        body = df.iloc[h + 1:].copy()
        body.columns = [_canon(c) or str(c) for c in df.iloc[h]]
        return body.reset_index(drop=True), h + 2
    decoded = decode(path.read_bytes())
    if decoded is None:
        raise ValueError(f"{path.name}: neither UTF-8 nor GBK text; save the export as CSV again")
    text, sep = decoded[0], separator(decoded[0])
    df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    df.columns = [_canon(c) or c for c in df.columns]
    df.attrs["decimal_comma"] = sep == ";"
    return df.replace("", np.nan), 2


def _amount(values: pd.Series, decimal_comma: bool) -> pd.Series:
    def one(v: object) -> float:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return 0.0
        if isinstance(v, (int, float, np.integer, np.floating)):
            return float(v)
        s = str(v).strip().replace(" ", "")
        s = s.replace(".", "").replace(",", ".") if decimal_comma else s.replace(",", "")
        return float(s) if s else 0.0

    out = []
    for v in values:
        try:
            out.append(one(v))
        except ValueError:
            out.append(np.nan)
    return pd.Series(out, index=values.index, dtype=float)


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y%m%d",
                "%Y-%m-%d %H:%M:%S")


def _dates(values: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Parse dates whatever their style; the format that puts most dates in the period wins
    (that settles day/month order)."""
    if values.map(lambda v: isinstance(v, pd.Timestamp | np.datetime64)).all():
        return pd.to_datetime(values)
    text = values.map(lambda v: v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp)
                      else ("" if v is None or (isinstance(v, float) and np.isnan(v))
                            else str(v).strip().removesuffix(".0")))
    best, best_hits = None, -1
    for fmt in DATE_FORMATS:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        hits = int(parsed.between(start, end).sum())
        if hits > best_hits:
            best, best_hits = parsed, hits
    return best


def _account(v: object) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip() or None


def read_export(path: Path, region: str, start: str, end: str,
                sheets: dict[str, pd.DataFrame] | None = None) -> Ingested:
    """Ledger lines of one regional export (local accounts and currency).

    ``sheets`` lets a caller that already read the workbook (the RPA bot reads Excel files
    with ``RPA.Excel.Files``) hand the raw cells over instead of reading the file again.
    """
    path = Path(path)
    df, first_row = read_table(path, sheets)
    exceptions: list[dict] = []
    has_amounts = {"debit", "credit"} <= set(df.columns) or "amount" in df.columns
    missing = [c for c in ("doc", "date", "account") if c not in df.columns]
    if missing or not has_amounts:
        raise ValueError(f"{path.name}: no column for {', '.join(missing) or 'amounts'}; "
                         f"columns found: {', '.join(map(str, df.columns))}")
    df["source_row"] = np.arange(len(df)) + first_row
    df = df[~df.drop(columns="source_row").isna().all(axis=1)]
    no_key = df["account"].isna() & df["date"].isna()
    is_total = pd.Series(False, index=df.index)
    for i, row in df.loc[no_key].drop(columns="source_row").iterrows():
        is_total[i] = bool(TOTAL_WORDS.search(" ".join(str(v) for v in row if pd.notna(v))))
    controls, df = df[is_total], df[~is_total].copy()
    if path.suffix.lower() in (".xlsx", ".xlsm"):  # merged cells: value only in the first row
        df[["doc", "date", "posted"]] = df[["doc", "date", "posted"]].ffill()
    comma = bool(df.attrs.get("decimal_comma", False))
    if "debit" in df.columns:
        debit, credit = _amount(df["debit"], comma), _amount(df["credit"], comma)
    else:
        amount = _amount(df["amount"], comma)
        if "dc" in df.columns:
            is_debit = df["dc"].astype(str).str.strip().str.upper().str[0].isin(["D", "S", "借"])
            amount = amount.where(is_debit, -amount)
        debit, credit = amount.clip(lower=0), (-amount).clip(lower=0)
    doc = pd.to_numeric(df["doc"].astype(str).str.extract(r"(\d+)")[0], errors="coerce")
    date = _dates(df["date"], pd.Timestamp(start), pd.Timestamp(end))
    posted = _dates(df["posted"], pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=40)) \
        if "posted" in df.columns else date
    account = df["account"].map(_account)
    checks = ((debit.isna() | credit.isna(), "amount is not a number"),
              (doc.isna(), "no document number"), (date.isna(), "date not understood"),
              (account.isna(), "no account"))
    bad = pd.Series(False, index=df.index)
    for mask, message in checks:
        rows = df.loc[mask & ~bad]
        for _, row in rows.iterrows():
            raw = ", ".join(f"{k}={row[k]!r}" for k in ("doc", "date", "account", "debit", "credit",
                                                        "amount") if k in row and pd.notna(row[k]))
            exceptions.append({"file": path.name, "row": int(row["source_row"]),
                               "problem": f"{message} ({raw})"})
        bad |= mask
    good = ~bad
    lines = pd.DataFrame({
        "region": region, "doc": doc[good].astype("int64"), "date": date[good], "posted": posted[good],
        "account": account[good], "text": df.loc[good, "text"].fillna("").astype(str)
        if "text" in df.columns else "",
        "user": df.loc[good, "user"].fillna("").astype(str) if "user" in df.columns else "",
        "debit": debit[good].round(2), "credit": credit[good].round(2),
        "source_row": df.loc[good, "source_row"]})
    lines.insert(1, "entry_id", format_entry_ids(region, lines["doc"]))
    _check_controls(path, controls, lines, comma, exceptions)
    net = (lines["debit"] - lines["credit"]).groupby(lines["entry_id"]).sum().round(2)
    for eid, v in net[net.abs() > 0.004].items():
        exceptions.append({"file": path.name, "row": None,
                           "problem": f"entry {eid} does not balance (debit - credit = {v:.2f})"})
    return Ingested(lines[LINE_COLUMNS].reset_index(drop=True), exceptions)


def _check_controls(path: Path, controls: pd.DataFrame, lines: pd.DataFrame, comma: bool,
                    exceptions: list[dict]) -> None:
    """A footer 'Total' row must equal the debits read; a difference means lost rows."""
    column = "debit" if "debit" in controls.columns else "amount"
    for _, row in controls.iterrows():
        stated = _amount(pd.Series([row.get(column)]), comma).iloc[0]
        read = round(float(lines["debit"].sum()), 2)
        if np.isnan(stated) or abs(stated - read) > 0.01:
            exceptions.append({"file": path.name, "row": int(row["source_row"]),
                               "problem": f"control total {stated:.2f} differs from the debits "
                                          f"read ({read:.2f})"})


def map_accounts(lines: pd.DataFrame, account_map: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Add the group account; lines whose local account is not in the map become exceptions."""
    amap = account_map.astype(str).set_index(["region", "local_account"])["group_account"]
    key = pd.MultiIndex.from_arrays([lines["region"], lines["account"]])
    group = pd.Series(amap.reindex(key).to_numpy(), index=lines.index)
    unmapped = lines[group.isna()]
    exceptions = [{"file": r.region, "row": int(r.source_row),
                   "problem": f"local account {r.account} of entry {r.entry_id} is not in the "
                              "account map"} for r in unmapped.itertuples()]
    return lines.assign(group=group)[group.notna()], exceptions
