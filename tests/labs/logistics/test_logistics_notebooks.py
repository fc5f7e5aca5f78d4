"""The notebooks as a student and an instructor meet them (issue 9, acceptance 3): the
unmodified student notebook runs top to bottom in the release layout, reports every step as
not done and grades at most 10; the solution notebook grades at least 95 on its own case and
on a hidden case. Both run in the sandbox, as graded code does."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from labs.logistics import LAB
from workbench.exercise import RELEASE_PUBLIC, solution_notebook, student_notebook
from workbench.grading.grade import references
from workbench.grading.sandbox import Limits
from workbench.grading.task import grade_any, run_code_on

LIMITS = Limits(wall_s=300, cpu_s=300)


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    root = tmp_path_factory.mktemp("nb")
    return LAB.make_case(21, "tiny", out=root / "own"), LAB.make_case(22, "tiny", out=root / "hid")


def test_student_notebook_runs_in_the_release_layout(tmp_path):
    folder = tmp_path / "student"
    LAB.make_case(23, "tiny", out=folder / RELEASE_PUBLIC.parent)
    shutil.copy(student_notebook(LAB), folder / "notebook.ipynb")
    nb = nbformat.read(folder / "notebook.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                     for o in c.get("outputs", []))
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    assert text.lower().count("not done") >= len(LAB.steps), text


def test_unmodified_notebook_grades_at_most_10(cases):
    own, hidden = cases
    report, _ = grade_any(LAB, own, student_notebook(LAB), lambda c: references(LAB, c),
                          hidden=[hidden], limits=LIMITS)
    assert report.score <= 10, report.to_dict()
    assert all(s["status"] != "passed" for s in report.steps)


@pytest.mark.parametrize("which", [0, 1], ids=["own case", "hidden case"])
def test_solution_notebook_grades_at_least_95(cases, which):
    case = cases[which]
    report, _ = run_code_on(LAB, case, solution_notebook(LAB), references(LAB, case), LIMITS)
    assert report.score >= 95, report.to_dict()


CALLS_THE_REFERENCE = '''
from pathlib import Path

from labs.logistics.kit import case_id, load_instance, plan_json
from labs.logistics.reference import solve as reference_solve


def solve(public_dir, out_dir):
    plan = reference_solve(load_instance(Path(public_dir)), max_iterations=200)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    plan_json(plan, Path(out_dir) / "plan.json", case_id=case_id(public_dir))
'''


def test_code_that_imports_the_reference_scores_0_with_the_reason(cases, tmp_path):
    own, hidden = cases
    source = tmp_path / "solve.py"
    source.write_text(CALLS_THE_REFERENCE, encoding="utf-8")
    report, _ = grade_any(LAB, own, source, lambda c: references(LAB, c), hidden=[hidden],
                          limits=LIMITS)
    assert report.score == 0
    reasons = " ".join(report.problems)
    assert "reference solution: not allowed" in reasons, report.problems


def test_solution_optimiser_reproduces_the_reference_plan(tmp_path):
    """The solution notebook's PyVRP model and traffic-aware re-planning give the reference's
    plan on a class day (same data, seed and budget), so the solution earns the outcome."""
    import types

    case = LAB.make_case(6, "class", out=tmp_path / "case")
    nb = nbformat.read(solution_notebook(LAB), as_version=4)
    module = types.ModuleType("solution")
    for cell in nb.cells:
        if cell.cell_type == "code" and not cell.source.startswith("check("):
            exec(compile(cell.source, "solution", "exec"), module.__dict__)  # noqa: S102
    routes = module.optimised_plan(case.public, module.hourly_speeds(case.public))
    assert {v: tuple(s) for v, s in routes.items()} == LAB.reference(case).used()
