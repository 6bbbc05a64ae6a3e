"""The why (issue 12): vision, goals, key results and check-ins; alignment rules and links;
kudos and naming consent; experiments; the delegation board.

New tables only: nothing existing changes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "experiment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("metric", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("result", sa.String(length=12), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("concluded_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "result IS NULL OR result IN ('supported', 'refuted', 'inconclusive')",
            name=op.f("ck_experiment_result"),
        ),
        sa.CheckConstraint(
            "status IN ('running', 'concluded', 'abandoned')", name=op.f("ck_experiment_status")
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR starts_on <= ends_on", name=op.f("ck_experiment_period")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["person.id"],
            name=op.f("fk_experiment_owner_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_experiment_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment")),
    )
    with op.batch_alter_table("experiment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_experiment_team_id"), ["team_id"], unique=False)

    op.create_table(
        "goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("target_share", sa.Float(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'achieved', 'dropped')", name=op.f("ck_goal_status")
        ),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_goal_period")),
        sa.CheckConstraint(
            "target_share IS NULL OR (target_share >= 0 AND target_share <= 1)",
            name=op.f("ck_goal_target_share"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_goal_owner_id_person"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_goal_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal")),
    )
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_team_id"), ["team_id"], unique=False)

    op.create_table(
        "naming_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("named", sa.Boolean(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_naming_consent_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_naming_consent")),
        sa.UniqueConstraint("person_id", name=op.f("uq_naming_consent_person_id")),
    )
    op.create_table(
        "vision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("postcard", sa.Text(), nullable=False),
        sa.Column("horizon", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_vision_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["person.id"],
            name=op.f("fk_vision_updated_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vision")),
        sa.UniqueConstraint("team_id", name=op.f("uq_vision_team_id")),
    )
    op.create_table(
        "alignment_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("object_id", sa.String(length=400), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "decision IN ('accepted', 'rejected')", name=op.f("ck_alignment_link_decision")
        ),
        sa.CheckConstraint(
            "origin IN ('suggestion', 'manual')", name=op.f("ck_alignment_link_origin")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["person.id"],
            name=op.f("fk_alignment_link_decided_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["goal.id"],
            name=op.f("fk_alignment_link_goal_id_goal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alignment_link")),
        sa.UniqueConstraint("goal_id", "object_id", name=op.f("uq_alignment_link_goal_id")),
    )
    with op.batch_alter_table("alignment_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alignment_link_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_alignment_link_object_id"), ["object_id"], unique=False
        )

    op.create_table(
        "alignment_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("pattern", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('label', 'parent', 'path', 'keyword', 'source', 'item_type')",
            name=op.f("ck_alignment_rule_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["goal.id"],
            name=op.f("fk_alignment_rule_goal_id_goal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alignment_rule")),
        sa.UniqueConstraint("goal_id", "kind", "pattern", name=op.f("uq_alignment_rule_goal_id")),
    )
    with op.batch_alter_table("alignment_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alignment_rule_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "decision_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("duo_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["duo_id"], ["duo.id"], name=op.f("fk_decision_area_duo_id_duo"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_decision_area_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_area")),
        sa.UniqueConstraint("team_id", "duo_id", "name", name=op.f("uq_decision_area_team_id")),
    )
    with op.batch_alter_table("decision_area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_area_team_id"), ["team_id"], unique=False)

    op.create_table(
        "key_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("metric", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'metric' AND metric IS NOT NULL) OR (kind = 'manual' AND metric IS NULL)",
            name=op.f("ck_key_result_metric_kind"),
        ),
        sa.CheckConstraint("direction IN ('down', 'up')", name=op.f("ck_key_result_direction")),
        sa.CheckConstraint("kind IN ('metric', 'manual')", name=op.f("ck_key_result_kind")),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goal.id"], name=op.f("fk_key_result_goal_id_goal"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_result")),
    )
    with op.batch_alter_table("key_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_result_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "kudos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("giver_id", sa.Integer(), nullable=True),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("impact", sa.Text(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("practice", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["giver_id"], ["person.id"], name=op.f("fk_kudos_giver_id_person"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goal.id"], name=op.f("fk_kudos_goal_id_goal"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_kudos_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kudos")),
    )
    with op.batch_alter_table("kudos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kudos_given_at"), ["given_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_kudos_team_id"), ["team_id"], unique=False)

    op.create_table(
        "delegation_level",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("level >= 1 AND level <= 7", name=op.f("ck_delegation_level_level")),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["decision_area.id"],
            name=op.f("fk_delegation_level_area_id_decision_area"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"],
            ["person.id"],
            name=op.f("fk_delegation_level_set_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation_level")),
    )
    with op.batch_alter_table("delegation_level", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delegation_level_area_id"), ["area_id"], unique=False)

    op.create_table(
        "key_result_checkin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_result_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "confidence >= 0 AND confidence <= 10", name=op.f("ck_key_result_checkin_confidence")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_key_result_checkin_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["key_result_id"],
            ["key_result.id"],
            name=op.f("fk_key_result_checkin_key_result_id_key_result"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_result_checkin")),
    )
    with op.batch_alter_table("key_result_checkin", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_key_result_checkin_key_result_id"), ["key_result_id"], unique=False
        )

    op.create_table(
        "kudos_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kudos_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kudos_id"],
            ["kudos.id"],
            name=op.f("fk_kudos_recipient_kudos_id_kudos"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_kudos_recipient_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kudos_recipient")),
        sa.UniqueConstraint("kudos_id", "person_id", name=op.f("uq_kudos_recipient_kudos_id")),
    )
    with op.batch_alter_table("kudos_recipient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kudos_recipient_kudos_id"), ["kudos_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_kudos_recipient_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("kudos_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kudos_recipient_person_id"))
        batch_op.drop_index(batch_op.f("ix_kudos_recipient_kudos_id"))

    op.drop_table("kudos_recipient")
    with op.batch_alter_table("key_result_checkin", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_result_checkin_key_result_id"))

    op.drop_table("key_result_checkin")
    with op.batch_alter_table("delegation_level", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegation_level_area_id"))

    op.drop_table("delegation_level")
    with op.batch_alter_table("kudos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kudos_team_id"))
        batch_op.drop_index(batch_op.f("ix_kudos_given_at"))

    op.drop_table("kudos")
    with op.batch_alter_table("key_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_result_goal_id"))

    op.drop_table("key_result")
    with op.batch_alter_table("decision_area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_area_team_id"))

    op.drop_table("decision_area")
    with op.batch_alter_table("alignment_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alignment_rule_goal_id"))

    op.drop_table("alignment_rule")
    with op.batch_alter_table("alignment_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alignment_link_object_id"))
        batch_op.drop_index(batch_op.f("ix_alignment_link_goal_id"))

    op.drop_table("alignment_link")
    op.drop_table("vision")
    op.drop_table("naming_consent")
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_team_id"))

    op.drop_table("goal")
    with op.batch_alter_table("experiment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiment_team_id"))

    op.drop_table("experiment")
