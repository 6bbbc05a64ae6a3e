"""person.stand_in: a person row that stands in for someone forgotten after a cycle closed

``tandem people forget`` keeps a closed cycle's answers (given and received) and frozen roster
under stand-in people, so the cycle's results never change; a stand-in is never found, listed,
merged or shown on its own. Anonymous raters made by ``forget`` before this revision (named
"anonymous rater", no email, identity, team or account, answers given only) are marked.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ANONYMOUS_RATER = "anonymous rater"


def upgrade() -> None:
    # A plain ADD COLUMN: recreating ``person`` on SQLite would cascade into every child table.
    op.add_column(
        "person",
        sa.Column("stand_in", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    person = sa.table(
        "person",
        sa.column("id", sa.Integer()),
        sa.column("display_name", sa.String()),
        sa.column("email", sa.String()),
        sa.column("stand_in", sa.Boolean()),
    )

    def refers(table: str, column: str) -> sa.Exists:
        other = sa.table(table, sa.column(column, sa.Integer())).alias(f"{table}_{column}")
        return sa.exists().where(other.c[column] == person.c.id)

    ties = [
        refers("identity", "person_id"),
        refers("membership", "person_id"),
        refers("user_account", "person_id"),
        refers("cycle_membership", "person_id"),
        refers("review_assignment", "ratee_id"),
        refers("review_response", "ratee_id"),
        refers("forced_ranking", "ratee_id"),
        refers("person", "manager_id"),
    ]
    gave = sa.or_(
        refers("review_response", "rater_id"),
        refers("forced_ranking", "rater_id"),
        refers("review_assignment", "rater_id"),
    )
    op.execute(
        person.update()
        .where(
            person.c.display_name == _ANONYMOUS_RATER,
            person.c.email.is_(None),
            gave,
            *(sa.not_(tie) for tie in ties),
        )
        .values(stand_in=True)
    )


def downgrade() -> None:
    op.drop_column("person", "stand_in")
