"""Options shared by every command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

WorkspaceOption = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        envvar="TANDEM_WORKSPACE",
        help="Workspace folder (tandem.toml, app database, lake/). Env: TANDEM_WORKSPACE.",
        show_default=True,
    ),
]

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON object on stdout instead of tables.")
]

TeamOption = Annotated[str, typer.Option("--team", "-t", help="The team (name or id).")]
