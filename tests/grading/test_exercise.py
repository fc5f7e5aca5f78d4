"""Exercise steps end to end on the tiny lab: run in the sandbox, checked in the grader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.exercise import (
    Check,
    Step,
    check,
    decode_value,
    encode_value,
    lab_steps,
    validate_steps,
)
from workbench.grading.grade import grade_file, references
from workbench.grading.task import grade_any

from .conftest import FAST
from .tinylab import LAB, SCAFFOLD, SOLUTION, SPEC, write_notebook


@pytest.fixture(scope="module")
def tiny_case(tmp_path_factory):
    return LAB.make_case(3, "tiny", out=tmp_path_factory.mktemp("tiny") / "case")


def _grade(case, tmp_path: Path, source: str, name: str = "submission.py", hidden=()):
    path = tmp_path / name
    path.write_text(source)
    report, _ = grade_any(LAB, case, path, lambda c: references(LAB, c), hidden=hidden, limits=FAST)
    return report


def _criteria(report) -> dict[str, tuple[float, float, str]]:
    return {c.name: (round(c.points, 6), c.max_points, c.message) for c in report.criteria}


def test_solution_earns_every_step_and_the_outcome(tiny_case, tmp_path):
    report = _grade(tiny_case, tmp_path, SOLUTION)
    assert report.max_score == 100
    assert report.score == pytest.approx(100), report.criteria
    got = _criteria(report)
    assert {k: v[:2] for k, v in got.items()} == {
        "error": (40.0, 40.0),
        "step_read": (20.0, 20),
        "step_clean": (20.0, 20),
        "step_total": (20.0, 20),
    }
    assert [s["status"] for s in report.steps] == ["passed"] * 3


def test_scaffold_earns_nothing_and_says_not_done(tiny_case, tmp_path):
    report = _grade(tiny_case, tmp_path, SCAFFOLD)
    assert report.score == 0
    got = _criteria(report)
    assert "not done yet" in got["step_read"][2]
    assert "needs step read" in got["step_clean"][2]
    assert "needs step clean" in got["step_total"][2]


def test_a_notebook_is_graded_like_a_module(tiny_case, tmp_path):
    notebook = write_notebook(tmp_path / "nb" / "notebook.ipynb", SOLUTION)
    report, _ = grade_any(LAB, tiny_case, notebook, lambda c: references(LAB, c), limits=FAST)
    assert report.score == pytest.approx(100), report.problems


def test_a_data_file_earns_the_outcome_only(tiny_case, tmp_path):
    path = LAB.write_submission(LAB.reference(tiny_case), tmp_path / "plan.json")
    report = grade_file(LAB, tiny_case, path)
    assert report.score == pytest.approx(40) and report.max_score == 100
    for step in ("read", "clean", "total"):
        assert "graded on your code" in _criteria(report)[f"step_{step}"][2]


def test_steps_keep_their_points_when_the_outcome_fails(tiny_case, tmp_path):
    # the steps are right, the entry function crashes: steps earned, outcome 0
    source = SOLUTION.replace(
        "def solve(public_dir, out_dir):",
        'def solve(public_dir, out_dir):\n    raise RuntimeError("oops")',
    )
    report = _grade(tiny_case, tmp_path, source)
    assert report.score == pytest.approx(60)
    assert not report.valid and "Part of the submission" in report.verdict


ODD = """
import json
from pathlib import Path
class Loop(list):
    pass
def read_numbers(public_dir):
    return [1, 2, 3]                      # not a DataFrame
def clean(numbers):
    raise ValueError("never reached")
def total(clean_numbers):
    return 1
def solve(public_dir, out_dir):
    (Path(out_dir) / "plan.json").write_text(json.dumps({"value": 1}))
"""

ODD_VALUES = """
import json, math
from pathlib import Path
import pandas as pd
def read_numbers(public_dir):
    # right columns, wrong contents: strings, a repeated id
    return pd.DataFrame({"id": ["a", "a"], "value": ["x", None]})
def clean(numbers):
    return numbers.iloc[0:0]              # empty table
def total(clean_numbers):
    return {"not": ["a", "number", math.nan]}
def solve(public_dir, out_dir):
    (Path(out_dir) / "plan.json").write_text(json.dumps({"value": 1}))
"""

SELF_LOOP = """
import json
from pathlib import Path
import pandas as pd
def read_numbers(public_dir):
    return pd.read_csv(Path(public_dir) / "numbers.csv")
def clean(numbers):
    return numbers[numbers["value"] != -999]
def total(clean_numbers):
    a = []
    a.append(a)                            # cannot be JSON
    return a
def solve(public_dir, out_dir):
    (Path(out_dir) / "plan.json").write_text(json.dumps({"value": 1}))
