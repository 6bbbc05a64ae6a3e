"""The manager's toolkit, part one (issue 13): feedback; 1:1 pairs, meetings, agenda items,
action items and notes.

New tables only: nothing existing changes.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("giver_id", sa.Integer(), nullable=False),
        sa.Column("receiver_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("behaviour", sa.Text(), nullable=False),
        sa.Column("impact", sa.Text(), nullable=False),
        sa.Column("intent", sa.Text(), nullable=False),
        sa.Column("practice", sa.String(length=40), nullable=True),
        sa.Column("lint_shown", sa.Boolean(), nullable=False),
        sa.Column("lint_rules", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('praise', 'redirect')", name=op.f("ck_feedback_kind")),
        sa.CheckConstraint("giver_id <> receiver_id", name=op.f("ck_feedback_not_self")),
        sa.ForeignKeyConstraint(
            ["giver_id"],
            ["person.id"],
            name=op.f("fk_feedback_giver_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["receiver_id"],
            ["person.id"],
            name=op.f("fk_feedback_receiver_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_giver_id"), ["giver_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_receiver_id"), ["receiver_id"], unique=False)

    op.create_table(
        "one_on_one_pair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("cadence_days", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "cadence_days >= 1 AND cadence_days <= 90", name=op.f("ck_one_on_one_pair_cadence")
        ),
        sa.CheckConstraint("manager_id <> report_id", name=op.f("ck_one_on_one_pair_two_people")),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["person.id"],
            name=op.f("fk_one_on_one_pair_manager_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["person.id"],
            name=op.f("fk_one_on_one_pair_report_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_on_one_pair")),
        sa.UniqueConstraint("manager_id", "report_id", name=op.f("uq_one_on_one_pair_manager_id")),
    )
    with op.batch_alter_table("one_on_one_pair", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_one_on_one_pair_manager_id"), ["manager_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_one_on_one_pair_report_id"), ["report_id"], unique=False
        )

    op.create_table(
        "one_on_one_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "minutes >= 5 AND minutes <= 480", name=op.f("ck_one_on_one_meeting_minutes")
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["one_on_one_pair.id"],
            name=op.f("fk_one_on_one_meeting_pair_id_one_on_one_pair"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_on_one_meeting")),
    )
    with op.batch_alter_table("one_on_one_meeting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_one_on_one_meeting_pair_id"), ["pair_id"], unique=False
        )

    op.create_table(
        "one_on_one_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_one_on_one_action_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["one_on_one_meeting.id"],
            name=op.f("fk_one_on_one_action_meeting_id_one_on_one_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["person.id"],
            name=op.f("fk_one_on_one_action_owner_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["one_on_one_pair.id"],
            name=op.f("fk_one_on_one_action_pair_id_one_on_one_pair"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_on_one_action")),
    )
    with op.batch_alter_table("one_on_one_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_one_on_one_action_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_one_on_one_action_pair_id"), ["pair_id"], unique=False)

    op.create_table(
        "one_on_one_agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("resolved_meeting_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'resolved')", name=op.f("ck_one_on_one_agenda_item_status")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_one_on_one_agenda_item_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["one_on_one_meeting.id"],
            name=op.f("fk_one_on_one_agenda_item_meeting_id_one_on_one_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["one_on_one_pair.id"],
            name=op.f("fk_one_on_one_agenda_item_pair_id_one_on_one_pair"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_meeting_id"],
            ["one_on_one_meeting.id"],
            name=op.f("fk_one_on_one_agenda_item_resolved_meeting_id_one_on_one_meeting"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_on_one_agenda_item")),
    )
    with op.batch_alter_table("one_on_one_agenda_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_one_on_one_agenda_item_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_one_on_one_agenda_item_pair_id"), ["pair_id"], unique=False
        )

    op.create_table(
        "one_on_one_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_one_on_one_note_author_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["one_on_one_meeting.id"],
            name=op.f("fk_one_on_one_note_meeting_id_one_on_one_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_on_one_note")),
    )
    with op.batch_alter_table("one_on_one_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_one_on_one_note_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_one_on_one_note_meeting_id"), ["meeting_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("one_on_one_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_one_on_one_note_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_one_on_one_note_author_id"))

    op.drop_table("one_on_one_note")
    with op.batch_alter_table("one_on_one_agenda_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_one_on_one_agenda_item_pair_id"))
        batch_op.drop_index(batch_op.f("ix_one_on_one_agenda_item_meeting_id"))

    op.drop_table("one_on_one_agenda_item")
    with op.batch_alter_table("one_on_one_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_one_on_one_action_pair_id"))
        batch_op.drop_index(batch_op.f("ix_one_on_one_action_meeting_id"))

    op.drop_table("one_on_one_action")
    with op.batch_alter_table("one_on_one_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_one_on_one_meeting_pair_id"))

    op.drop_table("one_on_one_meeting")
    with op.batch_alter_table("one_on_one_pair", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_one_on_one_pair_report_id"))
        batch_op.drop_index(batch_op.f("ix_one_on_one_pair_manager_id"))

    op.drop_table("one_on_one_pair")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_receiver_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_giver_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_created_at"))

    op.drop_table("feedback")
