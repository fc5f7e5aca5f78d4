"""The student toolkit of the accounting lab: the case's reference tables, low-level helpers
for the regional exports (encodings, separators, raw workbook cells, entry ids), Benford's
law, figures, the report workbook's contract and writer, and a self-check without the key.

The only part of the lab importable inside the sandbox. It never imports the readers of the
exports, the consolidation, the JET rules, the detector, the clerk or the bot: those are the
work of the exercise (and the answer)."""

from labs.accounting.kit.benford import (
    BENFORD,
    BENFORD_MIN_ENTRIES,
    MAD_NONCONFORMITY,
    benford_by_region,
    first_digits,
)
from labs.accounting.kit.contract import (
    COLUMNS,
    REPORT_TABLES,
    SUBMISSION_NAME,
    TIME_KEYS,
    report_workbook,
    write_report,
)
from labs.accounting.kit.files import decode_text, entry_ids, raw_sheets, read_text, sniff_separator
from labs.accounting.kit.plots import benford_figure, risk_figure
from labs.accounting.kit.reference import Reference
from labs.accounting.kit.selfcheck import self_check

__all__ = [
    "BENFORD",
    "BENFORD_MIN_ENTRIES",
    "COLUMNS",
    "MAD_NONCONFORMITY",
    "REPORT_TABLES",
    "SUBMISSION_NAME",
    "TIME_KEYS",
    "Reference",
    "benford_by_region",
    "benford_figure",
    "decode_text",
    "entry_ids",
    "first_digits",
    "raw_sheets",
    "read_text",
    "report_workbook",
    "risk_figure",
    "self_check",
    "sniff_separator",
    "write_report",
]
