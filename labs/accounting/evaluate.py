"""Validate a report against a case and score it: misstatement against materiality, the
anomaly ranking at a fixed review budget, time.

Report errors are weighed as an auditor weighs them (ISA 320 / ISA 450): materiality is 5 % of
the group's profit before tax (at least 0.5 % of revenue when profit is small); a misstatement
below 5 % of materiality is clearly trivial. Each figure of the report (a translated regional
balance, an elimination, a consolidated balance, a P&L or balance-sheet line) earns 1 when its
CNY misstatement is clearly trivial, 0 when it is material, and in between linearly; the
report's accuracy is the mean over its figures. A region at an inverted rate or forgotten
eliminations are material; a rounding slip is not.

The anomaly metrics use the ranking only: average precision, and the top ``k`` entries an
auditor can review (``k`` = 2 % of the entries, at least 10): precision, recall and false
positives among them. Entries tied at the edge of the budget count by their share (as if the
auditor picked among them at random), so multiplying every score by a positive factor or
listing entries in another order changes nothing.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from labs.accounting.anomalies import ANOMALY_TYPES
from labs.accounting.chart import ACCOUNT_TYPE, REGION_BY_CODE
from labs.accounting.generate import load_anomalies, load_truth
from labs.accounting.jet import review_budget
from labs.accounting.kit.selfcheck import score_problems, table_problems
from labs.accounting.pipeline import parsed_case
from labs.accounting.submission import KEYS, NUMERIC, TIME_KEYS, Report
from workbench.i18n import N_
from workbench.lab import Case, Problem

TOLERANCE = 0.01
MATERIALITY_PBT = 0.05  # overall materiality: 5 % of profit before tax
MATERIALITY_REVENUE = 0.005  # ... but not below 0.5 % of revenue (profit near zero)
CLEARLY_TRIVIAL = 0.05  # misstatements below 5 % of materiality are clearly trivial (ISA 450)
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
    found = table_problems(report.tables, set(ACCOUNT_TYPE), set(REGION_BY_CODE))
    problems = [Problem(msg, where, REPORT_METRICS) for msg, where in found]
    problems += [Problem(msg, where, ANOMALY_METRICS)
                 for msg, where in score_problems(report.flags, set(entry_ids(case)))]
    for key in TIME_KEYS:
        value = _seconds(report.meta, key)
        if pd.isna(value) or value < 0:
            problems.append(Problem(N_("{key} must be a number of seconds >= 0 (found "
                                       "{found!r})"), "Meta", ("processing_time", "keying_time"),
                                    params={"key": key, "found": report.meta.get(key)}))
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


def materiality(truth: dict[str, pd.DataFrame]) -> float:
    """Overall materiality in CNY: 5 % of profit before tax, at least 0.5 % of revenue."""
    pl = truth["PL"].set_index("line")["amount"].astype(float)
    return max(MATERIALITY_PBT * abs(float(pl["NET_INCOME"])),
               MATERIALITY_REVENUE * abs(float(pl["TOTAL_REVENUE"])), 1.0)


def _figures(name: str, df: pd.DataFrame) -> pd.Series:
    """The CNY figures of a report table, one per key: net balances or statement amounts."""
    if not len(df):
        return pd.Series(dtype=float)
    key = df[KEYS[name]].astype(str).agg(" ".join, axis=1)
    value = df["amount"] if "amount" in df.columns else df["debit"] - df["credit"]
    return value.astype(float).groupby(key).sum()


def misstatements(truth: dict[str, pd.DataFrame], tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every figure of the graded tables: table, key, true and reported CNY, misstatement."""
    parts = []
    for name in GRADED_TABLES:
        t, s = _figures(name, truth[name]).align(_figures(name, tables[name]), join="outer",
                                                 fill_value=0.0)
        frame = pd.DataFrame({"truth": t, "reported": s})
        frame = frame[(frame["truth"].abs() > 0.004) | (frame["reported"].abs() > 0.004)]
        parts.append(frame.rename_axis("key").reset_index().assign(table=name))
    out = pd.concat(parts, ignore_index=True)
    out["misstatement"] = (out["reported"] - out["truth"]).abs()
    return out[["table", "key", "truth", "reported", "misstatement"]]


def materiality_accuracy(truth: dict[str, pd.DataFrame], tables: dict[str, pd.DataFrame],
                         ) -> dict[str, float]:
    """Mean credit of the report's figures: 1 if clearly trivial, 0 if material, linear between."""
    m = materiality(truth)
    trivial = CLEARLY_TRIVIAL * m
    frame = misstatements(truth, tables)
    e = frame["misstatement"].to_numpy()
    credit = np.clip((m - e) / (m - trivial), 0.0, 1.0)
    return {"report_accuracy": float(credit.mean()) if len(credit) else 0.0,
            "materiality": m, "figures": float(len(frame)),
            "material_figures": float((e >= m).sum()),
            "largest_misstatement": float(e.max()) if len(e) else 0.0}


def _top_k_share(score: pd.Series, member: pd.Series, k: int) -> float:
    """Expected number of ``member`` entries among the top ``k`` by ``score``, entries tied at
    the edge of the budget counted by their share."""
    if k <= 0:
        return 0.0
    edge = score.nlargest(k).min()
    above = score > edge
    tied = score == edge
    return float(member[above].sum() + (k - above.sum()) * member[tied].mean())


def ranking_metrics(ids: tuple[str, ...], labels: pd.DataFrame, flags: pd.DataFrame) -> dict[str, float]:
    """AP and the review-budget metrics of a ranking (scores: any numbers >= 0, order counts)."""
    scores = flags.drop_duplicates("entry_id").set_index("entry_id")["risk_score"].astype(float)
    frame = pd.DataFrame({"entry_id": ids})
    score = frame["entry_id"].map(scores).fillna(0.0)
    score = score.where(np.isfinite(score) & (score > 0), 0.0)
    kind = frame["entry_id"].map(labels.set_index("entry_id")["type"])
    y = kind.notna()
    k = review_budget(len(frame))
    hits = _top_k_share(score, y, k)
    out = {"anomaly_ap": float(average_precision_score(y, score)) if y.any() else 0.0,
           "precision_at_k": hits / k if k else 0.0, "recall_at_k": hits / max(1, int(y.sum())),
           "false_positives": float(k - hits), "k": float(k), "anomalies": float(y.sum())}
    for t in ANOMALY_TYPES:
        of_type = kind == t
        out[f"recall_{t}"] = _top_k_share(score, of_type, k) / of_type.sum() if of_type.any() else math.nan
    return out


def evaluate(case: Case, report: Report) -> dict[str, float]:
    """Every metric of the lab (plus per-type recall and counts) for one report."""
    truth = load_truth(case)
    correct, counted = cell_accuracy(truth, report.tables)
    out = {"report_error_rate": 1.0 - correct / counted if counted else 1.0,
           "cells": float(counted), "wrong_cells": float(counted - correct)}
    out.update(materiality_accuracy(truth, report.tables))
    out.update(ranking_metrics(entry_ids(case), load_anomalies(case), report.flags))
    times = {k: _seconds(report.meta, k) for k in TIME_KEYS}
    out["processing_time"] = float(sum(times.values()))
    out["keying_time"] = float(times["keying_seconds"])
    return {k: (float(v) if not (isinstance(v, float) and math.isnan(v)) else 0.0) for k, v in out.items()}
