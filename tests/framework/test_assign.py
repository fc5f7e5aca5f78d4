"""Per-student variants: roster parsing, seeds from the course secret, idempotent reruns."""

from __future__ import annotations

import json

import pytest

from workbench.assign import Course, assign, course_secret, read_roster, student_seed
from workbench.lab import Case
from workbench.store import Gradebook


def _roster(tmp_path, text: str):
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_roster_keeps_lms_fields(tmp_path):
    path = _roster(tmp_path, "Student ID,Name,Email,Section\ns1,Ann Lee,a@x.org,A\n\n"
                             "s2,李明,l@x.org,B\n")
    assert read_roster(path) == {"s1": {"name": "Ann Lee", "email": "a@x.org", "section": "A"},
                                 "s2": {"name": "李明", "email": "l@x.org", "section": "B"}}


@pytest.mark.parametrize(("text", "message"), [
    ("", "the roster is empty"),
    ("name\nAnn\n", "no student_id column"),
    ("student_id\n", "no students"),
    ("student_id\ns1\ns1\n", "row 3: student id 's1' repeats row 2"),
    ("student_id\n../etc\n", "row 2: student id '../etc' cannot name a folder"),
    ("student_id\nAnn Lee\n", "cannot name a folder"),
])
def test_bad_roster_names_the_row(tmp_path, text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        read_roster(_roster(tmp_path, text))


def test_each_student_gets_a_case_and_a_release_without_the_key(lab, tmp_path):
    data = assign(lab, {"s1": {}, "s2": {"name": "Ben"}}, tmp_path / "c", size="tiny",
                  hidden=1, progress=False)
    course = Course(tmp_path / "c")
    secret = course.secret_path.read_text().strip()
    assert len(secret) == 64 and secret not in json.dumps(data)
    assert data["students"]["s1"]["case_id"] != data["students"]["s2"]["case_id"]
    key = Case.load(course.case_dir("fake", "s2")).key()
    assert key["seed"] == student_seed(secret, "fake", "s2")
    release = course.release_dir("fake", "s1")
    assert (release / "case" / "public" / "hints.json").is_file()
    assert not any("private" in p.parts or p.name == "key.json" for p in release.rglob("*"))
    assert course.release_zip("fake", "s1").is_file()
    assert len(data["hidden"]) == 1 and (course.hidden_dir("fake", 0) / "private").is_dir()
    with Gradebook(course.gradebook_path) as book:
        assert book.roster("fake")["s2"] == {"name": "Ben", "case_id":
                                             data["students"]["s2"]["case_id"]}


def test_rerun_is_idempotent_and_adds_new_students(lab, tmp_path):
    first = assign(lab, {"s1": {}}, tmp_path / "c", size="tiny", progress=False)
    course = Course(tmp_path / "c")
    zipped = course.release_zip("fake", "s1")
    before = zipped.stat().st_mtime_ns
    second = assign(lab, {"s1": {}, "s3": {}}, tmp_path / "c", size="tiny", progress=False)
    assert second["students"]["s1"] == first["students"]["s1"]
    assert second["hidden"] == first["hidden"] and set(second["students"]) == {"s1", "s3"}
    assert zipped.stat().st_mtime_ns == before  # what was handed out stays as it was
    with pytest.raises(ValueError, match="assigned with size 'tiny'"):
        assign(lab, {"s1": {}}, tmp_path / "c", size="class", progress=False)


def test_a_given_secret_must_match_the_course(lab, tmp_path):
    given = tmp_path / "secret.txt"
    given.write_text("0123456789abcdef0123\n")
    a = assign(lab, {"s1": {}}, tmp_path / "a", size="tiny", secret_file=given, progress=False)
    b = assign(lab, {"s1": {}}, tmp_path / "b", size="tiny", secret_file=given, progress=False)
    assert a["students"] == b["students"]  # same secret, same cases
    assert not Course(tmp_path / "a").secret_path.exists()  # kept where the instructor put it
    own = assign(lab, {"s1": {}}, tmp_path / "own", size="tiny", progress=False)
    assert own["students"]["s1"] != a["students"]["s1"]
    with pytest.raises(ValueError, match="differs from"):
        course_secret(Course(tmp_path / "own"), given)
    (tmp_path / "short.txt").write_text("abc")
    with pytest.raises(ValueError, match="at least 16"):
        course_secret(Course(tmp_path / "x"), tmp_path / "short.txt")
