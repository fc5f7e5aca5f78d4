"""Sessions and attempt slots: ``users.session_version`` (signed into every session cookie;
a new password or removing the user ends the sessions carrying the old one) and
``attempt_slots`` (a student's daily attempts, taken before grading under a unique
constraint, so the daily limit holds exactly when uploads arrive at once).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False,
                                   server_default="1"))
    op.create_table(
        "attempt_slots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lab", sa.String(64), nullable=False),
        sa.Column("student", sa.String(200), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("taken", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("lab", "student", "day", "slot", name="uq_attempt_slot"),
    )


def downgrade() -> None:
    op.drop_table("attempt_slots")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
