"""``tandem flow prs | dora``: pull request flow and the four keys (registered by
:mod:`tandem.cli.flow`). A team answer shows "withheld: …" for a figure resting on fewer than
five people (the others are shown) and refuses a window shorter than a week."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tandem.cli.flow_metrics import _duration, _excluded
from tandem.cli.flow_options import TeamOption, parse_instant
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.errors import InputError
from tandem.flow.engine import Filters, FlowEngine

SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="Start of the window (ISO date or time, UTC unless it says); default: 90 days "
        "before its end. A team's window must be 7 days at least.",
    ),
]
UntilOption = Annotated[
    str | None,
    typer.Option(
        "--until",
        help="End of the window, exclusive (ISO date or time); default: the day after the last "
        "delivery event.",
    ),
]
DeliveryBotsOption = Annotated[
    bool,
    typer.Option(
        "--bots/--no-bots",
        help="Count pull requests and changes authored by bots, and bots' reviews.",
    ),
]
ItemsOption = Annotated[
    bool, typer.Option("--items", help="Drill down: list every pull request or change.")
]


@contextmanager
def open_delivery(
    workspace: Path, team: list[str] | None, since: str | None, until: str | None
) -> Iterator[tuple[FlowEngine, Filters, str]]:
    """The lake's engine, the window and team as filters, the production pattern setting."""
    from tandem.db.session import session_scope
    from tandem.people import service as people_service
    from tandem.workspace import Workspace

    opened = Workspace.open(workspace)
    first, last = parse_instant(since, "--since"), parse_instant(until, "--until")
    if first is not None and last is not None and first >= last:
        raise InputError("--since must be before --until")
    members: dict[str, tuple[str, ...]] = {}
    people: dict[str, str] = {}
    if team:
        with session_scope(opened.engine) as session:
            members = people_service.team_identity_keys(session=session, teams=team)
            people = people_service.team_identity_people(session=session, teams=team)
    filters = Filters(start=first, end=last, teams=members, team_people=people)
    with FlowEngine(opened.lake) as engine:
        yield engine, filters, opened.settings.flow.delivery.production


def _window(data: dict[str, Any]) -> str:
    behind = "" if data["people"] is None else f"; the work of {data['people']} people"
    bots = "bots included" if data["include_bots"] else "bots excluded"
    return f"{data['start'][:10]} to {data['end'][:10]} (end exclusive), {bots}{behind}"


def _figure_row(table: Table, label: str, figure: dict[str, Any]) -> None:
    """One figure's row; a withheld one says why instead of its percentiles."""
    withheld = figure.get("withheld")
    table.add_row(
        label,
        str(figure["n"]),
        *(
            (escape(withheld), "", "")
            if withheld
            else (_duration(figure[f"{p}_seconds"]) for p in ("p50", "p85", "p95"))
        ),
        escape(_excluded(figure["excluded"])),
    )


def _mix(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in counts.items()) or "—"


