"""Which changes each production deployment shipped, and which deployment each incident hit.

The rules (``docs/metrics.md``, "Linkage"):

1. Production deployments are the successful deployments whose environment matches the
   production pattern; each (service, environment) is one chain, in order of success time.
2. The commits a deployment ships are ``git rev-list prev..this`` over the lake's ``commits``
   (:mod:`.ancestry`), ``prev`` being the previous deployment of its chain. The first deployment
   of a chain is the **baseline**: what it ships was deployed before the lake knew, so its
   changes are not measured (status ``first_deployment``). A deployment whose sha (or whose
   previous deployment's sha) is not in the commits table ships the pull requests of its
   repository merged between the two deployments (confidence ``time_window``).
3. A commit belongs to a pull request by its ``merged_as`` or ``contains`` relation (confidence
   ``ancestry``); otherwise by patch id when the repository is on disk (``patch_id``: a rebased
   commit has its original's, a squash commit the pull request's whole diff's); otherwise by
   (authored time to the second, summary, and the author's email when both sides know it)
   against the pull request's commits (``authored_match``). A non-merge commit of no pull
   request is a change of its own (a direct push, ``ancestry``).
4. A pull request is deployed by the first production deployment shipping its ``merged_as``
   commit when the lake knows that commit; else by the first deployment any of its commits
   matched (best confidence at that deployment). A merged pull request no deployment shipped
   is ``unlinked`` when a later production deployment of its repository exists, and
   ``not_deployed_yet`` otherwise (``first_deployment`` when merged before the first one).
5. An incident is linked to the deployments its ``caused_by`` relations name (confidence
   ``relation``), else to the last successful production deployment of its service at or
   before it opened (confidence ``time``); none when it names no service.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from tandem.delivery.ancestry import Chain, ParentIndex, load_index, repositories_of
from tandem.delivery.patches import commit_patch_ids, range_patch_id, repository_at
from tandem.delivery.records import (
    DeliveryRecords,
    Deployment,
    Incident,
    PullRequest,
)
from tandem.flow.engine import FlowEngine
from tandem.settings import DeliverySettings

Confidence = Literal["ancestry", "patch_id", "authored_match", "time_window"]
CONFIDENCES: tuple[Confidence, ...] = ("ancestry", "patch_id", "authored_match", "time_window")
ChangeStatus = Literal["deployed", "first_deployment", "unlinked", "not_deployed_yet"]
Route = Literal["first", "ancestry", "time_window"]
DEFAULT_PRODUCTION: str = DeliverySettings().production
IndexOf = Callable[[str], ParentIndex]


@dataclass(frozen=True)
class Shipped:
    """What one production deployment ships, and how it was found."""

    deployment: Deployment
    previous: Deployment | None
    route: Route
    order: int  # position among all production deployments (time order)
    commits: tuple[str, ...] = ()


@dataclass(frozen=True)
class Change:
    """One change: a merged pull request or a direct commit, with its first production
    deployment (null unless ``status`` is deployed or first_deployment)."""

    key: str  # the pull request's object id, or "@commit:<sha>"
    kind: Literal["pull_request", "commit"]
    repo: str
    author: str | None
    author_is_bot: bool
    first_commit_at: dt.datetime | None
    merged_at: dt.datetime | None
    deployment: Deployment | None
    confidence: Confidence | None
    status: ChangeStatus

    @property
    def lead_seconds(self) -> float | None:
        """First commit → first production deployment; null when either is unknown."""
        if self.status != "deployed" or self.deployment is None:
            return None
        if self.first_commit_at is None or self.deployment.deployed_at is None:
            return None
        return (self.deployment.deployed_at - self.first_commit_at).total_seconds()


@dataclass(frozen=True)
class IncidentLink:
    """An incident and the production deployment it is blamed on (null when none)."""

    incident: Incident
    deployments: tuple[Deployment, ...]
    confidence: Literal["relation", "time"] | None
    production: bool


@dataclass
class Linkage:
    """Every production deployment with what it ships, every change, every incident's link."""

    production: list[Deployment]
    shipped: dict[str, Shipped]
    changes: list[Change]
    incidents: list[IncidentLink]
    non_production: list[Deployment]  # successful deployments to other environments
    failed: list[Deployment]  # production deployments that did not succeed

    def changes_of(self, deployment_id: str) -> list[Change]:
        """The measured changes a deployment shipped first."""
        return [
            c
            for c in self.changes
            if c.deployment is not None and c.deployment.object_id == deployment_id
        ]


