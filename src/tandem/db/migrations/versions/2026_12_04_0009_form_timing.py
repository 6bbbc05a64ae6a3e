"""review_assignment.form_seconds, timed_answers: time spent on the web rating form

The rating form carries its opening time, signed by the server; each save made from it adds the
seconds since then and the number of answers it posted. ``tandem review quality`` flags speeding
from the two (seconds per answer). CSV imports and API saves without the signed time add nothing:
their speeding stays "unknown".

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMNs: recreating the table on SQLite would cascade into its children
    op.add_column(
        "review_assignment",
        sa.Column("form_seconds", sa.Float(), server_default="0", nullable=False),
    )
    op.add_column(
        "review_assignment",
        sa.Column("timed_answers", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("review_assignment", "timed_answers")
    op.drop_column("review_assignment", "form_seconds")
