"""The four keys (DESIGN §5) over a window ``[start, end)``, from one :class:`Linkage`.

- **deployment frequency** = distinct UTC days with at least one successful production
  deployment ÷ the window's weeks (days / 7); overall and per service;
- **change lead time** = first commit → first successful production deployment, per change
  deployed in the window (median, P85, P95); unlinked share = merged pull requests of the window
  no deployment shipped although a later one of their repository exists ÷ (those + the changes
  deployed in the window);
- **change failure rate** = production deployments of the window with a linked production
  incident ÷ production deployments of the window; null when the lake holds no incident at all
  (no incident source: failures unknown, not zero);
- **time to restore** = resolved − opened, per production incident opened in the window
  (an incident without environment counts as production).

``authors`` (a team's identity keys) narrows every key to the team's changes: the deployments
that shipped at least one of them, the incidents linked to those deployments. A team answer's
``floor`` (:mod:`.privacy`) then checks each key on the people behind its own items, and
withholds a key alone below the minimum: change lead time, deployment frequency and change
failure rate on the authors of the changes deployed in the window (what the team's deployments
shipped), each service's frequency on its own deployments' changes, the unlinked share on the
deployed and unlinked changes, time to restore on the changes the incidents' deployments shipped.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection

from tandem.delivery.linkage import Change, Linkage
from tandem.delivery.privacy import Floor
from tandem.delivery.records import Deployment
from tandem.delivery.schemas import (
    ChangeFailureRate,
    ChangeLeadTime,
    ChangeRow,
    DeploymentFrequency,
    DoraReport,
    Figure,
    ServiceFrequency,
)

WEEK_SECONDS = 7 * 86400


def _inside(instant: dt.datetime | None, start: dt.datetime, end: dt.datetime) -> bool:
    return instant is not None and start <= instant < end


def selected_changes(
    linkage: Linkage, *, include_bots: bool, authors: Collection[str] | None
) -> tuple[list[Change], int]:
    """The changes of ``authors`` (all without), and how many bot changes were left out."""
    kept, bots = [], 0
    for change in linkage.changes:
        if authors is not None and change.author not in authors:
            continue
        if change.author_is_bot and not include_bots:
            bots += 1
            continue
        kept.append(change)
    return kept, bots


def _frequency(
    deployments: list[Deployment], weeks: float, excluded: dict[str, int], *, known: bool
) -> DeploymentFrequency:
    """Deployment days per week; null when the lake holds no deployment at all (unknown, not
    a team that never deploys)."""

    def rate(days: int) -> float | None:
        return days / weeks if known and weeks > 0 else None

    def days(group: list[Deployment]) -> int:
        return len({d.deployed_at.date() for d in group if d.deployed_at is not None})

    by_service: dict[str, list[Deployment]] = defaultdict(list)
    for d in deployments:
        by_service[d.service].append(d)
    total_days = days(deployments)
    return DeploymentFrequency(
        per_week=rate(total_days),
        deployment_days=total_days,
        deployments=len(deployments),
        weeks=weeks,
        excluded={k: v for k, v in sorted(excluded.items()) if v},
        by_service=[
            ServiceFrequency(
                service=service,
                deployments=len(group),
                deployment_days=days(group),
                per_week=rate(days(group)),
            )
            for service, group in sorted(by_service.items())
        ],
    )


def _change_row(change: Change, *, hide_lead: bool = False) -> ChangeRow:
    """One change's drill-down row (without its lead time when the figure is withheld)."""
    d = change.deployment
    return ChangeRow(
        change=change.key,
        kind=change.kind,
        repo=change.repo,
        first_commit_at=None if hide_lead else change.first_commit_at,
        merged_at=change.merged_at,
        deployment=d.object_id if d else None,
        deployed_at=d.deployed_at if d else None,
        service=d.service if d else None,
        environment=d.environment if d else None,
        status=change.status,
        confidence=change.confidence,
        lead_seconds=None if hide_lead else change.lead_seconds,
    )


