"""The starter kit works out of the box: a valid report from the template, a runnable notebook."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat

from labs.accounting import LAB

STARTER = Path(__file__).parents[3] / "labs" / "accounting" / "starter"


def test_template_writes_a_valid_submission(tiny_case, tmp_path):
    spec = importlib.util.spec_from_file_location("student", STARTER / "consolidate_template.py")
    student = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(student)
    assert LAB.code_entry.function == "consolidate"
    getattr(student, LAB.code_entry.function)(tiny_case.public, tmp_path)
    report = LAB.read_submission(tmp_path / LAB.code_entry.output)
    assert LAB.validate(tiny_case, report) == []
    assert LAB.evaluate(tiny_case, report)["report_accuracy"] == 1.0


def test_detector_notebook_runs(tiny_case, monkeypatch):
    import workbench.datasets

    monkeypatch.setattr(workbench.datasets, "default_case", lambda lab: tiny_case)
    nb = nbformat.read(STARTER / "detector.ipynb", as_version=4)
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, "detector.ipynb", "exec"), namespace)
    assert {"entry_id", "risk_score", "reason"} <= set(namespace["flags"].columns)
