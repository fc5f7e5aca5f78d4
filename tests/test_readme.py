"""The README's two opening commands are the ones CI runs and the project supports."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"))


def test_ci_runs_the_readme_test_command_word_for_word():
    test_command = readme_commands()[1]
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci_lines, "README's test command and .ci/run differ"


def test_the_first_command_installs_and_serves():
    assert readme_commands()[0].endswith("uv sync --locked && uv run workbench serve")
