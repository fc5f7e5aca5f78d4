"""The gradebook: grade reports in a database through the SQLAlchemy 2 ORM.

``Gradebook("course/gradebook.sqlite")`` opens (and creates) an SQLite file in WAL mode, so a
crash mid-batch loses no committed grade and a rerun resumes; any SQLAlchemy URL works too
(``postgresql+psycopg://user@host/course``). One row per (lab, case, student): grading again
replaces the row, never duplicates it. Each grade also records the ``grader`` fingerprint it
was computed with, so a batch rerun can tell a stored grade from a stale one. The ``students``
table holds the roster of each lab's per-student assignment (see :mod:`workbench.assign`).
New tables subclass :class:`Base`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import (
    JSON,
    DateTime,
    String,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from workbench.grading.report import GradeReport

_UPSERT = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}


class Base(DeclarativeBase):
    """Declarative base of every gradebook table."""


class GradeRow(Base):
    __tablename__ = "grades"
    __table_args__ = (UniqueConstraint("lab", "case_id", "student", name="uq_grade"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lab: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(String(64))
    student: Mapped[str] = mapped_column(String(200))
    submission: Mapped[str] = mapped_column(String(1000), default="")
    digest: Mapped[str] = mapped_column(String(64), default="")
    grader: Mapped[str] = mapped_column(String(64), default="")
    score: Mapped[float]
    max_score: Mapped[float]
    valid: Mapped[bool]
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StudentRow(Base):
    """One roster entry of a lab's assignment: the student's case and LMS fields."""

    __tablename__ = "students"
    __table_args__ = (UniqueConstraint("lab", "student", name="uq_student"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lab: Mapped[str] = mapped_column(String(64), index=True)
    student: Mapped[str] = mapped_column(String(200))
    case_id: Mapped[str] = mapped_column(String(64))
    fields: Mapped[dict[str, str]] = mapped_column(JSON)


@dataclass(frozen=True)
class StoredGrade:
    """One gradebook row: who, which submission (file and sha256), the report, and the
    fingerprint of the grader that computed it ("" for grades stored without one)."""

    student: str
    report: GradeReport
    digest: str
    updated: datetime
    grader: str = ""


def _engine(url_or_path: str | Path) -> Engine:
    text = str(url_or_path)
    if "://" not in text:
        path = Path(text).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        text = f"sqlite:///{path}"
    engine = create_engine(text)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL: readers (the app) never block the batch writer, and a crash keeps committed rows.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Gradebook:
    """Grades of every student, lab and case; safe to reopen and to resume."""

    def __init__(self, url_or_path: str | Path):
        self.engine = _engine(url_or_path)
        Base.metadata.create_all(self.engine)
        _add_grader_column(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(self, report: GradeReport, *, student: str, digest: str = "",
               grader: str = "") -> None:
        """Store ``report`` for ``student``, replacing an earlier grade of the same case."""
        values = dict(lab=report.lab, case_id=report.case_id, student=student,
                      submission=report.submission, digest=digest, grader=grader,
                      score=report.score,
                      max_score=report.max_score, valid=report.valid,
                      report=report.to_dict(), updated=datetime.now(UTC))
        with Session(self.engine) as session, session.begin():
            dialect = self.engine.dialect.name
            if dialect in _UPSERT:  # one atomic statement: concurrent graders cannot duplicate
                stmt = _UPSERT[dialect](GradeRow).values(**values)
                session.execute(stmt.on_conflict_do_update(
                    index_elements=["lab", "case_id", "student"], set_=values))
                return
            row = session.scalars(self._select(report.lab, report.case_id, student)).first()
            if row is None:
                session.add(GradeRow(**values))
            else:
                for key, value in values.items():
                    setattr(row, key, value)

    @staticmethod
    def _select(lab: str, case_id: str, student: str) -> Any:
        return select(GradeRow).where(GradeRow.lab == lab, GradeRow.case_id == case_id,
                                      GradeRow.student == student)

    def get(self, lab: str, case_id: str, student: str) -> StoredGrade | None:
        with Session(self.engine) as session:
            row = session.scalars(self._select(lab, case_id, student)).first()
            return _stored(row) if row else None

    def has(self, lab: str, case_id: str, student: str, *, digest: str | None = None) -> bool:
        """Whether a grade exists (and, given ``digest``, for that exact submission file)."""
        found = self.get(lab, case_id, student)
        return found is not None and (digest is None or found.digest == digest)

    def all(self, lab: str | None = None) -> list[StoredGrade]:
        """Every stored grade (of one lab), ordered by lab, case and student."""
        query = select(GradeRow).order_by(GradeRow.lab, GradeRow.case_id, GradeRow.student)
        if lab is not None:
            query = query.where(GradeRow.lab == lab)
        with Session(self.engine) as session:
            return [_stored(row) for row in session.scalars(query)]

    def frame(self, lab: str | None = None) -> pd.DataFrame:
        """The gradebook as a table: one row per grade, one ``points_<metric>`` column each."""
        rows = []
        for g in self.all(lab):
            r = g.report
            row = {"lab": r.lab, "case_id": r.case_id, "student": g.student,
                   "submission": r.submission, "valid": r.valid, "score": r.score,
                   "max_score": r.max_score, "problems": len(r.problems), "updated": g.updated}
            row.update({f"points_{c.name}": c.points for c in r.criteria})
            rows.append(row)
        return pd.DataFrame(rows, columns=None if rows else
                            ["lab", "case_id", "student", "submission", "valid", "score",
                             "max_score", "problems", "updated"])

    def set_roster(self, lab: str, entries: dict[str, tuple[str, dict[str, str]]]) -> None:
        """Store ``{student: (case_id, fields)}`` as the roster of ``lab`` (upsert per student;
        students missing from ``entries`` are kept: a roster only grows)."""
        with Session(self.engine) as session, session.begin():
            rows = {r.student: r for r in session.scalars(
                select(StudentRow).where(StudentRow.lab == lab))}
            for student, (case_id, fields) in entries.items():
                row = rows.get(student)
                if row is None:
                    session.add(StudentRow(lab=lab, student=student, case_id=case_id,
                                           fields=dict(fields)))
                else:
                    row.case_id, row.fields = case_id, dict(fields)

    def roster(self, lab: str) -> dict[str, dict[str, str]]:
        """``{student: {"case_id": ..., **fields}}`` of ``lab``, ordered by student."""
        query = select(StudentRow).where(StudentRow.lab == lab).order_by(StudentRow.student)
        with Session(self.engine) as session:
            return {r.student: {**r.fields, "case_id": r.case_id}
                    for r in session.scalars(query)}


def _add_grader_column(engine: Engine) -> None:
    """Gradebooks created before grades carried a grader fingerprint get the column."""
    columns = {c["name"] for c in inspect(engine).get_columns("grades")}
    if "grader" not in columns:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE grades ADD COLUMN grader VARCHAR(64) DEFAULT ''"))


def _stored(row: GradeRow) -> StoredGrade:
    updated = row.updated if row.updated.tzinfo else row.updated.replace(tzinfo=UTC)
    return StoredGrade(row.student, GradeReport.from_dict(row.report), row.digest, updated,
                       row.grader or "")
