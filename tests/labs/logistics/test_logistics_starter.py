"""The starter a student begins from works as shipped."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat

from labs.logistics import LAB

STARTER = Path(__file__).resolve().parents[3] / "labs" / "logistics" / "starter"


def test_template_writes_a_feasible_plan(tmp_path):
    spec = importlib.util.spec_from_file_location("solve_template",
                                                  STARTER / "solve_template.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    case = LAB.make_case(9, "tiny", out=tmp_path / "case")
    getattr(module, LAB.code_entry.function)(case.public, tmp_path / "out")
    plan = LAB.read_submission(tmp_path / "out" / LAB.code_entry.output)
    assert LAB.validate(case, plan) == []


def test_notebook_is_valid_and_has_no_outputs():
    nb = nbformat.read(STARTER / "walkthrough.ipynb", as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.get("outputs") for c in code)
