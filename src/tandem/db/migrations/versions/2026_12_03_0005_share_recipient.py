"""share recipient: a shared 360 report records the person it was shared with

Sharing used to follow the role: a report shared "with my manager" was readable by whoever was
the line manager at read time. Each share now records its recipient; existing shares go to the
person who is the line manager when this migration runs (a share without a manager is taken
back, as nobody could read it).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_share", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shared_with_person_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_report_share_shared_with_person_id"),
            ["shared_with_person_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_report_share_shared_with_person_id_person"),
            "person",
            ["shared_with_person_id"],
            ["id"],
            ondelete="SET NULL",
        )
    share = sa.table(
        "report_share",
        sa.column("person_id", sa.Integer()),
        sa.column("shared_with_manager", sa.Boolean()),
        sa.column("shared_with_person_id", sa.Integer()),
        sa.column("shared_at", sa.DateTime(timezone=True)),
    )
    person = sa.table(
        "person", sa.column("id", sa.Integer()), sa.column("manager_id", sa.Integer())
    )
    manager = (
        sa.select(person.c.manager_id).where(person.c.id == share.c.person_id).scalar_subquery()
    )
    op.execute(
        share.update()
        .where(share.c.shared_with_manager == sa.true())
        .values(shared_with_person_id=manager)
    )
    op.execute(
        share.update()
        .where(share.c.shared_with_manager == sa.true(), share.c.shared_with_person_id.is_(None))
        .values(shared_with_manager=False, shared_at=None)
    )


def downgrade() -> None:
    with op.batch_alter_table("report_share", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_report_share_shared_with_person_id_person"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_report_share_shared_with_person_id"))
        batch_op.drop_column("shared_with_person_id")
