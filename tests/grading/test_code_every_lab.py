"""A ``.py``, a notebook and a zip of each lab's starter code, graded through ``workbench grade``.

The starter kit's entry function is what a student hands in as code; it runs in the sandbox on
the student's case and the trusted grader reads the file it writes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from workbench import registry

WORKBENCH = Path(sys.executable).with_name("workbench")


def starter_code(slug: str) -> str:
    """The starter module of a lab that defines its code entry function."""
    lab = registry.get_lab(slug)
    folder = Path(__file__).resolve().parents[2] / "labs" / slug / "starter"
    for path in sorted(folder.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if f"def {lab.code_entry.function}(" in text:
            return text
    raise AssertionError(f"{folder}: no starter module defines {lab.code_entry.function}()")


def code_submissions(slug: str, folder: Path) -> list[Path]:
    code = starter_code(slug)
    as_py = folder / "as_module.py"
    as_py.write_text(code, encoding="utf-8")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("My analysis"),
                                               nbformat.v4.new_code_cell(code)])
    as_nb = folder / "as_notebook.ipynb"
    nbformat.write(notebook, as_nb)
    as_zip = folder / "as_zip.zip"
    with zipfile.ZipFile(as_zip, "w") as archive:
        archive.writestr("submission.py", code)
    return [as_py, as_nb, as_zip]


@pytest.mark.slow
@pytest.mark.parametrize("slug", sorted(registry.labs()))
def test_py_notebook_and_zip_are_graded(slug, tmp_path):
    case = registry.get_lab(slug).make_case(11, "tiny", out=tmp_path / "case")
    subs = code_submissions(slug, tmp_path)
    run = subprocess.run([str(WORKBENCH), "grade", slug, "--case", str(case.root), *map(str, subs),
                          "--workers", "1", "--time-limit", "120", "--json"],
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    reports = json.loads(run.stdout)
    assert len(reports) == 3
    for report in reports:
        assert report["valid"], (report["submission"], report["problems"])
        assert report["score"] > 0, (report["submission"], report["problems"])
    scores = {round(r["score"], 6) for r in reports}
    assert len(scores) == 1, "the same code must earn the same grade in every form"
