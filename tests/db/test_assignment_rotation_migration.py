"""Revision 0012 stores each rater's planned-missingness share with the number it was read with
before: no rater's asked items change at the upgrade."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from tandem.db.migrate import downgrade, upgrade
from tandem.db.session import make_engine

NOW = dt.datetime(2026, 12, 4, 12, tzinfo=dt.UTC)
# (id, cycle, ratee, rater, relation): ids out of creation order across ratees and cycles
ASSIGNMENTS = (
    (10, 1, 1, 1, "self"),
    (11, 1, 1, 2, "manager"),
    (12, 1, 2, 1, "manager"),
    (13, 1, 1, 3, "report"),
    (14, 2, 1, 4, "peer"),
    (15, 1, 1, 4, "peer"),
    (16, 2, 1, 2, "manager"),
    (17, 1, 1, 5, "report"),
)


def test_existing_assignments_keep_the_share_they_were_asked(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0011")
        with engine.begin() as db:
            for pid in range(1, 6):
                db.execute(
                    text(
                        "INSERT INTO person (id, display_name, is_bot, created_at) "
                        "VALUES (:id, :name, false, :now)"
                    ),
                    {"id": pid, "name": f"P{pid}", "now": NOW},
                )
            for cid in (1, 2):
                db.execute(
                    text(
                        "INSERT INTO review_cycle (id, name, status, item_bank_version, "
                        "created_at, items_per_practice) VALUES (:id, :name, 'open', '1', :now, 3)"
                    ),
                    {"id": cid, "name": f"c{cid}", "now": NOW},
                )
            for aid, cycle, ratee, rater, relation in ASSIGNMENTS:
                db.execute(
                    text(
                        "INSERT INTO review_assignment (id, cycle_id, ratee_id, rater_id, "
                        "relation) VALUES (:id, :cycle, :ratee, :rater, :relation)"
                    ),
                    {"id": aid, "cycle": cycle, "ratee": ratee, "rater": rater,
                     "relation": relation},
                )  # fmt: skip
        upgrade(engine, "0012")
        with engine.connect() as db:
            rows = db.execute(text("SELECT id, rotation FROM review_assignment ORDER BY id")).all()
        # the old numbering: the place among the ratee's raters other than self, by id
        assert [tuple(r) for r in rows] == [
            (10, None),  # self: every item
            (11, 0),
            (12, 0),  # another ratee counts on its own
            (13, 1),
            (14, 0),  # another cycle too
            (15, 2),
            (16, 1),
            (17, 3),
        ]
        downgrade(engine, "0011")
        upgrade(engine)
    finally:
        engine.dispose()
