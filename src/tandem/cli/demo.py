"""``tandem demo``: build the demo workspace from the real data shipped with Tandem."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.cli.options import JsonOption
from tandem.cli.output import BarProgress, emit
from tandem.demo.build import build_demo


def demo_command(
    workspace: Annotated[
        Path,
        typer.Option(
            "--workspace",
            "-w",
            envvar="TANDEM_WORKSPACE",
            help="Where to build the demo workspace.",
        ),
    ] = Path("demo-workspace"),
    as_json: JsonOption = False,
) -> None:
    """Build the demo workspace: the BPIC 2014 IT-incident log and this checkout's git history.

    It also adds a SYNTHETIC organisation (invented people at example.org, generated answers):
    32 people in 4 teams and one closed 360 review cycle. Re-running adds nothing.
    """
    result = build_demo(root=workspace, progress=BarProgress())

    def render(console: Console) -> None:
        console.print(f"Demo workspace built at [bold]{result['workspace']}[/]")
        inc = result["incidents"]
        console.print(
            f"  IT incidents (BPIC 2014, Rabobank; real data): {inc['cases']:,} incidents, "
            f"{inc['events']:,} events, {inc['activities']} activities "
            f"({inc['events_added']:,} events new this run)"
        )
        if result["git"]:
            git = result["git"]
            console.print(
                f"  Tandem's own git history: {git['commits_total']:,} commits by "
                f"{git['identities']:,} identities ({git['commits_added']:,} new this run)"
            )
        else:
            console.print("  (not run from a git checkout: no git history ingested)")
        org = result["organisation"]
        console.print(
            f"  SYNTHETIC organisation: {org['people']} invented people in {len(org['teams'])} "
            f"teams ({', '.join(org['teams'])}); {org['status']} 360 cycle "
            f"[bold]{org['cycle']}[/] with {org['responses']:,} generated answers"
            + (" (already present)" if org["already_present"] else "")
        )
        console.print(f"  [dim]{org['note']}.[/]")
        table = Table("lake table", "rows")
        for name, rows in result["tables"].items():
            table.add_row(name, f"{rows:,}")
        console.print(table)
        console.print(f"Process map of the incidents (performance): {result['process_map']}")
        console.print(f"Next: tandem flow summary --workspace {result['workspace']}")
        console.print(
            f"      tandem profile {org['head']} --cycle {org['cycle']} "
            f"--workspace {result['workspace']}"
        )

    emit(result, as_json=as_json, render=render)
