"""``tandem flow forecast``: Monte Carlo forecasts from the lake's daily throughput."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tandem.cli.flow_options import FlowOptions, flow_command, open_flow
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.errors import InputError
from tandem.flow import forecast
from tandem.flow import service as flow_service


def parse_day(value: str, option: str) -> dt.date:
    """An ISO date (a time part is ignored)."""
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise InputError(f"{option}: {value!r} is not an ISO date") from None


def _render(console: Console, data: dict[str, Any]) -> None:
    history = data["history"]
    if data["question"] == "when":
        title = f"When will {data['items']:,} items be done? (from {data['start_date']})"
        table = Table("percentile", "done by", "days", title=title)
        for name, entry in data["percentiles"].items():
            table.add_row(
                name.upper(),
                entry["date"] or "not within the horizon",
                "—" if entry["days"] is None else f"{entry['days']:,}",
            )
    else:
        title = f"How many items by {data['by_date']}? (from {data['start_date']})"
        table = Table("confidence", "at least", title=title)
        for name, entry in data["percentiles"].items():
            table.add_row(name.upper(), f"{entry['items']:,}")
    console.print(table)
    console.print(
        f"history: {history['days']} days, {history['start_date']} to {history['end_date']}; "
        f"{history['items_done']:,} items done ({history['mean_per_day']:.2f}/day, "
        f"{history['zero_days']} days with none); {data['runs']:,} runs"
        + (f", seed {data['seed']}" if data["seed"] is not None else "")
    )
    excluded = {k: v for k, v in (data["excluded"] or {}).items() if v}
    if excluded:
        console.print("excluded: " + ", ".join(f"{k} {v:,}" for k, v in excluded.items()))
    for note in data["notes"]:
        console.print(f"[yellow]note:[/] {note}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``tandem flow``."""

    @app.command("forecast")
    @flow_command
    def forecast_command(
        items: Annotated[
            int | None, typer.Option("--items", help="When will this many more items be done?")
        ] = None,
        by: Annotated[
            str | None, typer.Option("--by", help="How many items will be done by this date?")
        ] = None,
        history_days: Annotated[
            int,
            typer.Option("--history-days", help="Days of throughput to resample (unless --from)."),
        ] = 90,
        runs: Annotated[int, typer.Option("--runs", help="Monte Carlo runs.")] = 10_000,
        seed: Annotated[
            int | None, typer.Option("--seed", help="Random seed, for a reproducible answer.")
        ] = None,
        workspace: WorkspaceOption = Path(),
        as_json: JsonOption = False,
        *,
        options: FlowOptions,
    ) -> None:
        """Monte Carlo forecast: when N items will be done (--items) or how many by a date (--by).

        Resamples the items done per day (zero days included) over the history — the
        --history-days before --to, or before the day after the last event — 10,000 times.
        P50/P85/P95: for --items, the dates by which that share of runs finished; for --by, the
        count reached in at least that share of runs. The forecast starts the day after the
        history.
        """
        if (items is None) == (by is None):
            raise InputError("give exactly one of --items N or --by DATE")
        by_date = parse_day(by, "--by") if by is not None else None
        if history_days <= 0:
            raise InputError(f"--history-days: {history_days} is not a positive number of days")
        if items is not None and items <= 0:
            raise InputError(f"--items: {items} is not a positive number of items")
        if not 1 <= runs <= forecast.MAX_RUNS:
            raise InputError(f"--runs: {runs} is not between 1 and {forecast.MAX_RUNS:,}")
        with open_flow(workspace, options) as run:
            data = flow_service.forecast(
                engine=run.engine,
                filters=run.filters,
                mapping=run.mapping,
                items=items,
                by_date=by_date,
                history_days=history_days,
                runs=runs,
                seed=seed,
            ).report
        emit(data, as_json=as_json, render=lambda console: _render(console, data))