"""


@pytest.mark.parametrize(
    ("source", "step", "points", "expect"),
    [
        (ODD, "step_read", 0, "expected a pandas DataFrame"),
        (ODD_VALUES, "step_read", 10, "2 rows, the file has 8"),  # right columns: half
        (ODD_VALUES, "step_total", 0, "expected a number"),
        (SELF_LOOP, "step_total", 0, "cannot store"),
    ],
    ids=["list-for-frame", "odd-table", "dict-for-number", "circular"],
)
def test_odd_return_values_fail_with_a_sentence(tiny_case, tmp_path, source, step, points, expect):
    report = _grade(tiny_case, tmp_path, source)
    got, _, message = _criteria(report)[step]
    assert got == points and expect in message, message


def test_hidden_checks_catch_an_answer_hard_coded_for_ones_own_case(tiny_case, tmp_path):
    other = LAB.make_case(4, "tiny", out=tmp_path / "other")
    own_total = json.loads((tiny_case.private / "answer.json").read_text())["total"]
    source = SOLUTION.replace('return int(clean_numbers["value"].sum())', f"return {own_total}")
    report = _grade(tiny_case, tmp_path, source, hidden=[other])
    got = _criteria(report)
    assert got["step_total"][0] == pytest.approx(10)  # own case: full half
    assert got["hidden_step_total"][0] == pytest.approx(5)  # fresh case: public check only
    assert got["hidden_step_read"][0] == pytest.approx(10)


def test_forged_step_files_are_still_checked(tiny_case, tmp_path):
    # the student's code overwrites the status file and the total with its own
    forged = SOLUTION.replace(
        "def solve(public_dir, out_dir):",
        "def solve(public_dir, out_dir):\n"
        "    (Path(out_dir) / 'steps').mkdir(exist_ok=True)\n"
        "    (Path(out_dir) / 'steps' / '_status.json').write_text(json.dumps("
        "{'total': {'status': 'ok', 'meta': {}}}))\n"
        "    (Path(out_dir) / 'steps' / 'total.json').write_text('123456')\n"
        "    (Path(out_dir) / 'steps' / 'evil.json').write_text('1')",
    )
    report = _grade(tiny_case, tmp_path, forged)
    got = _criteria(report)
    assert got["step_total"][0] < 20 and "right" in got["step_total"][2]


# ------------------------------------------------------------------------ the notebook side


def _namespace(source: str, case_dir: Path) -> dict:
    namespace: dict = {"CASE_DIR": str(case_dir)}
    exec(compile(source, "notebook", "exec"), namespace)
    return namespace


def test_check_in_a_notebook_passes_the_solution(tiny_case, capsys):
    ns = _namespace(SOLUTION, tiny_case.public)
    for step in ("read", "clean", "total"):
        report = check(step, lab=LAB, namespace=ns)
        assert report.status == "passed", report
    out = capsys.readouterr().out
    assert "Add them up: passed" in out
    assert "graded by your instructor" in out  # the hidden check is named, not run


def test_check_says_not_done_and_never_raises(tiny_case, capsys):
    ns = _namespace(SCAFFOLD, tiny_case.public)
    assert check("read", lab=LAB, namespace=ns).status == "not_done"
    assert check("total", lab=LAB, namespace=ns).status == "skipped"
    out = capsys.readouterr().out
    assert "not done yet" in out and "Traceback" not in out


def test_check_finds_the_callers_functions_and_speaks_chinese(tiny_case, capsys):
    ns = _namespace(SOLUTION, tiny_case.public)
    ns["LAB_SLUG"] = SPEC
    exec("report = check('clean', lang='zh')", {**ns, "check": check}, ns)
    assert ns["report"].status == "passed"
    assert "清除脏数据" in capsys.readouterr().out


def test_check_explains_a_wrong_case_folder(tmp_path, capsys):
    ns = _namespace(SOLUTION, tmp_path / "nowhere")
    report = check("read", lab=LAB, namespace=ns)
    assert report.status == "not_run" and "CASE_DIR" in report.message


def test_check_does_nothing_in_the_sandbox(monkeypatch, capsys):
    monkeypatch.setenv("WORKBENCH_SANDBOX", "1")
    assert check("read", lab=LAB, namespace={}).status == "not_run"
    assert capsys.readouterr().out == ""


def test_check_reports_an_error_in_one_line(tiny_case, capsys):
    ns = _namespace(
        SOLUTION.replace('return pd.read_csv(Path(public_dir) / "numbers.csv")', "return 1 / 0"),
        tiny_case.public,
    )
    report = check("read", lab=LAB, namespace=ns)
    assert report.status == "error" and "ZeroDivisionError" in report.message
    assert "Traceback" not in capsys.readouterr().out


# ----------------------------------------------------------------------------- the API


def test_values_round_trip_through_files():
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame(
        {
            "t": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 00:00"]),
            "code": ["007", "010"],
            "x": [1.5, np.nan],
            "ok": [True, False],
        }
    )
    _, data, meta = encode_value(frame, "frame")
    back = decode_value(data, "frame", meta)
    assert list(back["code"]) == ["007", "010"]
    assert str(back["t"].dtype).startswith("datetime64") and back["ok"].dtype == bool
    _, data, meta = encode_value(
        {"a": np.float64(2.5), "b": np.arange(3), "c": float("nan")}, "json"
    )
    assert decode_value(data, "json", meta) == {"a": 2.5, "b": [0, 1, 2], "c": None}
    with pytest.raises(TypeError):
        encode_value([1, 2], "frame")
    with pytest.raises(ValueError):
        decode_value(b"x" * (16 * 2**20 + 1), "json")


def _step(**changes):
    values = dict(
        id="s",
        title="T",
        title_zh="T",
        instructions="",
        instructions_zh="",
        function="f",
        signature="f()",
        doc="",
        points=1,
        public_checks=(Check("c", "c", lambda o, c: True),),
    )
    values.update(changes)
    return Step(**values)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "not an id"}, "identifier"),
        ({"output": "pickle"}, "not understood"),
        ({"public_checks": ()}, "at least one"),
        ({"points": -1}, ">= 0"),
    ],
)
def test_bad_steps_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        _step(**changes)


def test_step_lists_are_validated():
    assert validate_steps(lab_steps(LAB)) == []
    problems = validate_steps([_step(id="a", inputs=("b",)), _step(id="b", function="g")])
    assert any("not an earlier step" in p for p in problems)


COUNTING = SOLUTION.replace(
    "def read_numbers(public_dir):",
    "CALLS = []\n\n\ndef read_numbers(public_dir):\n    CALLS.append(1)",
).replace('json.dumps({"value": value})', 'json.dumps({"value": value, "calls": len(CALLS)})')


def test_the_entry_reuses_the_steps_values(tiny_case, tmp_path):
    # the sandbox ran read_numbers as a step; solve() calling it again is answered from memory
    from workbench.grading.sandbox import run_submission_steps

    path = tmp_path / "counting.py"
    path.write_text(COUNTING)
    run = run_submission_steps(LAB, path, tiny_case.public, limits=FAST, workdir=tmp_path / "run")
    assert json.loads(run.output.read_text())["calls"] == 1
    assert set(run.files) == {
        "steps/_status.json",
        "steps/read.csv",
        "steps/clean.csv",
        "steps/total.json",
    }


def test_a_data_file_for_another_case_is_not_scored(tiny_case, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"value": LAB.reference(tiny_case), "case_id": "ffffffffffff"}))
    report, _ = grade_any(LAB, tiny_case, path, lambda c: references(LAB, c))
    assert report.score == 0
    assert report.problems == [
        f"This file is for case ffffffffffff; your case is "
        f"{tiny_case.case_id}, so it was not graded."
    ]


def test_a_notebook_may_display_without_importing(tiny_case, tmp_path):
    import nbformat

    notebook = write_notebook(tmp_path / "nb" / "notebook.ipynb", SOLUTION)
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("display(read_numbers(PUBLIC).head())"))
    nbformat.write(nb, notebook)
    report, _ = grade_any(LAB, tiny_case, notebook, lambda c: references(LAB, c), limits=FAST)
    assert report.score == pytest.approx(100), report.problems


def test_check_reuses_earlier_steps_until_their_cell_runs_again(tiny_case, capsys):
    ns = _namespace(COUNTING, tiny_case.public)
    check("read", lab=LAB, namespace=ns)
    check("clean", lab=LAB, namespace=ns)
    check("total", lab=LAB, namespace=ns)
    assert len(ns["CALLS"]) == 1  # the checked step runs, the steps it needs are reused
    check("read", lab=LAB, namespace=ns)
    assert len(ns["CALLS"]) == 2  # checking a step runs it again
    exec(compile(COUNTING.split("def clean")[0], "cell", "exec"), ns)  # the cell runs again
    ns["CALLS"].append(0)
    before = len(ns["CALLS"])
    assert check("total", lab=LAB, namespace=ns).status == "passed"
    assert len(ns["CALLS"]) == before + 1  # a redefined function is run, not reused


HANGING_TOTAL = SOLUTION.replace(
    "def total(clean_numbers):\n",
    "def total(clean_numbers):\n    import time\n\n    time.sleep(600)\n",
).replace(
    "value = total(clean(read_numbers(public_dir)))",
    "value = int(clean(read_numbers(public_dir))['value'].sum())",
)


def test_a_hanging_step_is_stopped_and_the_rest_still_runs(tiny_case, tmp_path):
    # total() never returns: it is stopped after half of the run's time, the entry function
    # still runs in the other half, and its output is graded
    report = _grade(tiny_case, tmp_path, HANGING_TOTAL)
    got = _criteria(report)
    assert got["step_read"][0] == 20 and got["step_clean"][0] == 20
    assert got["step_total"][0] == 0 and "was stopped after 4 s" in got["step_total"][2]
    assert got["error"][0] == 40  # the outcome, from the entry function
    assert report.valid
