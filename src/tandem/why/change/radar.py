"""The change radar: dependencies added and removed over time in the lake's repositories.

For each repository (:mod:`.history` finds its first-parent chain and the commits where a
manifest may have changed, and reads those versions with one ``git cat-file --batch``), each
manifest version is reduced to its set of dependency names (:mod:`.manifests`) and consecutive
versions of the same path are diffed into events. A version that fails to parse is reported
(repository, path, sha, reason) and skipped: the next good version is diffed against the last
good one. The radar reads repositories, not people: nothing in it names who made a change.

Scans are cached per (lake, generation, repository): git objects never change, and a new
ingest makes a new generation.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from tandem.errors import InputError, NotFoundError
from tandem.lake import Lake
from tandem.sources.git.repo import open_repository
from tandem.why.change.history import first_parent_chain, lake_repositories, read_versions
from tandem.why.change.manifests import ManifestError, dependencies, ecosystem_of
from tandem.why.change.rings import RING_RULE, radar_tables
from tandem.why.change.schemas import (
    DependencyEvent,
    ManifestProblem,
    RadarAnswer,
    UnavailableRepo,
)

LATEST = 20
_CACHE_SIZE = 32


@dataclass(frozen=True)
class RepoScan:
    """One repository's events (first-parent order), problems and chain facts."""

    repo: str
    events: tuple[DependencyEvent, ...]
    problems: tuple[ManifestProblem, ...]
    manifests: int
    versions_read: int
    last_day: dt.date | None


class RepositoryGoneError(NotFoundError):
    """A repository the lake holds is no longer on disk (or no longer a repository)."""


_cache: OrderedDict[tuple[str, int, str], RepoScan] = OrderedDict()
_cache_lock = threading.Lock()


def scan_repository(lake: Lake, repo: str) -> RepoScan:
    """The dependency events of ``repo``; :class:`RepositoryGoneError` names a repository that
    is no longer on disk."""
    key = (str(lake.root), lake.generation(), repo)
    with _cache_lock:
        if key in _cache and Path(repo).is_dir():  # a repository moved away is said so at once
            _cache.move_to_end(key)
            return _cache[key]
    scan = _scan(lake, repo)
    with _cache_lock:
        _cache[key] = scan
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return scan


def _scan(lake: Lake, repo: str) -> RepoScan:
    try:
        repository = open_repository(Path(repo))
    except InputError as error:
        raise RepositoryGoneError(
            f"the repository {repo} is no longer on disk ({error.message}): move it back or "
            "ingest it again from where it is now"
        ) from None
    chain = first_parent_chain(lake, repo)
    requests = [(sha, path) for path, shas in sorted(chain.candidates.items()) for sha in shas]
    blobs = read_versions(repository, requests)
    versions = dict(zip(requests, blobs, strict=True))
    events: list[tuple[int, DependencyEvent]] = []
    problems: list[ManifestProblem] = []
    position = {sha: n for n, sha in enumerate(chain.commits)}
    for path, shas in sorted(chain.candidates.items()):
        ecosystem = ecosystem_of(path)
        assert ecosystem is not None  # history keeps manifest paths only
        previous: frozenset[str] = frozenset()
        for sha in shas:
            blob = versions[(sha, path)]
            if blob.problem is not None:
                problems.append(ManifestProblem(repo=repo, path=path, sha=sha, reason=blob.problem))
                continue
            try:
                names = frozenset() if blob.content is None else dependencies(path, blob.content)
            except ManifestError as error:
                problems.append(ManifestProblem(repo=repo, path=path, sha=sha, reason=str(error)))
                continue
            day = chain.committed[sha].astimezone(dt.UTC).date()
            for change, which in (("added", names - previous), ("removed", previous - names)):
                for name in sorted(which):
                    event = DependencyEvent(
                        day=day,
                        repo=repo,
                        manifest=path,
                        ecosystem=ecosystem,
                        dependency=name,
                        change=change,
                        sha=sha,
                    )
                    events.append((position[sha], event))
            previous = names
    events.sort(key=lambda pair: pair[0])  # stable: first-parent order, then path, then name
    last = chain.committed[chain.commits[-1]].astimezone(dt.UTC).date() if chain.commits else None
    return RepoScan(
        repo=repo,
        events=tuple(event for _, event in events),
        problems=tuple(problems),
        manifests=len(chain.candidates),
        versions_read=len(requests),
        last_day=last,
    )


def change_radar(
    *, lake: Lake, repo: str | None = None, since: dt.date | None = None
) -> RadarAnswer:
    """The radar of every repository in the lake (or of ``repo``, a path as ingested).

    ``since`` narrows the quarter counts, the events and the latest changes; rings and the
    current set always come from the whole history (a ring needs it).
    """
    known = lake_repositories(lake)
    if repo is not None:
        wanted = _match(repo, known)
        scans = [scan_repository(lake, wanted)]  # a single repository gone is an error
        unavailable: list[UnavailableRepo] = []
    else:
        scans = []
        unavailable = []
        for one in known:
            try:
                scans.append(scan_repository(lake, one))
            except RepositoryGoneError as error:
                unavailable.append(UnavailableRepo(repo=one, reason=error.message))
    days = [scan.last_day for scan in scans if scan.last_day is not None]
    as_of = max(days) if days else None
    ordered = sorted(
        (event for scan in scans for event in scan.events), key=lambda e: (e.day, e.repo)
    )  # stable: each repository keeps its first-parent order within a day
    quarters, rings, current = radar_tables(ordered, as_of or dt.date.min, since)
    shown = [e for e in ordered if since is None or e.day >= since]
    return RadarAnswer(
        as_of=as_of,
        since=since,
        ring_rule=RING_RULE,
        repos=[scan.repo for scan in scans],
        unavailable=unavailable,
        manifests=sum(scan.manifests for scan in scans),
        versions_read=sum(scan.versions_read for scan in scans),
        quarters=quarters,
        current=current,
        latest=list(reversed(shown[-LATEST:])),
        events=shown,
        rings=rings,
        problems=[problem for scan in scans for problem in scan.problems],
    )


def _match(repo: str, known: list[str]) -> str:
    if repo in known:
        return repo
    try:
        resolved = str(Path(repo).expanduser().resolve())
    except (ValueError, OSError):  # a NUL byte or a name too long: no path, no repository
        resolved = ""
    if resolved and resolved in known:
        return resolved
    listed = ", ".join(known) or "none"
    raise InputError(
        f"{repo} is not a repository in the lake (ingest it with `tandem ingest git`; "
        f"in the lake: {listed})",
        field="repo",
    )
