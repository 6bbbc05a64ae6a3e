"""Warm the caches when the server starts, so that the first visitor does not wait for them.

On a large lake the first answer of a team's flow takes seconds (on 1 M events, aging WIP alone
takes about ten: :func:`tandem.flow.wip.aging_wip` reads the history of every stage), and the
first profile the first computation of the cycle's scores. ``tandem serve`` calls
:func:`warm_caches` in a background thread: for every team's default HOW scope, then for all work
data, it asks what the home and HOW pages ask first (through the same caches, with the same
keys, so a request asking meanwhile waits for the computation in progress instead of starting
its own), then every team's goals page (each key result's value and weekly history: a flow
measure per point, the slowest why page), then the latest cycle's scores. An error is noted
and the warm-up goes on: the page will meet it again and show it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI

from tandem.db.session import session_scope
from tandem.errors import NotFoundError, TandemError
from tandem.flow.engine import Filters
from tandem.people import service as people_service
from tandem.profile import service as profile_service
from tandem.web import home
from tandem.web.how import scope as how_scope
from tandem.web.how import sections as how_sections
from tandem.web.review_cache import review_cache
from tandem.web.why import goals as why_goals
from tandem.why.goals import service as goals_service
from tandem.workspace import Workspace


@dataclass
class WarmReport:
    """What the warm-up computed, how long it took, and what failed (scope → message)."""

    scopes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    cycle: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "scopes": self.scopes,
            "skipped": self.skipped,
            "errors": self.errors,
            "cycle": self.cycle,
            "seconds": self.seconds,
        }


def _team_ids(workspace: Workspace) -> list[int]:
    with session_scope(workspace.engine) as session:
        return [t.id for t in people_service.list_teams(session=session)]


def _scopes(workspace: Workspace) -> list[how_scope.HowScope]:
    """Every team's default scope (as its people open /how), then all work data."""
    with session_scope(workspace.engine) as session:
        team_ids = [t.id for t in people_service.list_teams(session=session)]
        scopes = [how_scope.team_scope(session, i, Filters(), can_see_all=False) for i in team_ids]
    scopes.append(how_scope.HowScope(None, None, Filters(), 0, 0, None, True))
    return scopes


def _warm_flow(app: FastAPI, workspace: Workspace, scope: how_scope.HowScope) -> None:
    ctx = how_sections.FlowContext.open(app, workspace, scope.filters)
    home.attention_items(ctx)  # bottlenecks and aging WIP: the slowest, and the home page's
    how_sections.summary(ctx)
    how_sections.process_map(ctx)
    how_sections.forecast(ctx, how_scope.DEFAULT_ITEMS)
    how_sections.from_git(ctx)
    how_sections.pull_requests(ctx)  # the Delivery section (an outcome: a withheld one too)
    how_sections.dora(ctx)


def _warm_goals(app: FastAPI, workspace: Workspace, team_id: int) -> None:
    """The team's goals page: every key result's value and weekly history, into the flow cache
    under the keys the page asks (the slowest why page: one flow measure per point)."""
    with session_scope(workspace.engine) as session:
        goals_service.team_goals(
            session=session, workspace=workspace, team=team_id,
            cached=why_goals.measure_cache(app, workspace),
        )  # fmt: skip


def warm_caches(app: FastAPI) -> WarmReport:
    """Compute the first answers of every team's home and HOW pages, and the cycle's scores."""
    started = time.perf_counter()
    workspace: Workspace = app.state.workspace
    report = WarmReport()
    try:
        scopes = _scopes(workspace)
        team_ids = _team_ids(workspace)
    except TandemError as exc:
        report.errors["teams"] = exc.message
        scopes, team_ids = [], []
    for scope in scopes:
        if scope.blocked:
            report.skipped.append(scope.label)
            continue
        try:
            _warm_flow(app, workspace, scope)
            report.scopes.append(scope.label)
        except TandemError as exc:
            report.errors[scope.label] = exc.message
    for team_id in team_ids:
        try:
            _warm_goals(app, workspace, team_id)
        except TandemError as exc:
            report.errors[f"goals of team {team_id}"] = exc.message
    try:
        how_sections.data_options(app, workspace)
    except TandemError as exc:
        report.errors["filter options"] = exc.message
    try:
        with session_scope(workspace.engine) as session:
            cycle = profile_service.resolve_cycle(session=session, name=None)
            review_cache(app).cycle_scores(session, cycle)
            report.cycle = cycle.name
    except NotFoundError:
        pass  # no review cycle yet: nothing to warm
    except TandemError as exc:
        report.errors["review cycle"] = exc.message
    report.seconds = round(time.perf_counter() - started, 1)
    return report
