"""A repository's manifest versions along its first-parent history, read from the lake and git.

The lake knows which commits touched which paths (``commit_files``) and each commit's parents
(``commits``); the repository on disk (``commits.repo`` is its path, as the git source recorded
it) holds the contents. For each repository:

1. the **head** is the one the git source last ingested (lake state ``git:<repo>:<ref>``,
   ``HEAD`` preferred), else the newest commit; the **first-parent chain** is followed back
   from it through ``commits.parents``;
2. walking the chain oldest first, each chain commit *brings in* itself and, for a merge, the
   side-branch commits not reached before; a chain commit is a **candidate** for a manifest
   path when one of the commits it brings in touched the path (as ``path`` or ``old_path``:
   merges have no ``commit_files`` rows of their own, their side branch has);
3. the path's content at every candidate is read by **one** ``git cat-file --batch`` process
   for the repository, requests written from a thread while the answers are parsed.

Consecutive versions of a path differ only at candidates, so diffing them gives every change.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from tandem.lake import Lake
from tandem.sources.git.repo import Repository, git_env
from tandem.why.change.manifests import ecosystem_of

_MANIFEST_PATTERN = (
    r"(^|/)(pyproject\.toml|package\.json|go\.mod|Cargo\.toml|requirements[^/]*\.txt)$"
)


@dataclass
class Chain:
    """A repository's first-parent chain (oldest first) and its manifest candidates."""

    repo: str
    head: str | None
    commits: list[str] = field(default_factory=list)
    committed: dict[str, dt.datetime] = field(default_factory=dict)
    #: manifest path → the chain commits (oldest first) where its content may have changed
    candidates: dict[str, list[str]] = field(default_factory=dict)


def lake_repositories(lake: Lake) -> list[str]:
    """Every repository path in the lake's ``commits``, sorted."""
    con = lake.connect(tables=("commits",))
    try:
        rows = con.execute("SELECT DISTINCT repo FROM commits ORDER BY repo").fetchall()
    finally:
        con.close()
    return [str(row[0]) for row in rows]


def ingested_head(lake: Lake, repo: str) -> str | None:
    """The head the git source last ingested for ``repo`` (``HEAD`` preferred), or None."""
    prefix = f"git:{repo}:"
    heads = {
        key[len(prefix) :]: value.get("head")
        for key, value in lake.manifest().state.items()
        if key.startswith(prefix) and isinstance(value, dict)
    }
    head = heads.get("HEAD") or next((h for _, h in sorted(heads.items()) if h), None)
    return head if isinstance(head, str) else None


def first_parent_chain(lake: Lake, repo: str) -> Chain:
    """The repository's chain and, per manifest path, its candidate commits (see above)."""
    con = lake.connect(tables=("commits", "commit_files"))
    try:
        commits = con.execute(
            "SELECT sha, parents, committed_at FROM commits WHERE repo = ? "
            "ORDER BY committed_at, sha",
            [repo],
        ).fetchall()
        touched = con.execute(
            "SELECT sha, path, old_path FROM commit_files WHERE repo = ? AND "
            "(regexp_matches(path, ?) OR regexp_matches(coalesce(old_path, ''), ?))",
            [repo, _MANIFEST_PATTERN, _MANIFEST_PATTERN],
        ).fetchall()
    finally:
        con.close()
    parents: dict[str, list[str]] = {}
    committed: dict[str, dt.datetime] = {}
    for sha, its_parents, at in commits:
        parents[sha] = list(its_parents)
        committed[sha] = at
    paths_of: dict[str, set[str]] = {}
    for sha, path, old_path in touched:
        for one in (path, old_path):
            if one and ecosystem_of(one) is not None:
                paths_of.setdefault(sha, set()).add(one)

    head = ingested_head(lake, repo)
    if head not in parents:
        head = commits[-1][0] if commits else None
    chain = Chain(repo=repo, head=head)
    sha = head
    while sha is not None and sha in parents:
        chain.commits.append(sha)
        first = parents[sha]
        sha = first[0] if first else None
    chain.commits.reverse()
    chain.committed = {c: committed[c] for c in chain.commits}

    reached: set[str] = set()
    for commit in chain.commits:
        brought: set[str] = set()
        stack = [commit]
        while stack:
            one = stack.pop()
            if one in reached or one not in parents:
                continue
            reached.add(one)
            stack.extend(parents[one])
            brought.update(paths_of.get(one, ()))
        for path in sorted(brought):
            chain.candidates.setdefault(path, []).append(commit)
    return chain


@dataclass(frozen=True)
class Blob:
    """What ``<sha>:<path>`` holds: its content, or that the path is absent, or a problem."""

    content: bytes | None  # None: no such path at the commit (deleted or not yet there)
    problem: str | None = None


def read_versions(repo: Repository, requests: list[tuple[str, str]]) -> list[Blob]:
    """The content of each ``(sha, path)`` request, in order, from one ``git cat-file --batch``."""
    if not requests:
        return []
    names = [f"{sha}:{path}" for sha, path in requests]
    if any("\n" in name for name in names):  # cat-file reads one name a line
        raise ValueError("a manifest path holds a newline")
    stdin = ("\n".join(names) + "\n").encode("utf-8", "surrogateescape")
    proc = subprocess.Popen(
        repo.argv("cat-file", "--batch"),
        cwd=repo.path,
        env=git_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    feeder = threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True)
    feeder.start()
    try:
        blobs = list(_answers(proc.stdout, names))
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        feeder.join()
    return blobs


def _answers(out: IO[bytes], names: list[str]) -> Iterator[Blob]:
    for name in names:
        header = out.readline()
        if not header:
            yield Blob(content=None, problem="git cat-file ended early")
            continue
        words = header.rstrip(b"\n").split(b" ")
        if words[-1] in (b"missing", b"ambiguous"):
            asked = b" ".join(words[:-1]).decode("utf-8", "surrogateescape")
            if asked == name and words[-1] == b"missing":
                yield Blob(content=None)  # no such path at that commit
            else:  # the name resolved but the object is not here (e.g. a partial clone)
                yield Blob(content=None, problem="the content is not in the local repository")
            continue
        size = int(words[2])
        body = out.read(size)
        out.read(1)  # the newline after the content
        if words[1] != b"blob":
            yield Blob(content=None, problem=f"the path is a {words[1].decode()}, not a file")
        else:
            yield Blob(content=body)


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        with pipe:
            pipe.write(data)
    except BrokenPipeError:
        pass
