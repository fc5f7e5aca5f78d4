"""`workbench check logistics` on a public-only case (issue 9, acceptance 4): a plan file, a
.py and a notebook each get the step report; what needs the key is left to the instructor."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from labs.logistics import LAB
from labs.logistics.kit import case_id, plan_json
from workbench.cli import main
from workbench.exercise import solution_notebook, student_notebook

GREEDY = Path(__file__).parent / "fixtures" / "greedy_solve.py"


@pytest.fixture(scope="module")
def public_only(tmp_path_factory):
    root = tmp_path_factory.mktemp("check")
    full = LAB.make_case(31, "tiny", out=root / "full")
    shutil.copytree(full.public, root / "student" / "public")
    plan_json(LAB.baseline(full), root / "plan.json", case_id=case_id(full.public))
    return root


def _check(public_only: Path, submission: Path) -> str:
    result = CliRunner().invoke(main, ["check", "logistics", str(submission), "--case",
                                       str(public_only / "student")])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.output


def test_plan_file(public_only):
    out = _check(public_only, public_only / "plan.json")
    assert "Outcome: valid" in out and "needs your code" in out and "route_duration" in out


def test_code_file(public_only):
    out = _check(public_only, GREEDY)
    assert "Outcome: valid" in out and "(code)" in out


def test_notebooks(public_only):
    scaffold = _check(public_only, student_notebook(LAB))
    assert "not done yet" in scaffold and "Outcome: NOT VALID" in scaffold
    solution = _check(public_only, solution_notebook(LAB))
    assert solution.count(": passed") == len(LAB.steps), solution
    assert "graded by your instructor" in solution and "Outcome: valid" in solution
