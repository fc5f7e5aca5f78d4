"""`--db` of serve, assign and user: a database that cannot be used is said in one sentence
(without the password), never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from services import free_port

WORKBENCH = str(Path(sys.executable).with_name("workbench"))


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "--port", "1"],
        ["assign", "logistics", "--roster", "roster.csv", "--out", "course"],
    ],
)
def test_an_unreachable_database_is_said_in_a_sentence(args, tmp_path):
    (tmp_path / "roster.csv").write_text("student_id\ns01\n", encoding="utf-8")
    url = f"postgresql+psycopg://teacher:s3cret@127.0.0.1:{free_port()}/course"
    done = subprocess.run(
        [WORKBENCH, *args, "--db", url], capture_output=True, text=True, cwd=tmp_path, timeout=180
    )
    assert done.returncode == 2, done.stderr
    assert "the gradebook database cannot be opened" in done.stderr
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "course").exists()  # nothing half-made


def test_a_missing_driver_names_the_extra(tmp_path):
    url = "mysql+nosuchdriver://u@127.0.0.1/x"
    done = subprocess.run(
        [WORKBENCH, "serve", "--port", "1", "--db", url],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=180,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "cannot be opened" in done.stderr or "driver is not installed" in done.stderr