def production_pattern(pattern: str) -> re.Pattern[str]:
    """The production environment pattern, case-insensitive."""
    return re.compile(pattern, re.IGNORECASE)


def link(*, engine: FlowEngine, records: DeliveryRecords, production: re.Pattern[str]) -> Linkage:
    """Link deployments to changes and incidents to deployments (module docstring)."""
    is_production = [d for d in records.deployments if production.search(d.environment) is not None]
    prod = sorted(
        (d for d in is_production if d.succeeded),
        key=lambda d: (d.deployed_at, d.object_id),
    )
    non_production = [
        d for d in records.deployments if d.succeeded and production.search(d.environment) is None
    ]
    failed = [d for d in is_production if not d.succeeded]
    merged = [pr for pr in records.pull_requests if pr.merged_at is not None]
    pr_shas = {s for pr in merged for s in (*pr.contains, pr.merged_as) if s}
    repo_of = repositories_of(engine, {d.sha for d in prod if d.sha} | pr_shas)
    indexes: dict[str, ParentIndex] = {}

    def index_of(repo: str) -> ParentIndex:
        if repo not in indexes:
            indexes[repo] = load_index(engine, repo)
        return indexes[repo]

    shipped = _ship(prod, repo_of, index_of)
    first_ship: dict[str, Shipped] = {}
    for ship in sorted(shipped.values(), key=lambda s: s.order):
        for sha in ship.commits:
            first_ship.setdefault(sha, ship)

    by_merged_as: dict[str, list[PullRequest]] = defaultdict(list)
    by_contains: dict[str, list[PullRequest]] = defaultdict(list)
    for pr in merged:
        if pr.merged_as:
            by_merged_as[pr.merged_as].append(pr)
        for sha in pr.contains:
            by_contains[sha].append(pr)
    hits: dict[str, list[tuple[int, int, Shipped]]] = defaultdict(list)  # pr → (order, rank, …)
    merge_hit: dict[str, Shipped] = {}
    unmapped: dict[str, list[str]] = defaultdict(list)  # repo → shipped shas of no PR
    for sha, ship in first_ship.items():
        for pr in by_merged_as.get(sha, []):
            merge_hit[pr.object_id] = ship
        for pr in by_contains.get(sha, []):
            hits[pr.object_id].append((ship.order, 0, ship))
        if sha not in by_merged_as and sha not in by_contains:
            unmapped[repo_of.get(sha) or repo_of.get(ship.deployment.sha or "", "")].append(sha)
    unlinked = {pr.object_id for pr in merged} - set(merge_hit) - set(hits)
    matched = _patch_matches(unmapped, merged, unlinked, first_ship, hits)
    matched |= _authored_matches(unmapped, merged, matched, index_of, first_ship, hits)
    _time_window_matches(shipped, merged, repo_of, hits)

    deployed_by_repo = _deployment_times(prod, repo_of)
    changes = [
        _pr_change(pr, merge_hit, hits, deployed_by_repo, repo_of, index_of) for pr in merged
    ]
    changes += _direct_commits(unmapped, matched, first_ship, index_of, records.bots)
    incidents = _incident_links(records.incidents, prod, production)
    return Linkage(prod, shipped, changes, incidents, non_production, failed)


def _ship(
    prod: list[Deployment],
    repo_of: dict[str, str],
    index_of: IndexOf,
) -> dict[str, Shipped]:
    """Each production deployment's shipped commits, chain by chain (module docstring, 2)."""
    previous: dict[tuple[str, str], Deployment] = {}
    chains: dict[tuple[str, str], Chain] = {}
    shipped: dict[str, Shipped] = {}
    for order, d in enumerate(prod):
        key = (d.service, d.environment.lower())  # Production = production
        prev = previous.get(key)
        previous[key] = d
        repo = repo_of.get(d.sha or "")
        if repo is None:
            route: Route = "first" if prev is None else "time_window"
            shipped[d.object_id] = Shipped(d, prev, route, order)
            chains.pop(key, None)
            continue
        chain = chains.get(key)
        index: ParentIndex = index_of(repo)
        if prev is not None and repo_of.get(prev.sha or "") != repo:
            shipped[d.object_id] = Shipped(d, prev, "time_window", order)
            chain = chains[key] = Chain(index)
            chain.advance(d.sha or "")
            continue
        if chain is None or chain.index.repo != repo:
            chain = chains[key] = Chain(index)
            if prev is not None:
                chain.advance(prev.sha or "")
        commits = tuple(chain.advance(d.sha or ""))
        shipped[d.object_id] = Shipped(
            d, prev, "first" if prev is None else "ancestry", order, commits
        )
    return shipped


