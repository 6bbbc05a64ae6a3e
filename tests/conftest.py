"""Shared fixtures: workspaces, the CLI runner, and the app database on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tandem.db.migrate import upgrade
from tandem.db.session import make_engine
from tandem.workspace import Workspace
from tests.helpers import new_workspace

# No test may depend on the machine's speed: Hypothesis neither fails an example that takes long
# (its default 200 ms deadline) nor a strategy that generates slowly (the too_slow health check).
settings.register_profile(
    "tandem", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("tandem")


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A fresh workspace (SQLite app database): a copy of one migrated per test process."""
    return new_workspace(tmp_path / "ws")


# -- the app database on both backends -----------------------------------------------------------


def postgres_url() -> str | None:
    url = os.environ.get("TANDEM_TEST_POSTGRES_URL") or None
    if not url and os.environ.get("TANDEM_TEST_REQUIRE_POSTGRES"):
        pytest.fail("TANDEM_TEST_REQUIRE_POSTGRES is set but TANDEM_TEST_POSTGRES_URL is not")
    return url


def fresh_postgres_database() -> str:
    """Create an empty database on the test server; return its URL."""
    base = postgres_url()
    if base is None:
        pytest.skip("PostgreSQL tests need TANDEM_TEST_POSTGRES_URL")
    name = f"tandem_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as con:
            con.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def db_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated app database, once per session and backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tandem.db'}"
    else:
        url = fresh_postgres_database()
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(db_engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test (savepoints inside one transaction)."""
    with db_engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database on each backend, for whole-workspace tests."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.db'}"
    return fresh_postgres_database()
