"""The gradebook: upsert on re-grade, WAL mode, resume keys, DataFrame view."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from workbench.grading import grade
from workbench.store import Gradebook, GradeRow


@pytest.fixture
def book(tmp_path):
    gradebook = Gradebook(tmp_path / "course" / "gradebook.sqlite")
    yield gradebook
    gradebook.close()


def test_path_creates_folders_and_uses_wal(tmp_path, book):
    assert (tmp_path / "course" / "gradebook.sqlite").is_file()
    with book.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_regrade_replaces_never_duplicates(lab, case, book):
    first = grade(lab, case, lab.baseline(case), submission="alice.json")
    second = grade(lab, case, lab.reference(case), submission="alice.json")
    book.record(first, student="alice", digest="d1")
    book.record(second, student="alice", digest="d2")
    with book.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(GradeRow)).scalar() == 1
    stored = book.get(lab.slug, case.case_id, "alice")
    assert stored.report == second and stored.digest == "d2"
    assert stored.report.score == pytest.approx(100.0)


def test_has_checks_the_file_digest_for_resuming(lab, case, book):
    book.record(grade(lab, case, lab.baseline(case)), student="bob", digest="abc")
    assert book.has(lab.slug, case.case_id, "bob")
    assert book.has(lab.slug, case.case_id, "bob", digest="abc")
    assert not book.has(lab.slug, case.case_id, "bob", digest="changed")
    assert not book.has(lab.slug, case.case_id, "carol")


def test_grades_survive_reopening_and_filter_by_lab(lab, case, tmp_path):
    path = tmp_path / "gb.sqlite"
    first = Gradebook(path)
    first.record(grade(lab, case, lab.reference(case)), student="dan")
    first.close()
    again = Gradebook(f"sqlite:///{path}")  # a SQLAlchemy URL works the same
    assert [g.student for g in again.all()] == ["dan"]
    assert again.all(lab="other") == []
    frame = again.frame(lab.slug)
    assert frame.loc[0, "student"] == "dan" and frame.loc[0, "score"] == pytest.approx(100.0)
    assert {"points_error", "points_hits"} <= set(frame.columns)
    assert again.frame("other").empty and "score" in again.frame("other").columns
    again.close()
