"""Baseline: the gradebook as it was before migrations (grades, students, users, assignments,
attempts). A database made by an earlier version has some of these tables already (made by
``create_all``): only what is missing is created, and ``grades.grader`` (added later by hand
before migrations existed) is added if absent.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _tables() -> dict[str, tuple]:
    aware = sa.DateTime(timezone=True)
    return {
        "grades": (
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("lab", sa.String(64), nullable=False, index=True),
            sa.Column("case_id", sa.String(64), nullable=False),
            sa.Column("student", sa.String(200), nullable=False),
            sa.Column("submission", sa.String(1000), nullable=False),
            sa.Column("digest", sa.String(64), nullable=False),
            sa.Column("grader", sa.String(64), nullable=False),
            sa.Column("score", sa.Double(), nullable=False),
            sa.Column("max_score", sa.Double(), nullable=False),
            sa.Column("valid", sa.Boolean(), nullable=False),
            sa.Column("report", sa.JSON(), nullable=False),
            sa.Column("updated", aware, nullable=False),
            sa.UniqueConstraint("lab", "case_id", "student", name="uq_grade"),
        ),
        "students": (
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("lab", sa.String(64), nullable=False, index=True),
            sa.Column("student", sa.String(200), nullable=False),
            sa.Column("case_id", sa.String(64), nullable=False),
            sa.Column("fields", sa.JSON(), nullable=False),
            sa.UniqueConstraint("lab", "student", name="uq_student"),
        ),
        "users": (
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("username", sa.String(200), nullable=False),
            sa.Column("role", sa.String(20), nullable=False),
            sa.Column("password_hash", sa.String(300), nullable=False),
            sa.Column("created", aware, nullable=False),
            sa.UniqueConstraint("username", name="uq_user"),
        ),
        "assignments": (
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("lab", sa.String(64), nullable=False),
            sa.Column("due", aware, nullable=False),
            sa.Column("daily_limit", sa.Integer(), nullable=False),
            sa.Column("public_metrics", sa.JSON(), nullable=False),
            sa.Column("created", aware, nullable=False),
            sa.UniqueConstraint("lab", name="uq_assignment"),
        ),
        "attempts": (
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("lab", sa.String(64), nullable=False, index=True),
            sa.Column("student", sa.String(200), nullable=False, index=True),
            sa.Column("day", sa.String(10), nullable=False),
            sa.Column("at", aware, nullable=False),
            sa.Column("filename", sa.String(200), nullable=False),
            sa.Column("digest", sa.String(64), nullable=False),
            sa.Column("score", sa.Double(), nullable=False),
            sa.Column("public_score", sa.Double(), nullable=False),
            sa.Column("report", sa.JSON(), nullable=False),
        ),
    }


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, columns in _tables().items():
        if name not in existing:
            op.create_table(name, *columns)
    if "grades" in existing:
        have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("grades")}
        if "grader" not in have:
            with op.batch_alter_table("grades") as batch:
                batch.add_column(
                    sa.Column("grader", sa.String(64), nullable=False, server_default="")
                )


def downgrade() -> None:
    for name in reversed(list(_tables())):
        op.drop_table(name)
