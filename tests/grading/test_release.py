"""Release zips and notebooks end to end on the tiny lab: what a student unzips runs top to
bottom with nbclient (no path editing), the notebook itself is graded like any code, the
solution stays in the instructor's folder, and an assignment can grade code only."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from workbench.assign import Course, assign
from workbench.grading.batch import grade_course

from .conftest import FAST
from .tinylab import LAB, SOLUTION

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    root = tmp_path_factory.mktemp("course")
    assign(
        LAB,
        {"ann": {}, "ben": {}, "cat": {}},
        root,
        size="tiny",
        hidden=1,
        progress=False,
        require_code=True,
    )
    return Course(root)


def _unzip(course: Course, student: str, into: Path) -> Path:
    with zipfile.ZipFile(course.release_zip("tiny", student)) as archive:
        names = archive.namelist()
        archive.extractall(into)
    assert not any("private" in n or n.endswith("answer.json") or "solution" in n for n in names), (
        names
    )
    return into / student


def _run(notebook: Path, monkeypatch) -> nbformat.NotebookNode:
    """Execute a notebook where it lies, as a student would (cwd = its folder)."""
    monkeypatch.setenv("PYTHONPATH", str(TESTS))  # the kernel imports the (uninstalled) lab
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(notebook.parent)}},
    ).execute()
    nbformat.write(nb, notebook)
    return nb


def _printed(nb: nbformat.NotebookNode) -> str:
    return "\n".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
    )


def test_the_release_holds_notebook_handout_and_public_case(course, tmp_path):
    folder = _unzip(course, "ann", tmp_path)
    assert (folder / "notebook.ipynb").is_file() and (folder / "handout.md").is_file()
    assert (folder / "case" / "public" / "numbers.csv").is_file()
    assert (folder / "case" / "public" / "case.json").is_file()
    assert (course.lab_dir("tiny") / "solution" / "notebook.ipynb").is_file()
    assert course.assignment("tiny")["require_code"] is True


@pytest.mark.slow
def test_the_unmodified_notebook_runs_and_grades_zero(course, tmp_path, monkeypatch):
    folder = _unzip(course, "ann", tmp_path / "unzipped")
    nb = _run(folder / "notebook.ipynb", monkeypatch)  # raises if any cell raises
    out = _printed(nb)
    assert out.count("not done yet") >= 1 and "needs step read first" in out
    assert "Traceback" not in out
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(folder / "notebook.ipynb", subs / "ann.ipynb")
    result = grade_course(LAB, course.root, subs, workers=1, limits=FAST, progress=False)
    ((student, report),) = result.graded
    assert report.score <= 10, report.criteria


@pytest.mark.slow
def test_the_solution_notebook_runs_in_the_release_and_grades_full(course, tmp_path, monkeypatch):
    folder = _unzip(course, "ben", tmp_path / "unzipped")
    shutil.copy(course.lab_dir("tiny") / "solution" / "notebook.ipynb", folder / "notebook.ipynb")
    nb = _run(folder / "notebook.ipynb", monkeypatch)
    out = _printed(nb)
    assert out.count(": passed") == 3, out
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(folder / "notebook.ipynb", subs / "ben.ipynb")  # executed outputs included
    result = grade_course(LAB, course.root, subs, workers=1, limits=FAST, progress=False)
    ((student, report),) = result.graded
    assert report.score >= 95, (report.criteria, report.problems)
    assert any(c.hidden for c in report.criteria)  # the hidden case counted


def test_an_assignment_that_requires_code_refuses_a_data_file(course, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    case = course.case_dir("tiny", "cat")
    from workbench.lab import Case

    LAB.write_submission(LAB.reference(Case.load(case)), subs / "cat.json")
    result = grade_course(LAB, course.root, subs, workers=1, limits=FAST, progress=False)
    ((student, report),) = result.graded
    assert report.score == 0 and "grades code only" in report.problems[0]


def test_the_notebook_module_source_is_what_the_lab_ships():
    # the solution notebook is the tiny lab's SOLUTION, cell by cell
    nb = nbformat.read(LAB.solution_notebook, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "def total(clean_numbers)" in code and SOLUTION.strip().splitlines()[-1] in code
