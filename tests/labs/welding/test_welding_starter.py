"""The starter kit: the template runs end to end; the notebook is clean."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat

from labs.welding import LAB

STARTER = Path(__file__).parents[3] / "labs" / "welding" / "starter"


def test_template_writes_a_valid_submission(tiny_case, tmp_path):
    spec = importlib.util.spec_from_file_location("welding_starter", STARTER / "analyse.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    getattr(module, LAB.code_entry.function)(tiny_case.public, tmp_path)
    sub = LAB.read_submission(tmp_path / LAB.code_entry.output)
    assert not LAB.validate(tiny_case, sub)
    assert LAB.evaluate(tiny_case, sub)["pr_auc"] > 0.1  # prevalence about 0.02


def test_notebook_is_valid_with_empty_outputs():
    nb = nbformat.read(STARTER / "welding.ipynb", as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    for cell in code:
        compile(cell.source, "welding.ipynb", "exec")
