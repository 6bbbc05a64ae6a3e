"""The delivery answers the CLI and the web render (``tandem flow prs | dora``, the HOW panel)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from tandem.delivery.privacy import Floor
from tandem.flow.timing import Distribution


class Figure(BaseModel):
    """Durations in seconds: n, P50/P85/P95 and mean (all null when n = 0), and how many were
    left out, by reason. In a team answer: the people behind the figure's own items, no mean,
    and the measures null with ``withheld`` saying why below the minimum (:mod:`.privacy`)."""

    model_config = ConfigDict(frozen=True)

    n: int
    p50_seconds: float | None
    p85_seconds: float | None
    p95_seconds: float | None
    mean_seconds: float | None
    excluded: dict[str, int]
    people: int | None = None  # distinct people behind the figure's items; null without a team
    withheld: str | None = None  # why the measures are null (too few people), or null

    @classmethod
    def of(cls, values: Sequence[float], excluded: dict[str, int]) -> Figure:
        d = Distribution.of(values)
        return cls(
            n=d.n,
            p50_seconds=d.p50,
            p85_seconds=d.p85,
            p95_seconds=d.p95,
            mean_seconds=d.mean,
            excluded={k: v for k, v in sorted(excluded.items()) if v},
        )

    def checked(self, floor: Floor | None, what: str, authors: Iterable[str | None]) -> Figure:
        """The figure as a team answer gives it: the people behind ``authors`` (its items'),
        no mean, and no percentiles below the floor's minimum; as is without a team."""
        if floor is None:
            return self
        people, reason = floor.reason(what, authors)
        if reason is None:
            return self.model_copy(update={"people": people, "mean_seconds": None})
        return self.model_copy(
            update={
                "people": people,
                "mean_seconds": None,
                "p50_seconds": None,
                "p85_seconds": None,
                "p95_seconds": None,
                "withheld": reason,
            }
        )


class PrRow(BaseModel):
    """One pull request's stages (drill-down); a stage it lacks is null, and then its total."""

    model_config = ConfigDict(frozen=True)

    pull_request: str
    repo: str
    author_is_bot: bool
    created_at: dt.datetime | None
    first_commit_at: dt.datetime | None
    ready_at: dt.datetime | None
    first_review_at: dt.datetime | None
    merged_at: dt.datetime | None
    deployed_at: dt.datetime | None
    deployment: str | None
    deploy_confidence: str | None
    deploy_status: str | None  # deployed / unlinked / not_deployed_yet / first_deployment
    coding_seconds: float | None
    pickup_seconds: float | None
    review_seconds: float | None
    deploy_seconds: float | None
    total_seconds: float | None


class PrFlowReport(BaseModel):
    """Pull request flow: each stage's percentiles over the pull requests created in the window."""

    model_config = ConfigDict(frozen=True)

    people: int | None  # distinct people behind a team answer; null without a team
    # (each stage counts the people behind its own pull requests: Figure.people / withheld)
    start: dt.datetime
    end: dt.datetime
    include_bots: bool
    n: int  # pull requests created in the window (after the bot rule)
    excluded: dict[str, int]
    coding: Figure
    pickup: Figure
    review: Figure
    deploy: Figure
    total: Figure
    deploy_confidence: dict[str, int]
    rows: list[PrRow]


class ServiceFrequency(BaseModel):
    """Deployment frequency of one service's production environments."""

    model_config = ConfigDict(frozen=True)

    service: str
    deployments: int
    deployment_days: int | None  # null when withheld
    per_week: float | None
    people: int | None = None
    withheld: str | None = None


class DeploymentFrequency(BaseModel):
    """Days with at least one successful production deployment, per week of the window."""

    model_config = ConfigDict(frozen=True)

    per_week: float | None
    deployment_days: int | None  # null when withheld
    deployments: int
    weeks: float
    excluded: dict[str, int]
    by_service: list[ServiceFrequency]
    people: int | None = None  # behind the team's deployments: the authors of what they shipped
    withheld: str | None = None


class ChangeLeadTime(BaseModel):
    """First commit → first successful production deployment, per change."""

    model_config = ConfigDict(frozen=True)

    figure: Figure  # over the changes deployed in the window (its own people check)
    changes: int  # deployed in the window + unlinked merged in the window
    unlinked: int | None  # null when the unlinked share is withheld
    unlinked_share: float | None
    confidence: dict[str, int]  # empty when the unlinked share is withheld
    people: int | None = None  # behind the unlinked share (deployed + unlinked changes)
    withheld: str | None = None  # why the unlinked share is withheld


class ChangeFailureRate(BaseModel):
    """Production deployments with a linked incident ÷ production deployments."""

    model_config = ConfigDict(frozen=True)

    value: float | None
    failed_deployments: int | None  # null when withheld
    deployments: int
    incident_links: dict[str, int]  # empty when withheld
    excluded: dict[str, int]
    people: int | None = None  # behind the deployments: the authors of what they shipped
    withheld: str | None = None


class ChangeRow(BaseModel):
    """One change (drill-down): a pull request or a direct commit."""

    model_config = ConfigDict(frozen=True)

    change: str
    kind: str
    repo: str
    first_commit_at: dt.datetime | None
    merged_at: dt.datetime | None
    deployment: str | None
    deployed_at: dt.datetime | None
    service: str | None
    environment: str | None
    status: str
    confidence: str | None
    lead_seconds: float | None


class DoraReport(BaseModel):
    """The four keys over one window (production only, successful deployments only)."""

    model_config = ConfigDict(frozen=True)

    people: int | None
    start: dt.datetime
    end: dt.datetime
    production_pattern: str
    include_bots: bool
    deployment_frequency: DeploymentFrequency
    change_lead_time: ChangeLeadTime
    change_failure_rate: ChangeFailureRate
    time_to_restore: Figure
    changes: list[ChangeRow]
