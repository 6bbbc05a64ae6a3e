"""``tandem flow dfg | variants | bottlenecks | handoffs``: process mining on the lake."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tandem.cli.flow_options import FlowOptions, flow_command, open_flow
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.errors import InputError
from tandem.flow.bottlenecks import bottlenecks
from tandem.flow.dfg import performance_dfg
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.handoffs import handoffs
from tandem.flow.variants import variants
from tandem.people import service as people_service
from tandem.workspace import Workspace

LimitOption = Annotated[int, typer.Option("--limit", min=1, help="Show at most this many rows.")]


def _run(
    compute: Callable[[FlowEngine, Filters], dict[str, Any]],
    render: Callable[[Console, dict[str, Any]], None],
    *,
    workspace: Path,
    options: FlowOptions,
    as_json: bool,
) -> None:
    with open_flow(workspace, options) as run:
        data = compute(run.engine, run.filters)
    emit(data, as_json=as_json, render=lambda console: render(console, data))


def duration(seconds: float | None) -> str:
    """A wait for people: ``3d 4h``, ``2h 05m``, ``42s``; unknown is ``—``."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def _render_dfg(console: Console, data: dict[str, Any], limit: int) -> None:
    console.print(f"{data['cases']:,} cases, {data['events']:,} events")
    table = Table("from", "to", "count", "mean", "median", "P85", "total wait")
    for edge in data["edges"][:limit]:
        table.add_row(
            edge["source"],
            edge["target"],
            f"{edge['count']:,}",
            duration(edge["mean_seconds"]),
            duration(edge["median_seconds"]),
            duration(edge["p85_seconds"]),
            duration(edge["total_wait_seconds"]),
        )
    console.print(table)
    if len(data["edges"]) > limit:
        console.print(f"{len(data['edges']) - limit:,} more edges (use --limit or --json)")
    ends = Table("activity", "starts", "ends")
    for activity in sorted(
        data["start_activities"].keys() | data["end_activities"].keys(),
        key=lambda a: (-data["start_activities"].get(a, 0), -data["end_activities"].get(a, 0), a),
    ):
        ends.add_row(
            activity,
            f"{data['start_activities'].get(activity, 0):,}",
            f"{data['end_activities'].get(activity, 0):,}",
        )
    console.print(ends)


def _render_variants(console: Console, data: dict[str, Any]) -> None:
    console.print(
        f"{data['total_variants']:,} variants over {data['cases']:,} cases "
        f"(showing {data['shown_variants']:,})"
    )
    table = Table("#", "cases", "share", "median duration", "activities")
    for number, variant in enumerate(data["variants"], start=1):
        table.add_row(
            str(number),
            f"{variant['cases']:,}",
            f"{variant['share']:.1%}",
            duration(variant["median_duration_seconds"]),
            " → ".join(variant["activities"]),
        )
    console.print(table)


def _render_bottlenecks(console: Console, data: dict[str, Any]) -> None:
    console.print(
        f"{data['cases']:,} cases, {data['transitions']:,} transitions, "
        f"{data['candidates']:,} candidates"
    )
    table = Table("#", "kind", "name", "impact", "count", "median", "P85", "longest case")
    for number, item in enumerate(data["bottlenecks"], start=1):
        evidence = item["evidence"]
        top = evidence["top_cases"][0] if evidence["top_cases"] else None
        table.add_row(
            str(number),
            item["kind"],
            item["name"],
            duration(item["impact_seconds"]),
            f"{evidence['count']:,}",
            duration(evidence["median_seconds"]),
            duration(evidence["p85_seconds"]),
            f"{top['case_id']} ({duration(top['wait_seconds'])})" if top else "—",
        )
    console.print(table)


def _render_handoffs(console: Console, data: dict[str, Any], limit: int) -> None:
    console.print(
        f"{data['cases']:,} cases, {data['transitions']:,} transitions, "
        f"{data['handoff_count']:,} handoffs, "
        f"{data['excluded']['transitions_with_unknown_resource']:,} with an unknown {data['level']}"
    )
    table = Table("from", "to", "count", "cases", "median", "P85", "total wait")
    for handoff in data["handoffs"][:limit]:
        table.add_row(
            handoff["from_resource"],
            handoff["to_resource"],
            f"{handoff['count']:,}",
            f"{handoff['cases']:,}",
            duration(handoff["median_seconds"]),
            duration(handoff["p85_seconds"]),
            duration(handoff["total_wait_seconds"]),
        )
    console.print(table)
    pong = data["ping_pong"]
    console.print(f"ping-pong: {pong['occurrences']:,} times in {pong['cases']:,} cases")
    pairs = Table("resources", "occurrences", "cases")
    for pair in pong["pairs"][:limit]:
        pairs.add_row(
            " → ".join(pair["resources"]), f"{pair['occurrences']:,}", f"{pair['cases']:,}"
        )
    console.print(pairs)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``tandem flow``."""

    @app.command("dfg")
    @flow_command
    def dfg_command(
        limit: LimitOption = 30,
        workspace: WorkspaceOption = Path(),
        as_json: JsonOption = False,
        *,
        options: FlowOptions,
    ) -> None:
        """Performance directly-follows graph: edge counts and waits, start and end activities.

        --limit shortens the table only; --json always carries every edge.
        """
        _run(
            lambda flow, filters: performance_dfg(flow, filters).to_dict(),
            lambda console, data: _render_dfg(console, data, limit),
            workspace=workspace,
            options=options,
            as_json=as_json,
        )

    @app.command("variants")
    @flow_command
    def variants_command(
        limit: LimitOption = 20,
        workspace: WorkspaceOption = Path(),
        as_json: JsonOption = False,
        *,
        options: FlowOptions,
    ) -> None:
        """Process variants (distinct activity sequences): cases, share, median case duration."""
        _run(
            lambda flow, filters: variants(flow, filters, limit=limit).to_dict(),
            _render_variants,
            workspace=workspace,
            options=options,
            as_json=as_json,
        )

    @app.command("bottlenecks")
    @flow_command
    def bottlenecks_command(
        limit: LimitOption = 10,
        workspace: WorkspaceOption = Path(),
        as_json: JsonOption = False,
        *,
        options: FlowOptions,
    ) -> None:
        """Edges, activities and handoffs ranked by total wait impact, with their evidence."""
        _run(
            lambda flow, filters: bottlenecks(flow, filters, limit=limit).to_dict(),
            _render_bottlenecks,
            workspace=workspace,
            options=options,
            as_json=as_json,
        )

    @app.command("handoffs")
    @flow_command
    def handoffs_command(
        limit: LimitOption = 20,
        by: Annotated[
            str,
            typer.Option(
                "--by",
                help="resource, or team: each resource's team from the app database "
                "(resources outside every team count as unknown).",
            ),
        ] = "resource",
        workspace: WorkspaceOption = Path(),
        as_json: JsonOption = False,
        *,
        options: FlowOptions,
    ) -> None:
        """Handoffs between resources or teams (count, wait) and ping-pong (A → B → A).

        --limit shortens the tables only; --json always carries every pair.
        """
        if by not in ("resource", "team"):
            raise InputError(f"--by: {by!r} is not one of resource, team")
        teams = None
        if by == "team":
            with session_scope(Workspace.open(workspace).engine) as session:
                teams = people_service.resource_teams(session=session)
        _run(
            lambda flow, filters: handoffs(flow, filters, teams=teams).to_dict(),
            lambda console, data: _render_handoffs(console, data, limit),
            workspace=workspace,
            options=options,
            as_json=as_json,
        )
