"""The Robot Framework portal task types the portal password with Input Password: the secret
never reaches Robot's log.html or output.xml (Input Text would log it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from labs.accounting import LAB

ROBOT_FILE = Path(__file__).parents[2] / "labs" / "accounting" / "bot.robot"
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_portal_password_stays_out_of_robot_logs(tmp_path):
    case = LAB.make_case(3, "tiny", out=tmp_path / "case")
    out = tmp_path / "robot"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "robot",
            "--loglevel",
            "TRACE",
            "--variable",
            f"CASE:{case.public}",
            "--outputdir",
            str(out),
            str(ROBOT_FILE),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for name in ("output.xml", "log.html"):
        text = (out / name).read_text(encoding="utf-8")
        assert "Typing password into text field" in text, name  # Input Password was used
        assert "Typing text" not in text or "Password" not in text.split("Typing text")[1][:200]
