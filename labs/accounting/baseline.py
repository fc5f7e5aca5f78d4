"""The control class: a report keyed by hand, and anomaly review by rules.

``manual_solution`` is the competent clerk's report (see ``clerk.py``) with the ranking audit
software builds from the standard journal-entry tests (``jet.py``: every rule weighted by the
rarity of a hit, Benford pointing at a region), or from the clerk's own rules of thumb, or the
naive checklist (an entry ranks by how many rules it hits).
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd

from labs.accounting.chart import CTA_ACCOUNT
from labs.accounting.clerk import ClerkParams, manual_report
from labs.accounting.jet import any_rule_flags, entry_table, jet_rules, rank_by_rules
from labs.accounting.pipeline import Consolidation, Reference, parsed_case
from labs.accounting.submission import Report
from workbench.lab import Case


def case_rng(case: Case, stream: int) -> np.random.Generator:
    """A generator fixed by the case (its public id), so a method gives the same answer twice."""
    return np.random.default_rng([int(case.case_id or "0", 16), stream])


def regional_balances(con: Consolidation, ref: Reference) -> pd.DataFrame:
    """What the clerk's pivot tables show: net local balance per region and group account."""
    lines = con.lines
    net = (lines["debit"] - lines["credit"]).groupby([lines["region"], lines["group"]]).sum().round(2)
    out = net.rename("net").reset_index().rename(columns={"group": "account"})
    out = out[(out["net"].abs() > 0.004) & (out["account"] != CTA_ACCOUNT)]
    return out.assign(currency=out["region"].map(ref.currency)).reset_index(drop=True)


def clerk_rules(e: pd.DataFrame) -> pd.DataFrame:
    """Rules of thumb of a clerk scanning the ledger: big, round, weekend, no description."""
    return pd.DataFrame({
        "above_limit": e["amount"] >= e["limit"],
        "very_round": e["trailing_zeros"] >= 4,
        "weekend": e["date"].dt.day_of_week >= 5,
        "no_description": e["text_len"] < 3,
    }, index=e.index)


REVIEWS = ("jet", "clerk", "checklist")


def manual_solution(case: Case, params: ClerkParams | None = None, review: str = "jet",
                    method: str = "manual clerk + JET rules") -> Report:
    """The clerk's report with the flags of ``review``: "jet" (rarity-weighted JET rules),
    "clerk" (rarity-weighted rules of thumb) or "checklist" (JET rules, one hit one point)."""
    if review not in REVIEWS:
        raise ValueError(f"review={review!r} not understood; use one of {', '.join(REVIEWS)}")
    params = params or ClerkParams()
    ref = Reference.load(case.public)
    con = parsed_case(case.public)
    tables, info = manual_report(regional_balances(con, ref), ref.fx, params, case_rng(case, 1))
    entries = entry_table(con.lines, ref)
    rules = clerk_rules(entries) if review == "clerk" else jet_rules(entries)
    flags = any_rule_flags(entries, rules) if review == "checklist" else rank_by_rules(entries, rules)
    meta: dict[str, object] = {"method": method, "case_id": case.case_id, **info}
    meta.update({f"clerk.{k}": v for k, v in asdict(params).items()})
    return Report(tables, flags, meta)
