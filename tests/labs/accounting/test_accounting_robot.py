"""bot.robot runs as a Robot Framework task and lists the faults it met."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROBOT_FILE = Path(__file__).parents[3] / "labs" / "accounting" / "bot.robot"


def test_robot_task_consolidates_and_lists_a_malformed_row(tiny_case, tmp_path):
    out = tmp_path / "robot"
    done = subprocess.run([sys.executable, "-m", "robot", "--variable", f"CASE:{tiny_case.public}",
                           "--variable", "SOURCE:folder", "--variable",
                           "FAULTS:malformed=US_newyork_journal.csv", "--outputdir", str(out),
                           str(ROBOT_FILE)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (out / "consolidation" / "consolidation.xlsx").is_file()
    log = (out / "output.xml").read_text(encoding="utf-8")
    assert "12O.50" in log and "read SH_shanghai_ledger.xlsx" in log
