"""review cycles, responses, forced ranking, plans, duos; person.manager_id

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 05:50:19.447940
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("item_bank_version", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_review_cycle_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_cycle")),
        sa.UniqueConstraint("name", name=op.f("uq_review_cycle_name")),
    )
    op.create_table(
        "development_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column("weaker_side", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "weaker_side IN ('leader', 'manager')", name=op.f("ck_development_plan_weaker_side")
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["review_cycle.id"],
            name=op.f("fk_development_plan_cycle_id_review_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_development_plan_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_development_plan")),
    )
    with op.batch_alter_table("development_plan", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_development_plan_cycle_id"), ["cycle_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_development_plan_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "duo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("person_a_id", sa.Integer(), nullable=False),
        sa.Column("person_b_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("tie_breaker", sa.Text(), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "confirmed_at IS NULL OR (tie_breaker IS NOT NULL AND review_date IS NOT NULL)",
            name=op.f("ck_duo_confirmed_complete"),
        ),
        sa.CheckConstraint("person_a_id < person_b_id", name=op.f("ck_duo_ordered_pair")),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["review_cycle.id"],
            name=op.f("fk_duo_cycle_id_review_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_a_id"],
            ["person.id"],
            name=op.f("fk_duo_person_a_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_b_id"],
            ["person.id"],
            name=op.f("fk_duo_person_b_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duo")),
        sa.UniqueConstraint("cycle_id", "person_a_id", "person_b_id", name=op.f("uq_duo_cycle_id")),
    )
    with op.batch_alter_table("duo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duo_person_a_id"), ["person_a_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_duo_person_b_id"), ["person_b_id"], unique=False)

    op.create_table(
        "forced_ranking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("ratee_id", sa.Integer(), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("practice", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('strongest', 'weakest')", name=op.f("ck_forced_ranking_kind")),
        sa.CheckConstraint("rank BETWEEN 1 AND 3", name=op.f("ck_forced_ranking_rank")),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["review_cycle.id"],
            name=op.f("fk_forced_ranking_cycle_id_review_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ratee_id"],
            ["person.id"],
            name=op.f("fk_forced_ranking_ratee_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"],
            ["person.id"],
            name=op.f("fk_forced_ranking_rater_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forced_ranking")),
        sa.UniqueConstraint(
            "cycle_id",
            "ratee_id",
            "rater_id",
            "kind",
            "rank",
            name=op.f("uq_forced_ranking_cycle_id"),
        ),
    )
    with op.batch_alter_table("forced_ranking", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forced_ranking_ratee_id"), ["ratee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_forced_ranking_rater_id"), ["rater_id"], unique=False)

    op.create_table(
        "review_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("ratee_id", sa.Integer(), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "(relation = 'self') = (ratee_id = rater_id)",
            name=op.f("ck_review_assignment_self_rater"),
        ),
        sa.CheckConstraint(
            "relation IN ('self', 'manager', 'peer', 'report')",
            name=op.f("ck_review_assignment_relation"),
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["review_cycle.id"],
            name=op.f("fk_review_assignment_cycle_id_review_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ratee_id"],
            ["person.id"],
            name=op.f("fk_review_assignment_ratee_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"],
            ["person.id"],
            name=op.f("fk_review_assignment_rater_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_assignment")),
        sa.UniqueConstraint(
            "cycle_id", "ratee_id", "rater_id", name=op.f("uq_review_assignment_cycle_id")
        ),
    )
    with op.batch_alter_table("review_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_assignment_ratee_id"), ["ratee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_assignment_rater_id"), ["rater_id"], unique=False
        )

    op.create_table(
        "review_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("ratee_id", sa.Integer(), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=10), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(relation = 'self') = (ratee_id = rater_id)",
            name=op.f("ck_review_response_self_rater"),
        ),
        sa.CheckConstraint(
            "relation IN ('self', 'manager', 'peer', 'report')",
            name=op.f("ck_review_response_relation"),
        ),
        sa.CheckConstraint("value BETWEEN 1 AND 5", name=op.f("ck_review_response_value")),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["review_cycle.id"],
            name=op.f("fk_review_response_cycle_id_review_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ratee_id"],
            ["person.id"],
            name=op.f("fk_review_response_ratee_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"],
            ["person.id"],
            name=op.f("fk_review_response_rater_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_response")),
        sa.UniqueConstraint(
            "cycle_id", "ratee_id", "rater_id", "item_id", name=op.f("uq_review_response_cycle_id")
        ),
    )
    with op.batch_alter_table("review_response", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_response_ratee_id"), ["ratee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_response_rater_id"), ["rater_id"], unique=False)

    op.create_table(
        "plan_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("practice", sa.String(length=40), nullable=False),
        sa.Column("action_id", sa.String(length=80), nullable=False),
        sa.Column("behaviour", sa.Text(), nullable=False),
        sa.Column("cadence", sa.String(length=200), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("rerate_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'doing', 'done', 'dropped')", name=op.f("ck_plan_action_status")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["development_plan.id"],
            name=op.f("fk_plan_action_plan_id_development_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_action")),
    )
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_action_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "plan_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_action_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'doing', 'done', 'dropped')",
            name=op.f("ck_plan_progress_status"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_action_id"],
            ["plan_action.id"],
            name=op.f("fk_plan_progress_plan_action_id_plan_action"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_progress")),
    )
    with op.batch_alter_table("plan_progress", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_progress_plan_action_id"), ["plan_action_id"], unique=False
        )

    _add_person_manager_id()


_MANAGER_FK = (
    "CONSTRAINT fk_person_manager_id_person "
    "FOREIGN KEY(manager_id) REFERENCES person (id) ON DELETE SET NULL"
)


def _add_person_manager_id() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Batch mode would rebuild ``person``, and with foreign keys on, dropping the old table
        # cascades: every membership would be deleted and every identity unlinked. So the column
        # is added in place and its (still unused, all-NULL) constraint written into the schema.
        op.execute("ALTER TABLE person ADD COLUMN manager_id INTEGER")
        _edit_sqlite_person_schema(
            lambda sql: f"{sql.rstrip()[:-1].rstrip()}, \n\t{_MANAGER_FK}\n)"
        )
    else:
        op.add_column("person", sa.Column("manager_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_person_manager_id_person"),
            "person",
            "person",
            ["manager_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index(op.f("ix_person_manager_id"), "person", ["manager_id"], unique=False)


def _drop_person_manager_id() -> None:
    op.drop_index(op.f("ix_person_manager_id"), table_name="person")
    if op.get_bind().dialect.name == "sqlite":
        _edit_sqlite_person_schema(lambda sql: sql.replace(f", \n\t{_MANAGER_FK}", ""))
        op.execute("ALTER TABLE person DROP COLUMN manager_id")
    else:
        op.drop_constraint(op.f("fk_person_manager_id_person"), "person", type_="foreignkey")
        op.drop_column("person", "manager_id")


def _edit_sqlite_person_schema(edit: Callable[[str], str]) -> None:
    """Rewrite ``person``'s CREATE TABLE text in place (SQLite's documented way to change a
    constraint that does not alter the stored rows: https://sqlite.org/lang_altertable.html)."""
    bind = op.get_bind()
    old = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'person'")
    ).scalar_one()
    new = edit(old)
    if new == old:
        raise RuntimeError("person schema not as expected; refusing to edit it")
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar_one()
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'person'"),
        {"sql": new},
    )
    bind.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))
    check = bind.execute(sa.text("PRAGMA integrity_check")).scalar_one()
    if check != "ok":
        raise RuntimeError(f"SQLite integrity check failed after editing person: {check}")


def downgrade() -> None:
    _drop_person_manager_id()

    with op.batch_alter_table("plan_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_progress_plan_action_id"))

    op.drop_table("plan_progress")
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_action_plan_id"))

    op.drop_table("plan_action")
    with op.batch_alter_table("review_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_response_rater_id"))
        batch_op.drop_index(batch_op.f("ix_review_response_ratee_id"))

    op.drop_table("review_response")
    with op.batch_alter_table("review_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_assignment_rater_id"))
        batch_op.drop_index(batch_op.f("ix_review_assignment_ratee_id"))

    op.drop_table("review_assignment")
    with op.batch_alter_table("forced_ranking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forced_ranking_rater_id"))
        batch_op.drop_index(batch_op.f("ix_forced_ranking_ratee_id"))

    op.drop_table("forced_ranking")
    with op.batch_alter_table("duo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duo_person_b_id"))
        batch_op.drop_index(batch_op.f("ix_duo_person_a_id"))

    op.drop_table("duo")
    with op.batch_alter_table("development_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_development_plan_person_id"))
        batch_op.drop_index(batch_op.f("ix_development_plan_cycle_id"))

    op.drop_table("development_plan")
    op.drop_table("review_cycle")
