"""``tandem brief --team T -o brief.html``: the team's brief as one offline HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import BarProgress, emit
from tandem.errors import InputError
from tandem.flow.engine import parse_day
from tandem.workspace import Workspace


def brief_command(
    team: Annotated[str, typer.Option("--team", help="The team (name or id).")],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="HTML file to write (replaced atomically)."),
    ],
    start: Annotated[
        str | None,
        typer.Option(
            "--from", help="First day of the period (YYYY-MM-DD). Default: 90 days before --to."
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Last day of the period, included (YYYY-MM-DD). Default: the work data's "
            "last day.",
        ),
    ] = None,
    prepared_for: Annotated[
        str,
        typer.Option(
            "--for",
            help="Whose view the people figures are: the team's leader or manager (both see "
            "aggregates only in the brief).",
        ),
    ] = "leader",
    workspace: WorkspaceOption = Path(),
    as_json: JsonOption = False,
) -> None:
    """Write the team's brief: why, how and people in one offline HTML file for the pair.

    One self-contained file (inline CSS and SVG charts, no script, nothing fetched) that prints
    on A4 with a page per section: the why (vision, goals and key results, stories, wins), the
    how (flow, top bottlenecks, forecast, delivery) and the people side (coverage, duos and
    development plans in aggregate). Every figure shows what it rests on (n); a figure resting
    on fewer than 5 people is withheld and the brief says why. --json prints the sections'
    data and the file written.
    """
    from tandem.brief.build import build_brief
    from tandem.brief.render import render_brief
    from tandem.reports import write_atomically

    if output.suffix.lower() not in (".html", ".htm"):
        raise InputError("the brief is an HTML file: name it *.html", path=output)
    if output.parent and not output.parent.is_dir():
        raise InputError("folder does not exist", path=output.parent)
    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    brief = build_brief(
        workspace=Workspace.open(workspace),
        team=team,
        start=first,
        end=last,
        prepared_for=prepared_for,
        progress=BarProgress(),
    )
    html = render_brief(brief)
    write_atomically(output, html)
    result = {"file": str(output), "bytes": len(html.encode()), **brief.model_dump(mode="json")}
    result["withheld"] = [{"part": name, "reason": why} for name, why in brief.withheld()]

    def render(console: Console) -> None:
        console.print(
            f"wrote {escape(str(output))}: the brief of team {escape(brief.header.team.name)}, "
            f"{brief.header.start or '—'} to {brief.header.end or '—'}"
        )
        for name, why in brief.withheld():
            console.print(f"[dim]left out:[/] {name}: {escape(why)}")

    emit(result, as_json=as_json, render=render)
