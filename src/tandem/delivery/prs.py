"""Pull request flow (DESIGN §5): coding, pickup, review and deploy, per pull request.

- coding = created − first commit (0 when every commit came after the PR was opened);
- pickup = first review by someone other than the author − ready (ready = the first
  ``ready_for_review`` event, else created); bot reviews count only when bots are included;
  reviews before ready or after the merge do not count;
- review = merged − that first review;
- deploy = the first successful production deployment shipping the merge − merged
  (:mod:`.linkage`);
- total = deployed − the earlier of first commit and created (the PR's whole life, drafts
  included), null when any stage is.

The pull requests measured are those created in ``[start, end)``; a PR authored by a bot is
left out unless bots are included. Each stage's percentiles run over the PRs that have it,
and every PR without it is counted under the reason. In a team answer each stage counts the
people behind the PRs that have it and is withheld alone below the minimum (:mod:`.privacy`):
the deploy stage and the total often rest on the few PRs that reached production.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection

from tandem.delivery.linkage import Change, Linkage
from tandem.delivery.privacy import Floor
from tandem.delivery.records import DeliveryRecords, PullRequest, Review
from tandem.delivery.schemas import Figure, PrFlowReport, PrRow

STAGES = ("coding", "pickup", "review", "deploy")
# the drill-down times a stage is measured from (blanked with a withheld stage)
ROW_TIMES = {
    "coding": ("first_commit_at",),
    "pickup": ("first_review_at",),
    "review": ("first_review_at",),
    "deploy": ("deployed_at", "deployment"),
}


def first_review(pr: PullRequest, *, include_bots: bool) -> Review | None:
    """The first review that picks the PR up (module docstring)."""
    ready = pr.ready_at or pr.created_at
    for review in sorted(pr.reviews, key=lambda r: r.at):
        if review.reviewer is None or review.reviewer == pr.author:
            continue
        if review.reviewer_is_bot and not include_bots:
            continue
        if ready is not None and review.at < ready:
            continue
        if pr.merged_at is not None and review.at > pr.merged_at:
            continue
        return review
    return None


def _seconds(later: dt.datetime | None, earlier: dt.datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds()


def pr_row(pr: PullRequest, change: Change | None, *, include_bots: bool) -> PrRow:
    """One PR's stages (null where a stage's start or end is unknown)."""
    first_commit = (
        change.first_commit_at if change is not None else min(pr.commit_times, default=None)
    )
    ready = pr.ready_at or pr.created_at
    review = first_review(pr, include_bots=include_bots)
    reviewed = review.at if review is not None else None
    deployed = (
        change.deployment.deployed_at
        if change is not None and change.status == "deployed" and change.deployment is not None
        else None
    )
    coding = _seconds(pr.created_at, first_commit)
    stages = {
        "coding": max(coding, 0.0) if coding is not None else None,
        "pickup": _seconds(reviewed, ready),
        "review": _seconds(pr.merged_at, reviewed),
        "deploy": _seconds(deployed, pr.merged_at),
    }
    began = min(t for t in (first_commit, pr.created_at) if t is not None) if first_commit else None
    total = None if any(v is None for v in stages.values()) else _seconds(deployed, began)
    return PrRow(
        pull_request=pr.object_id,
        repo=pr.repo,
        author_is_bot=pr.author_is_bot,
        created_at=pr.created_at,
        first_commit_at=first_commit,
        ready_at=ready,
        first_review_at=reviewed,
        merged_at=pr.merged_at,
        deployed_at=deployed,
        deployment=change.deployment.object_id
        if change is not None and change.deployment is not None
        else None,
        deploy_confidence=change.confidence if change is not None else None,
        deploy_status=change.status if change is not None else None,
        coding_seconds=stages["coding"],
        pickup_seconds=stages["pickup"],
        review_seconds=stages["review"],
        deploy_seconds=stages["deploy"],
        total_seconds=total,
    )


def _missing_reason(stage: str, row: PrRow) -> str:
    """Why ``row`` has no ``stage``."""
    if stage == "coding":
        return "no_commits" if row.first_commit_at is None else "no_created_time"
    if stage == "pickup":
        return "no_review"
    if stage == "review":
        return "not_merged" if row.merged_at is None else "no_review"
    if row.merged_at is None:
        return "not_merged"
    return row.deploy_status or "not_deployed_yet"


def selected_prs(
    records: DeliveryRecords,
    *,
    start: dt.datetime,
    end: dt.datetime,
    include_bots: bool,
    authors: Collection[str] | None,
) -> tuple[list[PullRequest], dict[str, int]]:
    """The PRs created in the window (by ``authors`` when given), and those left out by bots."""
    chosen, bots = [], 0
    for pr in records.pull_requests:
        if pr.created_at is None or not start <= pr.created_at < end:
            continue
        if authors is not None and pr.author not in authors:
            continue
        if pr.author_is_bot and not include_bots:
            bots += 1
            continue
        chosen.append(pr)
    return chosen, {"bot_author": bots}


def pr_flow(
    *,
    records: DeliveryRecords,
    linkage: Linkage,
    start: dt.datetime,
    end: dt.datetime,
    include_bots: bool,
    authors: Collection[str] | None = None,
    people: int | None = None,
    floor: Floor | None = None,
) -> PrFlowReport:
    """Stage percentiles and per-PR rows over the PRs created in ``[start, end)``; with a
    ``floor`` (a team answer), each stage checked on the people behind its own PRs."""
    prs, excluded = selected_prs(
        records, start=start, end=end, include_bots=include_bots, authors=authors
    )
    changes = {c.key: c for c in linkage.changes if c.kind == "pull_request"}
    ordered = sorted(prs, key=lambda p: (p.created_at or start, p.object_id))
    rows = [pr_row(pr, changes.get(pr.object_id), include_bots=include_bots) for pr in ordered]
    figures = {}
    for stage in STAGES:
        values = [v for r in rows if (v := getattr(r, f"{stage}_seconds")) is not None]
        reasons = Counter(
            _missing_reason(stage, r) for r in rows if getattr(r, f"{stage}_seconds") is None
        )
        behind = (
            pr.author
            for pr, r in zip(ordered, rows, strict=True)
            if getattr(r, f"{stage}_seconds") is not None
        )
        figures[stage] = Figure.of(values, dict(reasons)).checked(
            floor, f"the {stage} stage", behind
        )
    total_reasons = Counter(
        f"no_{next(s for s in STAGES if getattr(r, f'{s}_seconds') is None)}"
        for r in rows
        if r.total_seconds is None
    )
    confidence = Counter(r.deploy_confidence for r in rows if r.deploy_seconds is not None)
    total = Figure.of(
        [r.total_seconds for r in rows if r.total_seconds is not None], dict(total_reasons)
    ).checked(
        floor,
        "the total",
        (pr.author for pr, r in zip(ordered, rows, strict=True) if r.total_seconds is not None),
    )
    hidden = [s for s in STAGES if figures[s].withheld] + (["total"] if total.withheld else [])
    if hidden:  # the drill-down cannot give back a withheld stage either
        blank: dict[str, None] = {}
        for stage in hidden:
            blank |= {f"{stage}_seconds": None} | dict.fromkeys(ROW_TIMES.get(stage, ()))
        rows = [r.model_copy(update=blank) for r in rows]
    return PrFlowReport(
        people=people,
        start=start,
        end=end,
        include_bots=include_bots,
        n=len(rows),
        excluded={k: v for k, v in excluded.items() if v},
        coding=figures["coding"],
        pickup=figures["pickup"],
        review=figures["review"],
        deploy=figures["deploy"],
        total=total,
        deploy_confidence={str(k): v for k, v in sorted(confidence.items(), key=str)},
        rows=rows,
    )