def _patch_matches(
    unmapped: dict[str, list[str]],
    merged: list[PullRequest],
    unlinked: set[str],
    first_ship: dict[str, Shipped],
    hits: dict[str, list[tuple[int, int, Shipped]]],
) -> set[str]:
    """Shipped commits of no PR matched by patch id (repositories on disk only: git computes
    the ids): each PR commit's id (a rebase's earlier commits, also of a PR linked by its last
    one), and the whole diff's id of the PRs nothing linked yet (``unlinked``: a squash whose
    commit the source did not name; three git calls a PR, so only for those)."""
    matched: set[str] = set()
    for repo_path, shas in unmapped.items():
        repo = repository_at(repo_path)
        if repo is None:
            continue
        shipped_ids = commit_patch_ids(repo, shas)
        if not shipped_ids:
            continue
        candidates = [pr for pr in merged if pr.contains - first_ship.keys()]
        own_ids = commit_patch_ids(
            repo, {s for pr in candidates for s in pr.contains if s not in first_ship}
        )
        by_patch: dict[str, set[str]] = defaultdict(set)
        for pr in candidates:
            for sha in pr.contains:
                if sha in own_ids:
                    by_patch[own_ids[sha]].add(pr.object_id)
            squash = pr.object_id in unlinked and len(pr.contains) > 1
            whole = range_patch_id(repo, pr.contains) if squash else None
            if whole is not None:
                by_patch[whole].add(pr.object_id)
        for sha, patch in shipped_ids.items():
            for pr_id in by_patch.get(patch, ()):
                ship = first_ship[sha]
                hits[pr_id].append((ship.order, 1, ship))
                matched.add(sha)
    return matched


def _authored_matches(
    unmapped: dict[str, list[str]],
    merged: list[PullRequest],
    already: set[str],
    index_of: IndexOf,
    first_ship: dict[str, Shipped],
    hits: dict[str, list[tuple[int, int, Shipped]]],
) -> set[str]:
    """Shipped commits of no PR matched by (authored second, summary[, author email])."""
    keyed: dict[tuple[int, str], list[tuple[str, str | None]]] = defaultdict(list)
    for pr in merged:
        for sha, at, summary, email in pr.commit_summaries:
            if sha not in first_ship:
                keyed[(int(at.timestamp()), summary.strip())].append((pr.object_id, email))
    matched: set[str] = set()
    if not keyed:
        return matched
    for repo, shas in unmapped.items():
        if not repo:
            continue
        index: ParentIndex = index_of(repo)
        for sha in shas:
            if sha in already or sha not in index:
                continue
            info = index.info[index.position[sha]]
            for pr_id, email in keyed.get((info.authored_at_s, info.summary.strip()), []):
                known = email is not None and info.author_key.startswith("email:")
                if known and email != info.author_key.lower():
                    continue
                ship = first_ship[sha]
                hits[pr_id].append((ship.order, 2, ship))
                matched.add(sha)
    return matched


def _repos_of_pr(pr: PullRequest, repo_of: dict[str, str]) -> set[str]:
    return {pr.repo} | {repo_of[s] for s in (*pr.contains, pr.merged_as) if s and s in repo_of}


def _deployment_times(
    prod: list[Deployment], repo_of: dict[str, str]
) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Each repository's first and last production deployment time."""
    span: dict[str, tuple[dt.datetime, dt.datetime]] = {}
    for d in prod:
        assert d.deployed_at is not None
        for repo in {d.repo} | ({repo_of[d.sha]} if d.sha in repo_of else set()):
            first, last = span.get(repo, (d.deployed_at, d.deployed_at))
            span[repo] = (min(first, d.deployed_at), max(last, d.deployed_at))
    return span


def _time_window_matches(
    shipped: dict[str, Shipped],
    merged: list[PullRequest],
    repo_of: dict[str, str],
    hits: dict[str, list[tuple[int, int, Shipped]]],
) -> None:
    """PRs of the repository merged between the previous deployment and this one."""
    for ship in shipped.values():
        if ship.route != "time_window" or ship.previous is None:
            continue
        start, end = ship.previous.deployed_at, ship.deployment.deployed_at
        assert start is not None and end is not None
        repos = {ship.deployment.repo} | (
            {repo_of[ship.deployment.sha]} if ship.deployment.sha in repo_of else set()
        )
        for pr in merged:
            assert pr.merged_at is not None
            if start < pr.merged_at <= end and _repos_of_pr(pr, repo_of) & repos:
                hits[pr.object_id].append((ship.order, 3, ship))


