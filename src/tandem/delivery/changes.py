"""Merge-based change flow from git alone: first commit → merge → release, lead time, deploys.

For each repository, the **main line** is the first-parent history of the ingested ref (the
lake state ``git:<repo>:<ref>`` holds its head). Walking it oldest first, each main-line commit
*introduces* the commits reachable from it that no earlier main-line commit reaches; for a merge
those are exactly the commits reachable from its second parent but not from its first: its
**branch**. One change per main-line merge with a non-empty branch:

* first commit = the earliest *authored* commit of the branch; merged = the merge's commit date;
* coding = merged − first commit;
* release wait = the first release tag (``@release:git:…``) containing the merge − merged
  (null while no tag contains it);
* lead time = the first production deployment from git (``@deployment:git:…``, by the
  ``[git.deployments]`` rule) containing the merge − first commit (null before one).

A squash or rebase repository has no merge commits on its main line: then every main-line commit
is one change, its own first commit (first = authored, merged = committed). With merges present,
main-line commits that are not merges (direct pushes) are not changes.

A tag *contains* the main-line commits it reaches: a tag on the main line all those up to it; a
tag off the main line (a release branch) those up to the newest main-line commit it reaches.
Tags on commits the lake does not hold are skipped. **Deployment frequency** is distinct UTC
days with a production deployment per week of the window (without a window: from the first to
the last deployment day).

The lake gives the commit graph (sha, parents, dates, author, bot flag) as Arrow columns with
one query per repository; the walk over it is one pass in Python (a graph walk is not a
set operation), and only the per-change durations are kept for the percentiles.

Privacy (DESIGN §7): only aggregates leave this module; a team selection (its members'
identities) keeps the changes a member authored a commit of, and is withheld
(:class:`~tandem.flow.service.TooFewPeopleError`) below ``min_people`` distinct people behind it.
Each stage then counts the people behind its own changes (release wait: the released ones; lead
time: the deployed ones) and is withheld alone below the minimum; a team answer has no mean and
needs a window of at least a week (:mod:`.privacy`).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from tandem.delivery.privacy import Floor, bounds, checked_measure, require_window
from tandem.errors import InputError
from tandem.flow.engine import Filters
from tandem.flow.service import MIN_PEOPLE, TooFewPeopleError
from tandem.flow.timing import Distribution
from tandem.lake import Lake

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class GitSelection:
    """Which git work a delivery answer reads.

    ``repos`` empty = every repository in the lake; ``people`` = identity keys whose changes are
    selected (a team's members), None = everyone; ``team_people`` maps them to persons (to count
    the people behind an answer); ``start``/``end`` select changes merged (and deployments,
    rework) in ``[start, end)``; ``include_bots=False`` drops commits by bot identities.
    """

    repos: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    people: tuple[str, ...] | None = None
    team_people: dict[str, str] = field(default_factory=dict)
    include_bots: bool = True
    ref: str | None = None

    @classmethod
    def from_filters(cls, filters: Filters, *, repo: str | None = None) -> GitSelection:
        """The git selection of the flow filters (``git:<repo>`` sources name repositories; a
        source filter naming no repository selects none)."""
        repos: tuple[str, ...] = (repo,) if repo else ()
        if filters.sources and not repo:
            repos = tuple(s.removeprefix("git:") for s in filters.sources if s.startswith("git:"))
            repos = repos or ("",)  # no git source among them: nothing
        return cls(
            repos=repos,
            start=filters.start,
            end=filters.end,
            people=filters.people,
            team_people=dict(filters.team_people),
            include_bots=filters.include_bots,
        )

    def inside(self, instant: dt.datetime) -> bool:
        """Whether ``instant`` lies in ``[start, end)``."""
        return (self.start is None or instant >= self.start) and (
            self.end is None or instant < self.end
        )

    def floor(self, min_people: int = MIN_PEOPLE) -> Floor | None:
        """The per-figure people check of a team selection (None without a team)."""
        if self.people is None:
            return None
        return Floor.of(
            teams=(), team_people=self.team_people, members=self.people, min_people=min_people
        )

    def require_window(self, instants: Iterable[dt.datetime], min_people: int) -> None:
        """Refuse a team selection whose window (open ends: to the first or last of
        ``instants``, every change of the repositories) is shorter than a week."""
        start, end = bounds(self.start, self.end, instants)
        require_window(start, end, floor=self.floor(min_people))

    def persons(self, keys: Iterable[str]) -> set[str]:
        """The distinct people behind identity ``keys`` (of the selected ones, for a team)."""
        chosen = set(keys) if self.people is None else set(keys) & set(self.people)
        return {self.team_people.get(key, key) for key in chosen}


def require(selection: GitSelection, people: int, what: str, min_people: int) -> int | None:
    """``people`` behind a team answer, or :class:`TooFewPeopleError` below ``min_people``;
    None (nothing to check) without a team."""
    if selection.people is None:
        return None
    if people < min_people:
        raise TooFewPeopleError(
            f"withheld: {what} of this selection comes from fewer than {min_people} people; "
            f"team figures are shown from {min_people} people on, so that they never describe "
            "one person (widen the window)"
        )
    return people


@dataclass
class Graph:
    """One repository's commits as the lake holds them."""

    parents: dict[str, list[str]]
    authored: dict[str, dt.datetime]
    committed: dict[str, dt.datetime]
    author: dict[str, str]
    bot: dict[str, bool]


