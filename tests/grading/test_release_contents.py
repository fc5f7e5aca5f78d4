"""What a student of each real lab gets from ``workbench assign``, and what the wheel ships.

A release zip holds the student notebook, the lab's handout (English, and Chinese when the lab
has it), the starter files and the case's public files, nothing else: no answer key, no
solution notebook. The handouts live in docs/<lab>/ and ship in the wheel as workbench/_docs,
where the installed labs and the lab page find them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from workbench import registry
from workbench.assign import Course, assign, docs_dir, handout_files
from workbench.exercise import solution_notebook, student_notebook

ROOT = Path(__file__).resolve().parents[2]
SLUGS = sorted(registry.labs())


@pytest.mark.parametrize("slug", SLUGS)
def test_each_lab_declares_its_handout_in_docs(slug):
    lab = registry.get_lab(slug)
    files = handout_files(lab)
    assert files, f"{slug}: no handout declared (set `handout` on the lab)"
    english = files[0]
    assert english == Path(lab.handout) and english.is_file()
    assert english.parent == docs_dir() / slug == ROOT / "docs" / slug  # a checkout reads docs/
    chinese = english.with_name(f"{english.stem}.zh.md")
    assert (chinese in files) == chinese.is_file()
    assert len(files) == 1 + chinese.is_file()


def test_a_declared_handout_that_is_missing_stops_the_release(tmp_path):
    lab = registry.get_lab("logistics")

    class Missing:
        slug = lab.slug
        handout = tmp_path / "nowhere.md"

    with pytest.raises(FileNotFoundError, match="nowhere.md does not exist"):
        handout_files(Missing())


@pytest.mark.parametrize("slug", SLUGS)
def test_the_release_zip_holds_notebook_handouts_and_public_case_only(slug, tmp_path):
    lab = registry.get_lab(slug)
    course = Course(tmp_path / "course")
    assign(lab, {"ann": {}}, course.root, size="tiny", hidden=0, progress=False)
    with zipfile.ZipFile(course.release_zip(slug, "ann")) as archive:
        members = {n: archive.read(n) for n in archive.namelist() if not n.endswith("/")}

    assert all(n.startswith("ann/") for n in members), sorted(members)
    assert members["ann/notebook.ipynb"] == student_notebook(lab).read_bytes()
    for handout in handout_files(lab):
        assert members[f"ann/{handout.name}"] == handout.read_bytes(), handout.name
    if slug in ("accounting", "logistics"):  # these two have a Chinese handout today
        assert any(n.endswith(".zh.md") for n in members), sorted(members)

    case = course.case_dir(slug, "ann")
    public = {
        p.relative_to(case / "public").as_posix(): p.read_bytes()
        for p in (case / "public").rglob("*")
        if p.is_file()
    }
    released = {
        n.removeprefix("ann/case/public/"): data
        for n, data in members.items()
        if n.startswith("ann/case/")
    }
    assert released == public, "case/ holds exactly the public files"
    assert not any(n.startswith("ann/case/") and "/public/" not in n for n in members)

    private = [p.read_bytes() for p in (case / "private").rglob("*") if p.is_file()]
    assert private, "the instructor's copy has its answer key"
    private = [data for data in private if data not in public.values()]  # e.g. shared tables
    solution = solution_notebook(lab).read_bytes()
    for name, data in members.items():
        assert "private" not in name and "solution" not in name, name
        assert data not in private, f"{name} is a private file"
        assert data != solution, f"{name} is the solution notebook"
    assert (course.lab_dir(slug) / "solution" / solution_notebook(lab).name).is_file()


_PROBE = """
import json, sys
from workbench import registry
from workbench.assign import docs_dir, handout_files
from workbench.app.labpage import handout_path
out = {"docs": str(docs_dir())}
for slug in sys.argv[1:]:
    lab = registry.get_lab(slug)
    out[slug] = {"files": [str(p) for p in handout_files(lab)],
                 "page_en": str(handout_path(lab, "en")), "page_zh": str(handout_path(lab, "zh"))}
print(json.dumps(out))
"""


@pytest.mark.slow
def test_the_wheel_ships_the_handouts_where_the_installed_labs_find_them(tmp_path):
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH: cannot build the wheel")
    build = subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    for slug in SLUGS:
        for handout in handout_files(registry.get_lab(slug)):
            packaged = f"workbench/_docs/{handout.relative_to(ROOT / 'docs').as_posix()}"
            assert packaged in names, (packaged, sorted(n for n in names if "_docs" in n))

    # The unpacked wheel first on the path, as when installed: the labs and the lab page read
    # the handouts from workbench/_docs, not from a checkout's docs/.
    site = tmp_path / "site"
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, *SLUGS],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert Path(found["docs"]) == site / "workbench" / "_docs"
    for slug in SLUGS:
        files = [Path(p) for p in found[slug]["files"]]
        assert files and all(p.is_relative_to(site) and p.is_file() for p in files), files
        assert Path(found[slug]["page_en"]) == files[0]
        assert Path(found[slug]["page_zh"]) == files[-1]  # the Chinese one when there is one
