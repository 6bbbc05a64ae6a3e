"""``tandem flow map``: the process map picture (an SVG file, drawn without any system package)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tandem.cli.flow_options import FlowOptions, flow_command, open_flow
from tandem.cli.options import JsonOption, WorkspaceOption
from tandem.cli.output import emit
from tandem.errors import InputError
from tandem.flow.dfg import performance_dfg
from tandem.flow.render import Colouring, render_process_map
from tandem.reports import write_atomically

DEFAULT_MAX_EDGES = 40


def _colouring(value: str) -> Colouring:
    if value == "frequency":
        return "frequency"
    if value == "performance":
        return "performance"
    raise InputError(f"--colour: {value!r} is not one of frequency, performance")


def register(app: typer.Typer) -> None:
    """Add ``tandem flow map``."""

    @app.command("map")
    @flow_command
    def flow_map(
        output: Annotated[
            Path, typer.Option("--output", "-o", help="SVG file to write (replaced atomically).")
        ],
        colour: Annotated[
            str,
            typer.Option(
                "--colour",
                "--color",
                help="frequency: arcs labelled by how often; performance: by median wait, "
                "coloured by it.",
            ),
        ] = "frequency",
        max_edges: Annotated[
            int,
            typer.Option(
                "--max-edges",
                help="Show about this many of the most frequent paths; paths that keep every "
                "activity connected are added, the rest hidden (said in the caption).",
            ),
        ] = DEFAULT_MAX_EDGES,
        min_count: Annotated[
            int, typer.Option("--min-count", help="Hide paths taken fewer times than this.")
        ] = 1,
        workspace: WorkspaceOption = Path(),
        as_json: JsonOption = False,
        *,
        options: FlowOptions,
    ) -> None:
        """Draw the process map (directly-follows graph) of the lake as an SVG picture.

        Activities are boxes shaded by how often they occur; arcs are as thick as they are
        frequent and labelled by count, or by median wait with --colour performance. Rare paths
        are hidden (never an activity), and the caption says how many.
        """
        colouring = _colouring(colour)
        if output.suffix.lower() != ".svg":
            raise InputError("the process map is an SVG picture: name the file *.svg", path=output)
        for flag, value in (("--max-edges", max_edges), ("--min-count", min_count)):
            if value < 1:
                raise InputError(f"{flag} must be at least 1")
        with open_flow(workspace, options) as run:
            dfg = performance_dfg(run.engine, run.filters).to_dict()
        picture = render_process_map(
            dfg, colour=colouring, max_edges=max_edges, min_count=min_count
        )
        write_atomically(output, picture.svg)
        result = {"file": str(output), **picture.summary()}

        def render(console: Console) -> None:
            console.print(
                f"wrote {output}: {picture.nodes:,} activities, {picture.edges:,} paths shown, "
                f"{picture.hidden_edges:,} hidden"
            )

        emit(result, as_json=as_json, render=render)
