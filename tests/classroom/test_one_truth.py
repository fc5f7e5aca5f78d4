"""One source of truth: a batch grade and a browser upload of the same student resolve by the
one documented rule (the latest valid attempt counts) in the gradebook table, the leaderboard,
the drill-down and every export; roster students without a submission are listed."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from labs.logistics import LAB
from labs.logistics.baseline import dispatcher
from labs.logistics.instance import load_instance
from labs.logistics.submission import write_plan
from workbench.classroom import grading, leaderboard, settings_of, submit
from workbench.classroom.assignments import student_case
from workbench.classroom.course import gradebook
from workbench.grading.exports import FORMATS
from workbench.store import COUNTING_RULE


def batch(tmp_path, files: dict[str, bytes | None]) -> None:
    """Grade a class's zip the instructor's way (``None``: the student's valid plan)."""
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for student, content in files.items():
            if content is None:
                plan = write_plan(
                    dispatcher(load_instance(student_case(LAB, student))),
                    tmp_path / f"{student}.json",
                )
                content = plan.read_bytes()
            zf.writestr(f"{student}.json", content)
    folder = grading.unpack_class_zip(archive, tmp_path / f"unpacked-{len(files)}")
    grading.grade_class(LAB, folder, progress=None)


def upload(student, tmp_path, *, broken: bool = False, when=None):
    path = tmp_path / f"{student}-upload.json"
    if broken:
        path.write_text('{"routes": [{"vehicle": "V01", "stops": [1, 1]}]}')
    else:
        write_plan(dispatcher(load_instance(student_case(LAB, student))), path)
    return submit(LAB, settings_of("logistics"), student, path, now=when).report


def exports() -> dict[str, list[list[str]]]:
    return {
        fmt: list(csv.reader(io.StringIO(grading.export_bytes(fmt, LAB)[1].decode("utf-8-sig"))))
        for fmt in FORMATS
    }


def test_batch_and_browser_resolve_by_the_rule_everywhere(course, tmp_path):
    assert "latest valid attempt" in COUNTING_RULE
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    s01 = upload("s01", tmp_path, when=earlier)  # valid upload first...
    batch(tmp_path, {"s01": b'{"routes": [', "s02": None})  # ...then a broken batch file
    s02_bad = upload("s02", tmp_path, broken=True)  # s02: a valid batch, then a bad upload
    assert s01.valid and not s02_bad.valid
    book = gradebook()
    counting = dict(book.counting("logistics"))
    assert set(counting) == {"s01", "s02", "s03"} and counting["s03"] is None
    assert counting["s01"].report.score == pytest.approx(s01.score)  # the upload counts
    s02 = counting["s02"].report
    assert s02.valid and s02.submission == "s02.json"  # the batch's valid file counts

    table = grading.gradebook_table(LAB)
    scores = dict(zip(table["student"], table["score"], strict=True))
    assert scores["s01"] == pytest.approx(round(s01.score, 2))
    assert scores["s02"] == pytest.approx(round(s02.score, 2))
    assert list(table["valid"]) == [True, True, None]  # s03: no submission, still a row

    board = {
        r["student"]: r["score"]
        for r in leaderboard("logistics", settings_of("logistics"), private=True)
    }
    assert board == {"s01": pytest.approx(s01.score), "s02": pytest.approx(s02.score)}

    files = exports()
    plain = {row[0]: row for row in files["csv"][1:]}
    assert float(plain["s01"][5]) == pytest.approx(s01.score, abs=0.01)
    assert float(plain["s02"][5]) == pytest.approx(s02.score, abs=0.01)
    assert "no submission" in plain["s03"]
    canvas = {row[3]: row[5] for row in files["canvas"][2:]}
    assert float(canvas["s01"]) == pytest.approx(s01.score, abs=0.01) and canvas["s03"] == ""
    moodle = {row[0]: row[1] for row in files["moodle"][1:]}
    assert float(moodle["s02"]) == pytest.approx(min(s02.score, 100), abs=0.01)
    assert moodle["s03"] == ""

    history = book.attempts("logistics", "s01")
    assert [(a.source, a.valid, a.counts) for a in history] == [
        ("browser", True, True),
        ("batch", False, False),
    ]


def test_the_drilldown_shows_the_counting_grade_and_the_history(course, tmp_path):
    from workbench.app import create_app, instructor
    from workbench.app.textcheck import visible_texts

    upload("s01", tmp_path, when=datetime.now(UTC) - timedelta(minutes=5))
    batch(tmp_path, {"s01": b"{}"})
    raw = instructor.drilldown.__wrapped__  # the callback's body, past require_role
    app = create_app()
    with app.server.test_request_context("/instructor"):
        texts = " ".join(visible_texts(raw("s01", "logistics")))
        nothing = " ".join(visible_texts(raw("s03", "logistics")))
    assert "upload" in texts and "batch grading" in texts and "counts" in texts
    assert "No submission yet." in nothing


def test_the_full_report_in_the_drilldown_shows_the_hidden_case_rows(course, tmp_path):
    """Code is graded on fresh cases too (criteria marked hidden): the instructor's full
    report lists those rows, so the rows add up to the score shown."""
    from dataclasses import replace

    from workbench.app import create_app, instructor
    from workbench.app.textcheck import visible_texts
    from workbench.grading.report import Criterion

    own = upload("s02", tmp_path)
    fresh = Criterion(
        "hidden_route_duration",
        "Fresh cases: Route duration",
        12.5,
        25.0,
        "Your code on 2 fresh case(s) earned half.",
        hidden=True,
    )
    code = replace(
        own, criteria=[*own.criteria, fresh], score=own.score + 12.5, submission="s02.py"
    )
    gradebook().record(code, student="s02", digest="code")
    raw = instructor.drilldown.__wrapped__
    with create_app().server.test_request_context("/instructor"):
        texts = list(visible_texts(raw("s02", "logistics")))
    full = texts[texts.index("Full report") : texts.index("Attempts")]
    assert "Fresh cases: Route duration" in full, full
