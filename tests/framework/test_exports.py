"""Every export parses back with the csv / json modules and carries the right values."""

from __future__ import annotations

import csv
import json

import pytest

from workbench.grading import grade
from workbench.grading.exports import (
    canvas_csv,
    export,
    gradescope_results,
    moodle_csv,
    plain_csv,
)


@pytest.fixture
def graded(lab, case):
    """alice: the reference (full marks); bob: a wrong count (invalid, 0)."""
    return [("alice", grade(lab, case, lab.reference(case), submission="alice.json")),
            ("bob", grade(lab, case, {"picks": [0.0]}, submission="bob.json"))]


def _rows(path):
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def test_plain_csv(graded, tmp_path):
    rows = _rows(plain_csv(graded, tmp_path / "grades.csv"))
    header, alice, bob = rows
    assert header == ["student", "lab", "case_id", "submission", "valid", "score",
                      "max_score", "error", "hits", "problems"]
    assert alice[0] == "alice" and alice[5] == "100.00" and alice[7] == "60.00"
    assert bob[4] == "False" and bob[5] == "0.00" and "1 picks given" in bob[-1]


def test_canvas_csv_has_points_possible_row(graded, tmp_path):
    roster = {"alice": {"name": "Li, Alice", "id": "101", "sis_user_id": "S1",
                        "sis_login_id": "alice1", "section": "A"}}
    rows = _rows(canvas_csv(graded, tmp_path / "canvas.csv", assignment="Logistics",
                            assignment_id="77", roster=roster))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "Logistics (77)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "100.00"]
    assert rows[2] == ["Li, Alice", "101", "S1", "alice1", "A", "100.00"]
    assert rows[3][0] == "bob" and rows[3][3] == "bob" and rows[3][5] == "0.00"


def test_moodle_csv_with_feedback(graded, tmp_path):
    roster = {"bob": {"email": "bob@example.edu"}}
    rows = _rows(moodle_csv(graded, tmp_path / "moodle.csv", identifier="Email address",
                            roster=roster))
    assert rows[0] == ["Email address", "Grade", "Feedback"]
    assert rows[1][:2] == ["alice", "100.00"] and "mean error: 60.00 / 60.00" in rows[1][2]
    assert rows[2][:2] == ["bob@example.edu", "0.00"] and "Problem: picks" in rows[2][2]
    with pytest.raises(ValueError, match="identifier 'Name' not understood"):
        moodle_csv(graded, tmp_path / "x.csv", identifier="Name")


def test_gradescope_results(graded):
    results = gradescope_results(graded[0][1])
    assert results["score"] == pytest.approx(100.0) and results["output"] == "No problems found."
    assert [t["name"] for t in results["tests"]] == ["mean error", "hit rate"]
    assert {t["visibility"] for t in results["tests"]} == {"visible"}
    assert sum(t["max_score"] for t in results["tests"]) == 100


def test_gradescope_export_file_or_folder(graded, tmp_path):
    [one] = export("gradescope", graded[:1], tmp_path / "results.json")
    assert json.loads(one.read_text())["score"] == pytest.approx(100.0)
    written = export("gradescope", graded, tmp_path / "results")
    assert [p.parent.name for p in written] == ["alice", "bob"]
    assert json.loads(written[1].read_text())["score"] == 0.0
    with pytest.raises(ValueError, match="holds one submission"):
        export("gradescope", graded, tmp_path / "all.json")
    with pytest.raises(ValueError, match="format 'xls' not understood"):
        export("xls", graded, tmp_path / "g.xls")
