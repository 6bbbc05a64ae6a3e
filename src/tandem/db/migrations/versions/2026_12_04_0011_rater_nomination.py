"""review_nomination; review_cycle.due_date, items_per_practice

Raters nominated by the ratee (or added by their manager or an admin) and approved or rejected by
the manager; an approval creates the review assignment. A cycle gets a due date (reminders, the
overdue marker) and an optional number of items per practice for each rater other than self
(planned missingness: tandem.review.subsets).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMNs: recreating review_cycle on SQLite would cascade into its children
    op.add_column("review_cycle", sa.Column("due_date", sa.Date(), nullable=True))
    op.add_column("review_cycle", sa.Column("items_per_practice", sa.Integer(), nullable=True))
    op.create_table(
        "review_nomination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("ratee_id", sa.Integer(), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("nominated_by", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "relation IN ('manager', 'peer', 'report')", name=op.f("ck_review_nomination_relation")
        ),
        sa.CheckConstraint(
            "status IN ('nominated', 'approved', 'rejected')",
            name=op.f("ck_review_nomination_status"),
        ),
        sa.CheckConstraint(
            "nominated_by IN ('ratee', 'manager', 'admin')",
            name=op.f("ck_review_nomination_nominated_by"),
        ),
        sa.CheckConstraint("ratee_id <> rater_id", name=op.f("ck_review_nomination_not_self")),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["review_cycle.id"],
            name=op.f("fk_review_nomination_cycle_id_review_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ratee_id"],
            ["person.id"],
            name=op.f("fk_review_nomination_ratee_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"],
            ["person.id"],
            name=op.f("fk_review_nomination_rater_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_nomination")),
        sa.UniqueConstraint(
            "cycle_id", "ratee_id", "rater_id", name=op.f("uq_review_nomination_cycle_id")
        ),
    )
    op.create_index(
        op.f("ix_review_nomination_ratee_id"), "review_nomination", ["ratee_id"], unique=False
    )
    op.create_index(
        op.f("ix_review_nomination_rater_id"), "review_nomination", ["rater_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_review_nomination_rater_id"), table_name="review_nomination")
    op.drop_index(op.f("ix_review_nomination_ratee_id"), table_name="review_nomination")
    op.drop_table("review_nomination")
    op.drop_column("review_cycle", "items_per_practice")
    op.drop_column("review_cycle", "due_date")
