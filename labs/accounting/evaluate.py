"""Validate a report against a case and score it: cell accuracy, anomaly ranking, time."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from labs.accounting.anomalies import ANOMALY_TYPES
from labs.accounting.chart import ACCOUNT_TYPE, REGION_BY_CODE
from labs.accounting.consolidate import GROUP_REGION
from labs.accounting.generate import load_anomalies, load_truth
from labs.accounting.pipeline import parsed_case
from labs.accounting.submission import KEYS, NUMERIC, TIME_KEYS, Report
from workbench.lab import Case, Problem

TOLERANCE = 0.01
FLAG_THRESHOLD = 0.5
REVIEW_BUDGET = 0.02  # share of entries an auditor can review: k of precision/recall at k
GRADED_TABLES = ("TB_Regions", "Eliminations", "TB_Consolidated", "PL", "BS")
REPORT_METRICS = ("report_accuracy", "report_error_rate")
ANOMALY_METRICS = ("anomaly_ap", "precision_at_k", "recall_at_k", "false_positives")


def entry_ids(case: Case) -> tuple[str, ...]:
    """Every journal entry id of the case (read from the public exports, cached)."""
    return tuple(sorted(parsed_case(case.public).lines["entry_id"].unique()))


def _seconds(meta: dict[str, object], key: str) -> float:
    """A time of the Meta sheet as a number (NaN when missing or not a number)."""
    return pd.to_numeric(pd.Series([meta.get(key)]), errors="coerce").iloc[0]


def validate(case: Case, report: Report) -> list[Problem]:
    """What is wrong with a readable report: unknown accounts or entries, unbalanced totals."""
    problems: list[Problem] = []
    report_affects = REPORT_METRICS
    for name in GRADED_TABLES:
        df = report.tables[name]
        if "account" in df.columns:
            for i, acc in df["account"].items():
                if acc not in ACCOUNT_TYPE:
                    problems.append(Problem(f"account {acc!r} is not in the group chart "
                                            "(reference/group_chart.csv)", f"{name} row {i + 2}",
                                            report_affects))
        if "region" in df.columns:
            known = set(REGION_BY_CODE) | {GROUP_REGION}
            for i, reg in df["region"].items():
                if reg not in known:
                    problems.append(Problem(f"region {reg!r} not understood; use one of "
                                            f"{', '.join(sorted(known))}", f"{name} row {i + 2}",
                                            report_affects))
        dup = df.duplicated(KEYS[name], keep="first")
        for i in df.index[dup][:5]:
            problems.append(Problem(f"{' + '.join(KEYS[name])} appears twice", f"{name} row {i + 2}",
                                    report_affects))
    tb = report.tables["TB_Consolidated"]
    debit, credit = float(tb["debit"].sum()), float(tb["credit"].sum())
    if abs(debit - credit) > TOLERANCE:
        problems.append(Problem(f"total debit {debit:,.2f} differs from total credit {credit:,.2f} "
                                f"by {debit - credit:,.2f}; a trial balance must balance",
                                "TB_Consolidated", report_affects))
    bs = report.tables["BS"].set_index("line")["amount"]
    if {"TOTAL_ASSETS", "TOTAL_LIABILITIES_AND_EQUITY"} <= set(bs.index):
        gap = float(bs["TOTAL_ASSETS"] - bs["TOTAL_LIABILITIES_AND_EQUITY"])
        if abs(gap) > TOLERANCE:
            problems.append(Problem(f"total assets differ from total liabilities and equity by "
                                    f"{gap:,.2f}", "BS", report_affects))
    else:
        problems.append(Problem("lines TOTAL_ASSETS and TOTAL_LIABILITIES_AND_EQUITY are needed",
                                "BS", report_affects))
    problems += _validate_flags(case, report.flags)
    for key in TIME_KEYS:
        value = _seconds(report.meta, key)
        if pd.isna(value) or value < 0:
            problems.append(Problem(f"{key} must be a number of seconds >= 0 (found "
                                    f"{report.meta.get(key)!r})", "Meta", ("processing_time",
                                                                         "keying_time")))
    return problems


def _validate_flags(case: Case, flags: pd.DataFrame) -> list[Problem]:
    problems = []
    known = set(entry_ids(case))
    unknown = flags.index[~flags["entry_id"].isin(known)]
    for i in unknown[:5]:
        problems.append(Problem(f"entry {flags.at[i, 'entry_id']!r} is not in any regional export "
                                "(ids look like SH-000123)", f"Flags row {i + 2}", ANOMALY_METRICS))
    if len(unknown) > 5:
        problems.append(Problem(f"{len(unknown) - 5} more unknown entry ids", "Flags", ANOMALY_METRICS))
    out_of_range = flags.index[(flags["risk_score"] < 0) | (flags["risk_score"] > 1)]
    for i in out_of_range[:5]:
        problems.append(Problem(f"risk_score {flags.at[i, 'risk_score']} is outside 0-1",
                                f"Flags row {i + 2}", ANOMALY_METRICS))
    dup = flags.index[flags.duplicated("entry_id")]
    for i in dup[:5]:
        problems.append(Problem(f"entry {flags.at[i, 'entry_id']!r} is listed twice",
                                f"Flags row {i + 2}", ANOMALY_METRICS))
    return problems


def cell_accuracy(truth: dict[str, pd.DataFrame], tables: dict[str, pd.DataFrame]) -> tuple[int, int]:
    """(correct cells, counted cells); a cell counts when truth or report is non-zero."""
    correct = counted = 0
    for name in GRADED_TABLES:
        keys, cols = KEYS[name], NUMERIC[name]
        t = truth[name].groupby(keys)[cols].sum()
        s = tables[name].groupby(keys)[cols].sum() if len(tables[name]) else t.iloc[:0]
        t, s = t.align(s, join="outer", fill_value=0.0)
        tv, sv = t.to_numpy(dtype=float), s.to_numpy(dtype=float)
        counts = (np.abs(tv) > 0.004) | (np.abs(sv) > 0.004)
        ok = np.abs(tv - sv) <= TOLERANCE + 1e-9
        counted += int(counts.sum())
        correct += int((counts & ok).sum())
    return correct, counted


def ranking_metrics(ids: tuple[str, ...], labels: pd.DataFrame, flags: pd.DataFrame) -> dict[str, float]:
    scores = flags.drop_duplicates("entry_id").set_index("entry_id")["risk_score"]
    frame = pd.DataFrame({"entry_id": ids})
    frame["score"] = frame["entry_id"].map(scores).fillna(0.0).clip(0, 1)
    kind = labels.set_index("entry_id")["type"]
    frame["type"] = frame["entry_id"].map(kind)
    y = frame["type"].notna().to_numpy()
    ranked = frame.sort_values(["score", "entry_id"], ascending=[False, True], kind="stable")
    k = max(10, round(REVIEW_BUDGET * len(frame)))
    hits = int(ranked["type"].head(k).notna().sum())
    flagged = frame["score"] >= FLAG_THRESHOLD
    out = {"anomaly_ap": float(average_precision_score(y, frame["score"])) if y.any() else 0.0,
           "precision_at_k": hits / k, "recall_at_k": hits / max(1, int(y.sum())), "k": float(k),
           "false_positives": float((flagged & ~frame["type"].notna()).sum()),
           "flagged": float(flagged.sum()), "anomalies": float(y.sum())}
    for t in ANOMALY_TYPES:
        of_type = frame["type"] == t
        out[f"recall_{t}"] = float((flagged & of_type).sum() / of_type.sum()) if of_type.any() else math.nan
    return out


def evaluate(case: Case, report: Report) -> dict[str, float]:
    """Every metric of the lab (plus per-type recall and counts) for one report."""
    correct, counted = cell_accuracy(load_truth(case), report.tables)
    accuracy = correct / counted if counted else 0.0
    out = {"report_accuracy": accuracy, "report_error_rate": 1.0 - accuracy,
           "cells": float(counted), "wrong_cells": float(counted - correct)}
    out.update(ranking_metrics(entry_ids(case), load_anomalies(case), report.flags))
    times = {k: _seconds(report.meta, k) for k in TIME_KEYS}
    out["processing_time"] = float(sum(times.values()))
    out["keying_time"] = float(times["keying_seconds"])
    return {k: (float(v) if not (isinstance(v, float) and math.isnan(v)) else 0.0) for k, v in out.items()}
