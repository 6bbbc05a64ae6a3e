"""``tandem flow …``: the how engine's metrics and process maps.

Each area of the engine keeps its commands in its own module and registers them here, so no
one file holds every command.
"""

from __future__ import annotations

import typer

from tandem.cli import (
    flow_delivery,
    flow_forecast,
    flow_git,
    flow_map,
    flow_mapping,
    flow_metrics,
    flow_process,
)

app = typer.Typer(
    help="Flow analytics and process mining on the lake (the manager's how panel).",
    no_args_is_help=True,
)

for _module in (flow_metrics, flow_process, flow_forecast, flow_map, flow_git, flow_delivery):
    _module.register(app)
flow_mapping.register_quality(app)
