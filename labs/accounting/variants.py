"""Reports of known quality, built from a case's own files: the grading ladder and the exploits
the grader must not reward (used by the tests and by ``measure``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from labs.accounting.consolidate import (
    balance_sheet,
    consolidate,
    consolidated_tb,
    eliminations,
    profit_and_loss,
)
from labs.accounting.detect import Detector
from labs.accounting.evaluate import entry_ids
from labs.accounting.jet import entry_table, jet_rules, rank_by_rules
from labs.accounting.pipeline import Reference, parsed_case
from labs.accounting.submission import Report
from workbench.lab import Case

__all__ = [
    "Reference",
    "correct_tables",
    "detector_flags",
    "entry_ids",
    "inverted_rate_tables",
    "report",
    "rescaled",
    "rule_flags",
    "with_rounding_slips",
    "without_eliminations",
    "closing_rate_equity_tables",
]


def _lines(case: Case) -> tuple[pd.DataFrame, Reference]:
    ref = Reference.load(case.public)
    lines = parsed_case(case.public).lines
    return lines[["region", "group", "debit", "credit"]].rename(columns={"group": "account"}), ref


def correct_tables(case: Case) -> dict[str, pd.DataFrame]:
    """The report tables following the handout's rules exactly."""
    lines, ref = _lines(case)
    return consolidate(lines, ref.currency, ref.fx)


def inverted_rate_tables(case: Case, currency: str = "USD") -> dict[str, pd.DataFrame]:
    """The region using ``currency`` translated at units per CNY instead of CNY per unit."""
    lines, ref = _lines(case)
    fx = ref.fx.copy()
    cols = [c for c in ("closing_rate", "average_rate", "historical_rate") if c in fx.columns]
    fx.loc[currency, cols] = 1 / fx.loc[currency, cols]
    tables = consolidate(lines, ref.currency, fx)
    tables["FX"] = ref.fx.reset_index()[tables["FX"].columns]
    return tables


def closing_rate_equity_tables(case: Case) -> dict[str, pd.DataFrame]:
    """Equity translated at the closing rate instead of the historical rate."""
    lines, ref = _lines(case)
    return consolidate(lines, ref.currency, ref.fx.drop(columns="historical_rate", errors="ignore"))


def without_eliminations(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The same regional trial balances consolidated with the eliminations forgotten."""
    elim = eliminations(tables["TB_Regions"]).iloc[:0]
    tb = consolidated_tb(tables["TB_Regions"], elim)
    pl = profit_and_loss(tb)
    net_income = float(pl.loc[pl["line"] == "NET_INCOME", "amount"].iloc[0])
    return {
        **tables,
        "Eliminations": elim,
        "TB_Consolidated": tb,
        "PL": pl,
        "BS": balance_sheet(tb, net_income),
    }


def with_rounding_slips(
    tables: dict[str, pd.DataFrame], n: int = 5, slip: float = 1.0, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """``n`` translated regional balances off by ``slip`` CNY (debit side) each."""
    out = {k: v.copy() for k, v in tables.items()}
    tb = out["TB_Regions"]
    rng = np.random.default_rng(seed)
    rows = rng.choice(
        tb.index[tb["debit"] > 0], size=min(n, int((tb["debit"] > 0).sum())), replace=False
    )
    tb.loc[rows, "debit"] = (tb.loc[rows, "debit"] + slip).round(2)
    return out


def rule_flags(case: Case) -> pd.DataFrame:
    """The control class's ranking: JET rules weighted by rarity."""
    e = entry_table(parsed_case(case.public).lines, Reference.load(case.public))
    return rank_by_rules(e, jet_rules(e))


def detector_flags(case: Case, **weights: float) -> pd.DataFrame:
    """The reference detector's ranking (``weights`` fixes control points, e.g. to 0)."""
    e = entry_table(parsed_case(case.public).lines, Reference.load(case.public))
    return Detector(weights=dict(weights)).score(e)


def rescaled(flags: pd.DataFrame, factor: float) -> pd.DataFrame:
    """Every risk score multiplied by ``factor``."""
    return flags.assign(risk_score=flags["risk_score"] * factor)


def report(
    case: Case, tables: dict[str, pd.DataFrame], flags: pd.DataFrame, like: Report | None = None
) -> Report:
    """A report with ``tables`` and ``flags``; Meta times copied from ``like`` (else zeros)."""
    meta = (
        dict(like.meta)
        if like is not None
        else {"keying_seconds": 0.0, "setup_seconds": 0.0, "review_seconds": 0.0}
    )
    meta["case_id"] = case.case_id
    return Report(tables, flags.reset_index(drop=True), meta)
