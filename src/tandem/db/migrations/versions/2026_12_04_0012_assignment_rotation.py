"""review_assignment.rotation: a rater's planned-missingness share, stored when assigned

A cycle with ``items_per_practice`` asks each rater other than self a rotating share of each
practice (tandem.review.subsets). The share was numbered by the rater's place among the ratee's
raters at read time, so removing an assignment changed the shares of every rater assigned after
it. The number is now stored on the assignment (None for self). Existing assignments keep the
number they had, so no rater's asked items change at the upgrade; new ones are numbered per
ratee and relation.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ADD COLUMN: recreating the table on SQLite would cascade into its children
    op.add_column("review_assignment", sa.Column("rotation", sa.Integer(), nullable=True))
    assignment = sa.table(
        "review_assignment",
        sa.column("id", sa.Integer()),
        sa.column("cycle_id", sa.Integer()),
        sa.column("ratee_id", sa.Integer()),
        sa.column("relation", sa.String()),
        sa.column("rotation", sa.Integer()),
    )
    db = op.get_bind()
    rows = db.execute(
        sa.select(assignment.c.id, assignment.c.cycle_id, assignment.c.ratee_id)
        .where(assignment.c.relation != "self")
        .order_by(assignment.c.cycle_id, assignment.c.ratee_id, assignment.c.id)
    ).all()
    # the number each rater was read with: their place among the ratee's raters, by id
    numbers: list[dict[str, int]] = []
    seen: dict[tuple[int, int], int] = {}
    for row_id, cycle_id, ratee_id in rows:
        place = seen.get((cycle_id, ratee_id), 0)
        seen[(cycle_id, ratee_id)] = place + 1
        numbers.append({"row_id": row_id, "number": place})
    if numbers:
        db.execute(
            assignment.update()
            .where(assignment.c.id == sa.bindparam("row_id"))
            .values(rotation=sa.bindparam("number")),
            numbers,
        )


def downgrade() -> None:
    op.drop_column("review_assignment", "rotation")
