"""``tandem flow mapping propose`` and ``tandem flow quality``: the status mapping wizard and the
data-quality counts per source (registered by :mod:`tandem.cli.flow_metrics` and
:mod:`tandem.cli.flow`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tandem.audit import service as audit
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.db.session import session_scope
from tandem.flow import mapping_wizard, quality
from tandem.flow.mapping import StatusMapping
from tandem.workspace import Workspace


def register(mapping_app: typer.Typer) -> None:
    """Add ``propose`` to ``tandem flow mapping``."""

    @mapping_app.command("propose")
    def propose(
        source: Annotated[str, typer.Option("--source", help="The source, as the lake names it.")],
        write: Annotated[
            bool,
            typer.Option(
                "--write",
                help='Save the proposal as [flow.mapping."<source>"] in tandem.toml (replacing '
                "that table only; audited). Without it nothing is written.",
            ),
        ] = False,
        workspace: WorkspaceOption = Path(),
        as_json: JsonOption = False,
    ) -> None:
        """Propose a flow category for each status of a source, from Jira's status categories
        and the status names, with counts; --write saves it."""
        opened = Workspace.open(workspace)
        proposal = mapping_wizard.propose_mapping(
            lake=opened.lake,
            mapping=StatusMapping.from_settings(opened.settings.flow),
            source=source,
        )
        data = {**proposal.to_dict(), "written": False, "config": str(opened.config_path)}
        if write:
            with session_scope(opened.engine) as session:
                mapping_wizard.save_mapping(
                    config_path=opened.config_path,
                    source=source,
                    choices=proposal.choices(),
                    session=session,
                    actor=audit.cli_actor(),
                )
            data["written"] = True

        def render(console: Console) -> None:
            table = Table("status", "events", "items", "now", "proposed", "why", title=source)
            for row in data["statuses"]:
                now = row["current"] + ("" if row["configured"] else " (default)")
                table.add_row(
                    row["activity"],
                    str(row["events"]),
                    str(row["items"]),
                    now,
                    row["proposed"],
                    row["reason"],
                )
            console.print(table)
            where = escape(f'[flow.mapping."{source}"]')
            if data["written"]:
                console.print(f"written to {where} of {data['config']}")
            else:
                console.print(f"nothing written; --write saves it to {where} of tandem.toml")

        emit(data, as_json=as_json, render=render)


def register_quality(app: typer.Typer) -> None:
    """Add ``quality`` to ``tandem flow``."""

    @app.command("quality")
    def quality_command(
        workspace: WorkspaceOption = Path(),
        as_json: JsonOption = False,
    ) -> None:
        """Data quality per source: truncated histories, items never done, events without a
        resource, bot share, unmapped statuses (counts only)."""
        opened = Workspace.open(workspace)
        rows = quality.source_quality(
            lake=opened.lake, mapping=StatusMapping.from_settings(opened.settings.flow)
        )
        data = {"sources": [row.to_dict() for row in rows]}

        def render(console: Console) -> None:
            table = Table(
                "source", "items", "events", "truncated", "never done", "no resource",
                "bot share", "unmapped statuses",
            )  # fmt: skip
            for row in data["sources"]:
                share = row["bot_share"]
                table.add_row(
                    row["source"],
                    str(row["items"]),
                    str(row["events"]),
                    str(row["truncated_items"]),
                    str(row["items_without_done"]),
                    str(row["events_without_resource"]),
                    "—" if share is None else f"{share:.0%}",
                    f"{len(row['unmapped_statuses'])} of {row['statuses']}",
                )
            console.print(table)
            if not data["sources"]:
                console.print("no work items in the lake yet")

        emit(data, as_json=as_json, render=render)
