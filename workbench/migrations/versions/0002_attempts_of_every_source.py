"""Attempts of every source: batch grades become attempts too (source, case, validity, grader
of each attempt), and each grade points at the attempt that counts.

Existing attempts were browser uploads: their case is the student's case on the roster and
their validity is read from the stored report. Existing grades without an attempt (batch
grades) get one, so the counting rule has every grade to choose from.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(
            sa.Column("source", sa.String(10), nullable=False, server_default="browser")
        )
        batch.add_column(sa.Column("case_id", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("valid", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("grader", sa.String(64), nullable=False, server_default=""))
    with op.batch_alter_table("grades") as batch:
        batch.add_column(sa.Column("attempt_id", sa.Integer(), nullable=True))
    _backfill(op.get_bind())


def _backfill(bind: sa.Connection) -> None:
    meta = sa.MetaData()
    attempts = sa.Table("attempts", meta, autoload_with=bind)
    grades = sa.Table("grades", meta, autoload_with=bind)
    students = sa.Table("students", meta, autoload_with=bind)
    cases = {(r.lab, r.student): r.case_id for r in bind.execute(sa.select(students))}
    for row in bind.execute(sa.select(attempts)).all():
        bind.execute(
            attempts.update()
            .where(attempts.c.id == row.id)
            .values(
                case_id=(row.report or {}).get("case_id") or cases.get((row.lab, row.student), ""),
                valid=bool((row.report or {}).get("valid", True)),
            )
        )
    for g in bind.execute(sa.select(grades)).all():
        match = bind.execute(
            sa.select(attempts.c.id)
            .where(
                attempts.c.lab == g.lab,
                attempts.c.student == g.student,
                attempts.c.digest == g.digest,
            )
            .order_by(attempts.c.id.desc())
        ).first()
        if match is None:
            updated = g.updated
            match_id = bind.execute(
                attempts.insert().values(
                    lab=g.lab,
                    student=g.student,
                    day=str(updated)[:10],
                    at=updated,
                    filename=(g.submission or "")[:200],
                    digest=g.digest,
                    score=g.score,
                    public_score=0.0,
                    report=g.report,
                    source="batch",
                    case_id=g.case_id,
                    valid=g.valid,
                    grader=g.grader,
                )
            ).inserted_primary_key[0]
        else:
            match_id = match.id
        bind.execute(grades.update().where(grades.c.id == g.id).values(attempt_id=match_id))


def downgrade() -> None:
    with op.batch_alter_table("grades") as batch:
        batch.drop_column("attempt_id")
    with op.batch_alter_table("attempts") as batch:
        for name in ("grader", "valid", "case_id", "source"):
            batch.drop_column(name)
