"""Each lab's solution and its unmodified student notebook, graded through ``workbench grade``
in the sandbox as a notebook, as a ``.py`` and as a zip.

The solution notebook (instructor's) must grade high in every form, the scaffold handed out to
students low: what a student hands in is graded on their work, whatever the form it takes.
The ``.py`` is the notebook's code cells one after the other, as a student exporting the
notebook would hand it in; the zip holds that ``.py`` in a folder.
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
from workbench.exercise import solution_notebook, student_notebook

WORKBENCH = Path(sys.executable).with_name("workbench")
SOLUTION_MIN = 95.0  # issue 9: the solution notebook scores >= 95
SCAFFOLD_MAX = 10.0  # issue 9: an unmodified scaffold scores <= 10


def notebook_code(notebook: Path) -> str:
    """The notebook's code cells in order, as one Python file."""
    nb = nbformat.read(notebook, as_version=4)
    cells = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    assert cells, f"{notebook}: no code cells"
    return "\n\n\n".join(cells) + "\n"


def three_forms(notebook: Path, name: str, folder: Path) -> list[Path]:
    """The notebook as it is, its code as a ``.py`` and that ``.py`` in a folder in a zip (one
    stem each: ``workbench grade`` keys its reports by file stem)."""
    as_nb = folder / f"{name}_nb.ipynb"
    as_nb.write_bytes(notebook.read_bytes())
    code = notebook_code(notebook)
    as_py = folder / f"{name}_py.py"
    as_py.write_text(code, encoding="utf-8")
    as_zip = folder / f"{name}_zip.zip"
    with zipfile.ZipFile(as_zip, "w") as archive:
        archive.writestr(f"{name}/{name}.py", code)
    return [as_nb, as_py, as_zip]


@pytest.mark.slow
@pytest.mark.parametrize("slug", sorted(registry.labs()))
def test_solution_grades_high_and_scaffold_low_as_notebook_py_and_zip(slug, tmp_path):
    lab = registry.get_lab(slug)
    solution, scaffold = solution_notebook(lab), student_notebook(lab)
    assert solution is not None and scaffold is not None, f"{slug}: no solution or scaffold"
    case = lab.make_case(11, "tiny", out=tmp_path / "case")
    subs = tmp_path / "subs"
    subs.mkdir()
    good = three_forms(solution, "solution", subs)
    bare = three_forms(scaffold, "scaffold", subs)
    run = subprocess.run(
        [str(WORKBENCH), "grade", slug, "--case", str(case.root), *map(str, good + bare),
         "--time-limit", "120", "--json"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    reports = {Path(r["submission"]).name: r for r in json.loads(run.stdout)}
    assert set(reports) == {p.name for p in good + bare}, sorted(reports)

    for path in good:
        report = reports[path.name]
        assert report["valid"], (path.name, report["problems"])
        assert report["score"] >= SOLUTION_MIN, (path.name, report["score"], report["problems"])
    scores = {round(reports[p.name]["score"], 6) for p in good}
    assert len(scores) == 1, f"the same code earns the same grade in every form: {scores}"

    for path in bare:
        report = reports[path.name]
        assert report["score"] <= SCAFFOLD_MAX, (path.name, report["score"], report["problems"])
        assert report["problems"], (path.name, "a scaffold's report says what is missing")
