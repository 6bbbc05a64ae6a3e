"""Git ancestry over the lake's ``commits`` table: ``git rev-list prev..this`` without git.

A :class:`ParentIndex` is built once per repository from its ``(sha, parents)`` rows: each sha
gets a position, each commit the positions of its parents, and a walk marks positions in a
``bytearray`` (one byte a commit), iteratively (no recursion limit on long histories).

:class:`Chain` walks the deployments of one service and environment in order. The commits a
deployment adds are those reachable from its sha and not from the previous deployment's
(:meth:`ParentIndex.rev_list` semantics); the marks of the previous deployment's ancestors are
kept from one step to the next, so a chain whose deployments descend from each other (the usual
case) walks each commit once in all. When a deployment does not descend from the previous one
(a rollback, a force push), its own ancestors are marked afresh for the next step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tandem.flow.engine import FlowEngine


@dataclass(frozen=True)
class CommitInfo:
    """What the linkage needs of one commit besides its parents."""

    author_key: str
    authored_at_s: int  # seconds since the epoch (the authored-match key)
    summary: str
    is_merge: bool


@dataclass
class ParentIndex:
    """The commits of one repository: sha ↔ position, parents by position, commit facts."""

    repo: str
    shas: list[str]
    position: dict[str, int]
    parents: list[tuple[int, ...]]
    info: list[CommitInfo] = field(default_factory=list)

    @classmethod
    def from_rows(
        cls,
        repo: str,
        rows: Iterable[tuple[str, list[str]]],
        info: Iterable[CommitInfo] | None = None,
    ) -> ParentIndex:
        """An index over ``(sha, parent shas)`` rows; parents outside the rows are dropped (a
        shallow or partial history ends there, as git's own walk would)."""
        pairs = list(rows)
        shas = [sha for sha, _ in pairs]
        position = {sha: i for i, sha in enumerate(shas)}
        parents = [
            tuple(position[p] for p in plist if p in position)
            for _, plist in pairs  # parents absent from the table end the walk
        ]
        return cls(repo, shas, position, parents, list(info or []))

    def __contains__(self, sha: object) -> bool:
        return sha in self.position

    def __len__(self) -> int:
        return len(self.shas)

    def mark_ancestors(self, sha: str, marks: bytearray) -> list[int]:
        """Mark ``sha`` and its ancestors not yet marked; return the newly marked positions
        (in walk order). Marked commits stop the walk: their ancestors are marked already."""
        start = self.position[sha]
        if marks[start]:
            return []
        found: list[int] = []
        stack = [start]
        marks[start] = 1
        parents = self.parents
        while stack:
            node = stack.pop()
            found.append(node)
            for parent in parents[node]:
                if not marks[parent]:
                    marks[parent] = 1
                    stack.append(parent)
        return found

    def rev_list(self, this: str, prev: str | None = None) -> set[str]:
        """The shas reachable from ``this`` and not from ``prev`` (``git rev-list prev..this``);
        every sha reachable from ``this`` when ``prev`` is None."""
        marks = bytearray(len(self.shas))
        if prev is not None:
            self.mark_ancestors(prev, marks)
        return {self.shas[i] for i in self.mark_ancestors(this, marks)}


@dataclass
class Chain:
    """The deployments of one service and environment, walked in order (module docstring)."""

    index: ParentIndex
    _marks: bytearray = field(init=False)
    _head: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._marks = bytearray(len(self.index))

    def advance(self, sha: str) -> list[str]:
        """The shas ``sha`` adds to the previous deployment (``git rev-list prev..sha``)."""
        # invariant: the marks are exactly the ancestors of the previous head
        index = self.index
        descends = self._head is None or self._descends(sha)
        added = [index.shas[i] for i in index.mark_ancestors(sha, self._marks)]
        if not descends:  # a rollback or a force push: the marks must become sha's ancestors
            self._marks = bytearray(len(index))
            index.mark_ancestors(sha, self._marks)
        self._head = sha
        return added

    def _descends(self, sha: str) -> bool:
        """Whether ``sha`` has the previous head among its ancestors (or is it)."""
        assert self._head is not None
        index = self.index
        target = index.position[self._head]
        start = index.position[sha]
        if start == target:
            return True
        seen = {start}
        stack = [start]
        marks = self._marks  # marked commits are ancestors of the head: never the head's heirs
        while stack:
            node = stack.pop()
            for parent in index.parents[node]:
                if parent == target:
                    return True
                if parent not in seen and not marks[parent]:
                    seen.add(parent)
                    stack.append(parent)
        return False


def repositories_of(engine: FlowEngine, shas: Iterable[str]) -> dict[str, str]:
    """The repository (``commits.repo``) holding each of ``shas`` that the lake has."""
    wanted = sorted(set(shas))
    if not wanted:
        return {}
    commits = engine.table("commits")
    rows = engine.to_pyarrow(
        commits.filter(commits.sha.isin(wanted)).select("sha", "repo")
    ).to_pylist()
    return {row["sha"]: row["repo"] for row in rows}


def load_index(engine: FlowEngine, repo: str) -> ParentIndex:
    """The parent index of one repository's commits in the lake."""
    commits = engine.table("commits")
    table = engine.to_pyarrow(
        commits.filter(commits.repo == repo).select(
            "sha",
            "parents",
            "author_key",
            "summary",
            "is_merge",
            authored_s=commits.authored_at.epoch_seconds(),
        )
    )
    shas = table.column("sha").to_pylist()
    parents = table.column("parents").to_pylist()
    info = [
        CommitInfo(author_key=a, authored_at_s=int(t), summary=s, is_merge=bool(m))
        for a, t, s, m in zip(
            table.column("author_key").to_pylist(),
            table.column("authored_s").to_pylist(),
            table.column("summary").to_pylist(),
            table.column("is_merge").to_pylist(),
            strict=True,
        )
    ]
    return ParentIndex.from_rows(repo, zip(shas, parents, strict=True), info)