def repositories(lake: Lake) -> list[str]:
    """The repositories with commits in the lake, sorted."""
    con = lake.connect(tables=("commits",))
    try:
        return [
            r[0] for r in con.execute("SELECT DISTINCT repo FROM commits ORDER BY 1").fetchall()
        ]
    finally:
        con.close()


def selected_repos(lake: Lake, selection: GitSelection) -> list[str]:
    """The repositories ``selection`` names (a full lake name or a unique folder name), or all;
    an unknown name is an input error (the empty name, of a non-git source filter, selects none).
    """
    known = repositories(lake)
    if not selection.repos:
        return known
    chosen = []
    for name in selection.repos:
        if not name:
            continue
        found = [r for r in known if r == name] or [
            r for r in known if r.rstrip("/").rsplit("/", 1)[-1] == name
        ]
        if len(found) != 1:
            reason = "is ambiguous" if found else "has no commits in the lake"
            raise InputError(f"repository {name!r} {reason}", field="repo")
        chosen.append(found[0])
    return sorted(set(chosen))


def load_graph(lake: Lake, repo: str) -> Graph:
    """The commit graph of ``repo`` (author bot flags from ``identities``)."""
    con = lake.connect(tables=("commits", "identities"))
    try:
        table: pa.Table = con.sql(
            "SELECT c.sha, c.parents, c.authored_at, c.committed_at, c.author_key, "
            "coalesce(i.is_bot, false) AS bot FROM commits c "
            "LEFT JOIN identities i ON i.identity_key = c.author_key WHERE c.repo = $repo",
            params={"repo": repo},
        ).to_arrow_table()
    finally:
        con.close()
    sha = table.column("sha").to_pylist()
    return Graph(
        parents=dict(zip(sha, table.column("parents").to_pylist(), strict=True)),
        authored=dict(zip(sha, table.column("authored_at").to_pylist(), strict=True)),
        committed=dict(zip(sha, table.column("committed_at").to_pylist(), strict=True)),
        author=dict(zip(sha, table.column("author_key").to_pylist(), strict=True)),
        bot=dict(zip(sha, table.column("bot").to_pylist(), strict=True)),
    )


def mainline_head(lake: Lake, repo: str, ref: str | None = None) -> tuple[str, str]:
    """``(ref, head)`` of the ingested ref of ``repo``: ``ref`` if given, else ``HEAD`` when it
    was ingested, else the first ingested ref by name."""
    prefix = f"git:{repo}:"
    heads = {
        key.removeprefix(prefix): value["head"]
        for key, value in lake.manifest().state.items()
        if key.startswith(prefix) and isinstance(value, dict) and isinstance(value.get("head"), str)
    }
    if ref is not None:
        if ref not in heads:
            known = ", ".join(sorted(heads)) or "none"
            raise InputError(f"ref {ref!r} of {repo} was not ingested (ingested: {known})")
        return ref, heads[ref]
    if not heads:
        raise InputError(f"{repo}: no ingested ref (run tandem ingest git)")
    chosen = "HEAD" if "HEAD" in heads else sorted(heads)[0]
    return chosen, heads[chosen]


def first_parent_line(graph: Graph, head: str) -> list[str]:
    """The first-parent history of ``head``, oldest first (stops where the lake's history does)."""
    line: list[str] = []
    sha: str | None = head
    while sha is not None and sha in graph.parents:
        line.append(sha)
        parents = graph.parents[sha]
        sha = parents[0] if parents else None
    line.reverse()
    return line


def introductions(graph: Graph, line: list[str]) -> dict[str, int]:
    """For every commit reachable from the main line: the index of the first main-line commit
    that reaches it (one walk; each commit visited once)."""
    owner: dict[str, int] = {}
    for index, tip in enumerate(line):
        stack = [tip]
        while stack:
            sha = stack.pop()
            if sha in owner or sha not in graph.parents:
                continue
            owner[sha] = index
            stack.extend(p for p in graph.parents[sha] if p not in owner)
    return owner


