"""review_comment: a rater's free-text comment on one practice of one ratee in a cycle

Shown in the ratee's report only after the cycle closes, grouped by rater group and only for
groups of at least 3 commenters (docs/people-science.md, "Comments"). Keyed like the answers by
(cycle, ratee, rater), with no timestamp.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("ratee_id", sa.Integer(), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=10), nullable=False),
        sa.Column("practice", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.CheckConstraint("ratee_id <> rater_id", name=op.f("ck_review_comment_not_self")),
        sa.CheckConstraint(
            "relation IN ('manager', 'peer', 'report')", name=op.f("ck_review_comment_relation")
        ),
        sa.CheckConstraint(
            "length(text) BETWEEN 1 AND 1000", name=op.f("ck_review_comment_text_length")
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["review_cycle.id"],
            name=op.f("fk_review_comment_cycle_id_review_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ratee_id"],
            ["person.id"],
            name=op.f("fk_review_comment_ratee_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"],
            ["person.id"],
            name=op.f("fk_review_comment_rater_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_comment")),
        sa.UniqueConstraint(
            "cycle_id", "ratee_id", "rater_id", "practice", name=op.f("uq_review_comment_cycle_id")
        ),
    )
    with op.batch_alter_table("review_comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_comment_ratee_id"), ["ratee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_comment_rater_id"), ["rater_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_comment_rater_id"))
        batch_op.drop_index(batch_op.f("ix_review_comment_ratee_id"))
    op.drop_table("review_comment")
