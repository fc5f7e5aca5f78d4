"""The starter holds no answer: a scaffold notebook (steps not done, checks after each step, a
parameter cell, English and Chinese text) and a README; the solution notebook lives apart."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from labs.logistics import LAB
from workbench.exercise import solution_notebook, student_notebook

STARTER = Path(__file__).resolve().parents[3] / "labs" / "logistics" / "starter"


def _code(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    assert cells and all(not c.get("outputs") for c in cells), f"{path.name} has outputs"
    return [c.source for c in cells]


def test_starter_folder_holds_no_solution():
    assert sorted(p.name for p in STARTER.iterdir()) == ["README.md", "notebook.ipynb"]
    assert student_notebook(LAB) == STARTER / "notebook.ipynb"
    assert solution_notebook(LAB).parent.name == "solution"


def test_scaffold_defines_every_step_undone_and_checks_each():
    code = "\n".join(_code(STARTER / "notebook.ipynb"))
    for step in LAB.steps:
        assert f"def {step.function}(" in code and f'check("{step.id}")' in code
    assert code.count("raise NotImplementedError") == len(LAB.steps)
    assert f"def {LAB.code_entry.function}(" in code
    for answer in ("groupby", ".median(", "pyvrp.solve(", "ProblemData("):
        assert answer not in code, f"the scaffold gives away {answer!r}"


def test_notebooks_have_a_parameter_cell_and_both_languages():
    for path in (student_notebook(LAB), solution_notebook(LAB)):
        nb = nbformat.read(path, as_version=4)
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1 and "CASE_DIR" in params[0].source
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "**EN**" in text and "**中文**" in text


@pytest.mark.parametrize("name", ["README.md"])
def test_readme_gives_no_answer(name):
    text = (STARTER / name).read_text(encoding="utf-8")
    assert "notebook.ipynb" in text and "solve_template" not in text
