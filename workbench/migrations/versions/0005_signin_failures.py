"""Sign-in throttle in the gradebook: ``signin_failures`` holds the failed (and in-progress)
sign-ins the throttle counts, so every process serving a course shares one count (see
:mod:`workbench.classroom.throttle`).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("attempt", sa.String(32), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
    )
    op.create_index("ix_signin_failures_key_at", "signin_failures", ["key", "at"])
    op.create_index("ix_signin_failures_at", "signin_failures", ["at"])
    op.create_index("ix_signin_failures_attempt", "signin_failures", ["attempt"])


def downgrade() -> None:
    op.drop_index("ix_signin_failures_attempt", table_name="signin_failures")
    op.drop_index("ix_signin_failures_at", table_name="signin_failures")
    op.drop_index("ix_signin_failures_key_at", table_name="signin_failures")
    op.drop_table("signin_failures")
