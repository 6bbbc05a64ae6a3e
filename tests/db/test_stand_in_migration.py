"""Migration 0008 on a database with data: anonymous raters made by a forget become stand-ins."""

from __future__ import annotations

from sqlalchemy import text

from tandem.db.migrate import upgrade
from tandem.db.session import make_engine


def test_only_the_anonymous_raters_a_forget_made_are_marked(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0007")
        with engine.begin() as con:
            for sql in (
                # 1: made by a forget (answers given only); 2: a real person of that name with
                # an email; 3: one without an email who is rated; 4: an ordinary person.
                "INSERT INTO person (id, display_name, email, is_bot, created_at) VALUES "
                "(1, 'anonymous rater', NULL, false, CURRENT_TIMESTAMP), "
                "(2, 'anonymous rater', 'anon@x.org', false, CURRENT_TIMESTAMP), "
                "(3, 'anonymous rater', NULL, false, CURRENT_TIMESTAMP), "
                "(4, 'Ann', 'ann@x.org', false, CURRENT_TIMESTAMP)",
                "INSERT INTO review_cycle (id, name, status, item_bank_version, created_at) "
                "VALUES (1, 'old', 'closed', '1', CURRENT_TIMESTAMP)",
                "INSERT INTO review_response "
                "(id, cycle_id, ratee_id, rater_id, relation, item_id, value, created_at) VALUES "
                "(1, 1, 4, 1, 'peer', 'vision-1', 4, CURRENT_TIMESTAMP), "
                "(2, 1, 4, 2, 'peer', 'vision-1', 3, CURRENT_TIMESTAMP), "
                "(3, 1, 3, 4, 'peer', 'vision-1', 2, CURRENT_TIMESTAMP), "
                "(4, 1, 4, 3, 'peer', 'vision-1', 5, CURRENT_TIMESTAMP)",
            ):
                con.execute(text(sql))
        upgrade(engine)
        with engine.connect() as con:
            rows = con.execute(text("SELECT id, stand_in FROM person ORDER BY id")).all()
        assert [(i, bool(s)) for i, s in rows] == [(1, True), (2, False), (3, False), (4, False)]
    finally:
        engine.dispose()
