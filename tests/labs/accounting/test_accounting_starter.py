"""The notebooks as a student and an instructor meet them (issue 9, acceptance 3), the toolkit
boundary, and no answer in the starter folder.

The unmodified student notebook runs top to bottom in the release layout, reports every step
as not done and grades at most 10; the solution notebook grades at least 95 on its own case
and on a hidden case. Both are graded in the sandbox, as code is."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from labs.accounting import LAB
from workbench.exercise import RELEASE_PUBLIC, solution_notebook, student_notebook
from workbench.grading.grade import references
from workbench.grading.sandbox import Limits
from workbench.grading.task import grade_any, run_code_on

LIMITS = Limits(wall_s=300, cpu_s=300)
LAB_DIR = Path(__file__).resolve().parents[3] / "labs" / "accounting"
ANSWER_MODULES = {
    "baseline",
    "reference",
    "detect",
    "jet",
    "clerk",
    "consolidate",
    "ingest",
    "pipeline",
    "bot",
    "steps",
    "variants",
    "evaluate",
    "generate",
}


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    root = tmp_path_factory.mktemp("nb")
    return LAB.make_case(21, "tiny", out=root / "own"), LAB.make_case(22, "tiny", out=root / "hid")


def test_kit_imports_only_the_kit_and_the_framework():
    for path in sorted((LAB_DIR / "kit").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                if name.startswith("labs."):
                    assert name.startswith("labs.accounting.kit"), f"{path.name} imports {name}"


def test_starter_holds_no_answer():
    for path in sorted((LAB_DIR / "starter").iterdir()):
        text = path.read_text(encoding="utf-8")
        for module in ANSWER_MODULES:
            assert f"labs.accounting.{module}" not in text, f"{path.name} uses {module}"
            assert f"from labs.accounting import {module}" not in text, path.name
    nb = nbformat.read(student_notebook(LAB), as_version=4)
    stubs = [
        c.source
        for c in nb.cells
        if c.cell_type == "code" and "def " in c.source and "NotImplementedError" in c.source
    ]
    assert len(stubs) == len(LAB.steps)
    assert student_notebook(LAB).parent.name == "starter"
    assert solution_notebook(LAB).parent.name == "solution"


def test_student_notebook_runs_in_the_release_layout(tmp_path):
    folder = tmp_path / "student"
    LAB.make_case(23, "tiny", out=folder / RELEASE_PUBLIC.parent)
    shutil.copy(student_notebook(LAB), folder / "notebook.ipynb")
    nb = nbformat.read(folder / "notebook.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    text = "\n".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    # the first step is not done; the others wait for it
    low = text.lower()
    assert "not done yet: read_ledger raises notimplementederror" in low, text
    assert low.count("not done") + low.count("needs step") >= len(LAB.steps), text


@pytest.mark.slow
def test_unmodified_notebook_grades_at_most_10(cases):
    own, hidden = cases
    report, _ = grade_any(
        LAB,
        own,
        student_notebook(LAB),
        lambda c: references(LAB, c),
        hidden=[hidden],
        limits=LIMITS,
    )
    assert report.score <= 10, report.to_dict()
    assert all(s["status"] != "passed" for s in report.steps)


@pytest.mark.slow
@pytest.mark.parametrize("which", [0, 1], ids=["own case", "hidden case"])
def test_solution_notebook_grades_at_least_95(cases, which):
    case = cases[which]
    report, _ = run_code_on(LAB, case, solution_notebook(LAB), references(LAB, case), LIMITS)
    assert report.score >= 95, report.to_dict()
    assert all(s["status"] == "passed" for s in report.steps), report.steps


def test_release_holds_the_notebook_and_both_handouts(tmp_path):
    from workbench.assign import assign

    assign(LAB, {"s1": {"name": "Ann"}}, tmp_path / "course", size="tiny", hidden=0, progress=False)
    names = {p.name for p in (tmp_path / "course").rglob("*") if p.is_file()}
    assert {"notebook.ipynb", "handout.md", "handout.zh.md", "README.md"} <= names
    import zipfile

    zips = list((tmp_path / "course").rglob("s1.zip"))
    assert zips, "no release zip"
    members = {Path(n).name for n in zipfile.ZipFile(zips[0]).namelist()}
    assert {"notebook.ipynb", "handout.md", "handout.zh.md"} <= members
    assert not any("solution" in n for n in zipfile.ZipFile(zips[0]).namelist())
