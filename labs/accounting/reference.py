"""The experimental class: the consolidation bot's report with the risk detector's flags."""

from __future__ import annotations

import tempfile
from pathlib import Path

from labs.accounting.bot import LocalFolderSource, run_bot
from labs.accounting.submission import Report
from workbench.lab import Case


def bot_solution(case: Case, *, use_rpa_excel: bool = True) -> Report:
    """Run the bot on the case's public folder (no browser) and return its report.

    The bot's measured run time is stored in the report's Meta sheet, so grading the report
    later gives the same figures.
    """
    with tempfile.TemporaryDirectory(prefix="accounting-bot-") as tmp:
        result = run_bot(LocalFolderSource(case.public), Path(tmp), upload=False,
                         use_rpa_excel=use_rpa_excel)
    return result.report
