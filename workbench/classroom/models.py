"""Classroom tables in the course gradebook: users, assignment settings, student attempts.

They subclass :class:`workbench.store.Base`, so ``Gradebook(course/gradebook.sqlite)`` creates
them next to the grades and the roster.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workbench.store import Base

ROLES = ("instructor", "student")


class UserRow(Base):
    """A person who signs in: an instructor (username + password) or a student with a PIN."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("username", name="uq_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
    """One upload of a student, graded on the server against the student's own case."""

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
