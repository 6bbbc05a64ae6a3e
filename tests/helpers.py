"""Helpers for tests: the CLI runner and paths to the real data shipped with Tandem."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tandem.cli.app import app
from tandem.profile import service as profile_service
from tandem.review.models import ReviewCycle
from tandem.workspace import Workspace

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA = REPO_ROOT / "src" / "tandem" / "demo" / "data"
# Item bank version 1, what new cycles took until v2 was published. Fixtures written in v1 items
# (vision-4, vision-5, peers rating performance, 5 items a practice) pin their cycles to it.
V1 = "1"


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(*args: str | Path, env: dict[str, str | None] | None = None) -> CliResult:
    """Run ``tandem ARGS`` in-process, as a user would; stdout and stderr kept apart.

    ``env`` sets variables for the run; ``None`` as a value unsets one.
    """
    result = CliRunner().invoke(app, [str(a) for a in args], env=env, catch_exceptions=False)
    return CliResult(result.exit_code, result.stdout, result.stderr)


_TEMPLATE: Path | None = None


def new_workspace(root: Path) -> Workspace:
    """A new workspace at ``root`` (SQLite, migrated to head), as ``tandem init`` makes it.

    Migrating takes a noticeable fraction of a second, and hundreds of tests need a fresh
    workspace, so one is migrated per test process (per xdist worker) and copied: the folder
    holds only relative paths (``tandem.toml``, ``tandem.db``, ``lake/``, ``reports/``).
    Tests of ``init`` itself run the command.
    """
    global _TEMPLATE
    if _TEMPLATE is None:
        folder = Path(tempfile.mkdtemp(prefix="tandem-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = Workspace.create(folder / "ws")
        template.engine.dispose()  # nothing open while it is copied
        _TEMPLATE = template.root
    shutil.copytree(_TEMPLATE, root, dirs_exist_ok=True)
    return Workspace.open(root)


@contextmanager
def scores_loaded_once() -> Iterator[None]:
    """Within the block, each cycle's scores are loaded once and shared by every question.

    As the web app's cache does (:func:`~tandem.profile.service.scores_provider`); a test that
    asks for thirty reports before and after a change opens one block for each side.
    """
    loaded: dict[int, profile_service.CycleScores] = {}

    def once(session: Session, cycle: ReviewCycle) -> profile_service.CycleScores:
        if cycle.id not in loaded:
            loaded[cycle.id] = profile_service.load_cycle_scores(session=session, cycle=cycle)
        return loaded[cycle.id]

    with profile_service.scores_provider(once):
        yield
