"""``tandem flow`` commands of one area of the how engine (registered by :mod:`tandem.cli.flow`)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``tandem flow``."""
