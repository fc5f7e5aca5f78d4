"""Every export parses back with the csv / json modules and carries the right values."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest

from workbench.grading import grade
from workbench.grading.exports import (
    canvas_csv,
    export,
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


def moodle_import(path, users: dict[str, str], field: str, grade_max: float,
                  unlimited: bool = False) -> dict[str, float | None]:
    """Read a CSV the way Moodle's grade import does (grade/import/csv): the mapped column
    must match a user on every row or the whole import stops (usermappingerror); a blank or
    '-' grade is "no grade"; a non-number stops it (badgrade); above the grade item's maximum
    stops it (gradevaluetoobig) unless the site allows unlimited grades."""
    rows = _rows(path)
    column = rows[0].index({"idnumber": "ID number", "email": "Email address",
                            "username": "Username"}[field])
    by_field = {v: k for k, v in users.items()}
    grades: dict[str, float | None] = {}
    for row in rows[1:]:
        if row[column] not in by_field:
            raise ValueError(f"usermappingerror: {row[column]}")
        value = row[1].strip()
        if value in ("", "-"):
            grades[by_field[row[column]]] = None
            continue
        number = float(value)  # ValueError: badgrade
        if number > grade_max and not unlimited:
            raise ValueError(f"gradevaluetoobig: {number} > {grade_max}")
        grades[by_field[row[column]]] = number
    return grades


def canvas_import(path, assignments: dict[str, str], students: dict[str, str]):
    """Read a CSV the way Canvas's gradebook import does: students matched by ID, then SIS
    User ID, then SIS Login ID; an assignment column by the id in 'Title (id)', else by title;
    a blank cell changes nothing."""
    import re

    rows = _rows(path)
    header, body = rows[0], [r for r in rows[1:] if r[0] != "Points Possible"]
    found = {}
    for k, title in enumerate(header[5:], start=5):
        match = re.fullmatch(r"(.*) \((\d+)\)", title)
        found[k] = match.group(2) if match else assignments.get(title)
    grades = {}
    for row in body:
        who = next((students[v] for v in row[1:4] if v in students), None)
        assert who is not None, f"Canvas matches no student in {row}"
        for k, assignment in found.items():
            if row[k] != "":
                grades[(who, assignment)] = float(row[k])
    return grades


@pytest.fixture
def bonus(graded):
    """alice with a bonus (120 / 100), bob invalid, carol without a submission."""
    alice = replace(graded[0][1], score=120.0)
    return [("alice", alice), ("bob", graded[1][1]), ("carol", None)]


ROSTER = {"alice": {"idnumber": "A1", "email": "a@x.edu", "username": "alice", "id": "11"},
          "bob": {"idnumber": "B2", "email": "b@x.edu", "username": "bob", "id": "12"},
          "carol": {"idnumber": "C3", "email": "c@x.edu", "username": "carol", "id": "13"}}


@pytest.mark.parametrize("field", ["idnumber", "email", "username"])
def test_moodle_imports_a_bonus_without_gradevaluetoobig(bonus, tmp_path, field):
    path = moodle_csv(bonus, tmp_path / "moodle.csv", identifier=field, grade_max=50,
                      roster=ROSTER)
    users = {s: v[field] for s, v in ROSTER.items()}
    grades = moodle_import(path, users, field, grade_max=50)
    assert grades == {"alice": 50.0, "bob": 0.0, "carol": None}  # scaled to 50, capped
    assert "Score 120.00 / 100.00" in _rows(path)[1][2]  # the bonus is still said
    # the old export (raw score, student key) fails exactly as Moodle would
    raw = tmp_path / "raw.csv"
    raw.write_text("ID number,Grade\nA1,120.00\n", encoding="utf-8")
    with pytest.raises(ValueError, match="gradevaluetoobig"):
        moodle_import(raw, {s: v["idnumber"] for s, v in ROSTER.items()}, "idnumber",
                      grade_max=100)


def test_moodle_refuses_a_roster_without_the_identifier(bonus, tmp_path):
    with pytest.raises(ValueError, match="no email for carol.*another identifier"):
        moodle_csv(bonus, tmp_path / "m.csv", identifier="email",
                   roster={**ROSTER, "carol": {"idnumber": "C3"}})
    with pytest.raises(ValueError, match="identifier 'Name' not understood"):
        moodle_csv(bonus, tmp_path / "x.csv", identifier="Name", roster=ROSTER)


def test_canvas_matches_the_assignment_by_id_and_keeps_the_bonus(bonus, tmp_path):
    path = canvas_csv(bonus, tmp_path / "canvas.csv", assignment="Renamed in Canvas",
                      assignment_id="77", roster=ROSTER)
    grades = canvas_import(path, {"Logistics": "77"}, {"11": "alice", "12": "bob",
                                                        "13": "carol"})
    assert grades == {("alice", "77"): 120.0, ("bob", "77"): 0.0}  # carol: left as it is
    with pytest.raises(ValueError, match="assignment id 'abc'"):
        canvas_csv(bonus, tmp_path / "c.csv", assignment="L", assignment_id="abc")


def test_plain_csv_lists_students_without_a_submission(bonus, tmp_path):
    rows = _rows(plain_csv(bonus, tmp_path / "g.csv"))
    assert rows[3][0] == "carol" and "no submission" in rows[3]


def test_gradescope_is_refused_with_the_reason(graded, tmp_path):
    with pytest.raises(ValueError, match="Gradescope reads results only from its own"):
        export("gradescope", graded, tmp_path / "results.json")
    with pytest.raises(ValueError, match="format 'xls' not understood"):
        export("xls", graded, tmp_path / "g.xls")


def test_the_moodle_feedback_column_speaks_the_language_in_force(bonus, tmp_path):
    from workbench.i18n import language

    with language("zh"):
        path = moodle_csv(bonus, tmp_path / "moodle.csv", identifier="idnumber", roster=ROSTER)
    feedback = {row[0]: row[2] for row in _rows(path)[1:]}
    assert feedback["A1"].startswith("得分 120.00 / 100.00")
    assert "（提交无效）" in feedback["B2"]
