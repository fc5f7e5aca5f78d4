"""Accounting lab: cross-region month-end consolidation by hand or by an RPA bot, and
journal-entry anomaly detection by audit rules or by a risk-scoring detector."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from labs.accounting import baseline as _baseline
from labs.accounting import evaluate as _evaluate
from labs.accounting import generate as _generate
from labs.accounting import reference as _reference
from labs.accounting import submission as _submission
from labs.accounting.clerk import ClerkParams
from labs.accounting.steps import OUTCOME_POINTS, STEPS
from labs.accounting.submission import SUBMISSION_NAME, Report
from workbench.assign import docs_dir
from workbench.lab import Case, Claim, CodeEntry, Metric, Problem, ratio

__all__ = ["LAB", "AccountingLab", "Report", "ClerkParams"]

ERROR_RATE_FACTOR = 0.1  # "far below": the bot's error rate at most a tenth of the clerk's


def _error_rate_ratio(baseline: Mapping[str, float], reference: Mapping[str, float]) -> float:
    b, r = float(baseline["report_error_rate"]), float(reference["report_error_rate"])
    if b == 0:
        return 0.0 if r == 0 else float("inf")
    return r / b


def _ap_gain(baseline: Mapping[str, float], reference: Mapping[str, float]) -> float:
    return float(reference["anomaly_ap"]) - float(baseline["anomaly_ap"])


class AccountingLab:
    slug = "accounting"
    handout = docs_dir() / "accounting" / "handout.md"  # + handout.zh.md if any
    title = "Month-end consolidation: clerk vs RPA bot"
    summary = ("Six subsidiaries export their ledgers in six different ways. Consolidate them "
               "into a group trial balance, P&L and balance sheet, and rank the journal entries "
               "an auditor should look at. A clerk keying by hand and audit rules of thumb are "
               "the control class; an rpaframework bot and a risk-scoring detector are the "
               "experimental class.")
    metrics = (
        Metric("report_accuracy", "share of figures", True, 40,
               "report accuracy against materiality",
               "Mean credit of the report's CNY figures: 1 when the misstatement is clearly "
               "trivial (under 5 % of materiality), 0 when it is material (materiality = 5 % "
               "of profit before tax), linear between."),
        Metric("anomaly_ap", "AP", True, 35, "anomaly average precision",
               "Average precision of the risk ranking against the planted anomalies."),
        Metric("precision_at_k", "share", True, 10, "precision at k",
               "Share of anomalies among the k entries an auditor reviews (k = 2 % of "
               "entries, the highest-risk first)."),
        Metric("recall_at_k", "share", True, 10, "recall at k",
               "Share of all anomalies found among the k entries an auditor reviews."),
        Metric("false_positives", "entries", False, 5, "false positives at k",
               "Entries among the k an auditor reviews that are not anomalies."),
        Metric("material_figures", "figures", False, 0, "materially misstated figures",
               "Figures of the report misstated by materiality or more."),
        Metric("report_error_rate", "share of cells", False, 0, "report error rate",
               "Cells of the report more than 0.01 CNY from the correct value."),
        Metric("processing_time", "s", False, 0, "processing time end to end",
               "Keying or bot run + setup + review, from the report's Meta sheet."),
        Metric("keying_time", "s", False, 0, "keying time (bot run time for a bot)"),
    )
    claims = (
        Claim("speedup", "The bot consolidates at least 3x faster than a clerk, end to end "
              "(bot run + setup + review of exceptions vs keying + setup + review).",
              "3x faster", ratio("processing_time"), low=3.0, unit="x"),
        Claim("error_rate", "The bot's report error rate is far below the clerk's: at most a "
              "tenth of it.", "much lower error rate", _error_rate_ratio, high=ERROR_RATE_FACTOR,
              unit="x"),
        Claim("detector_ap", "The risk detector ranks anomalies better than the JET rules "
              "weighted by rarity (higher average precision).", "detector beats rules",
              _ap_gain, low=1e-9, unit="AP"),
        Claim("fewer_false_positives", "Reviewing the same number of entries (2 % of them), "
              "the auditor meets fewer false positives with the detector's ranking than with "
              "the rules'.", "fewer false positives", ratio("false_positives"), low=1.0 + 1e-9,
              unit="x"),
    )
    steps = STEPS
    outcome_points = OUTCOME_POINTS
    submission_suffixes = (".xlsx",)
    code_entry = CodeEntry("consolidate", SUBMISSION_NAME,
                           doc="consolidate(public_dir, out_dir): read public_dir/inbox and "
                               "public_dir/reference, write out_dir/consolidation.xlsx with the "
                               "sheets of the contract (docs/accounting/handout.md).")

    def make_case(self, seed: int, size: str = "class", *, out: Path) -> Case:
        return _generate.make_case(seed, size, out=out)

    def baseline(self, case: Case) -> Report:
        return _baseline.manual_solution(case)

    def reference(self, case: Case) -> Report:
        return _reference.bot_solution(case)

    def sensitivity_baselines(self, case: Case) -> dict[str, Report]:
        return {
            "clerk rules of thumb": _baseline.manual_solution(
                case, review="clerk", method="manual clerk + rules of thumb"),
            "JET checklist (unweighted)": _baseline.manual_solution(
                case, review="checklist", method="manual clerk + JET checklist"),
            "double-entry clerk": _baseline.manual_solution(
                case, ClerkParams(double_entry=True), method="double-entry clerk + JET rules"),
            "skilled typist": _baseline.manual_solution(
                case, ClerkParams(K=0.20), method="skilled typist + JET rules"),
        }

    def read_submission(self, path: Path) -> Report:
        return _submission.read_submission(path)

    def write_submission(self, solution: Report, path: Path) -> Path:
        return _submission.write_submission(solution, path)

    def validate(self, case: Case, solution: Report) -> list[Problem]:
        return _evaluate.validate(case, solution)

    def evaluate(self, case: Case, solution: Report) -> dict[str, float]:
        return _evaluate.evaluate(case, solution)

    def figures(self, case: Case, solutions: Mapping[str, Any]) -> list[Any]:
        from labs.accounting import plots

        return plots.feedback_figures(case, solutions)

    def demo_steps(self, case: Case) -> list[Any]:
        from labs.accounting.demo import demo_steps

        return demo_steps(case)

    def register_pages(self) -> None:
        from labs.accounting import page

        page.register()


LAB = AccountingLab()