def register(app: typer.Typer) -> None:
    """Add ``prs`` and ``dora`` to ``tandem flow``."""

    @app.command("prs")
    def prs_command(
        workspace: WorkspaceOption = Path(),
        team: TeamOption = None,
        since: SinceOption = None,
        until: UntilOption = None,
        bots: DeliveryBotsOption = False,
        items: ItemsOption = False,
        as_json: JsonOption = False,
    ) -> None:
        """Pull request flow: coding, pickup, review and deploy P50/P85/P95, with exclusions."""
        from tandem.delivery import service as delivery_service

        with open_delivery(workspace, team, since, until) as (engine, filters, production):
            report = delivery_service.pull_request_flow(
                engine=engine, filters=filters, include_bots=bots, production=production
            )
        data = report.model_dump(mode="json")
        if not items:
            data.pop("rows")

        def render(console: Console) -> None:
            console.print(f"[bold]{data['n']}[/] pull requests created, {_window(data)}")
            table = Table("stage", "n", "P50", "P85", "P95", "excluded")
            for stage in ("coding", "pickup", "review", "deploy", "total"):
                _figure_row(table, stage, data[stage])
            console.print(table)
            console.print(
                f"left out: {escape(_excluded(data['excluded']))}; deploy linked by "
                f"{escape(_mix(data['deploy_confidence']))}"
            )
            if items:
                rows = Table("pull request", "coding", "pickup", "review", "deploy", "total",
                             "deployment")  # fmt: skip
                for row in data["rows"]:
                    rows.add_row(
                        escape(row["pull_request"]),
                        *(_duration(row[f"{s}_seconds"])
                          for s in ("coding", "pickup", "review", "deploy", "total")),
                        escape(row["deploy_status"] or "open"),
                    )  # fmt: skip
                console.print(rows)

        emit(data, as_json=as_json, render=render)

    @app.command("dora")
    def dora_command(
        workspace: WorkspaceOption = Path(),
        team: TeamOption = None,
        since: SinceOption = None,
        until: UntilOption = None,
        env_production: Annotated[
            str | None,
            typer.Option(
                "--env-production",
                metavar="REGEX",
                help="Production environments (regular expression, case-insensitive); "
                "default: [flow.delivery] production in tandem.toml, ^(prod|production|live).",
            ),
        ] = None,
        bots: DeliveryBotsOption = False,
        items: ItemsOption = False,
        as_json: JsonOption = False,
    ) -> None:
        """The four keys: deployment frequency, change lead time, failure rate, time to restore."""
        from tandem.delivery import service as delivery_service

        with open_delivery(workspace, team, since, until) as (engine, filters, production):
            report = delivery_service.dora_metrics(
                engine=engine,
                filters=filters,
                production=env_production or production,
                include_bots=bots,
            )
        data = report.model_dump(mode="json")
        if not items:
            data.pop("changes")

        def render(console: Console) -> None:
            console.print(
                f"DORA, {_window(data)}; production = {escape(data['production_pattern'])}"
            )
            f = data["deployment_frequency"]
            if f["withheld"]:
                console.print(
                    f"deployment frequency: {escape(f['withheld'])} ({f['deployments']} "
                    f"deployments over {f['weeks']:.1f} weeks)"
                )
            else:
                per_week = "—" if f["per_week"] is None else f"{f['per_week']:.2f}"
                console.print(
                    f"deployment frequency: {per_week} deployment days per week "
                    f"({f['deployment_days']} days, {f['deployments']} deployments over "
                    f"{f['weeks']:.1f} weeks; left out: {escape(_excluded(f['excluded']))})"
                )
            services = Table("service", "deployments", "days", "per week")
            for row in f["by_service"]:
                services.add_row(
                    escape(row["service"]),
                    str(row["deployments"]),
                    "—" if row["deployment_days"] is None else str(row["deployment_days"]),
                    escape(row["withheld"])
                    if row["withheld"]
                    else "—"
                    if row["per_week"] is None
                    else f"{row['per_week']:.2f}",
                )
            console.print(services)
            table = Table("figure", "n", "P50", "P85", "P95", "excluded")
            lead = data["change_lead_time"]
            _figure_row(table, "change lead time", lead["figure"])
            _figure_row(table, "time to restore", data["time_to_restore"])
            console.print(table)
            share = lead["unlinked_share"]
            if lead["withheld"]:
                console.print(f"unlinked changes: {escape(lead['withheld'])}")
            else:
                console.print(
                    f"unlinked changes: {lead['unlinked']} of {lead['changes']} "
                    f"({'—' if share is None else f'{share:.1%}'}); linked by "
                    f"{escape(_mix(lead['confidence']))}"
                )
            cfr = data["change_failure_rate"]
            if cfr["withheld"]:
                console.print(
                    f"change failure rate: {escape(cfr['withheld'])} ({cfr['deployments']} "
                    "production deployments)"
                )
            else:
                value = "—" if cfr["value"] is None else f"{cfr['value']:.1%}"
                console.print(
                    f"change failure rate: {value} ({cfr['failed_deployments']} of "
                    f"{cfr['deployments']} production deployments with an incident; incidents "
                    f"linked by {escape(_mix(cfr['incident_links']))})"
                )
            if items:
                rows = Table("change", "status", "linked by", "deployment", "lead time")
                for row in data["changes"]:
                    rows.add_row(
                        escape(row["change"]),
                        row["status"],
                        row["confidence"] or "—",
                        escape(row["deployment"] or "—"),
                        _duration(row["lead_seconds"]),
                    )
                console.print(rows)

        emit(data, as_json=as_json, render=render)
