"""Classroom tables in the course gradebook: users, assignment settings, student attempts.

They subclass :class:`workbench.store.Base`, so the course's database holds them next to the
grades and the roster (the Alembic migrations in ``workbench/migrations`` make them). The
assignment and attempt tables live in :mod:`workbench.store` (the batch writes attempts too,
and the CLI's ``assign`` the assignment row); they are re-exported here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Double, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workbench.store import AssignmentRow, AttemptRow, Base

ROLES = ("instructor", "student")

__all__ = ["ROLES", "AssignmentRow", "AttemptRow", "AttemptSlotRow", "SigninFailureRow",
           "UserRow"]


class UserRow(Base):
    """A person who signs in: an instructor (username + password) or a student with a PIN."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("username", name="uq_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # signed into every session cookie; a new password or removing the user bumps it (or
    # deletes the row), and a cookie carrying another version is no session
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class AttemptSlotRow(Base):
    """One of a student's attempts of a UTC day, taken *before* the upload is graded: slot
    numbers run from 1 to the daily limit and are unique per (lab, student, day), so two
    uploads at once can never both take the last one (on SQLite and PostgreSQL alike). A
    grading that fails, or a file that is not a submission of the lab, gives its slot back."""

    __tablename__ = "attempt_slots"
    __table_args__ = (UniqueConstraint("lab", "student", "day", "slot", name="uq_attempt_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lab: Mapped[str] = mapped_column(String(64))
    student: Mapped[str] = mapped_column(String(200))
    day: Mapped[str] = mapped_column(String(10))
    slot: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10))  # "grading", then "used"
    taken: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SigninFailureRow(Base):
    """One sign-in attempt counted by the throttle (:mod:`workbench.classroom.throttle`) under
    one of its keys. In the gradebook, so every process serving the course counts the same
    failures. ``key`` is a SHA-256 of the key's parts (no account name stored in clear),
    ``attempt`` groups the rows of one sign-in, ``at`` is Unix time in seconds."""

    __tablename__ = "signin_failures"
    __table_args__ = (Index("ix_signin_failures_key_at", "key", "at"),
                      Index("ix_signin_failures_at", "at"),
                      Index("ix_signin_failures_attempt", "attempt"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[str] = mapped_column(String(32))
    at: Mapped[float] = mapped_column(Double)
