"""Ancestry over the lake's commits equals ``git rev-list`` on random real repositories."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.delivery.ancestry import Chain, ParentIndex, load_index
from tandem.flow.engine import FlowEngine
from tandem.lake import Lake
from tandem.progress import NoProgress
from tandem.sources.bots import DEFAULT_BOT_RULES
from tandem.sources.git import ingest_repository
from tests.sources.gitrepo import git

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


@st.composite
def histories(draw: st.DrawFn) -> list[list[int]]:
    """Parents (by index) of each commit: a random DAG with merges and a second root."""
    size = draw(st.integers(min_value=2, max_value=24))
    parents: list[list[int]] = [[]]
    for i in range(1, size):
        if draw(st.integers(0, 12)) == 0:  # now and then another root (an unrelated history)
            parents.append([])
            continue
        count = draw(st.integers(1, 3))
        parents.append(sorted(set(draw(st.lists(st.integers(0, i - 1), min_size=count,
                                                max_size=count)))))  # fmt: skip
    return parents


def build(folder: Path, parents: list[list[int]]) -> tuple[Path, list[str]]:
    """A bare repository of empty commits with these parents; ``main`` merges every tip."""
    repo = folder / "repo.git"
    git(folder, "init", "-q", "--bare", str(repo))
    shas: list[str] = []
    env: dict[str, str] = {}
    for i, plist in enumerate(parents):
        env = {
            "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.com",
            "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.com",
            "GIT_AUTHOR_DATE": f"{1_700_000_000 + 60 * i} +0000",
            "GIT_COMMITTER_DATE": f"{1_700_000_000 + 60 * i} +0000",
        }  # fmt: skip
        args = ["commit-tree", EMPTY_TREE, "-m", f"c{i}"]
        for p in plist:
            args += ["-p", shas[p]]
        shas.append(git(repo, *args, env=env).strip())
    children = {p for plist in parents for p in plist}
    tips = [shas[i] for i in range(len(shas)) if i not in children]
    top = shas[-1]
    if len(tips) > 1:
        args = ["commit-tree", EMPTY_TREE, "-m", "top"]
        for tip in tips:
            args += ["-p", tip]
        top = git(repo, *args, env=env).strip()
    git(repo, "update-ref", "refs/heads/main", top)
    return repo, shas


def index_of(repo: Path, folder: Path) -> ParentIndex:
    root = folder / "lake"
    root.mkdir()
    lake = Lake(root)
    report = ingest_repository(lake=lake, path=repo, rev="main", bots=DEFAULT_BOT_RULES,
                               progress=NoProgress())  # fmt: skip
    with FlowEngine(lake) as engine:
        return load_index(engine, report.repo)


def rev_list(repo: Path, this: str, prev: str | None) -> set[str]:
    spec = [this] if prev is None else [f"{prev}..{this}"]
    return set(git(repo, "rev-list", *spec).split())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parents=histories(),
    picks=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=6),
    sequence=st.lists(st.integers(0, 10**6), min_size=1, max_size=8),
)
def test_rev_list_and_chains_equal_git(
    parents: list[list[int]], picks: list[tuple[int, int]], sequence: list[int]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        repo, shas = build(folder, parents)
        index = index_of(repo, folder)
        assert len(index) == len(set(git(repo, "rev-list", "main").split()))
        for a, b in picks:
            prev, this = shas[a % len(shas)], shas[b % len(shas)]
            assert index.rev_list(this, prev) == rev_list(repo, this, prev)
            assert index.rev_list(this) == rev_list(repo, this, None)
        # a chain of deployments in any order (rollbacks, unrelated roots) adds prev..this
        chain = Chain(index)
        before: str | None = None
        for pick in sequence:
            this = shas[pick % len(shas)]
            assert set(chain.advance(this)) == rev_list(repo, this, before)
            before = this


def test_a_long_linear_history_walks_without_recursion() -> None:
    # 200,000 commits in a line: a recursive walk would hit Python's recursion limit
    count = 200_000
    shas = [f"{i:040x}" for i in range(count)]
    rows = [(shas[i], [shas[i - 1]] if i else []) for i in range(count)]
    index = ParentIndex.from_rows("line", rows)
    assert len(index.rev_list(shas[-1], shas[10])) == count - 11
    chain = Chain(index)
    assert len(chain.advance(shas[100])) == 101
    assert chain.advance(shas[-1]) == [shas[i] for i in range(count - 1, 100, -1)]
