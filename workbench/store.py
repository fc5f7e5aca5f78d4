"""The gradebook: every graded attempt and the grade that counts, through the SQLAlchemy 2 ORM.

``Gradebook("course/gradebook.sqlite")`` opens (and creates) an SQLite file in WAL mode, so a
crash mid-batch loses no committed grade and a rerun resumes; any SQLAlchemy URL works too
(``postgresql+psycopg://user@host/course``, with the ``postgres`` extra). The schema is made
and kept up to date by the Alembic migrations in ``workbench/migrations`` (run on opening);
a database made before migrations existed is adopted as it is.

**Which grade counts** (one rule for browser uploads and batch grading alike): every graded
submission is an *attempt* (``attempts``: source ``browser`` or ``batch``); the grade that
counts is the student's **latest valid attempt**, or, if none of their attempts is valid, their
latest attempt (so they see why it failed). "Latest" is the time the attempt was first graded
(an upload's time; for a batch, when the batch first graded that file — a regrade of the same
file keeps its time). ``grades`` holds that counting attempt per (lab, case, student) and is
what the gradebook pages, the leaderboard and every export read.

The ``students`` table holds the roster of each lab's per-student assignment (see
:mod:`workbench.assign`), ``assignments`` how it runs in class (due date, attempt limit).
New tables subclass :class:`Base`; a new column needs an Alembic revision (see
``workbench/migrations/README.md``).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Integer,
    String,
    UniqueConstraint,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from workbench.grading.report import GradeReport

DB_ENV = "WORKBENCH_DB"
MIGRATIONS = Path(__file__).parent / "migrations"
SOURCES = ("browser", "batch")
COUNTING_RULE = (
    "the latest valid attempt counts (browser upload or batch alike); with no "
    "valid attempt, the latest attempt"
)


class Base(DeclarativeBase):
    """Declarative base of every gradebook table."""


class GradeRow(Base):
    """The grade that counts for one student on one case: a copy of their counting attempt."""

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
    attempt_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class StudentRow(Base):
    """One roster entry of a lab's assignment: the student's case and LMS fields."""

    __tablename__ = "students"
    __table_args__ = (UniqueConstraint("lab", "student", name="uq_student"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lab: Mapped[str] = mapped_column(String(64), index=True)
    student: Mapped[str] = mapped_column(String(200))
    case_id: Mapped[str] = mapped_column(String(64))
    fields: Mapped[dict[str, str]] = mapped_column(JSON)


class AssignmentRow(Base):
    """How one lab's assignment runs in class: due date, attempts, the public criteria."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("lab", name="uq_assignment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lab: Mapped[str] = mapped_column(String(64))
    due: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    daily_limit: Mapped[int] = mapped_column(Integer)
    public_metrics: Mapped[list[str]] = mapped_column(JSON)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AttemptRow(Base):
    """One graded submission of a student: an upload in the browser or a file of a batch."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    lab: Mapped[str] = mapped_column(String(64), index=True)
    student: Mapped[str] = mapped_column(String(200), index=True)
    day: Mapped[str] = mapped_column(String(10))  # UTC date, for the daily limit
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    filename: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))
    score: Mapped[float]
    public_score: Mapped[float]
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(10), server_default="browser")
    case_id: Mapped[str] = mapped_column(String(64), server_default="")
    valid: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    grader: Mapped[str] = mapped_column(String(64), server_default="")


class SimilarityRow(Base):
    """A flagged pair of code submissions (``workbench similarity``): for review, never a
    grade change. ``other`` is a student or ``solution:<file>``."""

    __tablename__ = "similarity"
    __table_args__ = (UniqueConstraint("lab", "student", "other", name="uq_similarity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lab: Mapped[str] = mapped_column(String(64), index=True)
    student: Mapped[str] = mapped_column(String(200))
    other: Mapped[str] = mapped_column(String(200))
    share: Mapped[float]
    page: Mapped[str] = mapped_column(String(1000), default="")
    checked: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class StoredGrade:
    """One gradebook row: who, which submission (file and sha256), the report, and the
    fingerprint of the grader that computed it ("" for grades stored without one)."""

    student: str
    report: GradeReport
    digest: str
    updated: datetime
    grader: str = ""


@dataclass(frozen=True)
class StoredAttempt:
    """One attempt of a student, and whether it is the one that counts."""

    id: int
    student: str
    at: datetime
    source: str
    filename: str
    digest: str
    grader: str
    score: float
    public_score: float
    valid: bool
    counts: bool
    report: GradeReport


def course_database(default: str | Path) -> str | Path:
    """The database of a course: ``WORKBENCH_DB`` (a SQLAlchemy URL or a path) when set — the
    CLI's ``--db`` and ``serve --db`` set it — else ``default`` (``COURSE/gradebook.sqlite``).
    """
    return os.environ.get(DB_ENV, "").strip() or default


def _url(url_or_path: str | Path) -> str:
    value = str(url_or_path)
    if "://" not in value:
        path = Path(value).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        _private_sqlite(path)
        value = f"sqlite:///{path}"
    return value


def _private_sqlite(path: Path) -> None:
    """The gradebook holds password hashes and grades: the file is made ``0600`` before SQLite
    opens it (its -wal and -shm files take the same mode), an existing one of ours is closed
    to others."""
    from workbench.private import private_file

    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600))
        for one in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if one.exists():
                private_file(one)
    except OSError:  # a read-only place: SQLite will say what is wrong
        pass


def _engine(url_or_path: str | Path) -> Engine:
    engine = create_engine(_url(url_or_path), pool_pre_ping=True)
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


# ---- migrations -------------------------------------------------------------------------------


def alembic_config(url: str | None = None) -> Any:
    """The Alembic configuration of the gradebook (``script_location`` inside the package)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "workbench/migrations has no revision"
    return head


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (a no-op when it is there already). Several
    processes opening one new database at once take turns: PostgreSQL under an advisory lock,
    SQLite under a lock file beside the database."""
    with engine.connect() as conn:
        if current_revision(conn) == head_revision():
            return
    from alembic import command

    config = alembic_config()
    with _migration_lock(engine), engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7202604)"))
        if current_revision(conn) == head_revision():
            return
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


class _migration_lock:
    def __init__(self, engine: Engine):
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self.path = (
            Path(f"{database}.migrate-lock") if database and database != ":memory:" else None
        )
        self.file: Any = None

    def __enter__(self) -> None:
        if self.path is not None:
            self.file = os.fdopen(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                                          0o600), "a")
            fcntl.flock(self.file, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()


# ---- the gradebook ----------------------------------------------------------------------------


class Gradebook:
    """Grades of every student, lab and case; safe to reopen and to resume."""

    def __init__(self, url_or_path: str | Path):
        self.engine = _engine(url_or_path)
        migrate(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing --------------------------------------------------------------------------------

    def record(
        self, report: GradeReport, *, student: str, digest: str = "", grader: str = ""
    ) -> StoredGrade:
        """Store a batch's grade of ``student``'s file: one attempt per (case, file digest) —
        grading the same file again replaces that attempt's report and keeps its time — then
        select the grade that counts. Return the grade that counts now."""
        return self.add_attempt(
            report, student=student, digest=digest, grader=grader, source="batch"
        )

    def add_attempt(
        self,
        report: GradeReport,
        *,
        student: str,
        digest: str,
        grader: str = "",
        source: str = "browser",
        at: datetime | None = None,
        filename: str | None = None,
        public_score: float | None = None,
        check: Callable[[Session, AttemptRow], None] | None = None,
    ) -> StoredGrade:
        """Store one attempt and select the grade that counts (:data:`COUNTING_RULE`), in one
        transaction. ``check(session, row)`` runs after the attempt is written and may raise
        to take it back (the daily limit is counted that way). A ``batch`` attempt of a file
        already graded (same case and digest) is updated in place."""
        if source not in SOURCES:
            raise ValueError(f"source {source!r} not understood; use one of {SOURCES}")
        at = at or datetime.now(UTC)
        with Session(self.engine) as session, session.begin():
            if public_score is None:
                public_score = _public_score(session, report)
            values = dict(
                lab=report.lab,
                student=student,
                case_id=report.case_id,
                filename=(filename or report.submission)[:200],
                digest=digest,
                grader=grader,
                score=report.score,
                public_score=public_score,
                valid=report.valid,
                report=report.to_dict(),
                source=source,
            )
            row = None
            if source == "batch":
                row = session.scalars(
                    select(AttemptRow)
                    .where(
                        AttemptRow.lab == report.lab,
                        AttemptRow.student == student,
                        AttemptRow.case_id == report.case_id,
                        AttemptRow.source == "batch",
                        AttemptRow.digest == digest,
                    )
                    .order_by(AttemptRow.id.desc())
                ).first()
            if row is None:
                row = AttemptRow(**values, at=at, day=at.astimezone(UTC).date().isoformat())
                session.add(row)
            else:
                for key, value in values.items():
                    setattr(row, key, value)
            session.flush()
            if check is not None:
                check(session, row)
            return self._select_counting(session, report.lab, report.case_id, student)

    def _select_counting(
        self, session: Session, lab: str, case_id: str, student: str
    ) -> StoredGrade:
        if self.engine.dialect.name == "postgresql":  # one selection at a time per student
            session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                {"k": f"{lab}/{case_id}/{student}"},
            )
        rows = session.scalars(
            select(AttemptRow).where(
                AttemptRow.lab == lab, AttemptRow.case_id == case_id, AttemptRow.student == student
            )
        ).all()
        chosen = max(rows, key=lambda r: (r.valid, _aware(r.at), r.id))
        report = GradeReport.from_dict(chosen.report)
        values = dict(
            lab=lab,
            case_id=case_id,
            student=student,
            submission=report.submission,
            digest=chosen.digest,
            grader=chosen.grader,
            score=chosen.score,
            max_score=report.max_score,
            valid=chosen.valid,
            report=chosen.report,
            updated=_aware(chosen.at),
            attempt_id=chosen.id,
        )
        grade = session.scalars(
            select(GradeRow)
            .where(GradeRow.lab == lab, GradeRow.case_id == case_id, GradeRow.student == student)
            .with_for_update()
        ).first()
        if grade is None:
            session.add(GradeRow(**values))
        else:
            for key, value in values.items():
                setattr(grade, key, value)
        return StoredGrade(student, report, chosen.digest, _aware(chosen.at), chosen.grader)

    # -- reading --------------------------------------------------------------------------------

    @staticmethod
    def _select(lab: str, case_id: str, student: str) -> Any:
        return select(GradeRow).where(
            GradeRow.lab == lab, GradeRow.case_id == case_id, GradeRow.student == student
        )

    def get(self, lab: str, case_id: str, student: str) -> StoredGrade | None:
        """The grade that counts for ``student`` on ``case_id``, if any."""
        with Session(self.engine) as session:
            row = session.scalars(self._select(lab, case_id, student)).first()
            return _stored(row) if row else None

    def graded_file(
        self,
        lab: str,
        case_id: str,
        student: str,
        digest: str,
    ) -> StoredGrade | None:
        """The batch attempt of this very file (same digest), if it was graded before: what a
        batch rerun resumes from."""
        with Session(self.engine) as session:
            row = session.scalars(
                select(AttemptRow)
                .where(
                    AttemptRow.lab == lab,
                    AttemptRow.case_id == case_id,
                    AttemptRow.student == student,
                    AttemptRow.source == "batch",
                    AttemptRow.digest == digest,
                )
                .order_by(AttemptRow.id.desc())
            ).first()
            if row is None:
                return None
            return StoredGrade(
                student, GradeReport.from_dict(row.report), row.digest, _aware(row.at), row.grader
            )

    def has(self, lab: str, case_id: str, student: str, *, digest: str | None = None) -> bool:
        """Whether a grade exists (and, given ``digest``, for that exact submission file)."""
        found = self.get(lab, case_id, student)
        return found is not None and (digest is None or found.digest == digest)

    def all(self, lab: str | None = None) -> list[StoredGrade]:
        """Every grade that counts (of one lab), ordered by lab, case and student."""
        query = select(GradeRow).order_by(GradeRow.lab, GradeRow.case_id, GradeRow.student)
        if lab is not None:
            query = query.where(GradeRow.lab == lab)
        with Session(self.engine) as session:
            return [_stored(row) for row in session.scalars(query)]

    def counting(self, lab: str) -> list[tuple[str, StoredGrade | None]]:
        """``(student, grade that counts or None)`` of every roster student of ``lab`` (None:
        no submission), then anyone graded but not on the roster, by student id."""
        roster = self.roster(lab)
        grades: dict[str, StoredGrade] = {}
        for g in self.all(lab):
            case = roster.get(g.student, {}).get("case_id")
            if case is None or case == g.report.case_id:  # a grade on the student's own case
                grades[g.student] = g
        return [(s, grades.get(s)) for s in sorted(set(roster) | set(grades))]

    def attempts(self, lab: str, student: str | None = None) -> list[StoredAttempt]:
        """Attempts of ``lab`` (of one student), oldest first, each saying if it counts."""
        query = (
            select(AttemptRow).where(AttemptRow.lab == lab).order_by(AttemptRow.at, AttemptRow.id)
        )
        if student is not None:
            query = query.where(AttemptRow.student == student)
        with Session(self.engine) as session:
            counting = set(session.scalars(select(GradeRow.attempt_id).where(GradeRow.lab == lab)))
            return [
                StoredAttempt(
                    r.id,
                    r.student,
                    _aware(r.at),
                    r.source,
                    r.filename,
                    r.digest,
                    r.grader,
                    r.score,
                    r.public_score,
                    r.valid,
                    r.id in counting,
                    GradeReport.from_dict(r.report),
                )
                for r in session.scalars(query)
            ]

    def counting_scores(self, lab: str) -> list[tuple[str, float, float, datetime]]:
        """``(student, score, public score, time)`` of every counting attempt of ``lab``: what
        the leaderboard ranks (reads the scores only, never the stored reports)."""
        query = (
            select(AttemptRow.student, AttemptRow.score, AttemptRow.public_score, AttemptRow.at)
            .join(GradeRow, GradeRow.attempt_id == AttemptRow.id)
            .where(GradeRow.lab == lab)
            .order_by(AttemptRow.student)
        )
        with Session(self.engine) as session:
            return [
                (s, score, public, _aware(at)) for s, score, public, at in session.execute(query)
            ]

    def frame(self, lab: str | None = None) -> pd.DataFrame:
        """The gradebook as a table: one row per grade, one ``points_<metric>`` column each,
        and ``similar_to`` (the flagged near copies, for review; see :meth:`similarity`)."""
        rows = []
        similar = {
            (g_lab, student): text
            for g_lab in ({lab} if lab else self._similar_labs())
            for student, text in self.similarity(g_lab).items()
        }
        for g in self.all(lab):
            r = g.report
            row = {
                "lab": r.lab,
                "case_id": r.case_id,
                "student": g.student,
                "submission": r.submission,
                "valid": r.valid,
                "score": r.score,
                "max_score": r.max_score,
                "problems": len(r.problems),
                "updated": g.updated,
                "similar_to": similar.get((r.lab, g.student), ""),
            }
            row.update({f"points_{c.name}": c.points for c in r.criteria})
            rows.append(row)
        return pd.DataFrame(
            rows,
            columns=None
            if rows
            else [
                "lab",
                "case_id",
                "student",
                "submission",
                "valid",
                "score",
                "max_score",
                "problems",
                "updated",
                "similar_to",
            ],
        )

    # -- similarity flags (workbench similarity) ------------------------------------------------

    def set_similarity(self, lab: str, pairs: list[tuple[str, str, float, str]]) -> None:
        """Replace the flags of ``lab`` by ``(student, other, share, page)`` pairs (each pair
        is stored for both students when both are students)."""
        now = datetime.now(UTC)
        with Session(self.engine) as session, session.begin():
            session.query(SimilarityRow).filter(SimilarityRow.lab == lab).delete()
            seen: set[tuple[str, str]] = set()
            for student, other, share, page in pairs:
                for a, b in ((student, other), (other, student)):
                    if (a, b) in seen or a.startswith("solution:"):
                        continue
                    seen.add((a, b))
                    session.add(
                        SimilarityRow(
                            lab=lab, student=a, other=b, share=float(share), page=page, checked=now
                        )
                    )

    def similarity(self, lab: str) -> dict[str, str]:
        """``{student: "bob 98%, solution:notebook.ipynb 81%"}``: the flags of ``lab``."""
        query = (
            select(SimilarityRow)
            .where(SimilarityRow.lab == lab)
            .order_by(SimilarityRow.student, SimilarityRow.share.desc())
        )
        found: dict[str, list[str]] = {}
        with Session(self.engine) as session:
            for row in session.scalars(query):
                found.setdefault(row.student, []).append(f"{row.other} {row.share:.0%}")
        return {student: ", ".join(items) for student, items in found.items()}

    def _similar_labs(self) -> list[str]:
        with Session(self.engine) as session:
            return list(session.scalars(select(SimilarityRow.lab).distinct()))

    # -- roster and assignment ------------------------------------------------------------------

    def set_roster(self, lab: str, entries: dict[str, tuple[str, dict[str, str]]]) -> None:
        """Store ``{student: (case_id, fields)}`` as the roster of ``lab`` (upsert per student;
        students missing from ``entries`` are kept: a roster only grows)."""
        with Session(self.engine) as session, session.begin():
            rows = {
                r.student: r
                for r in session.scalars(select(StudentRow).where(StudentRow.lab == lab))
            }
            for student, (case_id, fields) in entries.items():
                row = rows.get(student)
                if row is None:
                    session.add(
                        StudentRow(lab=lab, student=student, case_id=case_id, fields=dict(fields))
                    )
                else:
                    row.case_id, row.fields = case_id, dict(fields)

    def roster(self, lab: str) -> dict[str, dict[str, str]]:
        """``{student: {"case_id": ..., **fields}}`` of ``lab``, ordered by student."""
        query = select(StudentRow).where(StudentRow.lab == lab).order_by(StudentRow.student)
        with Session(self.engine) as session:
            return {r.student: {**r.fields, "case_id": r.case_id} for r in session.scalars(query)}

    def set_assignment(
        self,
        lab: str,
        *,
        due: datetime | None = None,
        daily_limit: int | None = None,
        public_metrics: list[str] | None = None,
        defaults: dict[str, Any] | None = None,
    ) -> None:
        """Store how ``lab``'s assignment runs (the row the web app shows). A value given as
        None keeps the stored one, or for a new assignment takes ``defaults[name]``."""
        given = {
            k: v
            for k, v in dict(
                due=due, daily_limit=daily_limit, public_metrics=public_metrics
            ).items()
            if v is not None
        }
        with Session(self.engine) as session, session.begin():
            row = session.scalars(select(AssignmentRow).where(AssignmentRow.lab == lab)).first()
            if row is None:
                values = {**(defaults or {}), **given}
                missing = {"due", "daily_limit", "public_metrics"} - set(values)
                if missing:
                    raise ValueError(f"a new assignment of {lab} needs {', '.join(missing)}")
                session.add(AssignmentRow(lab=lab, created=datetime.now(UTC), **values))
            else:
                for key, value in given.items():
                    setattr(row, key, value)


def _public_score(session: Session, report: GradeReport) -> float:
    public = session.scalar(
        select(AssignmentRow.public_metrics).where(AssignmentRow.lab == report.lab)
    )
    return sum(c.points for c in report.criteria if c.name in (public or ()))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def _stored(row: GradeRow) -> StoredGrade:
    return StoredGrade(
        row.student,
        GradeReport.from_dict(row.report),
        row.digest,
        _aware(row.updated),
        row.grader or "",
    )


def check_database(url_or_path: str | Path) -> None:
    """Open (and migrate) the database once; a clear ``ValueError`` if it cannot be used."""
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    try:
        Gradebook(url_or_path).close()
    except ModuleNotFoundError as exc:
        raise ValueError(
            f"{_safe(url_or_path)}: the database driver is not installed "
            f"({exc.name}); for PostgreSQL install the `postgres` extra "
            "(pip install 'lab-workbench[postgres]')"
        ) from None
    except (ArgumentError, SQLAlchemyError, OSError) as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ValueError(
            f"{_safe(url_or_path)}: the gradebook database cannot be opened ({detail})"
        ) from None


def _safe(url_or_path: str | Path) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    value = str(url_or_path)
    if "://" not in value:
        return value
    try:
        return make_url(value).render_as_string(hide_password=True)
    except Exception:
        return "the database URL"
