"""report sharing: a ratee's choice to share their 360 report with their manager

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 08:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("shared_with_manager", sa.Boolean(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["review_cycle.id"],
            name=op.f("fk_report_share_cycle_id_review_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_report_share_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_share")),
        sa.UniqueConstraint("cycle_id", "person_id", name=op.f("uq_report_share_cycle_id")),
    )
    with op.batch_alter_table("report_share", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_share_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_share_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_share_person_id"))
        batch_op.drop_index(batch_op.f("ix_report_share_cycle_id"))

    op.drop_table("report_share")
