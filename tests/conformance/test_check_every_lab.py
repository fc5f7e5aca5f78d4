"""``workbench check`` on a student's public-only case, for every registered lab: a data
file, the student notebook, the solution notebook and a file of the wrong kind.

A lab whose exercise (steps, notebooks) is not written yet is skipped with the reason.
"""

from __future__ import annotations

import shutil

import pytest

from workbench import registry
from workbench.exercise import lab_steps, solution_notebook, student_notebook
from workbench.grading.check import self_check
from workbench.grading.sandbox import Limits
from workbench.lab import Case

LIMITS = Limits(wall_s=300, cpu_s=300)


def _labs() -> list:
    try:
        return [pytest.param(lab, id=slug) for slug, lab in registry.labs().items()]
    except Exception as exc:  # a broken registry fails here, visibly
        return [pytest.param(None, id=f"registry: {exc}")]


@pytest.fixture(scope="module")
def public_cases(tmp_path_factory):
    made: dict[str, Case] = {}

    def make(lab) -> Case:
        if lab.slug not in made:
            full = lab.make_case(21, "tiny", out=tmp_path_factory.mktemp(lab.slug) / "full")
            mine = full.root.parent / "mine"
            shutil.copytree(full.public, mine / "public")
            made[lab.slug] = Case.load(mine, lab.slug)
            made[lab.slug + ":full"] = full
        return made[lab.slug]

    make.full = made  # type: ignore[attr-defined]
    return make


def _needs(lab, what: str):
    if not lab_steps(lab):
        pytest.skip(f"{lab.slug} declares no exercise steps yet")
    path = student_notebook(lab) if what == "student" else solution_notebook(lab)
    if path is None or not path.is_file():
        pytest.skip(f"{lab.slug} has no {what} notebook yet")
    return path


@pytest.mark.parametrize("lab", _labs())
def test_a_data_file_is_checked_and_the_steps_need_code(lab, public_cases, tmp_path):
    assert lab is not None
    case = public_cases(lab)
    full = public_cases.full[lab.slug + ":full"]
    path = lab.write_submission(lab.baseline(full), tmp_path / f"plan{lab.submission_suffixes[0]}")
    result = self_check(lab, case, path)
    assert result["kind"] == "data" and result["valid"], result["problems"][:5]
    assert "score" not in result
    assert all(s["status"] == "needs_code" for s in result["steps"])


@pytest.mark.parametrize("lab", _labs())
def test_a_file_of_the_wrong_kind_gets_a_message(lab, public_cases, tmp_path):
    assert lab is not None
    path = tmp_path / "answer.txt"
    path.write_text("42\n")
    result = self_check(lab, public_cases(lab), path)
    assert not result["valid"] and "not a submission" in result["problems"][0]


@pytest.mark.slow
@pytest.mark.parametrize("lab", _labs())
def test_the_student_notebook_says_not_done(lab, public_cases):
    assert lab is not None
    result = self_check(lab, public_cases(lab), _needs(lab, "student"), limits=LIMITS)
    assert result["kind"] == "code"
    for step in result["steps"]:
        assert step["status"] != "passed", step
        assert step["message"] or step["results"], step


@pytest.mark.slow
@pytest.mark.parametrize("lab", _labs())
def test_the_solution_notebook_passes_the_public_checks(lab, public_cases):
    assert lab is not None
    result = self_check(lab, public_cases(lab), _needs(lab, "solution"), limits=LIMITS)
    assert result["valid"], result["problems"][:5]
    failed = [
        (s["id"], s["status"], s["message"]) for s in result["steps"] if s["status"] != "passed"
    ]
    assert not failed, failed
