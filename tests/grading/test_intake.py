"""Submission intake: data vs code, staging, notebooks, safe unzip and folders."""

from __future__ import annotations

import zipfile
from pathlib import Path

import nbformat
import pytest

from workbench.grading.intake import IntakeError, IntakeLimits, classify


def _notebook(path: Path, *cells: str, markdown: str = "# notes") -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown)]
                                  + [nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("name", ["plan.json", "plan.csv", "PLAN.XLSX"])
def test_data_files_are_not_run(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"anything")
    intake = classify(path, dest=tmp_path / "d")
    assert intake.kind == "data" and intake.data_file == path and intake.staged is None
    assert not (tmp_path / "d").exists(), "nothing is staged for data"


def test_module_is_staged_as_submission(tmp_path):
    path = tmp_path / "my_plan.py"
    path.write_text("def solve(p, o): pass\n")
    intake = classify(path, dest=tmp_path / "d")
    assert intake.kind == "code"
    assert sorted(p.name for p in intake.staged.iterdir()) == ["submission.py"]


def test_notebook_becomes_a_script_of_its_code_cells(tmp_path):
    nb = _notebook(tmp_path / "work.ipynb", "import json", "def solve(p, o):\n    pass",
                   markdown="!not code, a markdown cell")
    script = (classify(nb, dest=tmp_path / "d").staged / "submission.py").read_text()
    assert "import json" in script and "def solve" in script and "markdown" not in script
    assert not list((tmp_path / "d" / "code").glob("*.ipynb"))


@pytest.mark.parametrize("cell", [
    "!pip install requests", "  !ls", "%matplotlib inline", "%%bash\nrm -rf /",
    "x = 1\nget_ipython().system('id')", "shell = get_ipython", "import os\n%time x = 1",
])
def test_notebook_shell_escapes_are_refused_with_cell_and_line(tmp_path, cell):
    nb = _notebook(tmp_path / "n.ipynb", "import json", cell)
    with pytest.raises(IntakeError, match=r"n\.ipynb: code cell 2, line \d+: .* magic"):
        classify(nb, dest=tmp_path / "d")


def test_percent_continuing_an_expression_is_python(tmp_path):
    nb = _notebook(tmp_path / "n.ipynb", "x = ('%d items'\n     % 3)")
    assert classify(nb, dest=tmp_path / "d").kind == "code"


@pytest.mark.parametrize("content", [b"{not json", b'{"cells": 3}'])
def test_unreadable_notebook_is_refused(tmp_path, content):
    path = tmp_path / "n.ipynb"
    path.write_bytes(content)
    with pytest.raises(IntakeError, match="not a readable Jupyter notebook"):
        classify(path, dest=tmp_path / "d")


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_with_helpers_keeps_the_package_layout(tmp_path):
    archive = _zip(tmp_path / "s.zip", {"proj/submission.py": b"import helpers.util\n",
                                        "proj/helpers/util.py": b"X = 1\n",
                                        "proj/.ipynb_checkpoints/old.py": b"",
                                        "__MACOSX/proj/._submission.py": b"\0"})
    staged = classify(archive, dest=tmp_path / "d").staged
    files = sorted(p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file())
    assert files == ["helpers/util.py", "submission.py"]


def test_zip_holding_one_data_file_is_data(tmp_path):
    archive = _zip(tmp_path / "s.zip", {"out/plan.json": b"{}"})
    intake = classify(archive, dest=tmp_path / "d")
    assert intake.kind == "data" and intake.data_file.name == "plan.json"


@pytest.mark.parametrize(("members", "message"), [
    ({"a.py": b"", "b.py": b""}, "cannot tell which file is your main module"),
    ({"readme.txt": b"hi"}, "no code"),
    ({"../x/submission.py": b""}, "outside the archive"),
    ({"C:/x/submission.py": b""}, "absolute path"),
])
def test_bad_zips_are_refused_with_a_reason(tmp_path, members, message):
    with pytest.raises(IntakeError, match=message):
        classify(_zip(tmp_path / "s.zip", members), dest=tmp_path / "d")


def test_limits_are_configurable_and_validated(tmp_path):
    archive = _zip(tmp_path / "s.zip", {f"m{i}.py": b"" for i in range(5)})
    with pytest.raises(IntakeError, match="more than the 3 allowed"):
        classify(archive, dest=tmp_path / "d", limits=IntakeLimits(max_files=3))
    with pytest.raises(ValueError, match="max_ratio"):
        IntakeLimits(max_ratio=0)


def test_oversized_module_is_refused(tmp_path):
    big = tmp_path / "big.py"
    big.write_bytes(b"#" * 2048)
    with pytest.raises(IntakeError, match="big.py: 2048 bytes, more than the 1024 allowed"):
        classify(big, dest=tmp_path / "d", limits=IntakeLimits(max_file_bytes=1024))


def test_not_a_zip_and_odd_files_are_refused(tmp_path):
    fake = tmp_path / "s.zip"
    fake.write_bytes(b"PK not really")
    with pytest.raises(IntakeError, match="not a readable zip"):
        classify(fake, dest=tmp_path / "d")
    exe = tmp_path / "run.exe"
    exe.write_bytes(b"MZ")
    with pytest.raises(IntakeError, match="is not a submission"):
        classify(exe)
    with pytest.raises(IntakeError, match="no such file"):
        classify(tmp_path / "missing.py")


def test_folder_with_a_symlink_is_refused(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "submission.py").write_text("x = 1\n")
    (folder / "key.json").symlink_to("/etc/passwd")
    with pytest.raises(IntakeError, match="symbolic link"):
        classify(folder, dest=tmp_path / "d")
    (folder / "key.json").unlink()
    assert classify(folder, dest=tmp_path / "d").kind == "code"
