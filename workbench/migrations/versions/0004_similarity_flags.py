"""Similarity flags: ``similarity`` holds the pairs of code submissions ``workbench
similarity`` flagged as near copies (of each other or of the lab's solution), for review.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "similarity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lab", sa.String(64), nullable=False),
        sa.Column("student", sa.String(200), nullable=False),
        sa.Column("other", sa.String(200), nullable=False),
        sa.Column("share", sa.Double(), nullable=False),
        sa.Column("page", sa.String(1000), nullable=False),
        sa.Column("checked", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("lab", "student", "other", name="uq_similarity"),
    )
    op.create_index("ix_similarity_lab", "similarity", ["lab"])


def downgrade() -> None:
    op.drop_index("ix_similarity_lab", table_name="similarity")
    op.drop_table("similarity")
