"""The manager's toolkit (issue 13): concerns and questions with their answers; conflict cases
with their parties and follow-ups.

New tables only: nothing existing changes.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-06 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "concern",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("receipt_hash", sa.String(length=64), nullable=True),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("first_answer_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.CheckConstraint("kind IN ('concern', 'question')", name=op.f("ck_concern_kind")),
        sa.CheckConstraint(
            "status IN ('open', 'answered', 'closed')", name=op.f("ck_concern_status")
        ),
        sa.CheckConstraint(
            "NOT anonymous OR author_id IS NULL", name=op.f("ck_concern_anonymous_no_author")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_concern_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_concern_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_concern_receipt_hash")),
    )
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_concern_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_concern_team_id"), ["team_id"], unique=False)

    op.create_table(
        "conflict_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=14), nullable=False),
        sa.Column("issue", sa.Text(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=14), nullable=False),
        sa.Column("time_pressure", sa.Integer(), nullable=False),
        sa.Column("power_balance", sa.String(length=10), nullable=False),
        sa.Column("relationship_importance", sa.Integer(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("chosen_mode", sa.String(length=14), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("agreement", sa.Text(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "chosen_mode IS NULL OR chosen_mode IN "
            "('competing', 'collaborating', 'compromising', 'avoiding', 'accommodating')",
            name=op.f("ck_conflict_case_chosen_mode"),
        ),
        sa.CheckConstraint(
            "kind IN ('task', 'process', 'relationship', 'status')",
            name=op.f("ck_conflict_case_kind"),
        ),
        sa.CheckConstraint(
            "power_balance IN ('balanced', 'unequal')", name=op.f("ck_conflict_case_power_balance")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'in_mediation', 'agreed', 'closed', 'escalated')",
            name=op.f("ck_conflict_case_status"),
        ),
        sa.CheckConstraint(
            "relationship_importance BETWEEN 1 AND 5", name=op.f("ck_conflict_case_relationship")
        ),
        sa.CheckConstraint(
            "time_pressure BETWEEN 1 AND 5", name=op.f("ck_conflict_case_time_pressure")
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["person.id"],
            name=op.f("fk_conflict_case_facilitator_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_case")),
    )
    with op.batch_alter_table("conflict_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conflict_case_facilitator_id"), ["facilitator_id"], unique=False
        )

    op.create_table(
        "concern_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("answerer_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answerer_id"],
            ["person.id"],
            name=op.f("fk_concern_answer_answerer_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concern.id"],
            name=op.f("fk_concern_answer_concern_id_concern"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern_answer")),
    )
    with op.batch_alter_table("concern_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_concern_answer_answerer_id"), ["answerer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_concern_answer_concern_id"), ["concern_id"], unique=False
        )

    op.create_table(
        "conflict_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["conflict_case.id"],
            name=op.f("fk_conflict_follow_up_case_id_conflict_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["person.id"],
            name=op.f("fk_conflict_follow_up_owner_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_follow_up")),
    )
    with op.batch_alter_table("conflict_follow_up", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conflict_follow_up_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_conflict_follow_up_owner_id"), ["owner_id"], unique=False
        )

    op.create_table(
        "conflict_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Text(), nullable=False),
        sa.Column("interests", sa.Text(), nullable=False),
        sa.Column("importance", sa.Integer(), nullable=False),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.CheckConstraint("importance BETWEEN 1 AND 5", name=op.f("ck_conflict_party_importance")),
        sa.CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5",
            name=op.f("ck_conflict_party_satisfaction"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["conflict_case.id"],
            name=op.f("fk_conflict_party_case_id_conflict_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_conflict_party_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_party")),
        sa.UniqueConstraint("case_id", "person_id", name=op.f("uq_conflict_party_case_id")),
    )
    with op.batch_alter_table("conflict_party", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conflict_party_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_conflict_party_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("conflict_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conflict_party_person_id"))
        batch_op.drop_index(batch_op.f("ix_conflict_party_case_id"))

    op.drop_table("conflict_party")
    with op.batch_alter_table("conflict_follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conflict_follow_up_owner_id"))
        batch_op.drop_index(batch_op.f("ix_conflict_follow_up_case_id"))

    op.drop_table("conflict_follow_up")
    with op.batch_alter_table("concern_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concern_answer_concern_id"))
        batch_op.drop_index(batch_op.f("ix_concern_answer_answerer_id"))

    op.drop_table("concern_answer")
    with op.batch_alter_table("conflict_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conflict_case_facilitator_id"))

    op.drop_table("conflict_case")
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concern_team_id"))
        batch_op.drop_index(batch_op.f("ix_concern_author_id"))

    op.drop_table("concern")
