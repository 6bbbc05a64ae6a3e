"""Migrations build the schema the models describe, on SQLite and PostgreSQL, up and down."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from tandem.db.migrate import downgrade, upgrade
from tandem.db.models import metadata
from tandem.db.session import make_engine


def test_migrations_match_the_models(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_tables_have_conventional_constraint_names(db_engine: Engine) -> None:
    inspector = inspect(db_engine)
    assert {"person", "identity", "team", "membership"} <= set(inspector.get_table_names())
    uniques = {u["name"] for u in inspector.get_unique_constraints("identity")}
    assert "uq_identity_identity_key" in uniques
    fks = {fk["name"] for fk in inspector.get_foreign_keys("membership")}
    assert fks == {"fk_membership_person_id_person", "fk_membership_team_id_team"}


def test_downgrade_to_base_and_back(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert "person" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
