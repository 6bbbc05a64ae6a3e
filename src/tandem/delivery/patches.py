"""Patch ids (``git patch-id --stable``) of commits and of whole pull requests.

A rebase merge writes new commits with the same changes, and a squash merge one commit with the
changes of all of them: their patch ids equal those of the pull request's own commits (rebase)
or of the pull request's whole diff (squash). Git computes them when the repository is on disk
(the lake's ``commits.repo`` is its path); otherwise the linkage falls back to the authored
match. Git runs through :mod:`tandem.sources.git.repo` (no network, no prompts).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from tandem.errors import InputError
from tandem.sources.git.repo import Repository, git_env, open_repository

_LOG_PATCH = ("log", "--no-walk=unsorted", "--stdin", "-p", "--no-color", "--no-ext-diff")


def repository_at(path: str) -> Repository | None:
    """The repository at ``path`` when it is one on this machine, else None."""
    if not path or not Path(path).is_dir():
        return None
    try:
        return open_repository(Path(path))
    except InputError:
        return None


def present(repo: Repository, shas: Iterable[str]) -> set[str]:
    """The ``shas`` that are commits in the repository's object store."""
    wanted = sorted(set(shas))
    if not wanted:
        return set()
    done = subprocess.run(
        repo.argv("cat-file", "--batch-check=%(objectname) %(objecttype)"),
        input="\n".join(wanted).encode() + b"\n",
        capture_output=True,
        env=git_env(),
        check=False,
    )
    found = set()
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1] == "commit":
            found.add(parts[0])
    return found


def _patch_ids(repo: Repository, patch_text: bytes) -> list[tuple[str, str]]:
    """``(patch id, commit)`` pairs ``git patch-id --stable`` prints for ``patch_text``."""
    done = subprocess.run(
        repo.argv("patch-id", "--stable"),
        input=patch_text,
        capture_output=True,
        env=git_env(),
        check=False,
    )
    pairs = []
    for line in done.stdout.decode("ascii", "replace").splitlines():
        parts = line.split()
        if len(parts) == 2:
            pairs.append((parts[0], parts[1]))
    return pairs


def commit_patch_ids(repo: Repository, shas: Iterable[str]) -> dict[str, str]:
    """sha → patch id of each of ``shas`` present in the repository (merges and empty commits
    have none)."""
    available = sorted(present(repo, shas))
    if not available:
        return {}
    log = subprocess.run(
        repo.argv(*_LOG_PATCH),
        input="\n".join(available).encode() + b"\n",
        capture_output=True,
        env=git_env(),
        check=False,
    )
    if log.returncode != 0:
        return {}
    return {commit: patch for patch, commit in _patch_ids(repo, log.stdout)}


def range_patch_id(repo: Repository, shas: Iterable[str]) -> str | None:
    """The patch id of the whole change of a pull request's commits (what a squash merge
    writes): the diff from the first commit's parent to the last commit. None when the commits
    are not all present or do not form one line of history."""
    wanted = set(shas)
    if not wanted or present(repo, wanted) != wanted:
        return None
    listed = subprocess.run(
        repo.argv("log", "--no-walk=unsorted", "--stdin", "--format=%H %P"),
        input="\n".join(sorted(wanted)).encode() + b"\n",
        capture_output=True,
        env=git_env(),
        check=False,
    )
    parents: dict[str, list[str]] = {}
    for line in listed.stdout.decode("ascii", "replace").splitlines():
        sha, *rest = line.split()
        parents[sha] = rest
    roots = [sha for sha in wanted if not parents.get(sha) or parents[sha][0] not in wanted]
    tips = wanted - {p for plist in parents.values() for p in plist}
    if len(roots) != 1 or len(tips) != 1 or not parents.get(roots[0]):
        return None
    diff = subprocess.run(
        repo.argv("diff", "--no-color", "--no-ext-diff", parents[roots[0]][0], next(iter(tips))),
        capture_output=True,
        env=git_env(),
        check=False,
    )
    if diff.returncode != 0 or not diff.stdout:
        return None
    found = _patch_ids(repo, b"commit " + b"0" * 40 + b"\n" + diff.stdout)
    return found[0][0] if found else None
