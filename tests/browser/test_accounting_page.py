"""One real-browser walk through the accounting page: inbox, a live bot run, the anomaly
explorer, and an uploaded report scored."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs.accounting import LAB
from workbench.datasets import default_case
from workbench.grading import grade_file

pytestmark = pytest.mark.browser


def test_inbox_bot_explorer_and_scored_upload(ui, tmp_path: Path):
    case = default_case(LAB)
    good = LAB.write_submission(LAB.baseline(case), tmp_path / "consolidation.xlsx")
    ui.open("/accounting")
    ui.element("#accounting-page")
    ui.text_in("#accounting-inbox-view", "merged cells", timeout=180)
    from selenium.webdriver.support.ui import Select

    inbox = ui.element("#accounting-inbox-file")
    ui.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", inbox)
    Select(inbox).select_by_value("SZ_shenzhen_ledger.csv")
    ui.text_in("#accounting-inbox-view", "GBK")
    run = ui.element("#accounting-run-btn")  # the panels are stacked: bring it into view
    ui.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", run)
    ui.text_in("#accounting-log", "download inbox/US_newyork_journal.csv", timeout=120)
    ui.text_in("#accounting-bot-status", "Report ready", timeout=180)
    ui.text_in("#accounting-report", "Currency translation difference")
    ui.element("#accounting-benford .js-plotly-plot")
    ui.element("#accounting-why .js-plotly-plot")
    ui.upload("accounting-upload", good)
    expected = grade_file(LAB, case, good)
    shown = ui.element("#accounting-grade-score", timeout=120).text
    assert shown.startswith(f"{min(expected.score, expected.max_score):.1f} / ")
    ui.screenshot("accounting-graded")
    ui.element("#shell-lang-zh")
    ui.driver.execute_script("document.getElementById('shell-lang-zh').click()")
    ui.text_in("#accounting-page", "收件箱", timeout=120)
