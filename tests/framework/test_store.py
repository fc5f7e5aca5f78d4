"""The gradebook on SQLite and PostgreSQL: migrations, upsert on re-grade, WAL mode, resume
keys, the counting rule, DataFrame view."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

import workbench.classroom.models  # noqa: F401  (every table on the metadata)
from workbench.grading import grade
from workbench.store import (
    Base,
    Gradebook,
    GradeRow,
    current_revision,
    head_revision,
)


@pytest.fixture
def book(db_url):
    gradebook = Gradebook(db_url)
    yield gradebook
    gradebook.close()


def test_models_match_migrations(book):
    """A database migrated to head has exactly the models' tables, columns, types, indexes and
    constraints: a model change without its Alembic revision fails here with the difference."""
    with book.engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == [], diff


def test_reopening_migrates_nothing_twice(db_url):
    Gradebook(db_url).close()
    again = Gradebook(db_url)
    with again.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    again.close()


def test_a_gradebook_from_before_migrations_is_adopted(lab, case, tmp_path):
    """A file made by the old ``create_all`` without the grader column keeps its grades."""
    path = tmp_path / "old.sqlite"
    report = grade(lab, case, lab.reference(case), submission="ann.json")
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE grades (id INTEGER PRIMARY KEY, lab VARCHAR(64) NOT NULL, "
                     "case_id VARCHAR(64) NOT NULL, student VARCHAR(200) NOT NULL, submission "
                     "VARCHAR(1000) NOT NULL, digest VARCHAR(64) NOT NULL, score FLOAT NOT "
                     "NULL, max_score FLOAT NOT NULL, valid BOOLEAN NOT NULL, report JSON NOT "
                     "NULL, updated DATETIME NOT NULL, CONSTRAINT uq_grade UNIQUE (lab, "
                     "case_id, student))")
        conn.execute("INSERT INTO grades VALUES (1, ?, ?, 'ann', 'ann.json', 'd0', ?, ?, 1, "
                     "?, '2024-01-02 03:04:05')",
                     (lab.slug, case.case_id, report.score, report.max_score,
                      __import__("json").dumps(report.to_dict())))
    book = Gradebook(path)
    stored = book.get(lab.slug, case.case_id, "ann")
    assert stored.report == report and stored.grader == "" and stored.digest == "d0"
    assert [a.counts for a in book.attempts(lab.slug, "ann")] == [True]
    assert {"users", "attempts", "assignments"} <= set(inspect(book.engine).get_table_names())
    book.close()


def test_path_creates_folders_and_uses_wal(tmp_path):
    book = Gradebook(tmp_path / "course" / "gradebook.sqlite")
    assert (tmp_path / "course" / "gradebook.sqlite").is_file()
    with book.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    book.close()


def test_regrade_replaces_never_duplicates(lab, case, book):
    first = grade(lab, case, lab.baseline(case), submission="alice.json")
    second = grade(lab, case, lab.reference(case), submission="alice.json")
    book.record(first, student="alice", digest="d1")
    book.record(second, student="alice", digest="d2")
    book.record(second, student="alice", digest="d2")  # the same file again: one attempt
    with book.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(GradeRow)).scalar() == 1
    stored = book.get(lab.slug, case.case_id, "alice")
    assert stored.report == second and stored.digest == "d2"
    assert stored.report.score == pytest.approx(100.0)
    assert [(a.digest, a.counts) for a in book.attempts(lab.slug, "alice")] == [
        ("d1", False), ("d2", True)]


def test_the_latest_valid_attempt_counts_whatever_its_source(lab, case, book):
    good = grade(lab, case, lab.reference(case), submission="mine.json")
    broken = grade(lab, case, {"nonsense": True}, submission="broken.json")
    assert good.valid and not broken.valid
    now = datetime.now(UTC)
    book.add_attempt(broken, student="bo", digest="b0", source="browser",
                     at=now - timedelta(hours=2))
    assert book.get(lab.slug, case.case_id, "bo").digest == "b0"  # only attempt: it counts
    book.add_attempt(good, student="bo", digest="g1", source="browser",
                     at=now - timedelta(hours=1))
    book.record(broken, student="bo", digest="b2")  # a later batch of a failing file
    counted = book.get(lab.slug, case.case_id, "bo")
    assert counted.digest == "g1" and counted.report.valid
    baseline = grade(lab, case, lab.baseline(case), submission="later.json")
    book.record(baseline, student="bo", digest="g3")  # later and valid: counts, though lower
    assert book.get(lab.slug, case.case_id, "bo").digest == "g3"
    history = book.attempts(lab.slug, "bo")
    assert [(a.source, a.digest, a.counts) for a in history] == [
        ("browser", "b0", False), ("browser", "g1", False), ("batch", "b2", False),
        ("batch", "g3", True)]
    assert [s for s, *_ in book.counting_scores(lab.slug)] == ["bo"]


def test_counting_lists_every_roster_student(lab, case, book):
    book.set_roster(lab.slug, {"a": (case.case_id, {}), "b": (case.case_id, {"email": "b@x"})})
    book.record(grade(lab, case, lab.reference(case)), student="a", digest="x")
    rows = book.counting(lab.slug)
    assert [(s, g is not None) for s, g in rows] == [("a", True), ("b", False)]


def test_has_checks_the_file_digest_for_resuming(lab, case, book):
    book.record(grade(lab, case, lab.baseline(case)), student="bob", digest="abc")
    assert book.has(lab.slug, case.case_id, "bob")
    assert book.has(lab.slug, case.case_id, "bob", digest="abc")
    assert not book.has(lab.slug, case.case_id, "bob", digest="changed")
    assert not book.has(lab.slug, case.case_id, "carol")
    assert book.graded_file(lab.slug, case.case_id, "bob", "abc") is not None
    assert book.graded_file(lab.slug, case.case_id, "bob", "changed") is None


def test_grades_survive_reopening_and_filter_by_lab(lab, case, db_url):
    first = Gradebook(db_url)
    first.record(grade(lab, case, lab.reference(case)), student="dan")
    first.close()
    again = Gradebook(db_url)
    assert [g.student for g in again.all()] == ["dan"]
    assert again.all(lab="other") == []
    frame = again.frame(lab.slug)
    assert frame.loc[0, "student"] == "dan" and frame.loc[0, "score"] == pytest.approx(100.0)
    assert {"points_error", "points_hits"} <= set(frame.columns)
    assert again.frame("other").empty and "score" in again.frame("other").columns
    again.close()


def test_a_path_and_its_sqlite_url_are_the_same_gradebook(lab, case, tmp_path):
    path = tmp_path / "gb.sqlite"
    Gradebook(path).record(grade(lab, case, lab.reference(case)), student="eve")
    assert [g.student for g in Gradebook(f"sqlite:///{path}").all()] == ["eve"]
