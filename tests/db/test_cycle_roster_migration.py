"""Migration 0006 on a database with data: cycles get a frozen roster, duos pending consents."""

from __future__ import annotations

from sqlalchemy import text

from tandem.db.migrate import upgrade
from tandem.db.session import make_engine


def test_existing_cycles_and_duos_are_carried_over(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0004")
        with engine.begin() as con:
            for sql in (
                "INSERT INTO person (id, display_name, is_bot, created_at) VALUES "
                "(1, 'Ann', false, CURRENT_TIMESTAMP), (2, 'Bea', false, CURRENT_TIMESTAMP)",
                "INSERT INTO team (id, name, created_at) VALUES (1, 'Core', CURRENT_TIMESTAMP)",
                "INSERT INTO membership (id, person_id, team_id, role) VALUES "
                "(1, 1, 1, 'leader'), (2, 2, 1, 'member')",
                "INSERT INTO review_cycle (id, name, status, item_bank_version, created_at) "
                "VALUES (1, 'old', 'closed', 'v1', CURRENT_TIMESTAMP)",
                "INSERT INTO duo (id, cycle_id, person_a_id, person_b_id, score, explanation) "
                "VALUES (1, 1, 1, 2, 4.5, '{}')",
            ):
                con.execute(text(sql))
        upgrade(engine)
        with engine.connect() as con:
            roster = con.execute(
                text(
                    "SELECT cycle_id, team_name, person_id, role FROM cycle_membership "
                    "ORDER BY person_id"
                )
            ).all()
            consents = con.execute(text("SELECT a_consent, b_consent FROM duo")).all()
        assert [tuple(r) for r in roster] == [(1, "Core", 1, "leader"), (1, "Core", 2, "member")]
        assert [tuple(c) for c in consents] == [("pending", "pending")]
    finally:
        engine.dispose()
