"""``workbench check`` on a public-only case: data files, code and notebooks, steps reported."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from workbench import registry
from workbench.cli import main
from workbench.grading.check import group_problems, summarise
from workbench.lab import Problem

from .tinylab import LAB, SCAFFOLD, SOLUTION, write_notebook


@pytest.fixture
def tiny_cli(monkeypatch):
    monkeypatch.setattr(registry, "labs", lambda: {LAB.slug: LAB})
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["check", "tiny", *[str(a) for a in args]])


@pytest.fixture(scope="module")
def student_case(tmp_path_factory):
    """A student's copy of a case: public/ only."""
    full = LAB.make_case(5, "tiny", out=tmp_path_factory.mktemp("full") / "case")
    mine = tmp_path_factory.mktemp("student") / "case"
    shutil.copytree(full.public, mine / "public")
    return mine, full.case_id


def test_code_reports_each_step_and_leaves_the_key_to_the_instructor(
    tiny_cli, student_case, tmp_path
):
    case, _ = student_case
    code = tmp_path / "mine.py"
    code.write_text(SOLUTION)
    result = tiny_cli(code, "--case", case)
    assert result.exit_code == 0, result.output
    out = result.output
    for title in ("Read the numbers: passed", "Drop the dirt: passed", "Add them up: passed"):
        assert title in out
    assert out.count("graded by your instructor") == 2  # clean and total have hidden checks
    assert "Outcome: valid" in out and "answer key" in out
    assert "score" not in out


def test_a_scaffold_says_not_done(tiny_cli, student_case, tmp_path):
    case, _ = student_case
    code = tmp_path / "scaffold.py"
    code.write_text(SCAFFOLD)
    result = tiny_cli(code, "--case", case)
    assert result.exit_code == 1
    assert "not done yet" in result.output and "needs step read first" in result.output
    assert "Traceback" not in result.output


def test_a_notebook_in_chinese(tiny_cli, student_case, tmp_path):
    case, _ = student_case
    notebook = write_notebook(tmp_path / "notebook.ipynb", SOLUTION)
    result = tiny_cli(notebook, "--case", case, "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert "清除脏数据" in result.output


def test_a_data_file_is_validated_and_the_steps_need_code(tiny_cli, student_case, tmp_path):
    case, case_id = student_case
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"value": 12, "case_id": case_id}))
    result = tiny_cli(plan, "--case", case, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kind"] == "data" and data["valid"]
    assert {s["status"] for s in data["steps"]} == {"needs_code"}


def test_a_file_for_another_case_gets_one_sentence(tiny_cli, student_case, tmp_path):
    case, case_id = student_case
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"value": 12, "case_id": "0123456789ab"}))
    result = tiny_cli(plan, "--case", case, "--json")
    assert result.exit_code == 1
    assert json.loads(result.output)["problems"] == [
        f"This file is for case 0123456789ab; you checked it against case {case_id}."
    ]


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("notes.txt", b"my answer is 12", "a .txt file is not a submission"),
        ("plan.json", b"\x00\xff not json", "not valid JSON"),
        ("empty.ipynb", b"{}", "not a readable Jupyter notebook"),
    ],
)
def test_a_file_of_the_wrong_kind_gets_a_message(
    tiny_cli, student_case, tmp_path, name, content, expect
):
    case, _ = student_case
    path = tmp_path / name
    path.write_bytes(content)
    result = tiny_cli(path, "--case", case)
    assert result.exit_code == 1
    assert expect in result.output, result.output


def test_a_missing_file_is_bad_input(tiny_cli, student_case, tmp_path):
    result = tiny_cli(tmp_path / "nothing.py", "--case", student_case[0])
    assert result.exit_code == 2 and "no such file" in result.output


def test_long_lists_of_problems_are_summed_up():
    problems = [Problem("not visited", where=f"customer {i}") for i in range(50)]
    problems += [
        Problem(f"late by {m} min", where=f"stop {i}")
        for i, m in enumerate([5, 600, 30] * 12 + [1])
    ]
    lines = group_problems(problems)
    assert lines[0].startswith("87 problems in all")
    assert lines[1].startswith("50 × customer 0: not visited")
    assert lines[2].startswith("37 × stop 0: late by 5 min") and "600" in lines[2]


def test_a_lab_may_sum_up_its_own_problems():
    class Summing:
        def summarise_problems(self, problems):
            return [f"{len(problems)} of 100 customers not visited"]

    problems = [Problem("not visited", where=f"customer {i}") for i in range(50)]
    assert summarise(Summing(), problems) == ["50 of 100 customers not visited"]
    assert summarise(Summing(), problems[:3]) == []  # short lists need no summary


def test_a_lab_that_validates_against_the_key_leaves_that_to_the_instructor(student_case, tmp_path):
    from workbench.grading.check import self_check
    from workbench.lab import Case

    from .tinylab import TinyLab

    class KeyValidating(TinyLab):
        def validate(self, case, solution):
            return [] if case.key() else []  # raises FileNotFoundError without private/

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"value": 12}))
    result = self_check(KeyValidating(), Case.load(student_case[0]), plan)
    assert result["valid"] and "graded by your instructor" in result["note"]
