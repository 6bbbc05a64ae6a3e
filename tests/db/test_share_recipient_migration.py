"""Revision 0005 gives every existing share the recipient it had: the line manager of the day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from tandem.db.migrate import downgrade, upgrade
from tandem.db.session import make_engine

NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)


def test_existing_shares_go_to_the_manager_at_migration_time(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0004")
        with engine.begin() as db:
            for pid, name, manager in ((1, "Ada", None), (2, "Bob", 1), (3, "Eve", None)):
                db.execute(
                    text(
                        "INSERT INTO person (id, display_name, is_bot, created_at, manager_id) "
                        "VALUES (:id, :name, false, :now, :manager)"
                    ),
                    {"id": pid, "name": name, "now": NOW, "manager": manager},
                )
            db.execute(
                text(
                    "INSERT INTO review_cycle (id, name, status, item_bank_version, created_at) "
                    "VALUES (1, 'c', 'closed', '1', :now)"
                ),
                {"now": NOW},
            )
            # Bob shared (manager Ada); Eve "shared" with no manager; Ada did not share
            for sid, person, shared in ((1, 2, True), (2, 3, True), (3, 1, False)):
                db.execute(
                    text(
                        "INSERT INTO report_share (id, cycle_id, person_id, shared_with_manager, "
                        "shared_at, updated_at) VALUES (:id, 1, :person, :shared, :at, :now)"
                    ),
                    {
                        "id": sid,
                        "person": person,
                        "shared": shared,
                        "now": NOW,
                        "at": NOW if shared else None,
                    },
                )
        upgrade(engine, "0005")
        with engine.connect() as db:
            rows = db.execute(
                text(
                    "SELECT person_id, shared_with_manager, shared_with_person_id, shared_at "
                    "FROM report_share ORDER BY person_id"
                )
            ).all()
        assert [(r[0], bool(r[1]), r[2], r[3] is not None) for r in rows] == [
            (1, False, None, False),
            (2, True, 1, True),  # Bob's share now names Ada
            (3, False, None, False),  # nobody could read Eve's: taken back
        ]
        downgrade(engine, "0004")
        upgrade(engine)
    finally:
        engine.dispose()