def containment(graph: Graph, position: dict[str, int], sha: str) -> int | None:
    """The newest main-line index a commit reaches (itself when on the main line); None when
    the lake does not hold it or it reaches no main-line commit."""
    if sha in position:
        return position[sha]
    if sha not in graph.parents:
        return None
    best: int | None = None
    seen = {sha}
    stack = [sha]
    while stack:
        current = stack.pop()
        for parent in graph.parents.get(current, []):
            if parent in seen:
                continue
            seen.add(parent)
            if parent in position:
                best = max(best if best is not None else -1, position[parent])
            elif parent in graph.parents:
                stack.append(parent)
    return best


@dataclass(frozen=True)
class Change:
    """One change: its merge (or the commit itself), when work began and when it shipped."""

    repo: str
    sha: str
    commits: int
    authors: frozenset[str]
    first_at: dt.datetime
    merged_at: dt.datetime
    released_at: dt.datetime | None
    deployed_at: dt.datetime | None


class FirstContaining:
    """The earliest moment among (main-line index, time) pairs whose index is ≥ a given one."""

    def __init__(self, pairs: list[tuple[int, dt.datetime]]) -> None:
        pairs = sorted(pairs, key=lambda p: p[0])
        self.indexes = [p[0] for p in pairs]
        self.earliest: list[dt.datetime] = []
        best: dt.datetime | None = None
        for _, at in reversed(pairs):
            best = at if best is None or at < best else best
            self.earliest.append(best)
        self.earliest.reverse()

    def at(self, index: int) -> dt.datetime | None:
        found = bisect.bisect_left(self.indexes, index)
        return self.earliest[found] if found < len(self.earliest) else None


def shipped(
    lake: Lake, repo: str
) -> tuple[list[tuple[str, dt.datetime]], list[tuple[str, dt.datetime]]]:
    """``(releases, deployments)`` of ``repo`` from git: (commit sha, time) pairs; deployments
    are successful production ones, their commit named by the ``deploys`` relation."""
    con = lake.connect(tables=("objects", "events", "relations"))
    try:
        releases = con.execute(
            "SELECT json_extract_string(o.attributes, '$.sha'), e.timestamp FROM objects o "
            "JOIN events e ON e.object_id = o.object_id AND e.activity = 'released' "
            "WHERE o.source = ? AND o.object_type = 'release' AND starts_with(o.object_id, '@')",
            [f"git:{repo}"],
        ).fetchall()
        deployments = con.execute(
            "SELECT substr(r.to_object, 9), e.timestamp FROM objects o "
            "JOIN events e ON e.object_id = o.object_id AND e.activity = 'deployed' "
            "JOIN relations r ON r.from_object = o.object_id AND r.kind = 'deploys' "
            "WHERE o.source = ? AND o.object_type = 'deployment' "
            "AND starts_with(o.object_id, '@') AND starts_with(r.to_object, '@commit:') "
            "AND json_extract_string(o.attributes, '$.environment') = 'production' "
            "AND coalesce(json_extract_string(o.attributes, '$.status'), 'success') = 'success'",
            [f"git:{repo}"],
        ).fetchall()
    finally:
        con.close()
    return [(s, t) for s, t in releases if s], [(s, t) for s, t in deployments]


@dataclass(frozen=True)
class RepoChanges:
    """The changes of one repository and the deployments of it the selection counts."""

    repo: str
    ref: str
    mode: str  # "merges" or "commits" (squash/rebase fallback)
    changes: list[Change]
    deployments: list[dt.datetime]


def repo_changes(lake: Lake, repo: str, selection: GitSelection) -> RepoChanges:
    """Every change of ``repo`` with its stage times (unfiltered by window or people)."""
    ref, head = mainline_head(lake, repo, selection.ref)
    graph = load_graph(lake, repo)
    line = first_parent_line(graph, head)
    position = {sha: i for i, sha in enumerate(line)}
    merges = [i for i, sha in enumerate(line) if len(graph.parents[sha]) > 1]
    releases, deployments = shipped(lake, repo)

    def first_containing(pairs: list[tuple[str, dt.datetime]]) -> FirstContaining:
        found = [(containment(graph, position, sha), at) for sha, at in pairs]
        return FirstContaining([(i, at) for i, at in found if i is not None])

    release_at, deploy_at = first_containing(releases), first_containing(deployments)

    def keep(sha: str) -> bool:
        return selection.include_bots or not graph.bot[sha]

    groups: dict[int, list[str]] = {}
    if merges:
        for sha, index in introductions(graph, line).items():
            if sha != line[index]:
                groups.setdefault(index, []).append(sha)
        candidates = {i: groups.get(i, []) for i in merges}
    else:
        candidates = {i: [sha] for i, sha in enumerate(line)}
    changes = []
    for index, members in sorted(candidates.items()):
        kept = [sha for sha in members if keep(sha)]
        if not kept:
            continue
        tip = line[index]
        changes.append(
            Change(
                repo=repo,
                sha=tip,
                commits=len(kept),
                authors=frozenset(graph.author[sha] for sha in kept),
                first_at=min(graph.authored[sha] for sha in kept),
                merged_at=graph.committed[tip],
                released_at=release_at.at(index),
                deployed_at=deploy_at.at(index),
            )
        )
    mode = "merges" if merges else "commits"
    return RepoChanges(repo, ref, mode, changes, sorted(at for _, at in deployments))


