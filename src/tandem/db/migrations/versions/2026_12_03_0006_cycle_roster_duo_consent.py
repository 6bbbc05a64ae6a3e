"""cycle_membership (team memberships frozen per review cycle); duo consent of each partner

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 03:30:00.000000

Existing cycles get today's memberships as their frozen roster (the best that can be known);
existing duos start with both consents pending.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CONSENTS = "('pending', 'accepted', 'declined')"


def upgrade() -> None:
    op.create_table(
        "cycle_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("team_name", sa.String(length=200), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["review_cycle.id"],
            name=op.f("fk_cycle_membership_cycle_id_review_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_cycle_membership_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_membership")),
        sa.UniqueConstraint(
            "cycle_id", "team_name", "person_id", name=op.f("uq_cycle_membership_cycle_id")
        ),
    )
    with op.batch_alter_table("cycle_membership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cycle_membership_cycle_id"), ["cycle_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cycle_membership_person_id"), ["person_id"], unique=False
        )
    op.execute(
        "INSERT INTO cycle_membership (cycle_id, team_name, person_id, role, frozen_at) "
        "SELECT review_cycle.id, team.name, membership.person_id, membership.role, "
        "CURRENT_TIMESTAMP FROM review_cycle CROSS JOIN membership "
        "JOIN team ON team.id = membership.team_id"
    )

    with op.batch_alter_table("duo", schema=None) as batch_op:
        for side in ("a", "b"):
            batch_op.add_column(
                sa.Column(
                    f"{side}_consent",
                    sa.String(length=10),
                    server_default="pending",
                    nullable=False,
                )
            )
            batch_op.add_column(
                sa.Column(f"{side}_consent_at", sa.DateTime(timezone=True), nullable=True)
            )
            batch_op.create_check_constraint(
                op.f(f"ck_duo_{side}_consent"), f"{side}_consent IN {_CONSENTS}"
            )


def downgrade() -> None:
    with op.batch_alter_table("duo", schema=None) as batch_op:
        for side in ("b", "a"):
            batch_op.drop_constraint(op.f(f"ck_duo_{side}_consent"), type_="check")
            batch_op.drop_column(f"{side}_consent_at")
            batch_op.drop_column(f"{side}_consent")

    with op.batch_alter_table("cycle_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cycle_membership_person_id"))
        batch_op.drop_index(batch_op.f("ix_cycle_membership_cycle_id"))
    op.drop_table("cycle_membership")
