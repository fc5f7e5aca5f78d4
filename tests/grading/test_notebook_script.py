"""Notebook → script conversion of code submissions (workbench.grading.notebook)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from workbench.grading.intake import IntakeError
from workbench.grading.notebook import notebook_to_script


def _notebook(tmp_path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path = tmp_path / "work.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_future_import_in_a_cell_is_moved_to_the_top(tmp_path: Path) -> None:
    path = _notebook(
        tmp_path,
        "from __future__ import annotations\nx: int = 1",
        "from __future__ import annotations\ndef f(a: Unknown) -> None:\n    pass",
    )
    script = notebook_to_script(path)
    assert script.startswith("from __future__ import annotations\n")
    assert script.count("from __future__") == 1
    namespace: dict = {}
    exec(compile(script, "work.py", "exec"), namespace)  # would be a SyntaxError otherwise
    assert namespace["x"] == 1 and callable(namespace["f"])


def test_a_shell_escape_is_refused_with_its_cell(tmp_path: Path) -> None:
    path = _notebook(tmp_path, "x = 1", "!pip install requests")
    with pytest.raises(IntakeError, match="code cell 2, line 1"):
        notebook_to_script(path)
