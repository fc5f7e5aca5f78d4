"""The exercise as a student and an instructor meet it: the toolkit boundary, the handed-out
files without the answer, the scaffold graded (≤ 10) and the solution graded (≥ 95) on the
student's own case and on a hidden one, in the sandbox like any student's code."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from labs.welding import LAB
from workbench.exercise import solution_notebook, student_notebook
from workbench.testing import check_steps_declared

LAB_DIR = Path(__file__).parents[3] / "labs" / "welding"
STARTER = LAB_DIR / "starter"


def test_kit_imports_nothing_of_the_lab_but_the_kit():
    for path in sorted((LAB_DIR / "kit").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name.startswith("labs."):
                    assert name.startswith("labs.welding.kit"), f"{path.name} imports {name}"


def test_steps_are_declared_in_both_languages(tmp_path):
    check_steps_declared(LAB, tmp_path)
    assert len(LAB.steps) >= 4 and LAB.outcome_points == 50
    assert sum(s.points for s in LAB.steps) == 50
    assert all(s.hidden_checks for s in LAB.steps[1:])


def test_handed_out_files_carry_no_answer():
    """The answer differs by seed (line, shift, onset), but the form of a right diagnosis and
    fix must not be printed for students either."""
    texts = [(STARTER / "README.md").read_text(encoding="utf-8"),
             (LAB_DIR.parents[1] / "docs" / "welding" / "handout.md").read_text(encoding="utf-8"),
             (LAB_DIR / "submission.py").read_text(encoding="utf-8").split('"""')[1]]
    nb = nbformat.read(student_notebook(LAB), as_version=4)
    texts += [cell.source for cell in nb.cells]
    for text in texts:
        assert '"variable": "z7' not in text and "'variable': 'z7" not in text
        assert "paste_lot\"}" not in text and '"confounder": "paste_lot"' not in text
        assert '"type": "repair", "variable": "z7' not in text


def test_student_notebook_is_a_clean_scaffold():
    nb = nbformat.read(student_notebook(LAB), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    source = "\n".join(c.source for c in code)
    compile(source, "notebook.ipynb", "exec")
    assert source.count("raise NotImplementedError") == len(LAB.steps)
    for step in LAB.steps:
        assert f'check("{step.id}")' in source and f"def {step.function}(" in source
    assert f"def {LAB.code_entry.function}(" in source
    assert "labs.welding.reference" not in source and "labs.welding.collect" not in source
    assert any("parameters" in c.metadata.get("tags", []) for c in code)
    markdown = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "中文" in markdown and "EN" in markdown


def test_solution_is_not_in_the_starter_folder():
    assert solution_notebook(LAB).is_file()
    assert STARTER not in solution_notebook(LAB).parents
    assert not list(STARTER.rglob("*solution*"))


def _grade(notebook: Path, seed: int, tmp: Path):
    from workbench.grading.grade import references
    from workbench.grading.sandbox import Limits
    from workbench.grading.task import grade_any

    case = LAB.make_case(seed, "tiny", out=tmp / f"case{seed}")
    report, _ = grade_any(LAB, case, notebook, lambda c: references(LAB, c),
                          limits=Limits(wall_s=400, cpu_s=400))
    return report


@pytest.mark.slow
def test_unmodified_scaffold_grades_at_most_10(tmp_path):
    report = _grade(student_notebook(LAB), 13, tmp_path)
    assert report.score <= 10
    assert {s["id"]: s["status"] for s in report.steps}["read"] == "not_done"


@pytest.mark.slow
@pytest.mark.parametrize("seed", [13, 21])
def test_solution_grades_95_on_own_and_hidden_cases(tmp_path, seed):
    report = _grade(solution_notebook(LAB), seed, tmp_path)
    failed = [s["id"] for s in report.steps if s["status"] != "passed"]
    assert not failed and report.valid, (failed, report.problems)
    assert report.score >= 95, [(c.name, c.points, c.message) for c in report.criteria]


@pytest.mark.slow
def test_student_notebook_runs_top_to_bottom_in_the_release_layout(tmp_path):
    import shutil

    from nbclient import NotebookClient

    from workbench.exercise import RELEASE_PUBLIC

    folder = tmp_path / "student"
    LAB.make_case(23, "tiny", out=folder / RELEASE_PUBLIC.parent)
    shutil.copy(student_notebook(LAB), folder / "notebook.ipynb")
    nb = nbformat.read(folder / "notebook.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                     for o in c.get("outputs", [])).lower()
    assert "not done" in text  # the first step; the others wait for it
    assert text.count("skipped") >= len(LAB.steps) - 1, text
