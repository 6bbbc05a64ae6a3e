"""The change radar on real git repositories: exact events, rings, quarters and problems."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from tandem.errors import InputError
from tandem.lake import Lake
from tandem.sources.bots import DEFAULT_BOT_RULES
from tandem.sources.git import ingest_repository
from tandem.why.change.radar import RepositoryGoneError, change_radar
from tests.why.change.manifest_repo import build_manifest_repo

D = dt.date


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Lake, Path, dict[str, str]]:
    repo = tmp_path / "shop"
    shas = build_manifest_repo(repo)
    (tmp_path / "lake").mkdir()
    lake = Lake(tmp_path / "lake")
    ingest_repository(lake=lake, path=repo, rev=None, bots=DEFAULT_BOT_RULES)
    return lake, repo.resolve(), shas


def test_events_are_exact(shop: tuple[Lake, Path, dict[str, str]]) -> None:
    lake, repo, s = shop
    answer = change_radar(lake=lake)
    got = [(e.day, e.manifest, e.ecosystem, e.dependency, e.change, e.sha) for e in answer.events]
    c1, c2, m1, c3, c5, c6 = (D(2024, 1, 10), D(2024, 2, 15), D(2024, 3, 5), D(2024, 4, 20),
                              D(2024, 6, 1), D(2025, 2, 1))  # fmt: skip
    expected = [
        (c1, "package.json", "npm", "jest", "added", s["C1"]),
        (c1, "package.json", "npm", "react", "added", s["C1"]),
        (c1, "pyproject.toml", "python", "fastapi", "added", s["C1"]),
        (c1, "pyproject.toml", "python", "pytest", "added", s["C1"]),
        (c1, "pyproject.toml", "python", "ruff", "added", s["C1"]),
        (c1, "pyproject.toml", "python", "typer", "added", s["C1"]),
        (c1, "requirements.txt", "python", "django-rest-framework", "added", s["C1"]),
        (c1, "requirements.txt", "python", "requests", "added", s["C1"]),
        (c2, "Cargo.toml", "cargo", "proptest-derive", "added", s["C2"]),
        (c2, "Cargo.toml", "cargo", "rand", "added", s["C2"]),
        (c2, "Cargo.toml", "cargo", "serde", "added", s["C2"]),
        (c2, "Cargo.toml", "cargo", "tokio", "added", s["C2"]),
        (c2, "svc/go.mod", "go", "github.com/gin-gonic/gin", "added", s["C2"]),
        (c2, "svc/go.mod", "go", "github.com/stretchr/testify", "added", s["C2"]),
        # the side branch's change arrives with the merge, on the first-parent chain
        (m1, "requirements.txt", "python", "httpx", "added", s["M1"]),
        (m1, "requirements.txt", "python", "requests", "removed", s["M1"]),
        (c3, "package.json", "npm", "jest", "removed", s["C3"]),
        (c3, "package.json", "npm", "react", "removed", s["C3"]),
        (c3, "pyproject.toml", "python", "pydantic", "added", s["C3"]),
        (c3, "pyproject.toml", "python", "fastapi", "removed", s["C3"]),
        (c3, "requirements-dev.txt", "python", "pytest", "added", s["C3"]),
        # C4 is broken: C5 is diffed against C2's good version
        (c5, "Cargo.toml", "cargo", "proptest-derive", "removed", s["C5"]),
        (c6, "requirements.txt", "python", "rich", "added", s["C6"]),
    ]
    assert got == expected
    assert {e.repo for e in answer.events} == {str(repo)}
    assert answer.repos == [str(repo)]
    assert answer.as_of == c6
    # the vendored manifest is never read; the broken version is reported, not a crash
    assert not any("node_modules" in e.manifest for e in answer.events)
    assert [(p.path, p.sha) for p in answer.problems] == [("Cargo.toml", s["C4"])]
    assert answer.problems[0].reason.startswith("invalid TOML")
    assert answer.problems[0].repo == str(repo)


def test_quarters_rings_and_current(shop: tuple[Lake, Path, dict[str, str]]) -> None:
    lake, _, _ = shop
    answer = change_radar(lake=lake)
    quarters = {q.quarter: (q.added, q.removed, q.adopted, q.dropped) for q in answer.quarters}
    # Q2: pytest joins a second manifest (an add, not an adoption)
    assert quarters == {"2024-Q1": (15, 1, 15, 1), "2024-Q2": (2, 4, 1, 4), "2025-Q1": (1, 0, 1, 0)}
    rings = {(r.ecosystem, r.dependency): (r.ring, r.since, r.dropped_on) for r in answer.rings}
    assert rings[("python", "typer")] == ("established", D(2024, 1, 10), None)  # 388 days
    assert rings[("python", "pydantic")] == ("adopted", D(2024, 4, 20), None)  # 287 days
    assert rings[("python", "rich")] == ("new", D(2025, 2, 1), None)
    assert rings[("python", "fastapi")] == ("dropped", D(2024, 1, 10), D(2024, 4, 20))
    assert rings[("cargo", "proptest-derive")] == ("dropped", D(2024, 2, 15), D(2024, 6, 1))
    assert rings[("npm", "react")][0] == "dropped"
    pytest_ring = next(r for r in answer.rings if r.dependency == "pytest")
    assert pytest_ring.manifests == 2
    assert answer.current == {
        "cargo": ["rand", "serde", "tokio"],
        "go": ["github.com/gin-gonic/gin", "github.com/stretchr/testify"],
        "python": ["django-rest-framework", "httpx", "pydantic", "pytest", "rich", "ruff", "typer"],
    }
    assert [e.dependency for e in answer.latest[:2]] == ["rich", "proptest-derive"]


def test_since_narrows_counts_not_rings(shop: tuple[Lake, Path, dict[str, str]]) -> None:
    lake, repo, _ = shop
    answer = change_radar(lake=lake, repo=str(repo), since=D(2024, 4, 1))
    assert [q.quarter for q in answer.quarters] == ["2024-Q2", "2025-Q1"]
    assert all(e.day >= D(2024, 4, 1) for e in answer.events)
    assert len(answer.events) == 7
    assert {r.dependency for r in answer.rings} >= {"typer", "fastapi"}


def test_a_repository_gone_is_named(
    shop: tuple[Lake, Path, dict[str, str]], tmp_path: Path
) -> None:
    lake, repo, _ = shop
    shutil.move(repo, tmp_path / "elsewhere")
    answer = change_radar(lake=lake)
    assert [u.repo for u in answer.unavailable] == [str(repo)]
    assert f"the repository {repo} is no longer on disk" in answer.unavailable[0].reason
    assert answer.events == [] and answer.repos == []
    with pytest.raises(RepositoryGoneError, match=str(repo)):
        change_radar(lake=lake, repo=str(repo))


def test_a_repository_not_in_the_lake_is_refused(shop: tuple[Lake, Path, dict[str, str]]) -> None:
    lake, _, _ = shop
    with pytest.raises(InputError, match=r"field 'repo'.*not a repository in the lake"):
        change_radar(lake=lake, repo="/nowhere/at/all")
    for no_path in ("a\x00b", "/" + "x" * 5000):  # a NUL or a name past the system's limit
        with pytest.raises(InputError, match=r"field 'repo'.*not a repository in the lake"):
            change_radar(lake=lake, repo=no_path)


def _own_repository() -> Path | None:
    top = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        ["git", "-C", str(top), "log", "--format=%H", "--diff-filter=A", "--", "pyproject.toml"],
        capture_output=True,
        check=False,
    )
    return top if done.returncode == 0 and done.stdout.strip() else None


def test_tandem_own_history_adopted_its_stack(tmp_path: Path) -> None:
    top = _own_repository()
    if top is None:
        pytest.skip("this checkout has no git history adding pyproject.toml (e.g. an sdist)")
    (tmp_path / "lake").mkdir()
    lake = Lake(tmp_path / "lake")
    ingest_repository(lake=lake, path=top, rev=None, bots=DEFAULT_BOT_RULES)
    answer = change_radar(lake=lake)
    added = {e.dependency for e in answer.events if e.change == "added"}
    assert {"typer", "fastapi", "duckdb", "pyarrow", "sqlalchemy"} <= added
    assert {"typer", "fastapi"} <= set(answer.current["python"])
    assert all(e.manifest.endswith("pyproject.toml") or "requirements" in e.manifest
               for e in answer.events if e.ecosystem == "python")  # fmt: skip
