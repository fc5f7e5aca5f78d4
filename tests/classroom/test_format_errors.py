"""Format errors use no attempt (issue 12): a file of the wrong kind, another lab's file or a
file for another case is refused with one sentence, and the student's daily attempts stay as
they were — through the service function and the student page's grading job, on SQLite and
PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

import flask
import pytest

from labs.logistics import LAB
from labs.logistics.baseline import dispatcher
from labs.logistics.kit.instance import load_instance
from labs.logistics.submission import write_plan
from labs.welding.submission import Submission, write_submission
from workbench.classroom import AttemptRefused, settings_of, submit
from workbench.classroom.assignments import student_case
from workbench.classroom.attempts import attempts, attempts_today
from workbench.grading.check import stamp_case_id


def plan_for(student: str, path: Path, *, stamped: bool = True) -> Path:
    """``student``'s honest plan, naming their case id as the toolkit writes it."""
    case = student_case(LAB, student)
    write_plan(dispatcher(load_instance(case)), path)
    if stamped:
        assert stamp_case_id(LAB, path, case.case_id)
    return path


def wrong_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Three format errors of s01, each with a phrase of the sentence it gets."""
    notes = tmp_path / "report.xlsx"
    notes.write_bytes(b"PK\x03\x04 not the logistics lab's kind of file")
    welding = write_submission(
        Submission(predictions={"B0001": 0.2}, diagnosis={"line": "L1"}),
        tmp_path / "welding.json",
    )
    other = plan_for("s02", tmp_path / "plan.json")  # a classmate's plan, their case id
    s02 = student_case(LAB, "s02").case_id
    s01 = student_case(LAB, "s01").case_id
    return {
        "kind": (notes, "hand in a .json or .csv file"),
        "lab": (welding, "is not a logistics submission"),
        "case": (other, f"This file is for case {s02}; your case is {s01}, so it was not graded."),
    }


def test_format_errors_use_no_attempt(course, tmp_path):
    settings = settings_of("logistics")
    for what, (path, sentence) in wrong_files(tmp_path).items():
        for _ in range(settings.daily_limit + 1):  # more often than the limit allows
            with pytest.raises(AttemptRefused) as refused:
                submit(LAB, settings, "s01", path)
            assert sentence in str(refused.value), (what, str(refused.value))
            assert "did not use an attempt" in str(refused.value).lower(), what
    assert attempts_today("logistics", "s01") == 0
    assert attempts("logistics", "s01") == [], "nothing stored, nothing in the gradebook"
    # every attempt is still there: the student's own files are graded up to the limit
    own = plan_for("s01", tmp_path / "mine.json")
    for _ in range(settings.daily_limit):
        assert submit(LAB, settings, "s01", own).report.valid
    assert attempts_today("logistics", "s01") == settings.daily_limit
    with pytest.raises(AttemptRefused, match="all 3 attempts of today"):
        submit(LAB, settings, "s01", own)


def test_a_plan_naming_no_case_is_still_graded(course, tmp_path):
    """No case id in the file: nothing to compare, graded as before (and counted)."""
    settings = settings_of("logistics")
    plain = plan_for("s01", tmp_path / "plain.json", stamped=False)
    assert submit(LAB, settings, "s01", plain).report.valid
    assert attempts_today("logistics", "s01") == 1


def test_the_student_page_says_why_and_keeps_the_attempt(course, tmp_path):
    """The student page's grading job (what the background job runs for an upload): the
    sentence in the page, no attempt recorded, the status line still shows every attempt."""
    from workbench.app import create_app, student

    app = create_app()
    settings = settings_of("logistics")
    shown = []
    with app.server.test_request_context("/student"):
        flask.session.update(user="s01", role="student", v=0, iat=int(time.time()))
        for path, sentence in wrong_files(tmp_path).values():
            alert = student.grade_upload(path, ["logistics"], lambda _: None)
            text = str(alert)
            assert "student-refused" in text and sentence in text, text
            shown.append(text)
        status = student.status_line("s01", settings)
    assert attempts_today("logistics", "s01") == 0
    assert "3 of 3 attempts left today" in status, status
