"""Starter bot: consolidate the regional exports and flag risky entries.

The sandbox calls ``consolidate(public_dir, out_dir)``; it must write
``out_dir / "consolidation.xlsx"`` following the contract in the handout
(docs/accounting/handout.md). This template already produces a valid report: it reads every
export with the lab's tolerant reader, consolidates, and flags entries with three simple
journal-entry tests. Improve the flags (and time yourself: fill the Meta sheet honestly).
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from labs.accounting.jet import entry_table
from labs.accounting.pipeline import Reference, consolidate_folder
from labs.accounting.submission import Report, write_submission


def risk_scores(entries: pd.DataFrame) -> pd.DataFrame:
    """One row per entry worth reviewing: entry_id, risk_score (0-1), reason.

    Replace these three rules by your own detector (see detector.ipynb).
    """
    rules = {
        "weekend or holiday": entries["offday"],
        "no description": entries["text_len"] < 3,
        "just below the approval limit": (entries["amount"] >= 0.95 * entries["limit"])
        & (entries["amount"] < entries["limit"]),
    }
    hits = pd.DataFrame(rules)
    score = hits.sum(axis=1) / len(rules)
    reason = hits.apply(lambda r: ", ".join(k for k, v in r.items() if v), axis=1)
    flags = pd.DataFrame({"entry_id": entries["entry_id"], "risk_score": score.round(4),
                          "reason": reason})
    return flags[flags["risk_score"] > 0].sort_values("risk_score", ascending=False)


def consolidate(public_dir: Path, out_dir: Path) -> Path:
    started = time.perf_counter()
    run = consolidate_folder(Path(public_dir))
    entries = entry_table(run.lines, Reference.load(Path(public_dir)))
    flags = risk_scores(entries)
    meta = {"method": "starter template", "keying_seconds": time.perf_counter() - started,
            "setup_seconds": 300.0, "review_seconds": 900.0}
    exceptions = pd.DataFrame(run.exceptions, columns=["file", "row", "problem"])
    report = Report(run.tables, flags.reset_index(drop=True), meta, exceptions)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_submission(report, out_dir / "consolidation.xlsx")


if __name__ == "__main__":
    import sys

    print(consolidate(Path(sys.argv[1]), Path(sys.argv[2] if len(sys.argv) > 2 else ".")))
