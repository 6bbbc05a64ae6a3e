"""Shared fixtures: workspaces, the CLI runner, and the app database on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tandem.accounts import passwords
from tandem.db.migrate import upgrade
from tandem.db.session import make_engine, session_scope
from tandem.demo.org import write_demo_org
from tandem.workspace import Workspace
from tests.helpers import new_workspace

# No test may depend on the machine's speed: Hypothesis neither fails an example that takes long
# (its default 200 ms deadline) nor a strategy that generates slowly (the too_slow health check).
settings.register_profile(
    "tandem", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("tandem")

# Passwords are hashed with argon2id at test-only parameters (1 pass over 4 MiB instead of 3
# over 64 MiB): hundreds of sign-ins would otherwise cost minutes of CPU. Subprocesses (the
# browser suite's server, CLI runs) inherit it; tests of the real parameters unset it.
os.environ[passwords.CHEAP_HASH_VARIABLE] = "1"

# The Spark parity tests' JVM runs short queries over small logs: HotSpot's optimising (C2)
# compiler and parallel GC threads would spend more CPU than the queries (measured: the Spark
# module took 130 CPU-seconds, 85 with these flags, the other worker starved meanwhile). JVM
# flags only: Spark's plans, codegen and answers are the ones users get.
os.environ.setdefault("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``--dist loadscope`` (``make test``) each test module is one unit of work, so a
    module's shared fixtures are built once, on one worker; the browser suite's modules are one
    unit together: one server and one Chromium (package fixtures), while the other worker runs
    the rest. (pytest-xdist's own ``loadgroup`` cannot group under pytest 9.)"""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModulesAndBrowser(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/browser/"):
                return "tests/browser"
            return str(super()._split_scope(nodeid))

    return ModulesAndBrowser(config, log)


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


_created_databases: list[str] = []  # by this test process, dropped when it ends


def fresh_postgres_database() -> str:
    """Create an empty database on the test server; return its URL (dropped at session end)."""
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
    _created_databases.append(name)
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop this process's test databases: a developer's server would otherwise keep every
    run's (a thousand databases after a day's work, each one more for autovacuum to visit).
    ``WITH (FORCE)`` ends connections a test's engine still pools."""
    base = postgres_url() if _created_databases else None
    if base is None:
        return
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as con:
            for name in _created_databases:
                con.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
        _created_databases.clear()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _migrated_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """An engine on a new, migrated app database of ``backend``."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tandem.db'}"
    else:
        url = fresh_postgres_database()
    engine = make_engine(url)
    upgrade(engine)
    return engine


def _rolled_back(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back at the end (savepoints inside one transaction)."""
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


@pytest.fixture(scope="session", params=BACKENDS)
def db_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated app database, once per session and backend."""
    engine = _migrated_engine(request.param, tmp_path_factory)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(db_engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test (savepoints inside one transaction)."""
    yield from _rolled_back(db_engine)


@pytest.fixture(scope="session", params=BACKENDS)
def demo_db_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated app database holding the demo organisation (committed), once per backend.

    Writing the organisation takes seconds; the tests that read or change it share one copy
    per test process and roll their changes back (:func:`demo_db_session`).
    """
    engine = _migrated_engine(request.param, tmp_path_factory)
    with session_scope(engine) as session:
        write_demo_org(session=session)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_db_session(demo_db_engine: Engine) -> Iterator[Session]:
    """A session on the demo organisation's database, its work rolled back after the test."""
    yield from _rolled_back(demo_db_engine)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database on each backend, for whole-workspace tests."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.db'}"
    return fresh_postgres_database()
