"""``tandem ingest git|events|jira-csv|incidents``: bring work data into the lake."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import BarProgress, emit
from tandem.ingest import service
from tandem.sources.contracts import ColumnMapping
from tandem.workspace import Workspace

app = typer.Typer(help="Bring work data into the event lake.", no_args_is_help=True)


@app.command("git")
def ingest_git(
    paths: Annotated[
        list[Path], typer.Argument(help="Git repositories (bare or with a work tree).")
    ],
    rev: Annotated[
        str | None, typer.Option(help="Ref to ingest (default: the default branch, HEAD).")
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Ingest the full history of git repositories: commits, files, identities (incremental)."""
    result = service.ingest_git(
        workspace=Workspace.open(workspace), paths=paths, rev=rev, progress=BarProgress()
    )

    def render(console: Console) -> None:
        table = Table("repository", "ref", "commits in ref", "added", "in lake", "missing blobs")
        for repo in result["repos"]:
            table.add_row(
                repo["repo"],
                repo["rev"],
                f"{repo['commits_in_ref']:,}",
                f"{repo['commits_added']:,}",
                f"{repo['commits_total']:,}",
                f"{repo['missing_blobs']:,}",
            )
        console.print(table)
        _print_people(console, result["people"], result["identities"])

    emit(result, as_json=as_json, render=render)


@app.command("events")
def ingest_events(
    file: Annotated[Path, typer.Argument(help="Event log: .csv, .csv.gz, .parquet, .xes, .xes.gz")],
    case: Annotated[str | None, typer.Option(help="Column of the case id.")] = None,
    activity: Annotated[str | None, typer.Option(help="Column of the activity.")] = None,
    timestamp: Annotated[str | None, typer.Option(help="Column of the timestamp.")] = None,
    resource: Annotated[str | None, typer.Option(help="Column of the resource.")] = None,
    lifecycle: Annotated[
        str | None, typer.Option(help="Column of the lifecycle transition.")
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Source name (default: the file name without extensions).")
    ] = None,
    timezone: Annotated[str, typer.Option(help="Time zone of timestamps that carry none.")] = "UTC",
    object_type: Annotated[
        str, typer.Option(help="Object type of the cases (e.g. work_item, incident).")
    ] = "case",
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Ingest a process event log; standard column names are detected, flags override them."""
    result = service.ingest_events(
        workspace=Workspace.open(workspace),
        path=file,
        columns=ColumnMapping(
            case=case,
            activity=activity,
            timestamp=timestamp,
            resource=resource,
            lifecycle=lifecycle,
        ),
        source=source,
        timezone=timezone,
        object_type=object_type,
        progress=BarProgress(),
    )

    def render(console: Console) -> None:
        table = Table("source", "format", "cases", "events", "added", "activities")
        table.add_row(
            result["source"],
            result["format"],
            f"{result['cases']:,}",
            f"{result['events']:,}",
            f"{result['events_added']:,}",
            f"{result['activities']:,}",
        )
        console.print(table)
        used = ", ".join(f"{k}={v}" for k, v in result["columns"].items() if v)
        console.print(f"columns: {used}")
        _print_people(console, result["people"], result.get("identities", 0))

    emit(result, as_json=as_json, render=render)


@app.command("jira-csv")
def ingest_jira_csv(
    file: Annotated[Path, typer.Argument(help="Jira's 'Export CSV (all fields)' file.")],
    source: Annotated[
        str | None, typer.Option(help="Source name (default: jira-csv:<file name>).")
    ] = None,
    date_format: Annotated[
        str,
        typer.Option(
            help="strptime format of the export's dates (Jira's default dd/MMM/yy h:mm a).",
        ),
    ] = "%d/%b/%y %I:%M %p",
    locale: Annotated[
        str, typer.Option(help="Language of the month names: en, de, fr, es, nl, pt.")
    ] = "en",
    timezone: Annotated[
        str, typer.Option(help="Time zone of the user who exported (dates carry none).")
    ] = "UTC",
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Ingest a Jira CSV export: items, their current status and dates (no status history:
    every item is flagged history_truncated). Bad rows are listed by line; nothing is written."""
    from tandem.sources.jira.csv_export import DateFormat

    result = service.ingest_jira_export(
        workspace=Workspace.open(workspace),
        path=file,
        source=source,
        dates=DateFormat(pattern=date_format, locale=locale, timezone=timezone),
    )

    def render(console: Console) -> None:
        table = Table("source", "items", "events", "added", "statuses")
        table.add_row(
            result["source"],
            f"{result['items']:,}",
            f"{result['events']:,}",
            f"{result['events_added']:,}",
            f"{len(result['statuses']):,}",
        )
        console.print(table)
        console.print(
            f"{result['history_truncated']:,} items flagged history_truncated: a CSV export "
            "holds the current status only"
        )
        _print_people(console, result["people"], result["identities"])

    emit(result, as_json=as_json, render=render)


@app.command("incidents")
def ingest_incidents(
    file: Annotated[
        Path, typer.Argument(help="Incident export: .csv or .csv.gz (PagerDuty, Opsgenie, ...).")
    ],
    source: Annotated[
        str | None,
        typer.Option(
            help="Source name: incidents:NAME (default: the file name without extensions)."
        ),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(
            help="ROLE=COLUMN to name a column yourself (repeatable); roles: id, title, opened, "
            "resolved, updated, service, severity, status, labels, environment, url."
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(help="Time zone of timestamps that carry none (else they are refused)."),
    ] = None,
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Import incidents: one per row, opened and resolved events; columns detected by name."""
    from tandem.sources.incidents.columns import parse_overrides

    result = service.ingest_incidents(
        workspace=Workspace.open(workspace),
        path=file,
        source=source,
        overrides=parse_overrides(column or []),
        timezone=timezone,
    )

    def render(console: Console) -> None:
        table = Table("source", "incidents", "resolved", "open", "events added")
        table.add_row(
            result["source"],
            f"{result['incidents']:,}",
            f"{result['resolved']:,}",
            f"{result['open']:,}",
            f"{result['events_added']:,}",
        )
        console.print(table)
        used = ", ".join(f"{k}={v}" for k, v in result["columns"].items() if v)
        console.print(f"columns: {used}")

    emit(result, as_json=as_json, render=render)


def _print_people(console: Console, people: dict[str, Any], identities: int) -> None:
    console.print(
        f"identities: {identities:,} seen; {people['identities_added']:,} new in the app database, "
        f"{people['people_added']:,} new people, {people['auto_linked']:,} grouped by email"
    )