def _seconds(later: dt.datetime | None, earlier: dt.datetime) -> float | None:
    return (later - earlier).total_seconds() if later is not None else None


def deployment_frequency(times: list[dt.datetime], selection: GitSelection) -> dict[str, Any]:
    """Distinct deployment days per week of the window, with a row per ISO week."""
    chosen = [t for t in times if selection.inside(t)]
    days = sorted({t.date() for t in chosen})
    first = selection.start.date() if selection.start else (days[0] if days else None)
    last = (selection.end - DAY).date() if selection.end else (days[-1] if days else None)
    if first is None or last is None or last < first:
        return {"deployments": len(chosen), "days": 0, "window_days": 0, "per_week": None,
                "weekly": [], "start_date": None, "end_date": None}  # fmt: skip
    span = (last - first).days + 1
    weekly: dict[str, int] = {}
    day = first
    while day <= last:  # every week of the window, zero weeks included
        iso = day.isocalendar()
        weekly.setdefault(f"{iso.year}-W{iso.week:02d}", 0)
        day += DAY
    for day in days:
        iso = day.isocalendar()
        weekly[f"{iso.year}-W{iso.week:02d}"] += 1
    return {
        "deployments": len(chosen),
        "days": len(days),
        "window_days": span,
        "per_week": len(days) / (span / 7),
        "weekly": [{"week": week, "days": n} for week, n in weekly.items()],
        "start_date": first.isoformat(),
        "end_date": last.isoformat(),
    }


def change_flow(
    *, lake: Lake, selection: GitSelection, min_people: int = MIN_PEOPLE
) -> dict[str, Any]:
    """Change flow from git: coding, release wait and lead time P50/P85/P95 with n over the
    changes merged in the window, and deployment frequency (see the module docstring)."""
    repos = selected_repos(lake, selection)
    per_repo = [repo_changes(lake, repo, selection) for repo in repos]
    selection.require_window((c.merged_at for r in per_repo for c in r.changes), min_people)
    floor = selection.floor(min_people)
    changes = [
        c
        for r in per_repo
        for c in r.changes
        if selection.inside(c.merged_at)
        and (selection.people is None or c.authors & set(selection.people))
    ]
    people = selection.persons(a for c in changes for a in c.authors)
    behind = require(selection, len(people), "the change flow", min_people)
    touched = {c.repo for c in changes} if selection.people is not None else set(repos)
    deploys = sorted(t for r in per_repo if r.repo in touched for t in r.deployments)
    return {
        "repos": [{"repo": r.repo, "ref": r.ref, "mode": r.mode} for r in per_repo],
        "people": behind,
        "changes": len(changes),
        "coding": checked_measure(
            Distribution.of(
                [(c.merged_at - c.first_at).total_seconds() for c in changes]
            ).to_dict(),
            floor,
            "the coding time",
            (a for c in changes for a in c.authors),
        ),
        "release_wait": checked_measure(
            _distribution(_seconds(c.released_at, c.merged_at) for c in changes),
            floor,
            "the release wait",
            (a for c in changes if c.released_at is not None for a in c.authors),
        ),
        "lead_time": checked_measure(
            _distribution(_seconds(c.deployed_at, c.first_at) for c in changes),
            floor,
            "the lead time",
            (a for c in changes if c.deployed_at is not None for a in c.authors),
        ),
        "not_released": sum(1 for c in changes if c.released_at is None),
        "not_deployed": sum(1 for c in changes if c.deployed_at is None),
        "deployment_frequency": deployment_frequency(deploys, selection),
        "start_date": selection.start.date().isoformat() if selection.start else None,
        "end_date": (selection.end - DAY).date().isoformat() if selection.end else None,
    }


def _distribution(values: Iterable[float | None]) -> dict[str, Any]:
    return Distribution.of([v for v in values if v is not None]).to_dict()