def _first_commit_at(
    pr: PullRequest, repo_of: dict[str, str], index_of: IndexOf
) -> dt.datetime | None:
    times = list(pr.commit_times)
    for sha in pr.contains:
        repo = repo_of.get(sha)
        if repo is not None:
            index: ParentIndex = index_of(repo)
            seconds = index.info[index.position[sha]].authored_at_s
            times.append(dt.datetime.fromtimestamp(seconds, dt.UTC))
    return min(times, default=None)


def _pr_change(
    pr: PullRequest,
    merge_hit: dict[str, Shipped],
    hits: dict[str, list[tuple[int, int, Shipped]]],
    deployed_by_repo: dict[str, tuple[dt.datetime, dt.datetime]],
    repo_of: dict[str, str],
    index_of: IndexOf,
) -> Change:
    """A merged PR as a change: its first production deployment and the confidence of it."""
    assert pr.merged_at is not None
    ship: Shipped | None = merge_hit.get(pr.object_id)
    confidence: Confidence | None = "ancestry" if ship is not None else None
    if ship is None and hits.get(pr.object_id):
        _, rank, ship = min(hits[pr.object_id], key=lambda h: (h[0], h[1]))
        confidence = CONFIDENCES[rank]
    status: ChangeStatus
    if ship is not None:
        status = "first_deployment" if ship.route == "first" else "deployed"
    else:
        spans = [deployed_by_repo[r] for r in _repos_of_pr(pr, repo_of) if r in deployed_by_repo]
        if not any(last >= pr.merged_at for _, last in spans):
            status = "not_deployed_yet"
        elif all(pr.merged_at <= first for first, _ in spans):
            status = "first_deployment"  # merged before the first deployment of its repo
        else:
            status = "unlinked"
    return Change(
        key=pr.object_id,
        kind="pull_request",
        repo=pr.repo,
        author=pr.author,
        author_is_bot=pr.author_is_bot,
        first_commit_at=_first_commit_at(pr, repo_of, index_of),
        merged_at=pr.merged_at,
        deployment=ship.deployment if ship is not None else None,
        confidence=confidence if ship is not None else None,
        status=status,
    )


def _direct_commits(
    unmapped: dict[str, list[str]],
    matched: set[str],
    first_ship: dict[str, Shipped],
    index_of: IndexOf,
    bots: frozenset[str],
) -> list[Change]:
    """Shipped non-merge commits of no pull request: each a change of its own."""
    changes = []
    for repo, shas in unmapped.items():
        if not repo:
            continue
        index: ParentIndex = index_of(repo)
        for sha in sorted(shas):
            if sha in matched or sha not in index:
                continue
            info = index.info[index.position[sha]]
            if info.is_merge:
                continue
            ship = first_ship[sha]
            authored = dt.datetime.fromtimestamp(info.authored_at_s, dt.UTC)
            changes.append(
                Change(
                    key=f"@commit:{sha}",
                    kind="commit",
                    repo=repo,
                    author=info.author_key,
                    author_is_bot=info.author_key in bots,
                    first_commit_at=authored,
                    merged_at=None,
                    deployment=ship.deployment,
                    confidence="ancestry",
                    status="first_deployment" if ship.route == "first" else "deployed",
                )
            )
    return changes


def _incident_links(
    incidents: list[Incident], prod: list[Deployment], production: re.Pattern[str]
) -> list[IncidentLink]:
    """Each incident's production deployments (module docstring, 5)."""
    by_id = {d.object_id: d for d in prod}
    links = []
    for incident in incidents:
        is_production = (
            incident.environment is None or production.search(incident.environment) is not None
        )
        named = tuple(by_id[d] for d in incident.caused_by if d in by_id)
        if named:
            links.append(IncidentLink(incident, named, "relation", is_production))
            continue
        before = [
            d
            for d in prod
            if incident.service is not None
            and d.service == incident.service
            and incident.opened_at is not None
            and d.deployed_at is not None
            and d.deployed_at <= incident.opened_at
        ]
        if before:
            links.append(IncidentLink(incident, (before[-1],), "time", is_production))
        else:
            links.append(IncidentLink(incident, (), None, is_production))
    return links
