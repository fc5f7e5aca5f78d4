"""Self-check of a report on your own case, without the answer key: the accounts and regions
exist, keys do not repeat, the trial balance and the balance sheet balance, risk scores are
numbers >= 0. Passing it says the report is well formed, not that its figures are right."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from labs.accounting.kit.contract import KEYS
from labs.accounting.kit.reference import Reference
from workbench.exercise import student_language
from workbench.i18n import N_, language, translate_message

TOLERANCE = 0.01
GROUP_REGION = "GROUP"
CHECKED_TABLES = ("TB_Regions", "Eliminations", "TB_Consolidated", "PL", "BS")


def table_problems(
    tables: Mapping[str, pd.DataFrame], accounts: set[str], regions: set[str]
) -> list[tuple[str, str]]:
    """``(problem, where)`` for every structural mistake in the report tables."""
    problems: list[tuple[str, str]] = []
    known_regions = regions | {GROUP_REGION}
    for name in CHECKED_TABLES:
        df = tables[name]
        if "account" in df.columns:
            for i, acc in df["account"].items():
                if acc not in accounts:
                    problems.append(
                        (
                            N_(
                                "account {account!r} is not in the group chart "
                                "(reference/group_chart.csv)"
                            ).format(account=acc),
                            N_("{sheet} row {row}").format(sheet=name, row=i + 2),
                        )
                    )
        if "region" in df.columns:
            for i, reg in df["region"].items():
                if reg not in known_regions:
                    problems.append(
                        (
                            N_("region {region!r} not understood; use one of {allowed}").format(
                                region=reg, allowed=", ".join(sorted(known_regions))
                            ),
                            N_("{sheet} row {row}").format(sheet=name, row=i + 2),
                        )
                    )
        dup = df.duplicated(KEYS[name], keep="first")
        for i in df.index[dup][:5]:
            problems.append(
                (
                    N_("{keys} appears twice").format(keys=" + ".join(KEYS[name])),
                    N_("{sheet} row {row}").format(sheet=name, row=i + 2),
                )
            )
    tb = tables["TB_Consolidated"]
    debit, credit = float(tb["debit"].sum()), float(tb["credit"].sum())
    if abs(debit - credit) > TOLERANCE:
        problems.append(
            (
                N_(
                    "total debit {debit:,.2f} differs from total credit {credit:,.2f} by "
                    "{gap:,.2f}; a trial balance must balance"
                ).format(debit=debit, credit=credit, gap=debit - credit),
                "TB_Consolidated",
            )
        )
    bs = tables["BS"].set_index("line")["amount"]
    if {"TOTAL_ASSETS", "TOTAL_LIABILITIES_AND_EQUITY"} <= set(bs.index):
        gap = float(bs["TOTAL_ASSETS"] - bs["TOTAL_LIABILITIES_AND_EQUITY"])
        if abs(gap) > TOLERANCE:
            problems.append(
                (
                    N_(
                        "total assets differ from total liabilities and equity by {gap:,.2f}"
                    ).format(gap=gap),
                    "BS",
                )
            )
    else:
        problems.append(
            (N_("lines TOTAL_ASSETS and TOTAL_LIABILITIES_AND_EQUITY are needed"), "BS")
        )
    return problems


def score_problems(
    flags: pd.DataFrame,
    known_ids: set[str] | None = None,
) -> list[tuple[str, str]]:
    """``(problem, where)`` for risk scores that are not numbers >= 0, repeated entries and
    (given ``known_ids``) entries that are in no export."""
    problems: list[tuple[str, str]] = []
    if known_ids is not None:
        unknown = flags.index[~flags["entry_id"].isin(known_ids)]
        for i in unknown[:5]:
            problems.append(
                (
                    N_(
                        "entry {entry!r} is not in any regional export (ids look like SH-000123)"
                    ).format(entry=flags.at[i, "entry_id"]),
                    N_("{sheet} row {row}").format(sheet="Flags", row=i + 2),
                )
            )
        if len(unknown) > 5:
            problems.append((N_("{n} more unknown entry ids").format(n=len(unknown) - 5), "Flags"))
    score = pd.to_numeric(flags["risk_score"], errors="coerce").astype(float)
    for i in flags.index[~np.isfinite(score) | (score < 0)][:5]:
        problems.append(
            (
                N_(
                    "risk_score {score} is not a number >= 0 "
                    "(higher means riskier; only the order counts)"
                ).format(score=flags.at[i, "risk_score"]),
                N_("{sheet} row {row}").format(sheet="Flags", row=i + 2),
            )
        )
    for i in flags.index[flags.duplicated("entry_id")][:5]:
        problems.append(
            (
                N_("entry {entry!r} is listed twice").format(entry=flags.at[i, "entry_id"]),
                N_("{sheet} row {row}").format(sheet="Flags", row=i + 2),
            )
        )
    return problems


def self_check(
    public_dir: str | Path,
    tables: Mapping[str, pd.DataFrame],
    flags: pd.DataFrame,
    entry_ids: set[str] | None = None,
    lang: str | None = None,
) -> list[str]:
    """Every problem the self-check finds, as sentences (empty when the report is well formed).

    ``entry_ids``: the ids of your ledger, to check the flags name real entries. ``lang``:
    ``"en"`` or ``"zh"`` (default: the ``WORKBENCH_LANG`` environment variable, else English).
    """
    ref = Reference.load(public_dir)
    found = table_problems(tables, set(ref.account_type), set(ref.regions["region"]))
    found += score_problems(flags, entry_ids)
    with language(student_language(lang)):
        return [translate_message(f"{where}: {problem}") for problem, where in found]
