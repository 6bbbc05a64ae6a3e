"""Adding ``person.manager_id`` keeps existing people, memberships and identity links.

On SQLite a batch rebuild of ``person`` would cascade (foreign keys are on): this guards the
in-place way migration 0002 takes.
"""

from __future__ import annotations

from sqlalchemy import inspect, text

from tandem.db.migrate import downgrade, upgrade
from tandem.db.session import make_engine

SEED = [
    "INSERT INTO person (id, display_name, is_bot, created_at) VALUES "
    "(1, 'Ada', false, '2026-01-01 00:00:00+00'), (2, 'Bob', false, '2026-01-01 00:00:00+00')",
    "INSERT INTO team (id, name, created_at) VALUES (1, 'Core', '2026-01-01 00:00:00+00')",
    "INSERT INTO membership (id, person_id, team_id, role) VALUES (1, 1, 1, 'leader')",
    "INSERT INTO identity (id, identity_key, source, kind, is_bot, person_id, linked_by, "
    "created_at) VALUES (1, 'email:ada@example.com', 'git', 'email', false, 1, 'manual', "
    "'2026-01-01 00:00:00+00')",
]


def test_manager_id_migration_keeps_every_row_up_and_down(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0001")
        with engine.begin() as con:
            for statement in SEED:
                con.execute(text(statement))
        upgrade(engine, "0002")
        with engine.begin() as con:
            assert con.execute(text("SELECT count(*) FROM membership")).scalar() == 1
            assert con.execute(text("SELECT person_id FROM identity")).scalar() == 1
            con.execute(text("UPDATE person SET manager_id = 1 WHERE id = 2"))
        fks = inspect(engine).get_foreign_keys("person")
        assert [(fk["name"], fk["options"].get("ondelete")) for fk in fks] == [
            ("fk_person_manager_id_person", "SET NULL")
        ]
        downgrade(engine, "0001")
        with engine.connect() as con:
            assert con.execute(text("SELECT count(*) FROM membership")).scalar() == 1
            assert con.execute(text("SELECT person_id FROM identity")).scalar() == 1
        assert "manager_id" not in {c["name"] for c in inspect(engine).get_columns("person")}
        upgrade(engine)
        with engine.begin() as con:
            con.execute(text("UPDATE person SET manager_id = 1 WHERE id = 2"))
            con.execute(text("DELETE FROM membership"))
            con.execute(text("DELETE FROM identity"))
            con.execute(text("DELETE FROM person WHERE id = 1"))
            assert con.execute(text("SELECT manager_id FROM person")).all() == [(None,)]
    finally:
        engine.dispose()