def dora(
    *,
    linkage: Linkage,
    start: dt.datetime,
    end: dt.datetime,
    production_pattern: str,
    include_bots: bool,
    authors: Collection[str] | None = None,
    people: int | None = None,
    floor: Floor | None = None,
) -> DoraReport:
    """The four keys of ``[start, end)`` (module docstring)."""
    changes, bot_changes = selected_changes(linkage, include_bots=include_bots, authors=authors)
    deployed = [
        c
        for c in changes
        if c.status == "deployed" and c.deployment and _inside(c.deployment.deployed_at, start, end)
    ]
    unlinked = [c for c in changes if c.status == "unlinked" and _inside(c.merged_at, start, end)]
    waiting = [
        c for c in changes if c.status == "not_deployed_yet" and _inside(c.merged_at, start, end)
    ]
    baseline = [
        c
        for c in changes
        if c.status == "first_deployment"
        and _inside(c.deployment.deployed_at if c.deployment else c.merged_at, start, end)
    ]
    leads = [c.lead_seconds for c in deployed]
    lead_figure = Figure.of(
        [v for v in leads if v is not None],
        {
            "no_first_commit": sum(1 for v in leads if v is None),
            "unlinked": len(unlinked),
            "not_deployed_yet": len(waiting),
            "first_deployment": len(baseline),
            "bot_author": bot_changes,
        },
    ).checked(
        floor, "the change lead time", (c.author for c in deployed if c.lead_seconds is not None)
    )
    measured = len(deployed) + len(unlinked)
    confidence = Counter(str(c.confidence) for c in deployed)
    if unlinked:
        confidence["unlinked"] = len(unlinked)

    in_window = [d for d in linkage.production if _inside(d.deployed_at, start, end)]
    if authors is not None:
        team_deployments = {  # the deployments that shipped a measured change of the team
            c.deployment.object_id
            for c in changes
            if c.status == "deployed" and c.deployment is not None
        }
        in_window = [d for d in in_window if d.object_id in team_deployments]
    chosen = {d.object_id for d in in_window}
    frequency = _frequency(
        in_window,
        (end - start).total_seconds() / WEEK_SECONDS,
        {}
        if authors is not None
        else {
            "failed": sum(1 for d in linkage.failed if _inside(d.created_at, start, end)),
            "not_production": sum(
                1 for d in linkage.non_production if _inside(d.deployed_at, start, end)
            ),
        },
        known=bool(linkage.production or linkage.failed or linkage.non_production),
    )

    incidents = [
        link
        for link in linkage.incidents
        if link.production and _inside(link.incident.opened_at, start, end)
    ]
    if authors is not None:
        incidents = [
            link for link in incidents if any(d.object_id in chosen for d in link.deployments)
        ]
    hit = {  # an incident opened after the window still marks a deployment inside it
        d.object_id
        for link in linkage.incidents
        if link.production
        for d in link.deployments
        if d.object_id in chosen
    }
    # No incident record at all: failures are unknown, not absent (null, never 0).
    no_incident_data = not linkage.incidents
    cfr = ChangeFailureRate(
        value=len(hit) / len(chosen) if chosen and not no_incident_data else None,
        failed_deployments=len(hit),
        deployments=len(chosen),
        incident_links=dict(
            sorted(Counter(link.confidence or "none" for link in incidents).items())
        ),
        excluded={
            k: v
            for k, v in {
                "non_production_incidents": sum(
                    1
                    for link in linkage.incidents
                    if not link.production and _inside(link.incident.opened_at, start, end)
                )
                if authors is None
                else 0,
                "no_incident_data": len(chosen) if no_incident_data else 0,
            }.items()
            if v
        },
    )
    restore_links = [
        link
        for link in incidents
        if link.incident.resolved_at is not None and link.incident.opened_at is not None
    ]
    restore = [
        (link.incident.resolved_at - link.incident.opened_at).total_seconds()
        for link in restore_links
        if link.incident.resolved_at is not None and link.incident.opened_at is not None
    ]
    restored = {d.object_id for link in restore_links for d in link.deployments}
    ttr = Figure.of(
        restore,
        {"unresolved": sum(1 for link in incidents if link.incident.resolved_at is None)},
    ).checked(
        floor,
        "the time to restore",
        (c.author for c in deployed if c.deployment and c.deployment.object_id in restored),
    )
    lead = ChangeLeadTime(
        figure=lead_figure,
        changes=measured,
        unlinked=len(unlinked),
        unlinked_share=len(unlinked) / measured if measured else None,
        confidence=dict(sorted(confidence.items())),
    )
    if floor is not None:
        frequency, cfr, lead = _checked(floor, frequency, cfr, lead, deployed, unlinked)
    return DoraReport(
        people=people,
        start=start,
        end=end,
        production_pattern=production_pattern,
        include_bots=include_bots,
        deployment_frequency=frequency,
        change_lead_time=lead,
        change_failure_rate=cfr,
        time_to_restore=ttr,
        changes=[
            _change_row(c, hide_lead=bool(lead_figure.withheld))
            for c in sorted(
                deployed + unlinked + waiting + baseline,
                key=lambda c: (c.first_commit_at or start, c.key),
            )
        ],
    )


def _checked(
    floor: Floor,
    frequency: DeploymentFrequency,
    cfr: ChangeFailureRate,
    lead: ChangeLeadTime,
    deployed: list[Change],
    unlinked: list[Change],
) -> tuple[DeploymentFrequency, ChangeFailureRate, ChangeLeadTime]:
    """The keys of a team answer, each checked on the people behind its own items (module
    docstring); a withheld key keeps its n (deployments, changes) and loses its measures."""
    behind = [c.author for c in deployed]
    found, reason = floor.reason("the deployment frequency", behind)
    services: dict[str, list[str | None]] = defaultdict(list)
    for c in deployed:
        if c.deployment is not None:
            services[c.deployment.service].append(c.author)
    rows = []
    for row in frequency.by_service:
        n, why = floor.reason(f"the deployment frequency of {row.service}", services[row.service])
        blank = _blank(why, deployment_days=None, per_week=None)
        rows.append(row.model_copy(update={"people": n, **blank}))
    blank = _blank(reason, deployment_days=None, per_week=None)
    frequency = frequency.model_copy(update={"people": found, "by_service": rows, **blank})

    found, reason = floor.reason("the change failure rate", behind)
    blank = _blank(reason, value=None, failed_deployments=None, incident_links={})
    cfr = cfr.model_copy(update={"people": found, **blank})

    found, reason = floor.reason("the unlinked share", [c.author for c in deployed + unlinked])
    blank = _blank(reason, unlinked=None, unlinked_share=None, confidence={})
    return frequency, cfr, lead.model_copy(update={"people": found, **blank})


def _blank(reason: str | None, **measures: object) -> dict[str, object]:
    """The fields a withheld key loses (with its reason); nothing when it is shown."""
    return {**measures, "withheld": reason} if reason is not None else {}
