"""``workbench similarity``: copydetect fingerprints flag near copies for review.

Fixtures (tests/grading/similar/): alice's own solution, bob's copy of it with every name and
comment changed, dave's independent solution; carol hands in the lab's solution with names
changed.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from workbench import registry
from workbench.cli import main
from workbench.grading.similarity import compare, similarity

from .tinylab import LAB, SCAFFOLD, SOLUTION

FIXTURES = Path(__file__).with_name("similar")


@pytest.fixture
def submissions(tmp_path) -> list[Path]:
    carol = tmp_path / "carol.py"
    carol.write_text(
        SOLUTION.replace("numbers", "nums")
        .replace("clean_nums", "good")
        .replace("value = ", "v = ")
        .replace('{"value": value}', '{"value": v}')
    )
    # bob hands his copy in as a notebook
    bob = tmp_path / "bob.ipynb"
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("Bob's work"),
            nbformat.v4.new_code_cell((FIXTURES / "bob.py").read_text()),
        ]
    )
    nbformat.write(nb, bob)
    return [FIXTURES / "alice.py", bob, FIXTURES / "dave.py", carol]


def _flags(result) -> set[frozenset[str]]:
    return {frozenset((p.a, p.b)) for p in result.flagged}


def test_copies_are_flagged_and_independent_work_is_not(submissions, tmp_path):
    result = similarity(LAB, submissions, out=tmp_path / "report")
    assert _flags(result) == {
        frozenset({"alice", "bob"}),
        frozenset({"carol", "solution:notebook.ipynb"}),
    }
    shares = {frozenset((p.a, p.b)): p.share for p in result.pairs}
    assert shares[frozenset({"alice", "bob"})] > 0.9
    assert max(s for k, s in shares.items() if "dave" in k) < 0.3  # the independent one
    for pair in result.flagged:
        page = (tmp_path / "report" / pair.report).read_text()
        assert "<mark>" in page and "does not change any grade" in page
    assert (tmp_path / "report" / "index.html").is_file()


def test_untouched_scaffolds_are_not_flagged(tmp_path):
    # every student starts from the same notebook: that code is boilerplate
    codes = {"s1": SCAFFOLD, "s2": SCAFFOLD + "\n# started\n"}
    from workbench.grading.similarity import lab_boilerplate

    result = compare(codes, boilerplate=lab_boilerplate(LAB))
    assert not result.flagged
    assert compare(codes).flagged  # without the boilerplate they would be


def test_the_cli_reports_and_skips_what_is_not_code(submissions, tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "labs", lambda: {LAB.slug: LAB})
    data_file = tmp_path / "erin.json"
    data_file.write_text('{"value": 3}')
    run = CliRunner().invoke(
        main,
        [
            "similarity",
            "tiny",
            *map(str, submissions),
            str(data_file),
            "--out",
            str(tmp_path / "r"),
            "--json",
        ],
    )
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    assert data["flagged"] == 2 and "erin" in data["skipped"]
    text = CliRunner().invoke(main, ["similarity", "tiny", *map(str, submissions)])
    assert "alice ~ bob" in text.output and "never zeros" in text.output


def test_flags_go_into_the_course_gradebook(submissions, tmp_path, monkeypatch):
    from workbench.assign import Course, assign
    from workbench.grading.grade import grade
    from workbench.lab import Case
    from workbench.store import Gradebook

    monkeypatch.setattr(registry, "labs", lambda: {LAB.slug: LAB})
    course = Course(tmp_path / "course")
    assign(
        LAB,
        {s: {} for s in ("alice", "bob", "carol", "dave")},
        course.root,
        size="tiny",
        hidden=0,
        progress=False,
    )
    run = CliRunner().invoke(
        main, ["similarity", "tiny", *map(str, submissions), "--course", str(course.root)]
    )
    assert run.exit_code == 0, run.output
    assert (course.lab_dir("tiny") / "similarity" / "index.html").is_file()
    with Gradebook(course.gradebook_path) as book:
        flags = book.similarity("tiny")
        assert set(flags) == {"alice", "bob", "carol"}
        assert flags["alice"].startswith("bob ") and flags["carol"].startswith("solution:")
        case = Case.load(course.case_dir("tiny", "bob"))
        book.record(grade(LAB, case, LAB.reference(case), submission="bob.ipynb"), student="bob")
        frame = book.frame("tiny")
    assert frame.loc[frame["student"] == "bob", "similar_to"].item().startswith("alice ")


def test_the_same_files_give_the_same_shares_in_every_process(submissions, tmp_path):
    # Python's str hash is salted per process; the fingerprints must not be
    import os
    import subprocess
    import sys

    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]);"
        "from grading.tinylab import LAB;"
        "from workbench.grading.similarity import similarity;"
        "r = similarity(LAB, [__import__('pathlib').Path(p) for p in sys.argv[2:]]);"
        "print(json.dumps([[p.a, p.b, p.share_a, p.share_b] for p in r.pairs]))"
    )
    tests_dir = str(Path(__file__).resolve().parents[1])
    outputs = set()
    for seed in ("1", "9", "11"):
        run = subprocess.run(
            [sys.executable, "-c", script, tests_dir, *map(str, submissions)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1, outputs
