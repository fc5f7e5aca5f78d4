"""The collection bot as a Robot Framework task."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROBOT_FILE = Path(__file__).parents[3] / "labs" / "welding" / "collect.robot"


def test_robot_task_collects_the_logs(tiny_case, tmp_path):
    out = tmp_path / "robot"
    done = subprocess.run([sys.executable, "-m", "robot", "--variable",
                           f"CASE:{tiny_case.public}", "--outputdir", str(out), "--console",
                           "quiet", str(ROBOT_FILE)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "collected" / "boards.csv").is_file()
    assert "Boards collected" in (out / "log.html").read_text(encoding="utf-8")
