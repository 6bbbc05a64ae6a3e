"""``tandem flow summary | time-in-state | wip | mapping``: flow metrics (registered by
:mod:`tandem.cli.flow`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tandem.cli import flow_mapping
from tandem.cli.flow_options import FlowOptions, flow_command, open_flow
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.flow import service as flow_service
from tandem.flow.mapping import mapping_report
from tandem.flow.states import rework, time_in_state

WorkingTimeOption = Annotated[
    bool,
    typer.Option(
        "--working-time",
        help="Durations in working time by [flow.calendar] (tandem.toml) instead of calendar time.",
    ),
]


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _excluded(excluded: dict[str, int]) -> str:
    return ", ".join(f"{reason}: {count}" for reason, count in excluded.items() if count) or "—"


def _render_summary(console: Console, data: dict[str, Any]) -> None:
    items = data["items"]
    console.print(
        f"[bold]{items['n']:,}[/] items: {items['done']:,} done, {items['open']:,} open "
        f"({items['in_progress']:,} in progress, {items['not_started']:,} not started), "
        f"{items['canceled']:,} canceled; {data['reopened_items']:,} reopened"
        + (" (working time)" if data["working_time"] else "")
        + ("" if data["people"] is None else f"; the work of {data['people']} people")
    )
    table = Table("metric", "n", "P50", "P85", "P95", "mean", "excluded")
    for label, key in (("lead time", "lead_time"), ("cycle time", "cycle_time")):
        m = data[key]
        table.add_row(
            label,
            str(m["n"]),
            *(_duration(m[f"{p}_seconds"]) for p in ("p50", "p85", "p95", "mean")),
            _excluded(m["excluded"]),
        )
    console.print(table)
    sle = Table("item type", "SLE (P85 cycle time)", "n")
    for row in data["sle"]:
        sle.add_row(
            row["item_type"] or "(none)", _duration(row["p85_cycle_seconds"]), str(row["n"])
        )
    console.print(sle)
    tp, wip, fe = data["throughput"], data["wip"], data["flow_efficiency"]
    other = Table("figure", "value", "n", "excluded")
    mean = tp["per_day_mean"]
    other.add_row(
        "throughput per day",
        escape(f"— ({tp['withheld']})")
        if tp["withheld"]
        else "—"
        if mean is None
        else f"{mean:.2f} over {tp['days']} days, {tp['start_date']} to {tp['end_date']} "
        f"({tp['zero_days']} zero)",
        "—" if tp["n"] is None else str(tp["n"]),
        _excluded(tp["excluded"]),
    )
    other.add_row(
        "WIP (last day / mean / max)",
        "—" if wip["last"] is None else f"{wip['last']} / {wip['mean']:.1f} / {wip['max']}",
        str(wip["n"]),
        _excluded(wip["excluded"]),
    )
    other.add_row(
        "flow efficiency",
        escape(fe["unknown"].split(":")[0])
        if fe["unknown"]
        else ("—" if fe["overall"] is None else f"{fe['overall']:.1%}"),
        str(fe["n"]),
        _excluded(fe["excluded"]),
    )
    console.print(other)
    for warning in data["warnings"]:
        console.print(escape(f"warning: {warning}"))


def register(app: typer.Typer) -> None:
    """Add ``summary``, ``time-in-state``, ``wip`` and ``mapping`` to ``tandem flow``."""

    @app.command("summary")
    @flow_command
    def summary(
        workspace: WorkspaceOption = Path(),
        working_time: WorkingTimeOption = False,
        items: Annotated[
            bool,
            typer.Option(
                "--items",
                help="Drill down: list every done item with its lead and cycle time (and its "
                "flow efficiency in --json).",
            ),
        ] = False,
        as_json: JsonOption = False,
        *,
        options: FlowOptions,
    ) -> None:
        """Lead and cycle time percentiles, SLE, throughput, WIP and flow efficiency."""
        with open_flow(workspace, options) as run:
            data = flow_service.flow_panel(
                engine=run.engine,
                filters=run.filters,
                mapping=run.mapping,
                calendar=run.calendar(working_time),
                include_items=items,
            ).summary

        def render(console: Console) -> None:
            _render_summary(console, data)
            if items:
                table = Table("item", "type", "done", "lead", "cycle", "reopened")
                for row in data["done_items"]:
                    table.add_row(
                        str(row["case_id"]),
                        row["item_type"] or "—",
                        row["done_at"][:16],
                        _duration(row["lead_seconds"]),
                        _duration(row["cycle_seconds"]),
                        "yes" if row["reopened"] else "",
                    )
                console.print(table)

        emit(data, as_json=as_json, render=render)

    @app.command("time-in-state")
    @flow_command
    def time_in_state_command(
        workspace: WorkspaceOption = Path(),
        working_time: WorkingTimeOption = False,
        as_json: JsonOption = False,
        *,
        options: FlowOptions,
    ) -> None:
        """Time spent per activity and per category (an open item's last state runs to now)."""
        with open_flow(workspace, options) as run:
            calendar = run.calendar(working_time)
            data = time_in_state(
                engine=run.engine, filters=run.filters, mapping=run.mapping, calendar=calendar
            ).to_dict()
            data["rework"] = rework(
                engine=run.engine, filters=run.filters, mapping=run.mapping
            ).to_dict()

        def render(console: Console) -> None:
            for title, key in (("category", "categories"), ("activity", "activities")):
                table = Table(
                    title, "category", "visits", "ongoing", "cases", "total", "P50", "P85", "P95"
                )
                for row in data[key]:
                    table.add_row(
                        row["state"],
                        row["category"],
                        str(row["visits"]),
                        str(row["ongoing"]),
                        str(row["cases"]),
                        _duration(row["total_seconds"]),
                        *(_duration(row[f"{p}_seconds"]) for p in ("p50", "p85", "p95")),
                    )
                console.print(table)
            console.print(f"now = {data['now']}; excluded: {_excluded(data['excluded'])}")
            loops = data["rework"]
            table = Table("rework: activity", "self-loops", "returns", "cases")
            for row in loops["activities"]:
                table.add_row(
                    row["activity"], str(row["self_loops"]), str(row["returns"]), str(row["cases"])
                )
            console.print(table)
            share = "—" if loops["share"] is None else f"{loops['share']:.1%}"
            console.print(
                f"{loops['items_with_rework']} of {loops['n']} items ({share}) have rework"
            )

        emit(data, as_json=as_json, render=render)

    @app.command("wip")
    @flow_command
    def wip(
        workspace: WorkspaceOption = Path(),
        working_time: WorkingTimeOption = False,
        as_json: JsonOption = False,
        *,
        options: FlowOptions,
    ) -> None:
        """WIP per day and aging WIP: open items by age, zoned by their stage's history."""
        with open_flow(workspace, options) as run:
            panel = flow_service.flow_panel(
                engine=run.engine,
                filters=run.filters,
                mapping=run.mapping,
                calendar=run.calendar(working_time),
            )
            data = {"wip": panel.wip, "aging": panel.aging}

        def render(console: Console) -> None:
            series = data["wip"]
            mean = "—" if series["mean"] is None else f"{series['mean']:.1f}"
            console.print(
                f"WIP over {series['days']} days: last {series['last']}, mean {mean}, "
                f"max {series['max']} (n={series['n']}; excluded: {_excluded(series['excluded'])})"
            )
            colours = {"<P50": "green", "P50-P85": "yellow", ">P85": "red"}
            table = Table(
                "item", "type", "age", "stage", "in stage", "stage P50", "stage P85", "zone"
            )
            for item in data["aging"]["items"]:
                zone = item["zone"]
                table.add_row(
                    item["case_id"],
                    item["item_type"] or "",
                    _duration(item["age_seconds"]),
                    item["stage"],
                    _duration(item["time_in_stage_seconds"]),
                    _duration(item["stage_p50_seconds"]),
                    _duration(item["stage_p85_seconds"]),
                    f"[{colours[zone]}]{zone}[/]" if zone else "no history",
                )
            console.print(table)

        emit(data, as_json=as_json, render=render)

    mapping_app = typer.Typer(
        help="The status mapping per source; `propose` suggests one from Jira and the names.",
    )

    @mapping_app.callback(invoke_without_command=True)
    @flow_command
    def mapping(
        ctx: typer.Context,
        workspace: WorkspaceOption = Path(),
        as_json: JsonOption = False,
        *,
        options: FlowOptions,
    ) -> None:
        """The status mapping per source: each activity's category and counts; defaults flagged."""
        if ctx.invoked_subcommand is not None:
            return
        with open_flow(workspace, options) as run:
            data = mapping_report(
                engine=run.engine, filters=run.filters, mapping=run.mapping
            ).to_dict()

        def render(console: Console) -> None:
            for name, rows in data["sources"].items():
                table = Table("activity", "category", "events", "cases", "", title=name)
                for row in rows:
                    table.add_row(
                        row["activity"],
                        row["category"],
                        str(row["events"]),
                        str(row["cases"]),
                        "default" if row["defaulted"] else "tandem.toml",
                    )
                console.print(table)
            # escape: rich would read "[flow.mapping.<source>]" as markup and drop it
            console.print(
                escape(
                    f"{len(data['defaulted'])} of {data['activities']} activities use a default "
                    "category; set them in [flow.mapping.<source>] of tandem.toml"
                )
            )
            for warning in data["warnings"]:
                console.print(escape(f"warning: {warning}"))

        emit(data, as_json=as_json, render=render)

    flow_mapping.register(mapping_app)
    app.add_typer(mapping_app, name="mapping")
